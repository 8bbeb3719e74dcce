"""Which tenants' syncs have work, and whether one has caught up: what the runners
(runtime/work.py) and the waits of benchmarks and tests read. The sync's own state is
written by sync/."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, and_, exists, func, or_, select

from .schema import connections, sync_batches, sync_ledger, sync_runs


def syncing_tenants(conn: Connection) -> list[tuple[int, bool]]:
    """(tenant id, backfilling) of the tenants whose sync may have work: connected (or
    following a disconnect) and not paused, or being disconnected; backfilling when a
    historical run is in progress."""
    running = exists().where(sync_runs.c.tenant_id == connections.c.tenant_id,
                             sync_runs.c.status == "running")
    return [(r.tenant_id, bool(r.backfilling)) for r in conn.execute(
        select(connections.c.tenant_id, running.label("backfilling")).where(or_(
            and_(connections.c.status.in_(("ENABLED", "DISCONNECTED")),
                 connections.c.paused.is_(False)),
            connections.c.status == "DISCONNECTING")).order_by(connections.c.tenant_id))]


def enabled_tenants(conn: Connection) -> list[int]:
    """Tenants connected (ENABLED) and not paused: those live parity reads back for."""
    return list(conn.execute(select(connections.c.tenant_id).where(
        connections.c.status == "ENABLED", connections.c.paused.is_(False))
        .order_by(connections.c.tenant_id)).scalars())


def latest_run_status(conn: Connection, tenant_id: int) -> str | None:
    """The status of the tenant's newest sync run (None: never ran)."""
    return conn.execute(select(sync_runs.c.status).where(
        sync_runs.c.tenant_id == tenant_id).order_by(sync_runs.c.id.desc()).limit(1)).scalar()


def records_in_states(conn: Connection, tenant_id: int, states: Sequence[str]) -> int:
    """How many of the tenant's ledger rows are in one of these states."""
    return int(conn.execute(select(func.count()).select_from(sync_ledger).where(
        sync_ledger.c.tenant_id == tenant_id,
        sync_ledger.c.state.in_(list(states)))).scalar() or 0)


def ledger_ids(conn: Connection, tenant_id: int, entity: str, states: Iterable[str]
               ) -> list[int]:
    """The ledger's entity ids of the tenant's `entity` records in one of these states."""
    ledger = sync_ledger.c
    return [row.entity_id for row in conn.execute(select(ledger.entity_id).where(
        ledger.tenant_id == tenant_id, ledger.entity == entity,
        ledger.state.in_(list(states))))]


def resource_records_in_states(conn: Connection, tenant_id: int, resources: Iterable[str],
                               states: Iterable[str]) -> int:
    """How many of the tenant's ledger rows of these LinkedIn resources are in one of these
    states."""
    ledger = sync_ledger.c
    return int(conn.execute(select(func.count()).select_from(sync_ledger).where(
        ledger.tenant_id == tenant_id, ledger.state.in_(list(states)),
        ledger.resource.in_(list(resources)))).scalar() or 0)


def prepared_batches(conn: Connection, tenant_id: int) -> int:
    """How many of the tenant's batches are prepared (written ahead, not committed)."""
    return int(conn.execute(select(func.count()).select_from(sync_batches).where(
        sync_batches.c.tenant_id == tenant_id,
        sync_batches.c.status == "prepared")).scalar() or 0)
