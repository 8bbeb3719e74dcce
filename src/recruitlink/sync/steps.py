"""The kinds of step of the sync (sync/engine.py says in which order they run), and how a
batch is prepared, sent and committed.

Each batch is prepared (write-ahead, one write), sent as calls of at most 100, and committed
with its ledger, cursor and lease renewal in one transaction; the continuous sync and
replays cut their work into the same logical batches, so a pause stops all sends within one
batch. While a historical batch is sent, its milestone's next page is read and built on a
read-ahead thread (`Ahead`): the sync process builds while LinkedIn answers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

from recruitlink.core import planner
from recruitlink.core.planner import Ref, result_key
from recruitlink.core.policy import Policy
from recruitlink.errors import Disconnecting, LeaseLost, Stopped, TerminalError, TransientError
from recruitlink.linkedin import TaskAnswers
from recruitlink.store.connections import ConnectionInfo

from .items import JOB_ACLS, STREAM, acl_job_id, synced_entities
from .lease import Lease
from .sender import ItemResult, Sender
from .state import SyncState
from .state_ledger import Prepared, Tally
from .streams import stream_for_resource
from .work import Work

log = logging.getLogger(__name__)

StepKind = Literal["busy", "idle", "recovered", "continuous", "tasks", "replay", "historical",
                   "milestone", "done", "error", "paused"]


@dataclass
class StepReport:
    kind: StepKind
    records: int = 0
    tally: Tally | None = None
    batch_id: int | None = None
    milestone: str | None = None
    message: str | None = None
    terminal: bool = False


def now_ms() -> int:
    return int(time.time() * 1000)


class SentNotes:
    """The calls of a prepared batch that went out, written to its row (the sync logs'
    progress moves within a batch) at most every `every_s`: a write per call cost ~2% of
    a fast backfill's CPU, for progress no page shows that finely. Calls answered from
    several threads; what is still unwritten when the batch fails is written then (a
    committed batch counts all its records)."""

    def __init__(self, state: SyncState, batch_id: int, every_s: float = 0.25) -> None:
        self._state, self._batch_id, self._every_s = state, batch_id, every_s
        self._lock = threading.Lock()
        self._unwritten = 0
        self._written_at = time.monotonic()

    def __call__(self, records: int) -> None:
        with self._lock:
            self._unwritten += records
            if time.monotonic() - self._written_at < self._every_s:
                return
            self._write()

    def flush(self) -> None:
        with self._lock:
            if self._unwritten:
                self._write()

    def _write(self) -> None:
        self._state.note_sent(self._batch_id, self._unwritten)
        self._unwritten, self._written_at = 0, time.monotonic()


@dataclass
class Page:
    """A historical page built: its work, how many rows it read and the last row's id (the
    milestone's cursor once it commits). The rows themselves are not kept."""
    work: Work
    rows: int
    last_id: int


@dataclass
class Ahead:
    """A historical page read and built while the batch before it was in flight. It serves
    the next step only if that step resumes the same milestone from the same cursor with
    the same build inputs, and no other kind of step ran between (`Steps.forget_ahead`):
    its rows are as they were while the batch before it was sent, like any page read then."""
    key: tuple[Any, ...]
    """(run id, milestone, cursor it starts after, build inputs)"""
    page: Page


