"""The host ATS's event log: written in the transaction of the change it reports (`emit`), read
oldest first by the change feed and the webhook dispatcher (`read_after`).

A reader that has seen an event with `seq = n` must never later find a committed event of the
same tenant below n. SQLite writers are serialized (BEGIN IMMEDIATE); on PostgreSQL `emit`
first takes a transaction-scoped advisory lock per tenant, held until commit, so a tenant's
sequence numbers are handed out in commit order (as the changelog does for all tenants).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text

from recruitlink.core.host_events import check_type, envelope

from .schema import host_events

_EVENTS_LOCK = 0x686F_6F6B  # "hook": the first key of the per-tenant advisory lock


@dataclass(frozen=True)
class HostEvent:
    seq: int
    tenant_id: int
    type: str
    subject: str
    subject_id: str | None
    data: dict[str, Any]
    at: int

    @property
    def record_key(self) -> str:
        """What a receiver applies in order: one record's events never overtake each other."""
        return f"{self.subject}:{self.subject_id or ''}"

    def envelope(self) -> dict[str, Any]:
        return envelope(self.seq, self.type, self.at, self.data)


def emit(conn: Connection, tenant_id: int, type_: str, subject_id: str | int | None,
         data: dict[str, Any], *, at_ms: int | None = None) -> int:
    """Write one event in the caller's transaction; its sequence number."""
    event_type = check_type(type_)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key, :tenant)"),
                     {"key": _EVENTS_LOCK, "tenant": int(tenant_id) & 0x7FFF_FFFF})
    row = conn.execute(host_events.insert().values(
        tenant_id=tenant_id, type=type_, subject=event_type.subject,
        subject_id=None if subject_id is None else str(subject_id), data=data,
        at=at_ms if at_ms is not None else int(time.time() * 1000),
    ).returning(host_events.c.seq)).scalar_one()
    return int(row)


# Built once: the webhook dispatcher reads a page every round.
_PAGE = (select(host_events).where(host_events.c.tenant_id == bindparam("tenant"),
                                   host_events.c.seq > bindparam("after"))
         .order_by(host_events.c.seq).limit(bindparam("limit")))
_PAGE_OF_TYPES = _PAGE.where(host_events.c.type.in_(bindparam("types", expanding=True)))


def read_after(conn: Connection, tenant_id: int, after: int, *, limit: int,
               types: Iterable[str] = ()) -> list[HostEvent]:
    """At most `limit` of the tenant's events after sequence `after`, oldest first (a page:
    bounded, never the whole log)."""
    wanted = list(types)
    rows = conn.execute(_PAGE_OF_TYPES if wanted else _PAGE, {
        "tenant": tenant_id, "after": after, "limit": limit, "types": wanted})
    return [HostEvent(r.seq, r.tenant_id, r.type, r.subject, r.subject_id, r.data, r.at)
            for r in rows]


def head(conn: Connection, tenant_id: int) -> int:
    """The tenant's newest event sequence number (0: none yet)."""
    return int(conn.execute(select(func.coalesce(func.max(host_events.c.seq), 0)).where(
        host_events.c.tenant_id == tenant_id)).scalar() or 0)
