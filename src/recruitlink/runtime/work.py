"""The background work itself, the same in both modes (ARCHITECTURE.md, "Two modes"): the
embedded runner's thread and the procrastinate tasks both call these functions. The database
decides who works (sync lease, poll lease, inbox claims), the callers only decide when."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select

from recruitlink.errors import PollBusy, PollDeferred
from recruitlink.inbound.pollers import Poller, PollReport
from recruitlink.store import Store
from recruitlink.store.schema import (
    changelog,
    connections,
    sync_batches,
    sync_ledger,
    sync_runs,
)
from recruitlink.sync.engine import StepReport, SyncEngine
from recruitlink.sync.ledger import PENDING_STATES, get_cursor

# Steps after which the tenant's sync has nothing to do right now.
RESTING = ("idle", "busy", "paused", "error")


@dataclass(frozen=True)
class Tenant:
    id: int
    backfilling: bool
    """A historical run is in progress: its jobs yield to the others' continuous sync."""


def syncing_tenants(store: Store) -> list[Tenant]:
    """Tenants whose sync may have work: connected (or following a disconnect), not paused;
    and those being disconnected, whose next step lets go of the lease a runner may still
    hold from its last one (the disconnect waits for it)."""
    running = exists().where(sync_runs.c.tenant_id == connections.c.tenant_id,
                             sync_runs.c.status == "running")
    with store.reader() as conn:
        return [Tenant(r.tenant_id, bool(r.backfilling)) for r in conn.execute(
            select(connections.c.tenant_id, running.label("backfilling")).where(or_(
                and_(connections.c.status.in_(("ENABLED", "DISCONNECTED")),
                     connections.c.paused.is_(False)),
                connections.c.status == "DISCONNECTING")).order_by(connections.c.tenant_id))]


def sync_step(engine: SyncEngine, tenant_id: int) -> StepReport:
    """One step of a tenant's sync; the lease is let go when the sync rests, so that any
    process (a worker, a CLI run) can take the next step at once."""
    report = engine.step(tenant_id)
    if report.kind in ("idle", "error"):
        engine.release_lease(tenant_id)
    return report


@dataclass
class Slice:
    steps: int
    records: int
    last: StepReport

    @property
    def more(self) -> bool:
        """The sync stopped because its time was up, not because it rests."""
        return self.last.kind not in RESTING


def sync_slice(engine: SyncEngine, tenant_id: int, *, seconds: float) -> Slice:
    """Step a tenant's sync for about `seconds` (always at least one step), then let go, so the
    next tenant in the queue gets its turn: one huge backfill cannot starve the others."""
    deadline = time.monotonic() + seconds
    steps = records = 0
    try:
        while True:
            report = sync_step(engine, tenant_id)
            steps += 1
            records += report.records
            if report.kind in RESTING or time.monotonic() >= deadline:
                return Slice(steps, records, report)
    finally:
        # However the slice ends (paused, failed, the job cancelled), its job ends with it.
        engine.release_lease(tenant_id)


@dataclass
class PollOutcome:
    report: PollReport | None = None
    busy: bool = False
    wait_s: float | None = None
    """Set when LinkedIn's budget deferred the round: try again after this long."""


def poll_tenant(poller: Poller, tenant_id: int) -> PollOutcome:
    try:
        return PollOutcome(poller.poll(tenant_id))
    except PollBusy:
        return PollOutcome(busy=True)  # another process is polling this tenant
    except PollDeferred as exc:
        return PollOutcome(wait_s=exc.wait_s)


def caught_up(store: Store, tenant_id: int) -> bool:
    """The tenant's historical run is done, every change is synced and nothing is in flight
    (benchmarks and acceptance tests wait for this; `sync status` shows the same facts)."""
    with store.reader() as conn:
        run = conn.execute(select(sync_runs.c.status).where(
            sync_runs.c.tenant_id == tenant_id).order_by(sync_runs.c.id.desc()).limit(1)).scalar()
        if run != "done":
            return False
        head = conn.execute(select(func.coalesce(func.max(changelog.c.seq), 0)).where(
            changelog.c.tenant_id == tenant_id)).scalar() or 0
        cursor = get_cursor(conn, tenant_id, "changelog")
        in_flight = conn.execute(select(func.count()).select_from(sync_ledger).where(
            sync_ledger.c.tenant_id == tenant_id,
            sync_ledger.c.state.in_(PENDING_STATES))).scalar()
        prepared = conn.execute(select(func.count()).select_from(sync_batches).where(
            sync_batches.c.tenant_id == tenant_id, sync_batches.c.status == "prepared")).scalar()
        return cursor is not None and cursor >= head and not in_flight and not prepared