class Steps:
    def __init__(self, state: SyncState, settings: Callable[[], Any], lease: Lease,
                 build_work: Callable[..., Work],
                 dependents: Callable[[int, Sequence[planner.Change]], list[Ref]],
                 paused: Callable[[int], bool]) -> None:
        self.state = state
        self._settings = settings  # read at each use: a caller may replace the settings
        self.lease = lease
        self.build_work = build_work
        self.dependents = dependents
        self.paused = paused
        self._replay_checked: dict[int, int] = {}
        self._ahead: dict[int, Ahead] = {}
        self.read_ahead_for: set[int] = set()
        """Tenants whose historical batches read the next page ahead (`engine.reading_ahead`)."""
        # One thread reads ahead; it runs while the main thread waits on the batch's calls.
        self._reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-read-ahead")

    @property
    def settings(self) -> Any:
        return self._settings()

    # -- the kinds of step -------------------------------------------------------------------

    def recover(self, info: ConnectionInfo, batch: Prepared, sender: Sender) -> StepReport:
        """Send a batch a crash left prepared again (an upsert: harmless), and commit it."""
        self.state.start_attempt(batch.id)  # a re-send, counted in the sync log
        # Only what the crashed send may have put on LinkedIn: a record the batch was not
        # going to send (rejected, skipped, excluded) has nothing there to delete.
        sent = {(i.entity, i.entity_id): i for i in batch.items if i.maybe_sent}
        refs = [(i.entity, i.entity_id) for i in batch.items]
        # The batch's own streams only: a job's posting and its ACLs go in different batches
        # of the historical sync. (A job's ACL records stand for the job: see sync/work.py.)
        streams = {stream_for_resource(i.resource).name for i in batch.items}
        records = len({("jobs", acl_job_id(i)) if e == JOB_ACLS else (e, i) for e, i in refs})
        work = self.build_work(info, refs, historical=batch.run_id is not None,
                               maybe_live=sent, streams=streams)
        report = self.send(info, work, sender, batch_id=batch.id, run_id=batch.run_id,
                           milestone=batch.milestone, cursor_after=batch.cursor_after,
                           rows=records if batch.run_id is not None else None)
        report.kind = "recovered"
        return report

    def continuous(self, info: ConnectionInfo, sender: Sender) -> StepReport | None:
        cursor, changes = self.state.changes(info.tenant_id, self.settings.continuous_chunk)
        if cursor is None or not changes:
            return None
        upto = changes[-1].seq
        if Policy.from_json(self.state.policy_json(info.tenant_id)) != info.policy:
            # The policy was saved after this step loaded it, and the changes it queued
            # with it may be among these: the next step reads both again, so they are never
            # judged by the old rules (and the cursor passed over them).
            return StepReport("continuous")
        # Users' changes too without ACLs: LinkedIn may hold their assignees from before
        # ACLs were switched off (`sync.visibility`), and they must go.
        entities = synced_entities(info.tenant_kind, info.policy) | {"users"}
        relevant = [(c.entity, c.entity_id, c.confidentiality) for c in changes
                    if c.entity in entities]
        refs = [(e, i) for e, i, _ in relevant]
        refs += self.dependents(info.tenant_id, relevant)
        work = self.build_work(info, refs, historical=False)
        if not work.items:
            self.state.move_cursor(info.tenant_id, upto, now_ms())
            return StepReport("continuous")
        return self.send_in_batches(info, work, sender, cursor_after=upto)

    def replay(self, info: ConnectionInfo, sender: Sender) -> StepReport | None:
        """Send again, as they are now, the records LinkedIn kept failing (5xx, 429,
        timeouts): the running sync does not leave them to `sync retry` unless they keep
        failing (see `state_ledger.due_replays`)."""
        now = now_ms()
        if self._replay_checked.get(info.tenant_id, 0) > now:
            return None
        # Looked at every few seconds, not every step: an idle loop steps many times a second.
        self._replay_checked[info.tenant_id] = now + int(
            min(5.0, self.settings.replay_after_s) * 1000)
        due = self.state.due_replays(info.tenant_id, now, self.settings.replay_retry,
                                     limit=info.policy.batch_size)
        if not due:
            return None
        work = self.build_work(info, [ref for ref, _ in due], historical=False)
        self._replay_checked.pop(info.tenant_id, None)  # the next may be due at once
        report = self.send_in_batches(info, work, sender, cursor_after=None,
                                      replayed=[i for _, ids in due for i in ids])
        if report.kind != "paused":
            report.kind = "replay"
        return report

    def historical(self, info: ConnectionInfo, sender: Sender) -> StepReport | None:
        found = self.state.next_milestone(info.tenant_id)
        if found is None:
            return None
        run, milestone = found
        now = now_ms()
        if milestone is None:
            self.state.finish_run(info.tenant_id, run.id, now)
            return StepReport("done")
        ahead = self._ahead.pop(info.tenant_id, None)
        key = (run.id, milestone.name, milestone.cursor, self._build_inputs(info))
        page = ahead.page if ahead is not None and ahead.key == key else \
            self._page(info, milestone.name, milestone.cursor)
        if milestone.started_at is None:
            self.state.mark_milestone(run.id, milestone.name, started_at=now)
        if page is None:
            self.state.mark_milestone(run.id, milestone.name, finished_at=now)
            return StepReport("milestone", milestone=milestone.name)
        return self.send(info, page.work, sender, batch_id=None, run_id=run.id,
                         milestone=milestone.name, cursor_after=page.last_id, rows=page.rows,
                         meanwhile=partial(self._read_ahead, info, run.id, milestone.name,
                                           page.last_id)
                         if info.tenant_id in self.read_ahead_for else None)

    def _page(self, info: ConnectionInfo, name: str, cursor: int) -> Page | None:
        """The milestone's page after `cursor`, built; None when none is left."""
        stream = STREAM[name]
        rows = self.state.stream_page(stream, info.tenant_id, cursor, info.policy.batch_size)
        if not rows:
            return None
        refs = [(stream.table, r["id"]) for r in rows]
        work = self.build_work(info, refs, historical=True,
                               rows_by_ref=dict(zip(refs, rows, strict=True)), streams={name})
        return Page(work, len(rows), rows[-1]["id"])

    def _read_ahead(self, info: ConnectionInfo, run_id: int, name: str, cursor: int) -> None:
        """Build the milestone's next page while this batch is sent. Its records are not this
        batch's, and their parents come from milestones already done, so nothing this batch
        commits changes what it builds."""
        page = self._page(info, name, cursor)
        if page is not None:
            self._ahead[info.tenant_id] = Ahead(
                (run_id, name, cursor, self._build_inputs(info)), page)

    def _build_inputs(self, info: ConnectionInfo) -> tuple[Any, ...]:
        """What a page's work is built from besides its rows and the ledger (the connection
        also holds what changes at every commit, such as the last sync time)."""
        return (info.tenant_kind, info.organization, info.tenant_slug, info.policy,
                info.contracts, self.settings)

    def forget_ahead(self, tenant_id: int) -> None:
        """Another kind of step ran (or none could): what was read ahead may be older than
        what it sent or saw, so the next historical page is read afresh."""
        self._ahead.pop(tenant_id, None)

    def close(self) -> None:
        self._reader.shutdown(wait=True)

    def poll_tasks(self, info: ConnectionInfo, sender: Sender) -> StepReport | None:
        """Ask LinkedIn how the due job tasks (CREATE, UPDATE, CLOSE) ended, and record it:
        the tally counts the confirmed (synced) and the failed (rejected)."""
        waiting = self.state.pending_tasks(
            info.tenant_id, now_ms() - int(self.settings.job_task_poll_s * 1000))
        if not waiting:
            return None
        urns = [r.job_task for r in waiting if r.job_task]
        answers: TaskAnswers = sender.call(
            "simpleJobPostingTasks", len(urns),
            lambda: sender.client.job_tasks(urns)) if urns else TaskAnswers()
        sender.entities_throttled("simpleJobPostingTasks", answers.throttled,
                                  answers.retry_after)
        tally = Tally()
        outcomes = []
        for row in waiting:
            if row.job_task and row.job_task not in answers:
                outcomes.append((row, "waiting", ""))  # ask again later
                continue
            task = answers[row.job_task] if row.job_task else {"status": "SUCCEEDED"}
            # A task LinkedIn no longer knows (ids live >= 24 h; we poll within minutes)
            # cannot be confirmed: fail it with a reason instead of waiting forever.
            status = (task or {}).get("status", "FAILED")
            if task is None:
                task = {"errorMessage": f"LinkedIn no longer knows task {row.job_task}"}
            if status in ("SUCCEEDED", "PROCESSED"):
                outcomes.append((row, "confirmed", ""))
                tally.synced += 1
            elif status == "FAILED":
                outcomes.append((row, "failed", str(task.get("errorMessage")
                                                    or "job task FAILED")))
                tally.rejected += 1
            else:
                outcomes.append((row, "waiting", ""))
        self.state.record_tasks(info.tenant_id, outcomes, now_ms())
        return StepReport("tasks", records=len(waiting), tally=tally)

    # -- send and commit ---------------------------------------------------------------------

    def send_in_batches(self, info: ConnectionInfo, work: Work, sender: Sender, *,
                        cursor_after: int | None, replayed: Sequence[int] = ()
                        ) -> StepReport:
        """Send work outside the historical sync (a changelog chunk, a replay, `sync retry`)
        as logical batches of at most the policy's batch size, like the historical sync.
        Every batch is prepared (write-ahead) before anything is sent, with the open errors
        being `replayed` marked in the same transaction; the changelog cursor moves with the
        last. A pause stops between batches: the rest stay prepared, sent on resume."""
        parts = planner.split_work(work, info.policy.batch_size)
        batch_ids = self.state.prepare_many(
            info.tenant_id, [(part.items, part.not_sent()) for part in parts], cursor_after,
            now_ms(), replayed)
        total = StepReport("continuous", tally=Tally())
        for n, (batch_id, part) in enumerate(zip(batch_ids, parts, strict=True)):
            last = n == len(parts) - 1
            try:
                if self.paused(info.tenant_id):
                    raise Stopped("paused")
                self.state.start_attempt(batch_id)
                report = self.send(info, part, sender, batch_id=batch_id, run_id=None,
                                   milestone=None, cursor_after=cursor_after if last else None)
            except Disconnecting:
                raise  # the rest stay prepared: the disconnect recovers them
            except Stopped:
                total.kind = "paused"
                total.message = (f"paused: {len(parts) - n} prepared batch(es) of "
                                 f"{len(parts)} are sent on resume")
                return total
            total.records += report.records
            total.batch_id = batch_id
            _add(total.tally, report.tally)
        return total

    def send(self, info: ConnectionInfo, work: Work, sender: Sender, *,
             batch_id: int | None, run_id: int | None, milestone: str | None,
             cursor_after: int | None, rows: int | None = None,
             meanwhile: Callable[[], None] | None = None) -> StepReport:
        """Prepare (unless prepared), send and commit one batch. `meanwhile` runs on the
        read-ahead thread while the batch is sent; it has ended before the batch commits."""
        if batch_id is None:
            batch_id = self.state.prepare(info.tenant_id, run_id, milestone, work.items,
                                          cursor_after, now_ms(), work.not_sent())
        beside = self._reader.submit(meanwhile) if meanwhile is not None else None
        try:
            return self._send_prepared(info, work, sender, batch_id=batch_id, run_id=run_id,
                                       milestone=milestone, cursor_after=cursor_after,
                                       rows=rows)
        finally:
            if beside is not None:
                _wait(beside, info.tenant_id)

    def _send_prepared(self, info: ConnectionInfo, work: Work, sender: Sender, *,
                       batch_id: int, run_id: int | None, milestone: str | None,
                       cursor_after: int | None, rows: int | None) -> StepReport:
        sender.start_batch()
        calls_before = sender.stats.calls
        sender.on_sent = notes = SentNotes(self.state, batch_id)
        try:
            results = sender.send(work.send)
        except Stopped:
            notes.flush()
            raise
        except LeaseLost:
            self.requeue(info.tenant_id, work)
            raise
        except (TransientError, TerminalError) as exc:
            notes.flush()
            self.state.batch_failed(batch_id, exc.message)
            raise
        finally:
            sender.on_sent = None
            if sender.failed_calls:  # kept whatever the batch came to (support bundles)
                self.state.keep_failed_calls(info.tenant_id, batch_id, sender.failed_calls,
                                             now_ms())
                sender.failed_calls = []
        items = [*work.send, *work.rejected]
        by_item = {result_key(item): results[n] for n, item in enumerate(work.send)}
        by_item.update((result_key(item), ItemResult(
            "rejected", "; ".join(f"{e['field']}: {e['reason']}" for e in item.errors)))
            for item in work.rejected)
        started = time.monotonic()
        advanced = (run_id, milestone, cursor_after, rows if rows is not None
                    else len(work.items)) if run_id is not None and milestone is not None \
            and cursor_after is not None else None
        tally = self.state.commit(
            info.tenant_id, batch_id, lease=(self.lease.owner, self.lease.ttl_ms), items=items,
            results=by_item, skipped=work.skipped, excluded=work.excluded,
            calls=sender.stats.calls - calls_before, now=now_ms(), milestone=advanced,
            cursor_after=cursor_after)
        if tally is None:  # commit only while this process holds the lease
            self.requeue(info.tenant_id, work)
            raise LeaseLost(f"another process took over tenant {info.tenant_id}'s sync")
        self.lease.committed(info.tenant_id, started)
        return StepReport("historical" if run_id is not None else "continuous",
                          records=len(work.items), tally=tally, batch_id=batch_id,
                          milestone=milestone)

    def requeue(self, tenant_id: int, work: Work) -> None:
        """This process lost the lease while its sends were in flight: what it sent may be
        older than what the new holder sent meanwhile. Forget those hashes and queue the
        records again (write-ahead), so the holder sends their current versions last."""
        self.state.requeue(tenant_id, work.send, now_ms())


def _wait(beside: Future[None], tenant_id: int) -> None:
    """The read-ahead has ended. It is only a head start: if it failed, the next step reads
    the page itself (and meets the same failure there, where it is reported)."""
    try:
        beside.result()
    except Exception:
        log.warning("tenant %s: reading the next historical page ahead failed; it is read "
                    "again at the next step", tenant_id, exc_info=True)


def _add(total: Tally | None, part: Tally | None) -> None:
    if total is None or part is None:
        return
    for name in ("synced", "rejected", "retryable", "skipped", "excluded"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
