"""The outbound sync engine: historical backfill and continuous sync, one tenant at a time.

`step(tenant)` does the next unit of work under the tenant's lease, in this order:
1. a batch left `prepared` by a crash is sent again (it is an upsert) and committed;
2. the next chunk of the changelog (the continuous sync: it runs from the first minute of the
   historical sync, and before each historical batch, so the backfill never starves it);
3. LinkedIn's job tasks that are due (CREATE, UPDATE and CLOSE) are polled until confirmed;
4. records LinkedIn kept failing (5xx, 429, timeouts) are replayed, with a growing backoff,
   a bounded number of times (then they wait for `sync retry`);
5. the next logical batch (up to 1000 records) of the historical sync, in milestone order.
Each batch is prepared (write-ahead), sent as calls of at most 100, and committed with its
ledger and cursor in one transaction; the continuous sync and replays cut their work into the
same logical batches, so a pause stops all sends within one batch. Sends for a tenant never
overlap, and every send reads the record's current row, so an older version can never
overwrite a newer one.

With the ACL visibility policy a job's records also include its ACL records (one per viewer,
ledger entity `job_acls`): every look at a job compares the viewers it has now with the ACL
records the ledger (or a crashed batch) says LinkedIn holds for it, and deletes the rest.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

import httpx
from sqlalchemy import Connection, and_, func, or_, select, update

from recruitlink.core.backoff import Backoff
from recruitlink.core.limits import Limit, copy_limits
from recruitlink.core.mapping import MappingContext
from recruitlink.crypto import SecretBox
from recruitlink.errors import (
    ConfigurationError,
    Disconnecting,
    LeaseLost,
    Stopped,
    TerminalError,
    TransientError,
)
from recruitlink.linkedin import LinkedInClient, TaskAnswers, TokenCache
from recruitlink.linkedin.budget import RateBudget
from recruitlink.linkedin.pool import ClientPool
from recruitlink.linkedin.versions import DEFAULT_API_VERSION, ApiVersion
from recruitlink.store import Store, connections, schema
from recruitlink.store.changelog import read_changes
from recruitlink.store.connections import ConnectionInfo
from recruitlink.store.files import read_chunks

from . import ledger
from .items import (
    ACL_USER_BITS,
    JOB_ACLS,
    ORDER,
    STREAM,
    BuildContext,
    Item,
    Stream,
    acl_job_id,
    build,
    delete_item,
    streams_for,
    streams_of,
    synced_entities,
)
from .ledger import LIVE_STATES, PENDING_STATES, LedgerRow, Tally
from .sender import ItemResult, Sender
from .streams import (
    DEPENDENTS_ON_CHANGE,
    DEPENDENTS_ON_CONFIDENTIALITY,
    PARENT_COLUMN,
    stream_for_resource,
)

StepKind = Literal["busy", "idle", "recovered", "continuous", "tasks", "replay", "historical",
                   "milestone", "done", "error", "paused"]


@dataclass
class EngineSettings:
    api_url: str
    oauth_url: str
    ats_base_url: str
    api_version: str = DEFAULT_API_VERSION
    """RECRUITLINK_LINKEDIN_API_VERSION: the LinkedIn API family and version spoken."""
    limits: dict[str, Limit] = field(default_factory=copy_limits)
    rate_window_ms: int = 61_000
    lease_ttl_s: float = 75.0
    continuous_chunk: int = 1000
    job_task_poll_s: float = 5.0
    max_attempts: int | None = 6
    backoff_s: float = 0.5
    retry_factor: float = 2.0
    retry_cap_s: float | None = 30.0
    """With `backoff_s` and `max_attempts`: RECRUITLINK_RETRY_CALLS (`call_retry`)."""
    idle_sleep_s: float = 0.2
    replay_after_s: float = 30.0
    """A record LinkedIn kept failing is replayed this long after; the wait doubles with each
    failure in a row, up to `replay_max_s`."""
    replay_max_s: float | None = 900.0
    replay_attempts: int | None = 5
    """Automatic replays of a record before it is left failed for `sync retry`."""
    replay_factor: float = 2.0
    close_wait_s: float = 900.0
    """How long a disconnect waits for LinkedIn to confirm its job closes (the sync keeps
    polling the rest afterwards)."""

    @property
    def call_retry(self) -> Backoff:
        """Tries of one call to LinkedIn, and the waits between them."""
        return Backoff(self.backoff_s, self.retry_factor, self.retry_cap_s, self.max_attempts)

    @property
    def step_retry(self) -> Backoff:
        """The wait after a failed step of the sync loop (no limit: it keeps trying)."""
        return Backoff(self.backoff_s, self.retry_factor, self.retry_cap_s)

    @property
    def replay_retry(self) -> Backoff:
        """When a record LinkedIn kept failing is replayed, and how often."""
        return Backoff(self.replay_after_s, self.replay_factor, self.replay_max_s,
                       self.replay_attempts)

    @property
    def versioned_api(self) -> bool:
        """The client talks to LinkedIn's versioned API, the only one with `attachments`
        (applications' files); on v2 they are excluded, saying why (sync/items.py)."""
        return ApiVersion.parse(self.api_version).family == "rest"


STOPPED_FOR_DISCONNECT = "stopped: the tenant is being disconnected"


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


@dataclass
class _Work:
    send: list[Item] = field(default_factory=list)
    rejected: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)
    excluded: list[Item] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [*self.send, *self.rejected, *self.skipped, *self.excluded]

    def not_sent(self) -> dict[tuple[str, int], str]:
        """The records none of whose items is sent, with their outcome (for the write-ahead
        batch: a crash's recovery leaves them alone)."""
        sending = {(i.entity, i.entity_id) for i in self.send}
        return {(i.entity, i.entity_id): outcome
                for outcome, items in (("rejected", self.rejected), ("skipped", self.skipped),
                                       ("excluded", self.excluded))
                for i in items if (i.entity, i.entity_id) not in sending}


