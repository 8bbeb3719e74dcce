"""The reads behind the sync log pages (web/pages/synclog*), kept cheap for a tenant with a
million candidates and a hundred thousand batches:

- batch lists page by key (`id`), newest first, never with OFFSET or a full COUNT;
- a date filter becomes an id range first: batch ids grow with their `created_at`, so a
  binary search over `(tenant_id, id)` finds the bounds (widened by a margin for batches
  prepared out of order by concurrent writers; the exact date predicate still applies);
- error counts are bounded (`COUNT_CAP`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Select, func, select

from recruitlink.store import schema

PAGE_SIZE = 50
ERRORS_PAGE_SIZE = 50
COUNT_CAP = 10_000
OUT_OF_ORDER_MS = 3_600_000
"""How far a batch's created_at may run behind a later batch's (a writer waiting for the
lock with its clock read): the margin of the date -> id bounds."""
LIVE = "live"
"""The entity filter for batches outside the milestones (live changes and retries)."""


def latest_run(conn: Connection, tenant_id: int, kind: str = "historical") -> Any:
    r = schema.sync_runs.c
    return conn.execute(select(schema.sync_runs).where(r.tenant_id == tenant_id, r.kind == kind)
                        .order_by(r.id.desc()).limit(1)).first()


def bounded_count(conn: Connection, query: Select[Any], cap: int = COUNT_CAP) -> int:
    """COUNT of `query`'s rows, stopping at `cap` + 1 (shown as "10,000+")."""
    return int(conn.execute(select(func.count()).select_from(
        query.limit(cap + 1).subquery())).scalar() or 0)


@dataclass
class BatchFilter:
    status: str = ""
    entity: str = ""
    since: str = ""
    until: str = ""
    since_ms: int | None = None
    until_ms: int | None = None

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for paging links), empty ones left out."""
        return {k: v for k, v in (("status", self.status), ("entity", self.entity),
                                  ("since", self.since), ("until", self.until)) if v}

    @property
    def active(self) -> bool:
        return bool(self.query())


def _first_id_at(conn: Connection, tenant_id: int, at_ms: int) -> int | None:
    """The smallest id of the tenant's batches whose created_at is >= at_ms (assuming
    created_at grows with id), by binary search over (tenant_id, id); None if none."""
    b = schema.sync_batches.c
    bounds = conn.execute(select(func.min(b.id), func.max(b.id)).where(
        b.tenant_id == tenant_id)).first()
    if bounds is None or bounds[0] is None:
        return None
    low, high = int(bounds[0]), int(bounds[1])
    answer: int | None = None
    while low <= high:
        middle = (low + high) // 2
        row = conn.execute(select(b.id, b.created_at).where(
            b.tenant_id == tenant_id, b.id >= middle).order_by(b.id).limit(1)).first()
        if row is None:
            high = middle - 1
            continue
        if row.created_at >= at_ms:
            answer = int(row.id)
            high = middle - 1
        else:
            low = int(row.id) + 1
    return answer


@dataclass
class BatchPage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    newer: int | None = None
    """`after` for the newer page (None: this is the newest)."""
    older: int | None = None
    """`before` for the older page (None: this is the oldest)."""


def batches(conn: Connection, tenant_id: int, flt: BatchFilter, *, before: int | None = None,
            after: int | None = None, limit: int = PAGE_SIZE) -> BatchPage:
    """One page of the tenant's batches, newest first, after the filter."""
    b = schema.sync_batches.c
    query = select(b.id, b.run_id, b.milestone, b.status, b.records, b.synced, b.rejected,
                   b.retryable, b.skipped, b.excluded, b.calls, b.attempts, b.last_error,
                   b.created_at, b.committed_at).where(b.tenant_id == tenant_id)
    if flt.status == "errors":
        query = query.where(b.rejected > 0)
    elif flt.status:
        query = query.where(b.status == flt.status)
    if flt.entity == LIVE:
        query = query.where(b.milestone.is_(None))
    elif flt.entity:
        query = query.where(b.milestone == flt.entity)
    if flt.since_ms is not None:
        first = _first_id_at(conn, tenant_id, flt.since_ms - OUT_OF_ORDER_MS)
        if first is None:
            return BatchPage()
        query = query.where(b.id >= first, b.created_at >= flt.since_ms)
    if flt.until_ms is not None:
        beyond = _first_id_at(conn, tenant_id, flt.until_ms + OUT_OF_ORDER_MS)
        if beyond is not None:
            query = query.where(b.id < beyond)
        query = query.where(b.created_at < flt.until_ms)
    if after is not None:
        rows = conn.execute(query.where(b.id > after).order_by(b.id).limit(limit + 1)).all()
        more_newer = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        page = BatchPage([dict(r._mapping) for r in rows])
        page.newer = page.rows[0]["id"] if more_newer and page.rows else None
        page.older = page.rows[-1]["id"] if page.rows else after + 1
        return page
    if before is not None:
        query = query.where(b.id < before)
    rows = conn.execute(query.order_by(b.id.desc()).limit(limit + 1)).all()
    page = BatchPage([dict(r._mapping) for r in rows[:limit]])
    page.older = page.rows[-1]["id"] if len(rows) > limit else None
    page.newer = page.rows[0]["id"] if before is not None and page.rows else (
        before - 1 if before is not None else None)
    return page


