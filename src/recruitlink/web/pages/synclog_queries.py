"""What the sync log pages show: progress, the batches filter, a batch's errors explained.
The SQL is in store/sync_logs.py (re-exported here for the pages)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from recruitlink.core.limits import Limit
from recruitlink.store.connections import ConnectionState, connection
from recruitlink.store.sync_logs import (
    COUNT_CAP,
    ERRORS_PAGE_SIZE,
    LIVE,
    OUT_OF_ORDER_MS,
    PAGE_SIZE,
    BatchFilter,
    BatchPage,
    batch,
    batch_entities,
    batch_open_errors,
    batches,
    bounded_count,
    latest_run,
)
from recruitlink.store.sync_logs import batch_errors as _stored_batch_errors
from recruitlink.sync import failures
from recruitlink.sync import progress as sync_progress
from recruitlink.sync.ledger import DISCONNECT_BATCH
from recruitlink.sync.streams import STREAMS

__all__ = ["COUNT_CAP", "ERRORS_PAGE_SIZE", "LIVE", "OUT_OF_ORDER_MS", "PAGE_SIZE", "BatchFilter",
           "BatchPage", "ConnectionState", "batch", "batch_entities", "batch_errors",
           "batch_open_errors", "batches", "bounded_count", "connection", "entity_options",
           "latest_run", "now_ms", "open_errors", "parse_filter", "progress"]

DAY_MS = 86_400_000

STATUSES = (("", "Any status"), ("prepared", "Prepared (sending)"),
            ("committed", "Committed"), ("failed", "Failed"),
            ("errors", "With record errors"))
DISCONNECT_LABEL = "deleted from LinkedIn (disconnect)"


def entity_options(kind: str | None = None) -> list[tuple[str, str]]:
    """The batch filter's entities; for a workspace of `kind`, only those it syncs (an ATS
    sends no pipelines, interactions nor candidate resumes). Without it, every entity (what a
    filter accepts)."""
    options = [("", "Any entity")]
    options += [(s.name, s.label) for s in STREAMS
                if kind is None or kind in ("CRM", "BOTH") or not s.crm_only]
    options.append((LIVE, "live changes and retries"))
    options.append((DISCONNECT_BATCH, DISCONNECT_LABEL))
    return options


def now_ms() -> int:
    return int(time.time() * 1000)


# -- progress ---------------------------------------------------------------------------------

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


def open_errors(conn: Connection, tenant_id: int) -> int:
    """Records (not errors: one record can fail several checks) with an open error."""
    return sync_progress.failed_records(conn, tenant_id, COUNT_CAP)


# -- the batches list -------------------------------------------------------------------------

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


# -- a batch's errors -------------------------------------------------------------------------


# -- a batch's errors -------------------------------------------------------------------------

def batch_errors(conn: Connection, tenant_id: int, batch_id: int, *, after: int | None = None,
                 limit: int = ERRORS_PAGE_SIZE) -> tuple[list[dict[str, Any]], int | None]:
    """One page of the batch's failed records (by error id) and the `after` of the next."""
    rows, after_next = _stored_batch_errors(conn, tenant_id, batch_id, after=after, limit=limit)
    page = [failures.explained(row) for row in rows]
    return failures.one_row_per_reason(page), after_next
