"""Live parity's tables: each tenant's progress through the ledger (`parity_state`) and the
drift its rounds found (`parity_drift`). The rounds themselves are `sync/parity.py`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from .schema import parity_drift, parity_state, sync_ledger, tenants

ROUND = "*"
"""`parity_state.entity` of the tenant's round itself (its `round_at` is the claim)."""


@dataclass(frozen=True)
class Drift:
    entity: str
    entity_id: int
    external_id: str
    kind: str
    fields: tuple[str, ...]
    found_at: int


def claim_round(conn: Connection, tenant_id: int, now: int, interval_ms: int) -> bool:
    """Take the tenant's next round if none ran within `interval_ms` (0: now, whatever ran);
    two processes never both take it."""
    row = conn.execute(select(parity_state.c.round_at).where(
        parity_state.c.tenant_id == tenant_id, parity_state.c.entity == ROUND)).first()
    if row is None:
        try:
            with conn.begin_nested():  # another process may insert it at the same moment
                conn.execute(insert(parity_state).values(tenant_id=tenant_id, entity=ROUND,
                                                         after_id=0, checked=0, round_at=now))
        except IntegrityError:
            return False
        return True
    taken = conn.execute(update(parity_state).where(
        parity_state.c.tenant_id == tenant_id, parity_state.c.entity == ROUND,
        parity_state.c.round_at == row.round_at,
        parity_state.c.round_at <= now - interval_ms).values(round_at=now))
    return bool(taken.rowcount)


def due_tenants(conn: Connection, tenant_ids: Sequence[int], now: int,
                interval_ms: int) -> list[int]:
    """Of these tenants, those whose last round is older than `interval_ms` (or never ran)."""
    if not tenant_ids:
        return []
    recent = set(conn.execute(select(parity_state.c.tenant_id).where(
        parity_state.c.entity == ROUND, parity_state.c.tenant_id.in_(tenant_ids),
        parity_state.c.round_at > now - interval_ms)).scalars())
    return [t for t in tenant_ids if t not in recent]


def position(conn: Connection, tenant_id: int, entity: str) -> int:
    """The last ledger id the current pass read back (0: start a new pass)."""
    found = conn.execute(select(parity_state.c.after_id).where(
        parity_state.c.tenant_id == tenant_id, parity_state.c.entity == entity)).scalar()
    return int(found or 0)


def record_range(conn: Connection, tenant_id: int, entity: str, after_id: int,
                 last_id: int | None, drift: Iterable[Drift], checked: int, now: int,
                 *, pass_done: bool) -> None:
    """A round read back the ledger ids in (after_id, last_id] (to the end: `last_id` None):
    its drift replaces what earlier rounds found there; the pass moves on (or starts over)."""
    clear = delete(parity_drift).where(parity_drift.c.tenant_id == tenant_id,
                                       parity_drift.c.entity == entity,
                                       parity_drift.c.entity_id > after_id)
    if last_id is not None:
        clear = clear.where(parity_drift.c.entity_id <= last_id)
    conn.execute(clear)
    rows = [{"tenant_id": tenant_id, "entity": d.entity, "entity_id": d.entity_id,
             "external_id": d.external_id, "kind": d.kind, "fields": list(d.fields),
             "found_at": d.found_at} for d in drift]
    if rows:
        conn.execute(insert(parity_drift), rows)
    after = 0 if pass_done else (last_id or 0)
    # A pass in several rounds counts what it has read so far; a new pass starts over.
    total: Any = checked if after_id == 0 else parity_state.c.checked + checked
    changed = conn.execute(update(parity_state).where(
        parity_state.c.tenant_id == tenant_id, parity_state.c.entity == entity)
        .values(after_id=after, checked=total, round_at=now))
    if not changed.rowcount:
        conn.execute(insert(parity_state).values(tenant_id=tenant_id, entity=entity,
                                                 after_id=after, checked=checked,
                                                 round_at=now))


def forget_tenant(conn: Connection, tenant_id: int) -> None:
    """Reconnecting starts from nothing: what earlier rounds read back (figures, drift, how
    far a pass got) was about records a disconnect deleted from LinkedIn. The next round
    checks the new sync's records; until then the pages say parity was not checked yet."""
    conn.execute(delete(parity_drift).where(parity_drift.c.tenant_id == tenant_id))
    conn.execute(delete(parity_state).where(parity_state.c.tenant_id == tenant_id))


def forget(conn: Connection, tenant_id: int, keys: Iterable[tuple[str, int]]) -> None:
    """Drift that reconcile repaired (the next round looks again)."""
    for entity, entity_id in keys:
        conn.execute(delete(parity_drift).where(
            parity_drift.c.tenant_id == tenant_id, parity_drift.c.entity == entity,
            parity_drift.c.entity_id == entity_id))


def drift(conn: Connection, tenant_id: int, *, limit: int | None = None) -> list[Drift]:
    query = select(parity_drift).where(parity_drift.c.tenant_id == tenant_id).order_by(
        parity_drift.c.entity, parity_drift.c.entity_id)
    if limit is not None:
        query = query.limit(limit)
    return [Drift(r.entity, r.entity_id, r.external_id, r.kind, tuple(r.fields or ()),
                  r.found_at) for r in conn.execute(query)]


def summary(conn: Connection, tenant_id: int) -> dict[str, dict[str, Any]]:
    """Per entity: records checked by the latest pass, drift by kind, when it last ran."""
    out: dict[str, dict[str, Any]] = {}
    for r in conn.execute(select(parity_state).where(
            parity_state.c.tenant_id == tenant_id, parity_state.c.entity != ROUND)):
        out[r.entity] = {"checked": r.checked, "roundAt": r.round_at,
                         "missing": 0, "stale": 0, "extra": 0}
    for entity, kind, count in conn.execute(
            select(parity_drift.c.entity, parity_drift.c.kind, func.count()).where(
                parity_drift.c.tenant_id == tenant_id)
            .group_by(parity_drift.c.entity, parity_drift.c.kind)):
        out.setdefault(entity, {"checked": 0, "roundAt": None, "missing": 0, "stale": 0,
                                "extra": 0})[kind] = count
    return out


def last_round(conn: Connection, tenant_id: int) -> int | None:
    return conn.execute(select(parity_state.c.round_at).where(
        parity_state.c.tenant_id == tenant_id, parity_state.c.entity == ROUND)).scalar()


def all_summaries(conn: Connection) -> dict[str, dict[str, dict[str, Any]]]:
    """tenant slug -> `summary` (for /metrics)."""
    slugs: Mapping[int, str] = {r.id: r.slug for r in conn.execute(
        select(tenants.c.id, tenants.c.slug).where(tenants.c.id.in_(
            select(parity_state.c.tenant_id).distinct())))}
    return {slug: summary(conn, tenant_id) for tenant_id, slug in slugs.items()}


def ledger_page(conn: Connection, tenant_id: int, entity: str, after_id: int,
                limit: int) -> list[Any]:
    """The next ledger rows of an entity that LinkedIn holds or should not hold (rejected
    records were never there), in id order."""
    return list(conn.execute(select(sync_ledger).where(and_(
        sync_ledger.c.tenant_id == tenant_id, sync_ledger.c.entity == entity,
        sync_ledger.c.entity_id > after_id,
        sync_ledger.c.state.in_(("synced", "submitted", "deleted", "excluded"))))
        .order_by(sync_ledger.c.entity_id).limit(limit)))
