"""The sync's ledger in the store (a helper of `sync/state.py`, the one module running the
sync's SQL): write-ahead batches, what LinkedIn holds per record, the
errors of rejected records, cursors, and the one-sync-per-tenant lease.

A batch is recorded (`prepare_batch`) before it is sent; its outcome, the per-record ledger,
the errors and the cursor it covers move together in one transaction (`commit_batch`). A
crash in between leaves the batch `prepared`, and it is sent again (an upsert: harmless).

Jobs are asynchronous at LinkedIn: a job whose task is not confirmed yet is `submitted` (an
upsert) or `closing` (a CLOSE taking it off LinkedIn), its key and hash are the change in
flight, and the version LinkedIn last confirmed rides along in `li_key["confirmed"]`, so that
a FAILED task falls back to what LinkedIn still holds (`task_failed`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import Connection, bindparam, case, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from recruitlink import processes
from recruitlink.core.backoff import Backoff
from recruitlink.core.field_labels import rejected_reason
from recruitlink.core.planner import LIVE_STATES, PENDING_STATES, ResultKey, result_key
from recruitlink.processes import ProcessId

# The compiled-statement path and the cursors are the store's; re-exported for the sync.
from recruitlink.store.compiled import executemany as _executemany
from recruitlink.store.compiled import run_compiled as run_compiled
from recruitlink.store.cursors import get_cursor as get_cursor
from recruitlink.store.cursors import set_cursor as set_cursor
from recruitlink.store.schema import (
    sync_batch_items,
    sync_batches,
    sync_cursors,
    sync_errors,
    sync_leases,
    sync_ledger,
    sync_milestones,
    sync_runs,
)

from .host_events import record_rejected
from .items import Item
from .sender import ItemResult

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class LedgerRow:
    entity: str
    entity_id: int
    external_id: str
    resource: str
    li_key: dict[str, Any]
    content_hash: str | None
    state: str
    job_task: str | None
    reason: str | None = None
    batch_id: int | None = None


def ledger_row(row: Any) -> LedgerRow:
    return LedgerRow(row.entity, row.entity_id, row.external_id, row.resource, dict(row.li_key),
                     row.content_hash, row.state, row.job_task, row.reason, row.batch_id)


def confirmed(row: LedgerRow | None) -> dict[str, Any] | None:
    """What LinkedIn last confirmed holding of a job, `{"state", "hash"}`, or None if it
    never confirmed one."""
    if row is None:
        return None
    if row.state == "synced":
        return {"state": row.li_key.get("state"), "hash": row.content_hash}
    if row.state in PENDING_STATES:
        held = row.li_key.get("confirmed")
        return dict(held) if held else None
    return None


def _insert(conn: Connection) -> Any:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def load_ledger(conn: Connection, tenant_id: int,
                refs: Iterable[tuple[str, int]]) -> dict[tuple[str, int], LedgerRow]:
    by_entity: dict[str, set[int]] = {}
    for entity, entity_id in refs:
        by_entity.setdefault(entity, set()).add(entity_id)
    found: dict[tuple[str, int], LedgerRow] = {}
    for entity, ids in by_entity.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            for row in conn.execute(select(sync_ledger).where(
                    sync_ledger.c.tenant_id == tenant_id, sync_ledger.c.entity == entity,
                    sync_ledger.c.entity_id.in_(chunk))):
                found[(entity, row.entity_id)] = ledger_row(row)
    return found


DISCONNECT_BATCH = "disconnect"
"""The `milestone` of a disconnect's delete batches (they have no `run_id`, as the
continuous sync's): the sync logs list them as deletions, not as live changes."""


