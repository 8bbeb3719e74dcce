"""The aggregates `GET /metrics` reports (web/metrics.py), read at scrape time.

Each function is one small aggregate over an indexed table and answers plain data; nothing is
loaded row by row. Shared by every server, so nothing here is process-local.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, func, select, union

from recruitlink.store.schema import (
    changelog,
    connections,
    inbox_events,
    rate_blocks,
    rate_days,
    rate_events,
    sync_batches,
    sync_cursors,
    sync_errors,
    tenants,
)


def inbox_counts(conn: Connection, statuses: list[str]) -> dict[str, int]:
    """Pushes in the inbox per status, for the given statuses only."""
    return {status: int(n) for status, n in conn.execute(
        select(inbox_events.c.status, func.count()).where(
            inbox_events.c.status.in_(list(statuses))).group_by(inbox_events.c.status))}


def sync_lag(conn: Connection) -> Iterator[tuple[str, int, int | None]]:
    """(tenant slug, changes past the cursor, `at` of the first one) per tenant with a cursor.
    Two index lookups on (tenant_id, seq) per tenant: no scan of the changelog."""
    past = (changelog.c.tenant_id == sync_cursors.c.tenant_id) & (
        changelog.c.seq > sync_cursors.c.position)
    changes = select(func.count()).where(past).scalar_subquery()
    oldest = select(changelog.c.at).where(past).order_by(changelog.c.seq).limit(1)
    query = (select(tenants.c.slug, changes.label("changes"),
                    oldest.scalar_subquery().label("oldest"))
             .join_from(sync_cursors, tenants, tenants.c.id == sync_cursors.c.tenant_id)
             .where(sync_cursors.c.name == "changelog"))
    for row in conn.execute(query):
        yield row.slug, int(row.changes), row.oldest


def committed_records(conn: Connection) -> list[tuple[str, int, int]]:
    """(tenant slug, records synced, records rejected) over committed sync batches."""
    totals = (select(tenants.c.slug, func.sum(sync_batches.c.synced),
                     func.sum(sync_batches.c.rejected))
              .join_from(sync_batches, tenants, tenants.c.id == sync_batches.c.tenant_id)
              .where(sync_batches.c.status == "committed").group_by(tenants.c.slug))
    return [(slug, int(synced or 0), int(rejected or 0))
            for slug, synced, rejected in conn.execute(totals)]


def failing_records(conn: Connection) -> list[tuple[str, int]]:
    """(tenant slug, records with open sync errors) per connected tenant."""
    # Per connected tenant through the (tenant_id, ...) indexes, not one pass over every
    # tenant's error history. A record may have several errors (one per field): count records.
    records = (select(sync_errors.c.entity, sync_errors.c.entity_id).distinct()
               .where(sync_errors.c.tenant_id == connections.c.tenant_id,
                      sync_errors.c.status == "open").correlate(connections).subquery())
    failing = select(func.count()).select_from(records).scalar_subquery()
    return [(slug, int(n)) for slug, n in conn.execute(
        select(tenants.c.slug, failing)
        .join_from(connections, tenants, tenants.c.id == connections.c.tenant_id))]


def throttled(conn: Connection) -> list[tuple[str, str, int]]:
    """(client id, family, 429s) from the budget's blocks; rows are never deleted, so the
    count survives the end of each block."""
    return [(app, name, int(n)) for app, name, n in conn.execute(
        select(rate_blocks.c.client_id, rate_blocks.c.family, rate_blocks.c.throttled))
        if app]


def budget_apps(conn: Connection) -> list[str]:
    """Apps the budget has seen, and connected tenants' apps (their client ids, stored plain)."""
    query = union(select(rate_events.c.client_id), select(rate_days.c.client_id),
                  select(rate_blocks.c.client_id),
                  select(connections.c.client_id).where(connections.c.client_id.is_not(None)))
    return sorted(app for app in conn.execute(query).scalars() if app)


def records_since(conn: Connection, since_ms: int) -> dict[tuple[str, str], int]:
    """(client id, family) -> records the budget counted after `since_ms`."""
    return {(app, fam): int(n) for app, fam, n in conn.execute(
        select(rate_events.c.client_id, rate_events.c.family, func.sum(rate_events.c.records))
        .where(rate_events.c.at_ms > since_ms)
        .group_by(rate_events.c.client_id, rate_events.c.family))}


def requests_on(conn: Connection, day: str) -> dict[tuple[str, str], int]:
    """(client id, family) -> requests the budget counted on the UTC `day`."""
    return {(app, fam): int(n) for app, fam, n in conn.execute(
        select(rate_days.c.client_id, rate_days.c.family, rate_days.c.requests)
        .where(rate_days.c.day == day))}


def tenant_apps(conn: Connection) -> list[tuple[str, str]]:
    """(tenant slug, client id) of each connected tenant with an app."""
    return [(slug, app) for slug, app in conn.execute(
        select(tenants.c.slug, connections.c.client_id)
        .join_from(connections, tenants, tenants.c.id == connections.c.tenant_id)
        .where(connections.c.client_id.is_not(None)))]
