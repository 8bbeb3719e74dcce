"""The failed calls kept for support bundles (schema.failed_calls; core/failed_calls.py), and
the failed records a bundle is asked for."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, select

from recruitlink.core.failed_calls import FailedCall

from .schema import failed_calls, sync_errors

KEEP_DAYS = 30
"""Failed calls older than this are deleted when newer ones of the tenant are kept."""
BATCH_CALLS = 200
"""The most calls of one batch a bundle carries (retries of one call are each kept)."""


def keep(conn: Connection, tenant_id: int, batch_id: int | None,
         calls: Sequence[FailedCall], now_ms: int) -> None:
    """Store these failed calls (already redacted), and forget the tenant's old ones."""
    if not calls:
        return
    conn.execute(failed_calls.insert(), [{
        "tenant_id": tenant_id, "batch_id": batch_id, "method": c.method, "url": c.url,
        "request_headers": [list(h) for h in c.request_headers],
        "request_body": c.request_body, "status": c.status,
        "response_headers": [list(h) for h in c.response_headers],
        "response_body": c.response_body, "li_uuid": c.li_uuid, "error": c.error,
        "records": [list(r) for r in c.records], "started_at": c.started_at_ms,
        "duration_ms": c.duration_ms} for c in calls])
    conn.execute(delete(failed_calls).where(
        failed_calls.c.tenant_id == tenant_id,
        failed_calls.c.started_at < now_ms - KEEP_DAYS * 86_400_000))


def _call(row: Any) -> FailedCall:
    return FailedCall(
        id=row.id, method=row.method, url=row.url,
        request_headers=[(str(n), str(v)) for n, v in row.request_headers],
        request_body=row.request_body, status=row.status,
        response_headers=[(str(n), str(v)) for n, v in row.response_headers],
        response_body=row.response_body, li_uuid=row.li_uuid,
        started_at_ms=row.started_at, duration_ms=row.duration_ms, error=row.error,
        records=[(str(e), int(i)) for e, i in row.records])


def one(conn: Connection, tenant_id: int, call_id: int) -> tuple[FailedCall, int | None] | None:
    """A failed call of the tenant, and its batch."""
    row = conn.execute(select(failed_calls).where(
        failed_calls.c.tenant_id == tenant_id, failed_calls.c.id == call_id)).first()
    return None if row is None else (_call(row), row.batch_id)


def of_batch(conn: Connection, tenant_id: int, batch_id: int) -> list[FailedCall]:
    """The batch's failed calls, in the order they were made (at most BATCH_CALLS)."""
    c = failed_calls.c
    return [_call(r) for r in conn.execute(select(failed_calls).where(
        c.tenant_id == tenant_id, c.batch_id == batch_id).order_by(c.id).limit(BATCH_CALLS))]


def error(conn: Connection, tenant_id: int, error_id: int) -> dict[str, Any] | None:
    """One failed check of a record (sync_errors)."""
    row = conn.execute(select(sync_errors).where(
        sync_errors.c.tenant_id == tenant_id, sync_errors.c.id == error_id)).first()
    return None if row is None else dict(row._mapping)


def errors_of_batch(conn: Connection, tenant_id: int, batch_id: int, *,
                    record: tuple[str, int] | None = None, limit: int = 1000
                    ) -> list[dict[str, Any]]:
    """The batch's failed checks (only `record`'s with it), oldest first."""
    e = sync_errors.c
    query = select(sync_errors).where(e.tenant_id == tenant_id, e.batch_id == batch_id)
    if record is not None:
        query = query.where(e.entity == record[0], e.entity_id == record[1])
    return [dict(r._mapping) for r in conn.execute(query.order_by(e.id).limit(limit))]