def prepare_batch(conn: Connection, *, tenant_id: int, run_id: int | None,
                  milestone: str | None, items: Sequence[Item],
                  cursor_after: int | None, now_ms: int, attempts: int = 1,
                  not_sent: Mapping[tuple[str, int], str] | None = None) -> int:
    """Record a batch and its items (with their LinkedIn keys) before anything is sent.
    `attempts`: 0 for a batch prepared ahead of its turn (`start_attempt` counts its send).
    `not_sent`: the records this batch will not send, with the outcome already decided
    (rejected, skipped, excluded): they never reach LinkedIn, so a crash's recovery has
    nothing of theirs to undo there."""
    not_sent = not_sent or {}
    batch_id = conn.execute(sync_batches.insert().values(
        tenant_id=tenant_id, run_id=run_id, milestone=milestone, status="prepared",
        records=len(items), cursor_after=cursor_after, created_at=now_ms, attempts=attempts)
    ).inserted_primary_key[0]  # type: ignore[index]
    unique = {(item.entity, item.entity_id): item for item in items}
    if unique:
        _executemany(conn, "batch_items", sync_batch_items.insert, [
            {"batch_id": batch_id, "entity": item.entity, "entity_id": item.entity_id,
             "action": item.action, "external_id": item.external_id,
             "resource": item.resource, "li_key": item.li_key,
             "outcome": not_sent.get((item.entity, item.entity_id))}
            for item in unique.values()])
    return int(batch_id)


def note_sent(conn: Connection, batch_id: int, records: int) -> None:
    """One call of a prepared batch went out: the sync logs' progress moves per call."""
    run_compiled(conn, "note_sent", _note_sent,
                 {"b_batch_id": batch_id, "b_status": "prepared", "b_records": records})


def _note_sent() -> Any:
    return update(sync_batches).where(
        sync_batches.c.id == bindparam("b_batch_id"),
        sync_batches.c.status == bindparam("b_status")
    ).values(sent=sync_batches.c.sent + bindparam("b_records"))


def start_attempt(conn: Connection, batch_id: int) -> None:
    """A prepared batch is about to be sent (again): count it in the sync log."""
    conn.execute(update(sync_batches).where(sync_batches.c.id == batch_id)
                 .values(attempts=sync_batches.c.attempts + 1))


@dataclass(frozen=True)
class PreparedItem:
    entity: str
    entity_id: int
    action: str
    external_id: str
    resource: str
    li_key: dict[str, Any] | None
    outcome: str | None = None
    """Set at prepare time for a record the batch does not send."""

    @property
    def maybe_sent(self) -> bool:
        """The crashed batch may have put this record on LinkedIn."""
        return self.outcome is None and self.action == "upsert"


@dataclass
class Prepared:
    id: int
    run_id: int | None
    milestone: str | None
    cursor_after: int | None
    items: list[PreparedItem]


def prepared_batches(conn: Connection, tenant_id: int) -> list[Prepared]:
    batches = conn.execute(select(sync_batches).where(
        sync_batches.c.tenant_id == tenant_id, sync_batches.c.status == "prepared")
        .order_by(sync_batches.c.id)).all()
    out = []
    for batch in batches:
        items = [PreparedItem(r.entity, r.entity_id, r.action, r.external_id, r.resource,
                              dict(r.li_key) if r.li_key else None, r.outcome)
                 for r in conn.execute(select(sync_batch_items).where(
                     sync_batch_items.c.batch_id == batch.id))]
        out.append(Prepared(batch.id, batch.run_id, batch.milestone, batch.cursor_after, items))
    return out


@dataclass
class Tally:
    synced: int = 0
    rejected: int = 0
    retryable: int = 0
    skipped: int = 0
    excluded: int = 0


