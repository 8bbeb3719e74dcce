"""The stored counters the historical sync's progress is computed from (`sync/progress.py`):
failed records, in-flight batches, the newest batches' records for the rate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from . import schema


def _open_failures(tenant_id: int, cap: int) -> Any:
    """The first `cap`+1 distinct records (entity, id) of the tenant with an open error."""
    e = schema.sync_errors.c
    return select(e.entity, e.entity_id).where(e.tenant_id == tenant_id,
                                               e.status == "open").distinct().limit(cap + 1)


def failed_record_count(conn: Connection, tenant_id: int, cap: int) -> int:
    """Records with an open error (one record failing two checks counts once), up to
    `cap`+1."""
    return int(conn.execute(select(func.count()).select_from(
        _open_failures(tenant_id, cap).subquery())).scalar() or 0)


def failed_records_by_entity(conn: Connection, tenant_id: int, cap: int
                             ) -> list[tuple[str, int]]:
    """(entity, records with an open error) over the first `cap`+1 of them."""
    inner = _open_failures(tenant_id, cap).subquery()
    return [(entity, int(count)) for entity, count in conn.execute(
        select(inner.c.entity, func.count()).group_by(inner.c.entity))]


def failed_records_by_stream(conn: Connection, tenant_id: int, cap: int
                             ) -> list[tuple[str | None, str, int]]:
    """(stream, entity, records with an open error on that stream) over the first `cap`+1
    (stream, record) pairs: a note failing on both of its streams counts once on each. The
    stream is None for an error stored without one (the caller names its entity's)."""
    e = schema.sync_errors.c
    inner = select(e.stream, e.entity, e.entity_id).where(
        e.tenant_id == tenant_id, e.status == "open").distinct().limit(cap + 1).subquery()
    return [(stream, entity, int(count)) for stream, entity, count in conn.execute(
        select(inner.c.stream, inner.c.entity, func.count())
        .group_by(inner.c.stream, inner.c.entity))]


def records_sent_since(conn: Connection, tenant_id: int, *, committed_after: int,
                       prepared_since: int, lookback: int) -> tuple[int, int]:
    """Over the tenant's newest `lookback` batches: (records of the batches committed after
    `committed_after`, records sent so far by the prepared ones created since
    `prepared_since`)."""
    b = schema.sync_batches.c
    newest = select(b.records, b.committed_at, b.status, b.sent, b.created_at).where(
        b.tenant_id == tenant_id).order_by(b.id.desc()).limit(lookback).subquery()
    committed = conn.execute(select(func.coalesce(func.sum(newest.c.records), 0)).where(
        newest.c.committed_at > committed_after)).scalar() or 0
    sending = conn.execute(select(func.coalesce(func.sum(newest.c.sent), 0)).where(
        newest.c.status == "prepared", newest.c.created_at >= prepared_since)).scalar() or 0
    return int(committed), int(sending)


def sent_in_flight(conn: Connection, tenant_id: int, run_id: int) -> dict[str, int]:
    """Per milestone of the run: records its prepared (not yet committed) batches sent."""
    b = schema.sync_batches.c
    return {row.milestone: int(row.sent or 0) for row in conn.execute(
        select(b.milestone, func.sum(b.sent).label("sent")).where(
            b.tenant_id == tenant_id, b.run_id == run_id, b.status == "prepared")
        .group_by(b.milestone))}
