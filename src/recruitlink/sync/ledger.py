"""The sync's ledger: kept under this name for its readers (pages, inbound, runtime); the
SQL lives in `sync/state_ledger.py`, a helper of `sync/state.py`."""

from recruitlink.core.planner import LIVE_STATES, PENDING_STATES

from .state_ledger import (
    DISCONNECT_BATCH,
    LedgerRow,
    Prepared,
    PreparedItem,
    Tally,
    acquire_lease,
    add_errors,
    advance_milestone,
    commit_batch,
    confirmed,
    due_replays,
    forget_tenant_sync,
    get_cursor,
    lease_holder,
    load_ledger,
    mark_batch_failed,
    mark_replayed,
    note_sent,
    pending_tasks,
    prepare_batch,
    prepared_batches,
    release_lease,
    release_leases,
    resolve_errors_many,
    set_cursor,
    start_attempt,
    task_confirmed,
    task_failed,
    task_waiting,
)

__all__ = [
    "DISCONNECT_BATCH", "LIVE_STATES", "PENDING_STATES", "LedgerRow", "Prepared", "PreparedItem",
    "Tally", "acquire_lease", "add_errors", "advance_milestone", "commit_batch", "confirmed",
    "due_replays", "forget_tenant_sync", "get_cursor", "lease_holder", "load_ledger",
    "mark_batch_failed", "mark_replayed", "note_sent", "pending_tasks", "prepare_batch",
    "prepared_batches", "release_lease", "release_leases", "resolve_errors_many", "set_cursor",
    "start_attempt", "task_confirmed", "task_failed", "task_waiting",
]