def commit_batch(conn: Connection, *, tenant_id: int, batch_id: int,
                 items: Sequence[Item], results: Mapping[ResultKey, ItemResult],
                 skipped: Sequence[Item], excluded: Sequence[Item], calls: int,
                 now_ms: int) -> Tally:
    """Record every item's outcome (`results`: by `planner.result_key`), the ledger and
    errors; mark the batch committed.
    A few executemany statements per batch, not a few per record."""
    tally = Tally(skipped=len(skipped))
    outcomes: dict[tuple[str, int], str] = {}  # by record: a later outcome wins
    ledger_rows: list[dict[str, Any]] = []
    rejected_rows: list[dict[str, Any]] = []
    new_errors: list[tuple[Item, list[dict[str, str]], str]] = []
    touched: list[tuple[str, int]] = []
    # Jobs whose task goes out now: what LinkedIn confirmed before, for a FAILED task.
    resolved = [(item, results[result_key(item)]) for item in items]
    tasked = [(i.entity, i.entity_id) for i, result in resolved if result.job_task]
    before = load_ledger(conn, tenant_id, tasked) if tasked else {}

    def ledger_row(item: Item, state: str, content_hash: str | None, reason: str | None,
                   job_task: str | None = None) -> None:
        li_key = item.li_key
        if job_task is not None:
            held = confirmed(before.get((item.entity, item.entity_id)))
            li_key = {**li_key, "confirmed": held} if held else li_key
        (rejected_rows if state == "rejected" else ledger_rows).append({
            "tenant_id": tenant_id, "entity": item.entity, "entity_id": item.entity_id,
            "external_id": item.external_id, "resource": item.resource,
            "li_key": li_key, "content_hash": content_hash, "state": state,
            "job_task": job_task, "reason": reason, "source_modified_at": item.modified_at,
            "batch_id": batch_id, "updated_at": now_ms})

    for item, result in resolved:
        outcomes[(item.entity, item.entity_id)] = result.outcome
        touched.append((item.entity, item.entity_id))
        if result.outcome == "synced":
            tally.synced += 1
            if item.action == "delete" and result.job_task:
                # LinkedIn took the CLOSE; it is done when the task poll says so.
                ledger_row(item, "closing", None, item.excluded, result.job_task)
            elif item.action == "delete":
                ledger_row(item, "excluded" if item.excluded else "deleted", None,
                           item.excluded)
            else:
                ledger_row(item, "submitted" if result.job_task else "synced",
                           item.content_hash, None, result.job_task)
        elif result.outcome == "rejected":
            tally.rejected += 1
            errors = item.errors or [{"field": "", "reason": result.reason or "rejected"}]
            ledger_row(item, "rejected", None,
                       "; ".join(dict.fromkeys(rejected_reason(e) for e in errors))[:4000])
            new_errors.append((item, errors, "validation" if item.errors else "linkedin"))
        else:
            tally.retryable += 1
            new_errors.append((item, [{"field": "", "reason": result.reason
                                       or "LinkedIn kept failing"}], "transient"))
    for item in excluded:
        tally.excluded += 1
        ledger_row(item, "excluded", None, item.excluded)
        outcomes[(item.entity, item.entity_id)] = "excluded"
    for item in skipped:
        outcomes[(item.entity, item.entity_id)] = "skipped"

    resolve_errors_many(conn, tenant_id, touched)
    for item, errors, source in new_errors:
        add_errors(conn, tenant_id, batch_id, item, errors, source, now_ms)
    if ledger_rows:
        def upsert_ledger() -> Any:
            stmt = _insert(conn)(sync_ledger)
            return stmt.on_conflict_do_update(
                index_elements=["tenant_id", "entity", "entity_id"],
                set_={c: stmt.excluded[c] for c in (
                    "external_id", "resource", "li_key", "content_hash", "state", "job_task",
                    "reason", "source_modified_at", "batch_id", "updated_at")})
        _executemany(conn, "ledger_upsert", upsert_ledger, ledger_rows)
    if rejected_rows:
        # A refused update does not take away what LinkedIn already holds: a live record
        # stays live with its key (so exclusion, delete and disconnect still remove it); only
        # its hash is cleared, so the next change is sent again.
        stmt = _insert(conn)(sync_ledger)
        # (No IN list: an executemany cannot expand one.)
        live = or_(*(sync_ledger.c.state == state for state in LIVE_STATES))
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["tenant_id", "entity", "entity_id"],
            set_={"state": case((live, sync_ledger.c.state), else_=stmt.excluded.state),
                  "li_key": case((live, sync_ledger.c.li_key), else_=stmt.excluded.li_key),
                  "resource": case((live, sync_ledger.c.resource),
                                   else_=stmt.excluded.resource),
                  "content_hash": None, "reason": stmt.excluded.reason,
                  "batch_id": stmt.excluded.batch_id,
                  "updated_at": stmt.excluded.updated_at}), rejected_rows)
    _set_outcomes(conn, batch_id, outcomes)
    conn.execute(update(sync_batches).where(sync_batches.c.id == batch_id).values(
        status="committed", synced=tally.synced, rejected=tally.rejected,
        retryable=tally.retryable, skipped=tally.skipped, excluded=tally.excluded, calls=calls,
        committed_at=now_ms))
    return tally


