"""The changelog: one row per changed record per transaction, in commit order.

Writers collect their changes in a `ChangeSet`, which merges repeated changes to one record
(create then update is a create; create then delete is nothing) and is flushed as the last
step of the transaction. On PostgreSQL the flush first takes a transaction-scoped advisory
lock, held until commit, so sequence numbers are handed out in commit order and a reader that
has seen `seq = n` can never later find a committed row below it. SQLite writers are already
serialized by `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, func, select, text

from .schema import changelog

Op = Literal["create", "update", "delete"]
Confidentiality = Literal["entered", "left"]

# Any fixed number shared by every writer: the key of the changelog's advisory lock.
_CHANGELOG_LOCK = 0x7265_6C69_6E6B  # "relink"


@dataclass
class Change:
    entity: str
    entity_id: int
    external_id: str
    op: Op
    confidentiality: Confidentiality | None = None


@dataclass(frozen=True)
class ChangelogRow:
    seq: int
    tenant_id: int
    entity: str
    entity_id: int
    external_id: str
    op: str
    confidentiality: str | None
    at: int


class ChangeSet:
    def __init__(self, tenant_id: int) -> None:
        self.tenant_id = tenant_id
        self._changes: dict[tuple[str, int], Change | None] = {}

    def add(self, entity: str, entity_id: int, external_id: str, op: Op,
            confidentiality: Confidentiality | None = None) -> None:
        key = (entity, entity_id)
        if key not in self._changes:
            self._changes[key] = Change(entity, entity_id, external_id, op, confidentiality)
            return
        prior = self._changes[key]
        if prior is None:  # created and deleted earlier in this transaction; a new life
            self._changes[key] = Change(entity, entity_id, external_id, op, confidentiality)
            return
        if op == "delete":
            self._changes[key] = None if prior.op == "create" else Change(
                entity, entity_id, external_id, "delete")
            return
        prior.external_id = external_id
        if prior.op == "delete":
            prior.op = "update"
        if confidentiality is not None:
            # Entering then leaving within one transaction is no change at all.
            net = None if prior.confidentiality not in (None, confidentiality) else confidentiality
            prior.confidentiality = net

    def __len__(self) -> int:
        return sum(1 for c in self._changes.values() if c is not None)

    def flush(self, conn: Connection, now_ms: int) -> int:
        rows = [{"tenant_id": self.tenant_id, "entity": c.entity, "entity_id": c.entity_id,
                 "external_id": c.external_id, "op": c.op,
                 "confidentiality": c.confidentiality, "at": now_ms}
                for c in self._changes.values() if c is not None]
        self._changes.clear()
        if not rows:
            return 0
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHANGELOG_LOCK})
        conn.execute(changelog.insert(), rows)
        return len(rows)


def read_changes(conn: Connection, tenant_id: int | None, after_seq: int,
                 limit: int) -> Iterator[ChangelogRow]:
    """Changelog rows after `after_seq`, in sequence (= commit) order."""
    query = select(changelog).where(changelog.c.seq > after_seq)
    if tenant_id is not None:
        query = query.where(changelog.c.tenant_id == tenant_id)
    for row in conn.execute(query.order_by(changelog.c.seq).limit(limit)):
        yield ChangelogRow(row.seq, row.tenant_id, row.entity, row.entity_id, row.external_id,
                           row.op, row.confidentiality, row.at)


def head_seq(conn: Connection, tenant_id: int) -> int:
    """The tenant's newest changelog sequence number (0: none yet)."""
    return int(conn.execute(select(func.coalesce(func.max(changelog.c.seq), 0)).where(
        changelog.c.tenant_id == tenant_id)).scalar() or 0)


def changes_after(conn: Connection, tenant_id: int, after_seq: int, entities: Iterable[str]
                  ) -> int:
    """How many of the tenant's changelog rows of these entities come after `after_seq`."""
    return int(conn.execute(select(func.count()).select_from(changelog).where(
        changelog.c.tenant_id == tenant_id, changelog.c.seq > after_seq,
        changelog.c.entity.in_(list(entities)))).scalar() or 0)
