"""The reads behind the sync log pages, kept cheap for a tenant with a million candidates and
a hundred thousand batches:

- progress comes from stored counters (`sync_milestones`), never from counting records;
- batch lists page by key (`id`), newest first, never with OFFSET or a full COUNT;
- a date filter becomes an id range first: batch ids grow with their `created_at`, so a
  binary search over `(tenant_id, id)` finds the bounds (widened by a margin for batches
  prepared out of order by concurrent writers; the exact date predicate still applies);
- error counts are bounded (`COUNT_CAP`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select

from recruitlink.core.limits import Limit
from recruitlink.store import schema
from recruitlink.sync import failures
from recruitlink.sync import progress as sync_progress
from recruitlink.sync.ledger import DISCONNECT_BATCH
from recruitlink.sync.streams import STREAMS

PAGE_SIZE = 50
ERRORS_PAGE_SIZE = 50
COUNT_CAP = 10_000
DAY_MS = 86_400_000
OUT_OF_ORDER_MS = 3_600_000
"""How far a batch's created_at may run behind a later batch's (a writer waiting for the
lock with its clock read): the margin of the date -> id bounds."""

STATUSES = (("", "Any status"), ("prepared", "Prepared (sending)"),
            ("committed", "Committed"), ("failed", "Failed"),
            ("errors", "With record errors"))
LIVE = "live"
DISCONNECT_LABEL = "deleted from LinkedIn (disconnect)"


def entity_options() -> list[tuple[str, str]]:
    options = [("", "Any entity")]
    options += [(s.name, s.label) for s in STREAMS]
    options.append((LIVE, "live changes and retries"))
    options.append((DISCONNECT_BATCH, DISCONNECT_LABEL))
    return options


def now_ms() -> int:
    return int(time.time() * 1000)


# -- progress ---------------------------------------------------------------------------------

@dataclass
class ConnectionState:
    status: str
    paused: bool
    organization: str
    contracts: list[dict[str, Any]]
    last_sync_at: int | None
    status_changed_at: int
    app_key: str | None
    client_id: str | None
    policy: dict[str, Any]


def connection(conn: Connection, tenant_id: int) -> ConnectionState | None:
    c = schema.connections.c
    row = conn.execute(select(c.status, c.paused, c.organization, c.contracts, c.last_sync_at,
                              c.status_changed_at, c.app_key, c.client_id, c.policy)
                       .where(c.tenant_id == tenant_id)).first()
    if row is None:
        return None
    return ConnectionState(row.status, bool(row.paused), row.organization, list(row.contracts),
                       row.last_sync_at, row.status_changed_at, row.app_key, row.client_id,
                       dict(row.policy or {}))


def latest_run(conn: Connection, tenant_id: int, kind: str = "historical") -> Any:
    r = schema.sync_runs.c
    return conn.execute(select(schema.sync_runs).where(r.tenant_id == tenant_id, r.kind == kind)
                        .order_by(r.id.desc()).limit(1)).first()


def progress(conn: Connection, tenant_id: int, now: int | None = None,
             limits: Mapping[str, Limit] | None = None) -> dict[str, Any]:
    """The connection's state and the latest historical run's milestones with progress, rate,
    wait and ETA (`sync/progress.py`): the JSON the pages poll, and what they render first."""
    now = now_ms() if now is None else now
    info = connection(conn, tenant_id)
    if info is None:
        return {"connected": False, "status": "NOT_CONNECTED", "paused": False, "run": None,
                "lastSyncAt": None, "now": now, "waiting": None, "failedRecords": 0}
    state = sync_progress.run_progress(conn, tenant_id, status=info.status,
                                       client_id=info.client_id, limits=limits, now=now)
    return {"connected": info.status != "DISCONNECTED", "status": info.status,
            "paused": info.paused, "lastSyncAt": info.last_sync_at,
            "statusChangedAt": info.status_changed_at, **state, "now": now}


def bounded_count(conn: Connection, query: Select[Any], cap: int = COUNT_CAP) -> int:
    """COUNT of `query`'s rows, stopping at `cap` + 1 (shown as "10,000+")."""
    return int(conn.execute(select(func.count()).select_from(
        query.limit(cap + 1).subquery())).scalar() or 0)


def open_errors(conn: Connection, tenant_id: int) -> int:
    """Records (not errors: one record can fail several checks) with an open error."""
    return sync_progress.failed_records(conn, tenant_id, COUNT_CAP)


# -- the batches list -------------------------------------------------------------------------

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


def _day(text: str) -> int | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def parse_filter(query: Mapping[str, str]) -> tuple[BatchFilter, dict[str, str]]:
    """The batches filter from the query string; invalid values are dropped and explained."""
    errors: dict[str, str] = {}
    flt = BatchFilter()
    status = (query.get("status") or "").strip()
    if status and status not in {v for v, _ in STATUSES}:
        errors["status"] = "Choose a status from the list."
    else:
        flt.status = status
    entity = (query.get("entity") or "").strip()
    if entity and entity not in {v for v, _ in entity_options()}:
        errors["entity"] = "Choose an entity from the list."
    else:
        flt.entity = entity
    for name in ("since", "until"):
        text = (query.get(name) or "").strip()
        if not text:
            continue
        value = _day(text)
        if value is None:
            errors[name] = "Enter a date as YYYY-MM-DD."
            continue
        setattr(flt, name, text)
        setattr(flt, f"{name}_ms", value if name == "since" else value + DAY_MS)
    if flt.since_ms is not None and flt.until_ms is not None and flt.until_ms <= flt.since_ms:
        errors["until"] = "The end date must not be before the start date."
        flt.until, flt.until_ms = "", None
    return flt, errors


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


# -- a batch's errors -------------------------------------------------------------------------

def batch_errors(conn: Connection, tenant_id: int, batch_id: int, *, after: int | None = None,
                 limit: int = ERRORS_PAGE_SIZE) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the batch's failed records (by error id) and the `after` of the next."""
    e = schema.sync_errors.c
    query = select(e.id, e.entity, e.entity_id, e.external_id, e.field, e.reason, e.source,
                   e.status, e.created_at).where(e.batch_id == batch_id,
                                                 e.tenant_id == tenant_id)
    if after is not None:
        query = query.where(e.id > after)
    rows = conn.execute(query.order_by(e.id).limit(limit + 1)).all()
    page = [failures.explained(dict(r._mapping)) for r in rows[:limit]]
    after_next = page[-1]["id"] if len(rows) > limit else None
    return failures.one_row_per_reason(page), after_next


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