def _set_outcomes(conn: Connection, batch_id: int, outcomes: Mapping[tuple[str, int], str]
                  ) -> None:
    """The batch items' outcomes (by record: a later one for the same record has replaced
    an earlier): one UPDATE per entity, outcome and 512 ids, not one per item (almost every
    item of a batch has the same outcome)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for (entity, entity_id), outcome in outcomes.items():
        groups.setdefault((entity, outcome), []).append(entity_id)
    for (entity, outcome), ids in groups.items():
        for start in range(0, len(ids), 512):
            chunk = ids[start:start + 512]
            # Compiled once per size: sizes are powers of two, the last id repeated to fill.
            size = 1 << (len(chunk) - 1).bit_length()
            row: dict[str, Any] = dict(zip(_id_names(size),
                                           chunk + chunk[-1:] * (size - len(chunk)),
                                           strict=True))
            row.update(b_batch_id=batch_id, b_entity=entity, b_outcome=outcome)
            run_compiled(conn, f"set_outcomes{size}", partial(_set_outcomes_stmt, size), row)


@lru_cache(maxsize=16)
def _id_names(size: int) -> tuple[str, ...]:
    return tuple(f"b_id{n}" for n in range(size))


def _set_outcomes_stmt(size: int) -> Any:
    return update(sync_batch_items).where(
        sync_batch_items.c.batch_id == bindparam("b_batch_id"),
        sync_batch_items.c.entity == bindparam("b_entity"),
        sync_batch_items.c.entity_id.in_([bindparam(name) for name in _id_names(size)])
    ).values(outcome=bindparam("b_outcome"))


def pending_tasks(conn: Connection, tenant_id: int, due_ms: int, *,
                  limit: int = 100) -> list[LedgerRow]:
    """Jobs whose task is due for a poll (last looked at no later than `due_ms`)."""
    return [ledger_row(r) for r in conn.execute(select(sync_ledger).where(
        sync_ledger.c.tenant_id == tenant_id, sync_ledger.c.state.in_(PENDING_STATES),
        sync_ledger.c.updated_at <= due_ms).limit(limit))]


def _pending(tenant_id: int, row: LedgerRow) -> list[Any]:
    return [sync_ledger.c.tenant_id == tenant_id, sync_ledger.c.entity == row.entity,
            sync_ledger.c.entity_id == row.entity_id, sync_ledger.c.state == row.state]


def _key(row: LedgerRow, state: str | None) -> dict[str, Any]:
    key = {k: v for k, v in row.li_key.items() if k != "confirmed"}
    if state is not None:
        key["state"] = state
    return key


def task_waiting(conn: Connection, tenant_id: int, row: LedgerRow, now_ms: int) -> None:
    """Not done yet: poll it again after the poll interval."""
    conn.execute(update(sync_ledger).where(*_pending(tenant_id, row)).values(
        updated_at=now_ms))


def task_confirmed(conn: Connection, tenant_id: int, row: LedgerRow, now_ms: int) -> None:
    """LinkedIn confirmed the job's task: the change in flight is what it holds now."""
    if row.state == "closing":
        values: dict[str, Any] = {"state": "excluded" if row.reason else "deleted",
                                  "content_hash": None}
    else:
        values = {"state": "synced"}
    conn.execute(update(sync_ledger).where(*_pending(tenant_id, row)).values(
        li_key=_key(row, None), updated_at=now_ms, **values))


