"""The background work itself, the same in both modes (ARCHITECTURE.md, "Two modes"): the
embedded runner's thread and the procrastinate tasks both call these functions. The database
decides who works (sync lease, poll lease, inbox claims), the callers only decide when."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from recruitlink.errors import PollBusy, PollDeferred
from recruitlink.inbound.pollers import Poller, PollReport
from recruitlink.store import Store, sync_activity
from recruitlink.store.changelog import head_seq
from recruitlink.sync import parity
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
    with store.reader() as conn:
        return [Tenant(tenant_id, backfilling)
                for tenant_id, backfilling in sync_activity.syncing_tenants(conn)]


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
        with engine.reading_ahead(tenant_id):
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


def parity_due(engine: SyncEngine, interval_s: float) -> list[int]:
    """Connected tenants whose parity round is due (none when parity is on demand only)."""
    if interval_s <= 0:
        return []
    with engine.store.reader() as conn:
        enabled = sync_activity.enabled_tenants(conn)
    return parity.due_tenants(engine, enabled, interval_s)


def parity_round(engine: SyncEngine, tenant_id: int, *, interval_s: float, share: float,
                 max_records: int, slice_s: float,
                 stop: Callable[[], bool] = lambda: False) -> parity.RoundReport | None:
    """A tenant's scheduled parity round, if still due (another process may have taken it);
    it gives way after `slice_s` of waiting for its share of the budget."""
    deadline = time.monotonic() + slice_s
    return parity.run_if_due(engine, tenant_id, interval_s=interval_s, share=share,
                             max_records=max_records,
                             should_stop=lambda: stop() or time.monotonic() > deadline)


def caught_up(store: Store, tenant_id: int) -> bool:
    """The tenant's historical run is done, every change is synced and nothing is in flight
    (benchmarks and acceptance tests wait for this; `sync status` shows the same facts)."""
    with store.reader() as conn:
        if sync_activity.latest_run_status(conn, tenant_id) != "done":
            return False
        head = head_seq(conn, tenant_id)
        cursor = get_cursor(conn, tenant_id, "changelog")
        in_flight = sync_activity.records_in_states(conn, tenant_id, PENDING_STATES)
        prepared = sync_activity.prepared_batches(conn, tenant_id)
        return cursor is not None and cursor >= head and not in_flight and not prepared