def batch(conn: Connection, tenant_id: int, batch_id: int) -> Any:
    b = schema.sync_batches.c
    return conn.execute(select(schema.sync_batches).where(
        b.tenant_id == tenant_id, b.id == batch_id)).first()


def batch_errors(conn: Connection, tenant_id: int, batch_id: int, *, after: int | None = None,
                 limit: int = ERRORS_PAGE_SIZE) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the batch's errors (by error id, as stored) and the `after` of the next."""
    e = schema.sync_errors.c
    query = select(e.id, e.entity, e.entity_id, e.external_id, e.field, e.reason, e.source,
                   e.status, e.created_at).where(e.batch_id == batch_id,
                                                 e.tenant_id == tenant_id)
    if after is not None:
        query = query.where(e.id > after)
    rows = conn.execute(query.order_by(e.id).limit(limit + 1)).all()
    page = [dict(r._mapping) for r in rows[:limit]]
    after_next = page[-1]["id"] if len(rows) > limit else None
    return page, after_next


def open_errors(conn: Connection, tenant_id: int, *, after: int | None, limit: int,
                entity: str | None = None) -> list[Any]:
    """The tenant's open errors (one per failed check) after error id `after`, oldest
    first, at most `limit` (only `entity`'s with it)."""
    e = schema.sync_errors.c
    query = select(e.id, e.batch_id, e.entity, e.entity_id, e.external_id, e.field, e.reason,
                   e.source, e.created_at).where(e.tenant_id == tenant_id, e.status == "open")
    if entity:
        query = query.where(e.entity == entity)
    if after is not None:
        query = query.where(e.id > after)
    return list(conn.execute(query.order_by(e.id).limit(limit)).all())


def record_open_errors(conn: Connection, tenant_id: int, entity: str,
                       entity_id: int) -> list[Any]:
    """One record's open errors (field, reason), oldest first, each failed check once: why
    LinkedIn does not hold it now (on the index of a record's error history)."""
    e = schema.sync_errors.c
    return list(conn.execute(select(e.field, e.reason).where(
        e.tenant_id == tenant_id, e.entity == entity, e.entity_id == entity_id,
        e.status == "open").group_by(e.field, e.reason).order_by(func.min(e.id))))


def batch_open_errors(conn: Connection, tenant_id: int, batch_id: int) -> int:
    """The batch's failed records (not checks: one record can fail several), as counted
    everywhere else."""
    e = schema.sync_errors.c
    return bounded_count(conn, select(e.entity, e.entity_id).where(
        e.batch_id == batch_id, e.tenant_id == tenant_id, e.status == "open").distinct())


def batch_entities(conn: Connection, batch_id: int) -> dict[str, int]:
    """What the batch carried, by entity (its items; a batch holds at most a few thousand)."""
    i = schema.sync_batch_items.c
    return {r[0]: int(r[1]) for r in conn.execute(
        select(i.entity, func.count()).where(i.batch_id == batch_id).group_by(i.entity))}


def milestones(conn: Connection, run_id: int) -> list[Any]:
    """The run's milestone counters, in milestone order."""
    m = schema.sync_milestones.c
    return list(conn.execute(schema.sync_milestones.select().where(m.run_id == run_id)
                             .order_by(m.position)).all())


def ledger_rows(conn: Connection, tenant_id: int, entity: str,
                external_ids: Iterable[str] | None = None) -> list[Any]:
    """The sync ledger's rows of the tenant's records of `entity` (only these external ids
    with `external_ids`), by external id."""
    ledger = schema.sync_ledger
    query = select(ledger).where(ledger.c.tenant_id == tenant_id, ledger.c.entity == entity)
    if external_ids is not None:
        query = query.where(ledger.c.external_id.in_(list(external_ids)))
    return list(conn.execute(query.order_by(ledger.c.external_id)))