def task_failed(conn: Connection, tenant_id: int, row: LedgerRow, reason: str,
                now_ms: int) -> None:
    """LinkedIn refused the job's task. The change is rejected with LinkedIn's reason (an
    open error: `sync retry` sends it again), and the ledger falls back to what LinkedIn still
    holds, so hashes, skips and later closes stay right: the last confirmed version, and a
    job that failed to close is still listed. Only a job LinkedIn never confirmed is not held
    at all."""
    held = confirmed(row)
    if row.state == "closing":
        values: dict[str, Any] = {
            "state": "synced", "li_key": _key(row, (held or {}).get("state") or "LISTED"),
            "content_hash": (held or {}).get("hash")}
    elif held is not None:
        values = {"state": "synced", "li_key": _key(row, held.get("state")),
                  "content_hash": held.get("hash")}
    else:
        values = {"state": "rejected", "li_key": _key(row, None), "content_hash": None}
    conn.execute(update(sync_ledger).where(*_pending(tenant_id, row)).values(
        reason=reason[:4000], updated_at=now_ms, **values))
    item = Item(stream="jobs", entity=row.entity, entity_id=row.entity_id,
                external_id=row.external_id, resource=row.resource,
                action="delete" if row.state == "closing" else "upsert")
    add_errors(conn, tenant_id, row.batch_id, item, [{"field": "", "reason": reason}],
               "linkedin", now_ms)
    _rejected_after_commit(conn, row)


def _rejected_after_commit(conn: Connection, row: LedgerRow) -> None:
    """The sync log counted the job synced when LinkedIn took its task: correct its batch
    (and milestone) now that the task failed."""
    if row.batch_id is None:
        return
    changed = conn.execute(update(sync_batch_items).where(
        sync_batch_items.c.batch_id == row.batch_id, sync_batch_items.c.entity == row.entity,
        sync_batch_items.c.entity_id == row.entity_id,
        sync_batch_items.c.outcome == "synced").values(outcome="rejected")).rowcount
    if not changed:
        return
    conn.execute(update(sync_batches).where(sync_batches.c.id == row.batch_id).values(
        synced=sync_batches.c.synced - 1, rejected=sync_batches.c.rejected + 1))
    batch = conn.execute(select(sync_batches.c.run_id, sync_batches.c.milestone).where(
        sync_batches.c.id == row.batch_id)).first()
    if batch is not None and batch.run_id is not None and batch.milestone is not None:
        conn.execute(update(sync_milestones).where(
            sync_milestones.c.run_id == batch.run_id,
            sync_milestones.c.name == batch.milestone).values(
            rejected=sync_milestones.c.rejected + 1))


def due_replays(conn: Connection, tenant_id: int, now_ms: int, replay: Backoff, *, limit: int
                ) -> list[tuple[tuple[str, int], list[int]]]:
    """Records whose last send LinkedIn kept failing (an open `transient` error) and whose
    automatic replay is due: the wait grows with each failure in a row (`replay.delay`),
    and after `replay.attempts` replays the record waits for `sync retry`. Returns each
    record with its open errors' ids."""
    open_errors: dict[tuple[str, int], list[Any]] = {}
    for row in conn.execute(select(sync_errors.c.id, sync_errors.c.entity,
                                   sync_errors.c.entity_id, sync_errors.c.created_at).where(
            sync_errors.c.tenant_id == tenant_id, sync_errors.c.status == "open",
            sync_errors.c.source == "transient").order_by(sync_errors.c.id).limit(10_000)):
        open_errors.setdefault((row.entity, row.entity_id), []).append(row)
    if not open_errors:
        return []
    failures = _failures_in_a_row(conn, tenant_id, list(open_errors))
    due: list[tuple[tuple[str, int], list[int]]] = []
    for ref, rows in open_errors.items():
        replays = max(0, failures.get(ref, 1) - 1)
        if replay.gives_up(replays):
            continue  # left failed for `sync retry`
        wait = int(replay.delay(replays + 1) * 1000)
        if max(r.created_at for r in rows) + wait <= now_ms:
            due.append((ref, [r.id for r in rows]))
            if len(due) >= limit:
                break
    return due


def _failures_in_a_row(conn: Connection, tenant_id: int, refs: Sequence[tuple[str, int]]
                       ) -> dict[tuple[str, int], int]:
    """How many times each record failed transiently since its ledger last changed (a
    retryable outcome never writes the ledger; a synced or rejected one does)."""
    since = select(sync_ledger.c.updated_at).where(
        sync_ledger.c.tenant_id == sync_errors.c.tenant_id,
        sync_ledger.c.entity == sync_errors.c.entity,
        sync_ledger.c.entity_id == sync_errors.c.entity_id).scalar_subquery()
    by_entity: dict[str, list[int]] = {}
    for entity, entity_id in refs:
        by_entity.setdefault(entity, []).append(entity_id)
    counts: dict[tuple[str, int], int] = {}
    for entity, ids in by_entity.items():
        for start in range(0, len(ids), 500):
            for row in conn.execute(select(sync_errors.c.entity_id, func.count()).where(
                    sync_errors.c.tenant_id == tenant_id, sync_errors.c.source == "transient",
                    sync_errors.c.entity == entity,
                    sync_errors.c.entity_id.in_(ids[start:start + 500]),
                    sync_errors.c.created_at > func.coalesce(since, -1))
                    .group_by(sync_errors.c.entity_id)):
                counts[(entity, row[0])] = int(row[1])
    return counts