# A change to one record changes the payloads of others, or their exclusion: the stream
# registry's parents (`sync/streams.py`, from `store/entities.py`). Files belong to a
# candidate or an application: `_dependents` also checks `owner_entity`.
_DEPENDENTS_ON_CHANGE = DEPENDENTS_ON_CHANGE
_DEPENDENTS_ON_CONFIDENTIALITY = DEPENDENTS_ON_CONFIDENTIALITY
_PARENT_COLUMN = PARENT_COLUMN


class SyncEngine:
    def __init__(self, store: Store, box: SecretBox, settings: EngineSettings, *,
                 owner: str | None = None, http: httpx.Client | None = None,
                 tokens: TokenCache | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.store = store
        self.box = box
        self.settings = settings
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.http = http or httpx.Client(timeout=httpx.Timeout(60.0, connect=10.0))
        self.tokens = tokens or TokenCache()
        self.sleep = sleep
        self.pool = ClientPool(store.db, lambda: self.settings, http=self.http,
                               tokens=self.tokens, sleep=sleep)
        self._replay_checked: dict[int, int] = {}

    def close(self) -> None:
        self.http.close()

    def under_own_lease(self) -> SyncEngine:
        """An engine sharing this one's HTTP client and tokens under a lease owner of its own
        (never close it: the client is this engine's). A control command run in a process
        whose runner steps the same tenants (the server) must not pass for that runner:
        under one owner both would send for the tenant at once."""
        return SyncEngine(self.store, self.box, self.settings, http=self.http,
                          tokens=self.tokens, sleep=self.sleep)

    # -- plumbing -------------------------------------------------------------------------------

    def client_for(self, info: ConnectionInfo) -> LinkedInClient:
        return self.pool.client_for(info)

    def budget_for(self, info: ConnectionInfo) -> RateBudget:
        return self.pool.budget_for(info)

    def _load(self, tenant_id: int) -> ConnectionInfo | None:
        with self.store.reader() as conn:
            return connections.load(conn, tenant_id, self.box)

    def _mapping(self, info: ConnectionInfo) -> MappingContext:
        return MappingContext(organization=info.organization,
                              ats_base_url=f"{self.settings.ats_base_url.rstrip('/')}"
                                           f"/t/{info.tenant_slug}",
                              default_availability=info.policy.default_availability)

    # -- runs -----------------------------------------------------------------------------------

    def start_historical(self, tenant_id: int) -> int:
        """Start (or restart) the historical sync; the continuous sync starts with it."""
        now = now_ms()
        info = self._load(tenant_id)
        if info is None:
            raise ConfigurationError(f"tenant {tenant_id} is not connected to LinkedIn")
        with self.store.db.write() as conn:
            conn.execute(update(schema.sync_runs).where(
                schema.sync_runs.c.tenant_id == tenant_id,
                schema.sync_runs.c.status == "running").values(status="cancelled",
                                                                finished_at=now))
            start_seq = conn.execute(select(func.coalesce(func.max(schema.changelog.c.seq), 0))
                                     .where(schema.changelog.c.tenant_id == tenant_id)).scalar()
            run_id = int(conn.execute(schema.sync_runs.insert().values(
                tenant_id=tenant_id, kind="historical", status="running", start_seq=start_seq,
                started_at=now)).inserted_primary_key[0])  # type: ignore[index]
            for position, stream in enumerate(streams_for(info.tenant_kind, info.policy)):
                total = conn.execute(select(func.count()).select_from(
                    self._stream_query(stream, tenant_id).subquery())).scalar()
                conn.execute(schema.sync_milestones.insert().values(
                    run_id=run_id, name=stream.name, position=position, cursor=0, total=total,
                    done=0, rejected=0, excluded=0))
            if ledger.get_cursor(conn, tenant_id, "changelog") is None:
                ledger.set_cursor(conn, tenant_id, "changelog", int(start_seq or 0), now)
        return run_id

    @staticmethod
    def _stream_query(stream: Stream, tenant_id: int) -> Any:
        table = schema.metadata.tables[stream.table]
        query = select(table).where(table.c.tenant_id == tenant_id)
        if stream.name == "candidate_notes":
            query = query.where(table.c.candidate_id.is_not(None))
        elif stream.name == "application_notes":
            query = query.where(table.c.application_id.is_not(None))
        elif stream.table == "files":
            query = query.where(table.c.complete.is_(True), table.c.owner_entity == (
                "candidates" if stream.name == "candidate_resumes" else "applications"))
        return query

    # -- the loop -------------------------------------------------------------------------------

    def run(self, tenant_id: int, *, stop: Callable[[], bool],
            on_step: Callable[[StepReport], None] | None = None,
            until_done: bool = False) -> StepReport:
        """Step until `stop()`; with `until_done`, also return once the historical run is done
        and nothing is pending. Transient errors are retried; a terminal one ends the loop.
        However it ends (normally, stopped, or by an exception such as KeyboardInterrupt),
        the tenant's lease is let go, so the next process does not wait for it to expire."""
        try:
            return self._run(tenant_id, stop=stop, on_step=on_step, until_done=until_done)
        finally:
            self.release_lease(tenant_id)

    def _run(self, tenant_id: int, *, stop: Callable[[], bool],
             on_step: Callable[[StepReport], None] | None, until_done: bool) -> StepReport:
        last = StepReport("idle")
        failures = 0
        while not stop():
            try:
                last = self.step(tenant_id)
                failures = 0 if last.kind != "error" else failures + 1
            except TransientError as exc:  # pragma: no cover - step reports these itself
                last = StepReport("error", message=str(exc))
                failures += 1
            if on_step is not None:
                on_step(last)
            if last.terminal:
                return last
            if until_done and last.kind == "idle" and self.historical_done(tenant_id):
                return last
            if last.kind in ("idle", "busy", "paused"):
                self.sleep(self.settings.idle_sleep_s)
            elif last.kind == "error":
                self.sleep(self.settings.step_retry.delay(failures + 1))
        return last

    def historical_done(self, tenant_id: int) -> bool:
        with self.store.reader() as conn:
            run = conn.execute(select(schema.sync_runs.c.status).where(
                schema.sync_runs.c.tenant_id == tenant_id).order_by(
                schema.sync_runs.c.id.desc()).limit(1)).scalar()
            submitted = conn.execute(select(func.count()).select_from(schema.sync_ledger).where(
                schema.sync_ledger.c.tenant_id == tenant_id,
                schema.sync_ledger.c.state.in_(PENDING_STATES))).scalar()
        return run == "done" and not submitted

    def step(self, tenant_id: int) -> StepReport:
        if self.disconnecting(tenant_id):
            return self._let_go(tenant_id)
        now = now_ms()
        with self.store.db.write() as conn:
            if not ledger.acquire_lease(conn, tenant_id, self.owner, now,
                                        int(self.settings.lease_ttl_s * 1000)):
                return StepReport("busy")
        info = self._load(tenant_id)
        if info is not None and info.status == "DISCONNECTING":
            return self._let_go(tenant_id)
        if info is None or info.status not in ("ENABLED", "DISCONNECTED"):
            return StepReport("idle", message="not connected or not ENABLED")
        if info.paused:
            return StepReport("paused")
        if info.status == "DISCONNECTED" and not info.client_id:
            return StepReport("idle", message="not connected or not ENABLED")
        try:
            sender = self._sender(info)
            if info.status == "DISCONNECTED":
                # Closes a disconnect did not see confirmed are still followed to their end.
                return self._poll_tasks(info, sender) or StepReport(
                    "idle", message="not connected or not ENABLED")
            with self.store.reader() as conn:
                prepared = ledger.prepared_batches(conn, tenant_id)
            if prepared:
                return self._recover(info, prepared[0], sender)
            for attempt in (self._continuous, self._poll_tasks, self._replay, self._historical):
                report = attempt(info, sender)
                if report is not None:
                    return report
            return StepReport("idle")
        except Disconnecting:
            return self._let_go(tenant_id)
        except Stopped as exc:
            return StepReport("paused", message=str(exc))
        except TransientError as exc:
            return StepReport("error", message=exc.message)
        except TerminalError as exc:
            return StepReport("error", message=exc.message, terminal=True)

    def _let_go(self, tenant_id: int) -> StepReport:
        """A disconnect asked this sync to stop: let go of the lease so it can start."""
        self.release_lease(tenant_id)
        return StepReport("idle", message=STOPPED_FOR_DISCONNECT)

    def disconnecting(self, tenant_id: int) -> bool:
        """A disconnect has asked the tenant's sync to stop (`control.disconnect`)."""
        with self.store.reader() as conn:
            return conn.execute(select(schema.connections.c.status).where(
                schema.connections.c.tenant_id == tenant_id)).scalar() == "DISCONNECTING"

    def _sender(self, info: ConnectionInfo) -> Sender:
        return Sender(self.client_for(info), self.budget_for(info),
                      call_size=info.policy.call_size, retry=self.settings.call_retry,
                      sleep=self.sleep,
                      pause_check=lambda: self._paused(info.tenant_id),
                      keep_alive=lambda: self.renew_lease(info.tenant_id),
                      disconnect_check=lambda: self.disconnecting(info.tenant_id),
                      file_chunks=partial(read_chunks, self.store))

    def renew_lease(self, tenant_id: int) -> None:
        with self.store.db.write() as conn:
            if not ledger.acquire_lease(conn, tenant_id, self.owner, now_ms(),
                                        int(self.settings.lease_ttl_s * 1000)):
                raise LeaseLost(f"another process took over tenant {tenant_id}'s sync")

    def hold_lease(self, tenant_id: int, timeout_s: float = 120.0) -> None:
        """Wait for the tenant's lease (for control commands that send)."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                self.renew_lease(tenant_id)
                return
            except LeaseLost as exc:
                if time.monotonic() > deadline:
                    with self.store.reader() as conn:
                        holder = ledger.lease_holder(conn, tenant_id)
                    raise LeaseLost(f"the sync of tenant {tenant_id} is held by "
                                    f"{holder or 'another process'} and did not let go "
                                    f"within {timeout_s:.0f} s") from exc
                self.sleep(0.5)

    def release_lease(self, tenant_id: int) -> None:
        with self.store.db.write() as conn:
            ledger.release_lease(conn, tenant_id, self.owner)

    def release_leases(self) -> None:
        """Let go of every tenant's lease this engine holds (its process is stopping)."""
        with self.store.db.write() as conn:
            ledger.release_leases(conn, self.owner)

    def _paused(self, tenant_id: int) -> bool:
        with self.store.reader() as conn:
            return bool(conn.execute(select(schema.connections.c.paused).where(
                schema.connections.c.tenant_id == tenant_id)).scalar())

    # -- building work ---------------------------------------------------------------------------

    def _work(self, conn: Connection, info: ConnectionInfo,
              refs: Iterable[tuple[str, int]], *, historical: bool,
              rows_by_ref: dict[tuple[str, int], dict[str, Any]] | None = None,
              maybe_live: dict[tuple[str, int], ledger.PreparedItem] | None = None,
              streams: Collection[str] | None = None) -> _Work:
        """Items for these records as they are now: upserts, deletes of what left, skips of
        what LinkedIn already holds unchanged.

        `refs` are store records (table, id), or ledger records of entity `job_acls` (they
        stand for their job's ACLs). `streams`: only these streams (a historical milestone);
        by default every stream of the tenant a record feeds (a job: its posting and ACLs).

        `maybe_live`: records a crashed batch may have sent without committing; LinkedIn may
        hold them though the ledger does not say so, so if they are gone or excluded now
        they are deleted all the same (a delete of something absent is harmless)."""
        maybe_live = maybe_live or {}
        allowed = {s.name for s in streams_for(info.tenant_kind, info.policy)}
        tenant_streams = set(allowed)
        if streams is not None:
            allowed &= set(streams)
        # Which streams to build for each store record; `plain`: asked for as itself.
        wanted: dict[tuple[str, int], set[str]] = {}
        plain: set[tuple[str, int]] = set()
        for entity, entity_id in refs:
            if entity == JOB_ACLS:
                base = ("jobs", acl_job_id(entity_id))
                names = {"job_acls"} if streams is None else {"job_acls"} & set(streams)
            else:
                base, names = (entity, entity_id), allowed
                plain.add(base)
            wanted.setdefault(base, set()).update(names)
        bases = list(wanted)
        rows = rows_by_ref if rows_by_ref is not None else self._rows(conn, bases)
        held = ledger.load_ledger(conn, info.tenant_id, bases)
        job_states = {eid: r.li_key.get("state") for (ent, eid), r in held.items()
                      if ent == "jobs" and r.state in LIVE_STATES}
        bc = BuildContext(conn, info.tenant_id, self._mapping(info), info.policy, now_ms(),
                          historical=historical, job_states=job_states,
                          versioned_api=self.settings.versioned_api)
        by_stream: dict[str, list[dict[str, Any]]] = defaultdict(list)
        missing: list[tuple[str, int]] = []
        for ref in bases:
            row = rows.get(ref)
            if row is None:
                missing.append(ref)
                continue
            for name in streams_of(ref[0], row):
                if name in wanted[ref]:
                    by_stream[name].append(row)
        # The ACL records LinkedIn holds for these jobs (all of them, for a deleted job, or
        # once the tenant no longer uses ACLs).
        acls_gone = "job_acls" not in tenant_streams
        acl_jobs = {ref[1] for ref, names in wanted.items() if ref[0] == "jobs" and (
            "job_acls" in names or ((ref not in rows or acls_gone)
                                    and (streams is None or "job_acls" in streams)))}
        acl_held = self._acl_ledger(conn, info.tenant_id, acl_jobs)
        held.update(acl_held)
        work = _Work()
        built: set[tuple[str, int]] = set()
        for name in sorted(by_stream, key=ORDER.__getitem__):
            for item in build(STREAM[name], by_stream[name], bc):
                ref = (item.entity, item.entity_id)
                built.add(ref)
                self._classify(item, held.get(ref), info, work, maybe_live.get(ref))
        # A job's ACL records that are no longer wanted: a viewer left, or the job is gone.
        for ref, acl in acl_held.items():
            if ref not in built and acl.state in LIVE_STATES:
                work.send.append(delete_item("job_acls", JOB_ACLS, ref[1], acl.external_id,
                                             acl.li_key, info.organization))
        for ref, prepared in maybe_live.items():
            if (ref[0] == JOB_ACLS and acl_job_id(ref[1]) in acl_jobs and ref not in built
                    and ref not in acl_held and prepared.action == "upsert"
                    and prepared.li_key is not None):
                work.send.append(delete_item("job_acls", JOB_ACLS, ref[1],
                                             prepared.external_id, prepared.li_key,
                                             info.organization))
        # A record of a stream the tenant no longer syncs (a user's assignee, after ACLs
        # were switched off): what LinkedIn holds of it (or a crashed batch may have put
        # there) is deleted.
        for ref in plain:
            if ref not in rows or ref in built:
                continue
            record, sent = held.get(ref), maybe_live.get(ref)
            if record is not None and record.state in LIVE_STATES:
                copy = (record.resource, record.external_id, record.li_key)
            elif sent is not None and sent.action == "upsert" and sent.li_key is not None:
                copy = (sent.resource, sent.external_id, sent.li_key)
            else:
                continue
            name = self._stream_for_resource(copy[0])
            if name not in tenant_streams and (streams is None or name in streams):
                work.send.append(delete_item(name, ref[0], ref[1], copy[1], copy[2],
                                             info.organization))
        for entity, entity_id in missing:
            if (entity, entity_id) not in plain:
                continue  # a deleted job asked for by its ACL records: done above
            record = held.get((entity, entity_id))
            sent = maybe_live.get((entity, entity_id))
            if record is not None and record.state in LIVE_STATES:
                name = self._stream_for_resource(record.resource)
                if streams is None or name in streams:
                    work.send.append(delete_item(name, entity, entity_id, record.external_id,
                                                 record.li_key, info.organization))
            elif sent is not None and sent.li_key is not None:
                name = self._stream_for_resource(sent.resource)
                if streams is None or name in streams:
                    work.send.append(delete_item(name, entity, entity_id, sent.external_id,
                                                 sent.li_key, info.organization))
        self._hold_orphans(conn, info.tenant_id, work)
        # Parents first for upserts; children first for deletes. A record whose key changed
        # has its old key deleted just before its upsert, so its ledger row ends up live.
        work.send.sort(key=lambda i: (i.action == "delete" and not i.replacing,
                                      -ORDER[i.stream] if i.action == "delete"
                                      and not i.replacing else ORDER[i.stream]))
        return work

    @staticmethod
    def _hold_orphans(conn: Connection, tenant_id: int, work: _Work) -> None:
        """A note, stage or feedback whose candidate or application LinkedIn does not hold
        (rejected, or not sent) would be refused for its missing parent: reject it here with
        the parent's reason. It is looked at again when its parent changes."""
        sending = {(i.entity, i.entity_id) for i in work.send if i.action == "upsert"}
        waiting = {i.parent_ref for i in work.send if i.action == "upsert"
                   and i.parent_ref is not None and i.parent_ref not in sending}
        if not waiting:
            return
        parents = ledger.load_ledger(conn, tenant_id, waiting)
        keep: list[Item] = []
        for item in work.send:
            ref = item.parent_ref
            parent = parents.get(ref) if ref is not None else None
            if (item.action == "upsert" and ref in waiting
                    and (parent is None or parent.state not in LIVE_STATES)):
                what = "candidate" if ref[0] == "candidates" else "application"
                why = f" ({parent.reason})" if parent is not None and parent.reason else ""
                item.errors.append({"field": what,
                                    "reason": f"its {what} is not on LinkedIn{why}"})
                work.rejected.append(item)
            else:
                keep.append(item)
        work.send = keep

    @staticmethod
    def _acl_ledger(conn: Connection, tenant_id: int, job_ids: Collection[int]
                    ) -> dict[tuple[str, int], LedgerRow]:
        """The ledger's ACL records of these jobs: each job's ids form one range."""
        if not job_ids:
            return {}
        runs: list[list[int]] = []  # consecutive job ids share one range
        for job_id in sorted(job_ids):
            if runs and runs[-1][1] == job_id - 1:
                runs[-1][1] = job_id
            else:
                runs.append([job_id, job_id])
        column = schema.sync_ledger.c.entity_id
        found: dict[tuple[str, int], LedgerRow] = {}
        for start in range(0, len(runs), 100):
            ranges = [and_(column >= first << ACL_USER_BITS,
                           column < (last + 1) << ACL_USER_BITS)
                      for first, last in runs[start:start + 100]]
            for row in conn.execute(select(schema.sync_ledger).where(
                    schema.sync_ledger.c.tenant_id == tenant_id,
                    schema.sync_ledger.c.entity == JOB_ACLS, or_(*ranges))):
                found[(JOB_ACLS, row.entity_id)] = LedgerRow(
                    JOB_ACLS, row.entity_id, row.external_id, row.resource, dict(row.li_key),
                    row.content_hash, row.state, row.job_task)
        return found

    @staticmethod
    def _stream_for_resource(resource: str) -> str:
        return stream_for_resource(resource).name

    @staticmethod
    def _classify(item: Item, held: LedgerRow | None, info: ConnectionInfo, work: _Work,
                  sent: ledger.PreparedItem | None = None) -> None:
        live = held is not None and held.state in LIVE_STATES
        if item.excluded and held is not None and held.state == "closing":
            # Its CLOSE is on its way; the task poll records how it ends.
            work.skipped.append(item)
            return
        # Where LinkedIn may hold this record now: (its key there, the resource holding it).
        copies = [(held.li_key, held.resource)] if live and held is not None else []
        if sent is not None and sent.action == "upsert" and sent.li_key is not None:
            copies.append((sent.li_key, sent.resource))
        if item.excluded and item.window_only and live:
            # The history window limits what the backfill sends; it never removes what
            # LinkedIn already holds.
            work.skipped.append(item)
            return
        if not item.excluded and not item.errors and item.resource != "simpleJobPostings":
            # The record's key, parent or resource changed (an assignee's member, a note
            # moved to another candidate or application): the upsert does not overwrite the
            # copy LinkedIn holds elsewhere; delete that one first.
            moved = {json.dumps([k.get("key"), k.get("parent"), r], sort_keys=True): (k, r)
                     for k, r in copies if k.get("key") is not None
                     and (k.get("key"), k.get("parent"), r) != (item.key, item.parent,
                                                                  item.resource)}
            for old_key, resource in moved.values():
                replaced = delete_item(SyncEngine._stream_for_resource(resource), item.entity,
                                       item.entity_id, item.external_id, old_key,
                                       info.organization)
                replaced.replacing = True
                work.send.append(replaced)
        if item.excluded:
            if copies:
                for old_key, resource in copies[:1]:
                    removal = delete_item(SyncEngine._stream_for_resource(resource),
                                          item.entity, item.entity_id, item.external_id,
                                          old_key, info.organization)
                    removal.excluded = item.excluded
                    work.send.append(removal)
            else:
                work.excluded.append(item)
        elif item.errors:
            work.rejected.append(item)
        elif live and held is not None and held.content_hash == item.content_hash:
            work.skipped.append(item)
        else:
            work.send.append(item)

    def _rows(self, conn: Connection, refs: Sequence[tuple[str, int]]
              ) -> dict[tuple[str, int], dict[str, Any]]:
        by_entity: dict[str, list[int]] = defaultdict(list)
        for entity, entity_id in refs:
            by_entity[entity].append(entity_id)
        found: dict[tuple[str, int], dict[str, Any]] = {}
        for entity, ids in by_entity.items():
            table = schema.metadata.tables[entity]
            for start in range(0, len(ids), 500):
                for row in conn.execute(select(table).where(table.c.id.in_(
                        ids[start:start + 500]))):
                    found[(entity, row.id)] = dict(row._mapping)
        return found

    def _dependents(self, conn: Connection, tenant_id: int,
                    changes: Sequence[tuple[str, int, str | None]]) -> list[tuple[str, int]]:
        extra: list[tuple[str, int]] = []
        for entity, entity_id, confidentiality in changes:
            children = (_DEPENDENTS_ON_CONFIDENTIALITY if confidentiality
                        else _DEPENDENTS_ON_CHANGE).get(entity, ())
            for child in children:
                column = _PARENT_COLUMN[(child, entity)]
                table = schema.metadata.tables[child]
                query = select(table.c.id).where(table.c.tenant_id == tenant_id,
                                                 table.c[column] == entity_id)
                if child == "files":
                    query = query.where(table.c.owner_entity == entity)
                ids = [r.id for r in conn.execute(query)]
                extra.extend((child, i) for i in ids)
                if child == "applications":  # and their stages, notes and feedback
                    extra.extend(self._dependents(conn, tenant_id,
                                                  [("applications", i, confidentiality)
                                                   for i in ids]))
        return extra

    # -- the four kinds of step -----------------------------------------------------------------

    def _recover(self, info: ConnectionInfo, batch: ledger.Prepared,
                 sender: Sender) -> StepReport:
        with self.store.db.write() as conn:  # a re-send, counted in the sync log
            ledger.start_attempt(conn, batch.id)
        # Only what the crashed send may have put on LinkedIn: a record the batch was not
        # going to send (rejected, skipped, excluded) has nothing there to delete.
        sent = {(i.entity, i.entity_id): i for i in batch.items if i.maybe_sent}
        refs = [(i.entity, i.entity_id) for i in batch.items]
        # The batch's own streams only: a job's posting and its ACLs go in different batches
        # of the historical sync. (A job's ACL records stand for the job: see `_work`.)
        streams = {self._stream_for_resource(i.resource) for i in batch.items}
        records = len({("jobs", acl_job_id(i)) if e == JOB_ACLS else (e, i) for e, i in refs})
        with self.store.reader() as conn:
            work = self._work(conn, info, refs, historical=batch.run_id is not None,
                              maybe_live=sent, streams=streams)
        report = self._send(info, work, sender, batch_id=batch.id, run_id=batch.run_id,
                            milestone=batch.milestone, cursor_after=batch.cursor_after,
                            rows=records if batch.run_id is not None else None)
        report.kind = "recovered"
        return report

    def _continuous(self, info: ConnectionInfo, sender: Sender) -> StepReport | None:
        with self.store.reader() as conn:
            cursor = ledger.get_cursor(conn, info.tenant_id, "changelog")
            if cursor is None:
                return None
            changes = list(read_changes(conn, info.tenant_id, cursor,
                                        self.settings.continuous_chunk))
            if not changes:
                return None
            upto = changes[-1].seq
            # Users' changes too without ACLs: LinkedIn may hold their assignees from
            # before ACLs were switched off (`sync.visibility`), and they must go.
            entities = synced_entities(info.tenant_kind, info.policy) | {"users"}
            relevant = [(c.entity, c.entity_id, c.confidentiality) for c in changes
                        if c.entity in entities]
            refs = [(e, i) for e, i, _ in relevant]
            refs += self._dependents(conn, info.tenant_id, relevant)
            work = self._work(conn, info, refs, historical=False)
        if not work.items:
            with self.store.db.write() as conn:
                self._move_cursor(conn, info.tenant_id, upto)
            return StepReport("continuous")
        return self.send_in_batches(info, work, sender, cursor_after=upto)

    def _replay(self, info: ConnectionInfo, sender: Sender) -> StepReport | None:
        """Send again, as they are now, the records LinkedIn kept failing (5xx, 429,
        timeouts): the running sync does not leave them to `sync retry` unless they keep
        failing (see `ledger.due_replays`)."""
        now = now_ms()
        if self._replay_checked.get(info.tenant_id, 0) > now:
            return None
        # Looked at every few seconds, not every step: an idle loop steps many times a second.
        self._replay_checked[info.tenant_id] = now + int(
            min(5.0, self.settings.replay_after_s) * 1000)
        with self.store.reader() as conn:
            due = ledger.due_replays(conn, info.tenant_id, now, self.settings.replay_retry,
                                     limit=info.policy.batch_size)
            if not due:
                return None
            work = self._work(conn, info, [ref for ref, _ in due], historical=False)
        self._replay_checked.pop(info.tenant_id, None)  # the next may be due at once
        report = self.send_in_batches(info, work, sender, cursor_after=None,
                                      replayed=[i for _, ids in due for i in ids])
        if report.kind != "paused":
            report.kind = "replay"
        return report

    def _historical(self, info: ConnectionInfo, sender: Sender) -> StepReport | None:
        with self.store.reader() as conn:
            run = conn.execute(select(schema.sync_runs).where(
                schema.sync_runs.c.tenant_id == info.tenant_id,
                schema.sync_runs.c.status == "running").order_by(
                schema.sync_runs.c.id.desc()).limit(1)).first()
            if run is None:
                return None
            milestone = conn.execute(select(schema.sync_milestones).where(
                schema.sync_milestones.c.run_id == run.id,
                schema.sync_milestones.c.finished_at.is_(None)).order_by(
                schema.sync_milestones.c.position).limit(1)).first()
        now = now_ms()
        if milestone is None:
            with self.store.db.write() as conn:
                conn.execute(update(schema.sync_runs).where(schema.sync_runs.c.id == run.id)
                             .values(status="done", finished_at=now))
                connections.touch_last_sync(conn, info.tenant_id, now)
            return StepReport("done")
        stream = STREAM[milestone.name]
        table = schema.metadata.tables[stream.table]
        with self.store.reader() as conn:
            rows = [dict(r._mapping) for r in conn.execute(
                self._stream_query(stream, info.tenant_id).where(table.c.id > milestone.cursor)
                .order_by(table.c.id).limit(info.policy.batch_size))]
        if milestone.started_at is None:
            with self.store.db.write() as conn:
                conn.execute(update(schema.sync_milestones).where(
                    schema.sync_milestones.c.run_id == run.id,
                    schema.sync_milestones.c.name == milestone.name).values(started_at=now))
        if not rows:
            with self.store.db.write() as conn:
                conn.execute(update(schema.sync_milestones).where(
                    schema.sync_milestones.c.run_id == run.id,
                    schema.sync_milestones.c.name == milestone.name).values(finished_at=now))
            return StepReport("milestone", milestone=milestone.name)
        with self.store.reader() as conn:
            work = self._work(conn, info, [(stream.table, r["id"]) for r in rows],
                              historical=True,
                              rows_by_ref={(stream.table, r["id"]): r for r in rows},
                              streams={stream.name})
        return self._send(info, work, sender, batch_id=None, run_id=run.id,
                          milestone=milestone.name, cursor_after=rows[-1]["id"],
                          rows=len(rows))

    def _poll_tasks(self, info: ConnectionInfo, sender: Sender) -> StepReport | None:
        """Ask LinkedIn how the due job tasks (CREATE, UPDATE, CLOSE) ended, and record it:
        the tally counts the confirmed (synced) and the failed (rejected)."""
        due = now_ms() - int(self.settings.job_task_poll_s * 1000)
        with self.store.reader() as conn:
            waiting = ledger.pending_tasks(conn, info.tenant_id, due)
        if not waiting:
            return None
        urns = [r.job_task for r in waiting if r.job_task]
        answers: TaskAnswers = sender._call(
            "simpleJobPostingTasks", len(urns),
            lambda: sender.client.job_tasks(urns)) if urns else TaskAnswers()
        sender.entities_throttled("simpleJobPostingTasks", answers.throttled,
                                  answers.retry_after)
        tally = Tally()
        now = now_ms()
        with self.store.db.write() as conn:
            for row in waiting:
                if row.job_task and row.job_task not in answers:
                    ledger.task_waiting(conn, info.tenant_id, row, now)  # ask again later
                    continue
                task = answers[row.job_task] if row.job_task else {"status": "SUCCEEDED"}
                # A task LinkedIn no longer knows (ids live >= 24 h; we poll within minutes)
                # cannot be confirmed: fail it with a reason instead of waiting forever.
                status = (task or {}).get("status", "FAILED")
                if task is None:
                    task = {"errorMessage": f"LinkedIn no longer knows task {row.job_task}"}
                if status in ("SUCCEEDED", "PROCESSED"):
                    ledger.task_confirmed(conn, info.tenant_id, row, now)
                    tally.synced += 1
                elif status == "FAILED":
                    reason = str(task.get("errorMessage") or "job task FAILED")
                    ledger.task_failed(conn, info.tenant_id, row, reason, now)
                    tally.rejected += 1
                else:
                    ledger.task_waiting(conn, info.tenant_id, row, now)
        return StepReport("tasks", records=len(waiting), tally=tally)

    # -- send and commit -------------------------------------------------------------------------

    def send_in_batches(self, info: ConnectionInfo, work: _Work, sender: Sender, *,
                        cursor_after: int | None, replayed: Sequence[int] = ()
                        ) -> StepReport:
        """Send work outside the historical sync (a changelog chunk, a replay, `sync retry`)
        as logical batches of at most the policy's batch size, like the historical sync.
        Every batch is prepared (write-ahead) before anything is sent, with the open errors
        being `replayed` marked in the same transaction; the changelog cursor moves with the
        last. A pause stops between batches: the rest stay prepared, sent on resume."""
        parts = split_work(work, info.policy.batch_size)
        now = now_ms()
        with self.store.db.write() as conn:
            ledger.mark_replayed(conn, info.tenant_id, replayed)
            batch_ids = [ledger.prepare_batch(
                conn, tenant_id=info.tenant_id, run_id=None, milestone=None, items=part.items,
                cursor_after=cursor_after if n == len(parts) - 1 else None, now_ms=now,
                attempts=0, not_sent=part.not_sent()) for n, part in enumerate(parts)]
        total = StepReport("continuous", tally=Tally())
        for n, (batch_id, part) in enumerate(zip(batch_ids, parts, strict=True)):
            try:
                if self._paused(info.tenant_id):
                    raise Stopped("paused")
                with self.store.db.write() as conn:
                    ledger.start_attempt(conn, batch_id)
                report = self._send(info, part, sender, batch_id=batch_id, run_id=None,
                                    milestone=None, cursor_after=cursor_after
                                    if n == len(parts) - 1 else None)
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

    def _send(self, info: ConnectionInfo, work: _Work, sender: Sender, *,
              batch_id: int | None, run_id: int | None, milestone: str | None,
              cursor_after: int | None, rows: int | None = None) -> StepReport:
        now = now_ms()
        if batch_id is None:
            with self.store.db.write() as conn:
                batch_id = ledger.prepare_batch(conn, tenant_id=info.tenant_id, run_id=run_id,
                                                milestone=milestone, items=work.items,
                                                cursor_after=cursor_after, now_ms=now,
                                                not_sent=work.not_sent())
        sender.start_batch()
        calls_before = sender.stats.calls
        sender.on_sent = partial(self._note_sent, batch_id)
        try:
            results = sender.send(work.send)
            self.renew_lease(info.tenant_id)  # commit only while this process holds it
        except Stopped:
            raise
        except LeaseLost:
            self._requeue(info.tenant_id, work)
            raise
        except (TransientError, TerminalError) as exc:
            with self.store.db.write() as conn:
                ledger.mark_batch_failed(conn, batch_id, exc.message)
            raise
        finally:
            sender.on_sent = None
        items = [*work.send, *work.rejected]
        all_results: dict[int, ItemResult] = dict(results)
        for offset, item in enumerate(work.rejected, start=len(work.send)):
            all_results[offset] = ItemResult(
                "rejected", "; ".join(f"{e['field']}: {e['reason']}" for e in item.errors))
        now = now_ms()
        with self.store.db.write() as conn:
            tally = ledger.commit_batch(conn, tenant_id=info.tenant_id, batch_id=batch_id,
                                        items=items, results=all_results,
                                        skipped=work.skipped, excluded=work.excluded,
                                        calls=sender.stats.calls - calls_before, now_ms=now)
            if run_id is not None and milestone is not None and cursor_after is not None:
                ledger.advance_milestone(conn, run_id, milestone, cursor=cursor_after,
                                         done=rows if rows is not None else len(work.items),
                                         tally=tally, now_ms=now)
            elif cursor_after is not None:
                self._move_cursor(conn, info.tenant_id, cursor_after)
            connections.touch_last_sync(conn, info.tenant_id, now)
        kind: StepKind = "historical" if run_id is not None else "continuous"
        return StepReport(kind, records=len(work.items), tally=tally, batch_id=batch_id,
                          milestone=milestone)

    def _note_sent(self, batch_id: int, records: int) -> None:
        with self.store.db.write() as conn:
            ledger.note_sent(conn, batch_id, records)

    def _requeue(self, tenant_id: int, work: _Work) -> None:
        """This process lost the lease while its sends were in flight: what it sent may be
        older than what the new holder sent meanwhile. Forget those hashes and queue the
        records again (write-ahead), so the holder sends their current versions last."""
        refs = [(i.entity, i.entity_id) for i in work.send]
        with self.store.db.write() as conn:
            for entity in {e for e, _ in refs}:
                ids = [i for e, i in refs if e == entity]
                conn.execute(update(schema.sync_ledger).where(
                    schema.sync_ledger.c.tenant_id == tenant_id,
                    schema.sync_ledger.c.entity == entity,
                    schema.sync_ledger.c.entity_id.in_(ids)).values(content_hash=None))
            ledger.prepare_batch(conn, tenant_id=tenant_id, run_id=None, milestone=None,
                                 items=work.send, cursor_after=None, now_ms=now_ms())

    @staticmethod
    def _move_cursor(conn: Connection, tenant_id: int, position: int) -> None:
        current = ledger.get_cursor(conn, tenant_id, "changelog") or 0
        if position > current:
            ledger.set_cursor(conn, tenant_id, "changelog", position, now_ms())


def split_work(work: _Work, size: int) -> list[_Work]:
    """Cut work into logical batches of at most `size` records, keeping its order (parents
    before children, children's deletes before their parents'), and a record's delete under
    its old key in the batch of its upsert."""
    units: list[list[tuple[str, Item]]] = []
    for kind in ("send", "rejected", "skipped", "excluded"):
        for item in getattr(work, kind):
            last = units[-1][-1] if units else None
            if (kind == "send" and last is not None and last[0] == "send"
                    and (last[1].entity, last[1].entity_id) == (item.entity, item.entity_id)):
                units[-1].append((kind, item))
            else:
                units.append([(kind, item)])
    parts: list[_Work] = []
    current, count = _Work(), 0
    for unit in units:
        if count and count + len(unit) > size:
            parts.append(current)
            current, count = _Work(), 0
        for kind, item in unit:
            getattr(current, kind).append(item)
        count += len(unit)
    if count:
        parts.append(current)
    return parts


def _add(total: Tally | None, part: Tally | None) -> None:
    if total is None or part is None:
        return
    for name in ("synced", "rejected", "retryable", "skipped", "excluded"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