def mark_replayed(conn: Connection, tenant_id: int, error_ids: Sequence[int]) -> None:
    """These open errors are being sent again (their records are in a prepared batch)."""
    for start in range(0, len(error_ids), 500):
        conn.execute(update(sync_errors).where(
            sync_errors.c.tenant_id == tenant_id, sync_errors.c.status == "open",
            sync_errors.c.id.in_(error_ids[start:start + 500])).values(status="replayed"))


def resolve_errors_many(conn: Connection, tenant_id: int,
                        refs: Sequence[tuple[str, int]]) -> None:
    """Close the open errors of these records (they were just sent again)."""
    if not refs or conn.execute(select(sync_errors.c.id).where(
            sync_errors.c.tenant_id == tenant_id, sync_errors.c.status == "open")
            .limit(1)).first() is None:
        return  # the common case, a tenant with no open errors: no IN lists to send
    by_entity: dict[str, list[int]] = {}
    for entity, entity_id in refs:
        by_entity.setdefault(entity, []).append(entity_id)
    for entity, ids in by_entity.items():
        for start in range(0, len(ids), 500):
            conn.execute(update(sync_errors).where(
                sync_errors.c.tenant_id == tenant_id, sync_errors.c.status == "open",
                sync_errors.c.entity == entity,
                sync_errors.c.entity_id.in_(ids[start:start + 500])).values(status="resolved"))


def add_errors(conn: Connection, tenant_id: int, batch_id: int | None, item: Item,
               errors: Sequence[Mapping[str, str]], source: str, now_ms: int) -> None:
    """Store a record's failed checks, and tell the host ATS (`record.rejected`)."""
    conn.execute(sync_errors.insert(), [
        {"tenant_id": tenant_id, "batch_id": batch_id, "entity": item.entity,
         "entity_id": item.entity_id, "stream": item.stream, "external_id": item.external_id,
         "field": e.get("field") or None, "reason": e["reason"][:4000], "source": source,
         "status": "open", "created_at": now_ms} for e in errors])
    record_rejected(conn, tenant_id, batch_id=batch_id, entity=item.entity,
                    external_id=item.external_id, errors=errors, source=source)


def mark_batch_failed(conn: Connection, batch_id: int, error: str) -> None:
    conn.execute(update(sync_batches).where(sync_batches.c.id == batch_id).values(
        last_error=error[:4000], attempts=sync_batches.c.attempts + 1))


def advance_milestone(conn: Connection, run_id: int, name: str, *, cursor: int, done: int,
                      tally: Tally, now_ms: int) -> None:
    conn.execute(update(sync_milestones).where(
        sync_milestones.c.run_id == run_id, sync_milestones.c.name == name).values(
        cursor=cursor, done=sync_milestones.c.done + done,
        rejected=sync_milestones.c.rejected + tally.rejected,
        excluded=sync_milestones.c.excluded + tally.excluded))


def acquire_lease(conn: Connection, tenant_id: int, owner: str, now_ms: int,
                  ttl_ms: int, holder: ProcessId | None = None) -> bool:
    """Take or renew the tenant's lease; False while another live process holds it.
    `holder`: the process taking it (default: this one). A lease whose holder is gone from
    this host is taken over at once; any other holder keeps it until it expires."""
    holder = holder or processes.current()
    values = {"owner": owner, "expires_at": now_ms + ttl_ms, "holder_host": holder.host,
              "holder_pid": holder.pid, "holder_started": holder.started}
    # Run at every commit: compiled once (plain columns, so the driver's values serve).
    run_compiled(conn, "take_lease", partial(_take_lease, _insert(conn)),
                 {"b_tenant_id": tenant_id, "b_now": now_ms,
                  **{f"b_{name}": value for name, value in values.items()}})
    row = run_compiled(conn, "lease_row", _lease_row, {"b_tenant_id": tenant_id}).one()
    if row.owner == owner:
        return True
    held_by = processes.ProcessId(row.holder_host, row.holder_pid, row.holder_started)
    if not processes.is_gone(held_by):
        return False
    # Taken from exactly that holder: another process may have taken it over meanwhile.
    taken = conn.execute(update(sync_leases).where(
        sync_leases.c.tenant_id == tenant_id, sync_leases.c.owner == row.owner,
        sync_leases.c.holder_host == row.holder_host, sync_leases.c.holder_pid == row.holder_pid,
        sync_leases.c.holder_started == row.holder_started).values(**values)).rowcount
    if taken:
        log.info("tenant %s: took over the sync lease of %s (pid %s on this host is gone)",
                 tenant_id, row.owner, row.holder_pid)
    return bool(taken)


_LEASE_VALUES = ("owner", "expires_at", "holder_host", "holder_pid", "holder_started")


def _take_lease(insert: Any) -> Any:
    values: dict[str, Any] = {name: bindparam(f"b_{name}") for name in _LEASE_VALUES}
    return insert(sync_leases).values(tenant_id=bindparam("b_tenant_id"), **values
                                      ).on_conflict_do_update(
        index_elements=["tenant_id"], set_=values,
        where=(sync_leases.c.owner == bindparam("b_owner"))
        | (sync_leases.c.expires_at < bindparam("b_now")))


def _lease_row() -> Any:
    return select(*(sync_leases.c[name] for name in _LEASE_VALUES)).where(
        sync_leases.c.tenant_id == bindparam("b_tenant_id"))


def lease_holder(conn: Connection, tenant_id: int) -> str | None:
    """Who holds the tenant's lease, in words ("pid 123 on host h"), or None."""
    row = conn.execute(select(sync_leases).where(sync_leases.c.tenant_id == tenant_id)).first()
    if row is None:
        return None
    host = (row.holder_host or "").split(" ")[0] or "an unknown host"
    return f"pid {row.holder_pid} on {host}" if row.holder_pid else row.owner


def forget_tenant_sync(conn: Connection, tenant_id: int) -> None:
    """Reconnecting starts from nothing: after a disconnect LinkedIn holds nothing of the
    tenant, so what said what it holds (the ledger), how far the sync got (cursors) and the
    historical runs with their milestones go; the next ENABLED starts a new historical run
    from zero. The sync logs' batches, the errors and the disconnect reports stay, but the
    open errors are closed: they were about records LinkedIn no longer holds, and the new
    run finds again those that still fail (its "failed records" start from zero)."""
    conn.execute(update(sync_errors).where(sync_errors.c.tenant_id == tenant_id,
                                           sync_errors.c.status == "open")
                 .values(status="resolved"))
    historical = select(sync_runs.c.id).where(sync_runs.c.tenant_id == tenant_id,
                                              sync_runs.c.kind == "historical")
    conn.execute(delete(sync_milestones).where(sync_milestones.c.run_id.in_(historical)))
    conn.execute(delete(sync_runs).where(sync_runs.c.tenant_id == tenant_id,
                                         sync_runs.c.kind == "historical"))
    conn.execute(delete(sync_ledger).where(sync_ledger.c.tenant_id == tenant_id))
    conn.execute(delete(sync_cursors).where(sync_cursors.c.tenant_id == tenant_id))


def release_lease(conn: Connection, tenant_id: int, owner: str) -> None:
    """Let go of the tenant's lease (if this owner holds it): the next process starts at once."""
    conn.execute(delete(sync_leases).where(sync_leases.c.tenant_id == tenant_id,
                                           sync_leases.c.owner == owner))


def release_leases(conn: Connection, owner: str) -> None:
    """Let go of every tenant's lease this owner holds (a runner stopping)."""
    conn.execute(delete(sync_leases).where(sync_leases.c.owner == owner))
