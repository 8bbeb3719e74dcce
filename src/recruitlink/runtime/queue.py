"""Scale-out mode (ARCHITECTURE.md, "Two modes"): procrastinate on the store's PostgreSQL hands
the work of `runtime/work.py` to any number of `recruitlink worker` processes.

- `recruitlink.sync` works on one tenant's sync for a slice of time, then goes to the back of
  the queue if there is more; procrastinate's `lock` keeps one job per tenant running and its
  `queueing_lock` one waiting, so nothing piles up. A backfilling tenant's jobs have a lower
  priority than the continuous sync of the others.
- `recruitlink.poll` runs one tenant's LinkedIn pollers; `recruitlink.inbox` processes pushes.
- `recruitlink.parity` runs one tenant's live parity round (sync/parity.py), behind the syncs
  in priority, every `parity_interval_seconds`.
- `recruitlink.compliance` runs the compliance scheduler (runtime/compliance.py) over every
  tenant, every `compliance_interval_seconds` (by the tick's clock, so one tick hands it out).
- `recruitlink.webhooks` dispatches new events and hands due webhook deliveries to the
  process's sender threads for a short slice (the POSTs go on in those threads, so a slow
  endpoint holds no job); claims in the database make a killed worker's deliveries go again.
- `recruitlink.tick` (a periodic task, deferred once per tick whatever the number of workers;
  an advisory lock keeps two from overlapping) hands out those jobs, and gives the jobs of a
  worker that stopped beating back to the queue, a killed tick's own job included.

The database stays the source of truth (leases, cursors, write-ahead batches, the shared rate
budget): the queue only dispatches, so losing a job or a worker loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from procrastinate import App, PsycopgConnector
from procrastinate.exceptions import AlreadyEnqueued, ProcrastinateException
from procrastinate.schema import SchemaManager
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from recruitlink.hooks.worker import DeliveryWorker
from recruitlink.inbound.worker import InboundWorker, now_ms
from recruitlink.settings import Settings
from recruitlink.store import Database, webhook_deliveries
from recruitlink.store import inbound_inbox as inbox
from recruitlink.store.postgres_queue import busy_queueing_locks, install_procrastinate, try_lock
from recruitlink.sync.connect import refresh_status
from recruitlink.sync.engine import SyncEngine

from . import work
from .compliance import Compliance
from .context import Runtime
from .retries import TERMINAL_RECHECK_S, TenantRetries

log = logging.getLogger(__name__)

SYNC, POLL, INBOX, CONTROL, WEBHOOKS = "sync", "poll", "inbox", "control", "webhooks"
QUEUES = (SYNC, POLL, INBOX, CONTROL, WEBHOOKS)
LIVE, BACKFILL = 10, 0  # job priorities: higher runs first
INBOX_SLICE_S = 30.0
WEBHOOKS_SLICE_S = 5.0
WEBHOOKS_AGAIN_S = 1.0  # while deliveries are in flight or due, the next slice after this
_WEBHOOKS_LOCK = "recruitlink:webhooks"
_COMPLIANCE_LOCK = "recruitlink:compliance"
CLEANUP_EVERY_S = 3600  # finished jobs older than a day are deleted this often
_SCHEMA_LOCK = zlib.crc32(b"recruitlink:procrastinate-schema")
_TICK_LOCK = zlib.crc32(b"recruitlink:tick")


def uses_procrastinate(settings: Settings) -> bool:
    if settings.work_queue != "auto":
        return settings.work_queue == "procrastinate"
    return make_url(settings.database_url).get_backend_name() == "postgresql"


def conninfo(database_url: str) -> str:
    """libpq's form of the store's SQLAlchemy URL (`postgresql+psycopg://` -> `postgresql://`)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError("procrastinate workers need PostgreSQL "
                         f"(RECRUITLINK_DATABASE_URL is {url.get_backend_name()})")
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def ensure_schema(db: Database) -> bool:
    """Install procrastinate's tables once (True if it did); several processes starting
    together wait for each other on an advisory lock instead of racing."""
    return install_procrastinate(db, SchemaManager.get_schema(), lock_key=_SCHEMA_LOCK)


class TaskQueue:
    """The procrastinate app and its tasks, over a Runtime built on first use (a worker
    process builds its own; the server passes its own)."""

    def __init__(self, settings: Settings, runtime: Runtime | None = None) -> None:
        self.settings = settings
        self._runtime = runtime
        self._inbound: InboundWorker | None = None
        self._deliveries: DeliveryWorker | None = None
        # A tenant's failing job is queued again after RECRUITLINK_RETRY_TENANTS' waits.
        self.sync_retries = TenantRetries(settings.retry_tenants)
        self.poll_retries = TenantRetries(settings.retry_tenants)
        self.app = App(connector=PsycopgConnector(conninfo=conninfo(settings.database_url)))
        self._register()

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = Runtime.from_settings(self.settings, migrate=False)
        return self._runtime

    def close(self) -> None:
        if self._deliveries is not None:
            self._deliveries.stop()  # waits for the POSTs in flight
        if self._runtime is not None:
            self._runtime.close()

    # -- deferring (from the server, a tick or a job) ------------------------------------------

    @staticmethod
    def sync_lock(tenant_id: int) -> str:
        return f"recruitlink:sync:{tenant_id}"

    async def defer_sync(self, tenant_id: int, *, backfilling: bool,
                         after_s: float | None = None) -> bool:
        """Queue a slice of the tenant's sync; False if one is already waiting."""
        lock = self.sync_lock(tenant_id)
        return await self._defer(self.sync_task, {"tenant_id": tenant_id}, lock=lock,
                                 queueing_lock=lock, after_s=after_s,
                                 priority=BACKFILL if backfilling else LIVE)

    @staticmethod
    def poll_lock(tenant_id: int) -> str:
        return f"recruitlink:poll:{tenant_id}"

    async def busy_locks(self) -> set[str]:
        """Queueing locks of jobs waiting or running: the tick adds nothing for them (a poll
        round longer than a tick would otherwise run twice in a row)."""
        return await busy_queueing_locks(self.app.connector)

    async def defer_poll(self, tenant_id: int, after_s: float | None = None) -> bool:
        lock = self.poll_lock(tenant_id)
        return await self._defer(self.poll_task, {"tenant_id": tenant_id}, lock=lock,
                                 queueing_lock=lock, after_s=after_s, priority=LIVE)

    @staticmethod
    def parity_lock(tenant_id: int) -> str:
        return f"recruitlink:parity:{tenant_id}"

    async def defer_parity(self, tenant_id: int) -> bool:
        lock = self.parity_lock(tenant_id)
        return await self._defer(self.parity_task, {"tenant_id": tenant_id}, lock=lock,
                                 queueing_lock=lock, after_s=None, priority=BACKFILL)

    async def defer_inbox(self) -> bool:
        return await self._defer(self.inbox_task, {}, lock=None,
                                 queueing_lock="recruitlink:inbox", priority=LIVE + 10)

    def defer_inbox_now(self) -> None:
        """From the server's push endpoint (a plain thread): process the push soon. Losing
        this defer loses nothing: the tick finds the pending push in the inbox."""
        try:
            self.inbox_task.configure(queueing_lock="recruitlink:inbox",
                                      priority=LIVE + 10).defer()
        except AlreadyEnqueued:
            pass
        except Exception:
            log.exception("could not queue the push for processing; the tick will")

    async def defer_webhooks(self, after_s: float | None = None) -> bool:
        return await self._defer(self.webhooks_task, {}, lock=None,
                                 queueing_lock=_WEBHOOKS_LOCK, priority=LIVE, after_s=after_s)

    @staticmethod
    async def _defer(task: Any, kwargs: dict[str, Any], *, lock: str | None,
                     queueing_lock: str, priority: int, after_s: float | None = None) -> bool:
        options: dict[str, Any] = {"lock": lock, "queueing_lock": queueing_lock,
                                   "priority": priority}
        if after_s:
            options["schedule_in"] = {"seconds": after_s}
        try:
            await task.configure(**options).defer_async(**kwargs)
            return True
        except AlreadyEnqueued:
            return False

    # -- the tasks ------------------------------------------------------------------------------

    def _register(self) -> None:
        app, settings = self.app, self.settings

        @app.task(name="recruitlink.sync", queue=SYNC, pass_context=True)
        async def sync(context: Any, tenant_id: int) -> dict[str, Any]:
            # A lease owner per job: two jobs of one process never pass for each other.
            engine = self.engine_for(f"job{context.job.id}")
            try:
                part = await asyncio.to_thread(work.sync_slice, engine, tenant_id,
                                               seconds=settings.sync_slice_seconds)
            except Exception:  # kept off the failed list: logged, and tried again later
                log.exception("sync slice of tenant %s failed", tenant_id)
                await self.defer_sync(tenant_id, backfilling=False,
                                      after_s=self.sync_retries.failed(tenant_id))
                return {"error": True}
            last = part.last
            if last.kind == "error":
                log.warning("sync of tenant %s: %s", tenant_id, last.message)
                await self.defer_sync(tenant_id, backfilling=False,
                                      after_s=self.sync_retries.failed(
                                          tenant_id,
                                          wait_s=TERMINAL_RECHECK_S if last.terminal else None))
                return {"steps": part.steps, "records": part.records, "last": last.kind}
            self.sync_retries.succeeded(tenant_id)
            if part.more:
                await self.defer_sync(tenant_id, backfilling=last.kind in (
                    "historical", "milestone"))
            elif last.kind == "busy":
                # Another process holds the lease (a CLI run, or a dead worker's until it
                # expires): look again once it may have.
                await self.defer_sync(tenant_id, backfilling=False,
                                      after_s=min(settings.sync_lease_seconds, 15.0))
            return {"steps": part.steps, "records": part.records, "last": last.kind}

        @app.task(name="recruitlink.poll", queue=POLL)
        async def poll(tenant_id: int) -> dict[str, Any]:
            try:
                outcome = await asyncio.to_thread(work.poll_tenant, self.runtime.poller(),
                                                  tenant_id)
            except Exception:  # LinkedIn or the database in trouble: try again later
                log.exception("poll round of tenant %s failed", tenant_id)
                await self.defer_poll(tenant_id, after_s=self.poll_retries.failed(
                    tenant_id, cap_s=settings.poll_interval_seconds))
                return {"error": True}
            if outcome.wait_s is not None:
                await self.defer_poll(tenant_id, after_s=outcome.wait_s)
            report = outcome.report
            if report is not None:
                self.poll_retries.succeeded(tenant_id)
            return {"busy": outcome.busy, "deferred_s": outcome.wait_s,
                    "errors": report.errors if report else []}

        @app.task(name="recruitlink.parity", queue=POLL)
        async def parity(tenant_id: int) -> dict[str, Any]:
            try:
                report = await asyncio.to_thread(
                    work.parity_round, self.runtime.engine, tenant_id,
                    interval_s=settings.parity_interval_seconds, share=settings.parity_share,
                    max_records=settings.parity_max_records,
                    slice_s=settings.parity_slice_seconds)
            except Exception:  # LinkedIn or the database in trouble: the next round is due
                log.exception("parity round of tenant %s failed", tenant_id)
                return {"error": True}
            return {"round": report.as_json() if report is not None else None}

        @app.task(name="recruitlink.compliance", queue=POLL)
        async def compliance() -> dict[str, int]:
            scheduler = Compliance(self.runtime.engine, share=settings.parity_share)
            report = await asyncio.to_thread(scheduler.run)
            return report.acted

        @app.task(name="recruitlink.inbox", queue=INBOX)
        async def process_inbox() -> int:
            done, more = await asyncio.to_thread(self._drain_inbox)
            if more:
                await self.defer_inbox()
            return done

        @app.task(name="recruitlink.webhooks", queue=WEBHOOKS)
        async def webhooks() -> int:
            rounds, more = await asyncio.to_thread(self._pump_webhooks)
            if more:
                await self.defer_webhooks(after_s=WEBHOOKS_AGAIN_S)
            return rounds

        @app.periodic(cron=f"* * * * * */{settings.tick_seconds}", periodic_id="tick")
        # No procrastinate `lock` here: the tick is what gives back the jobs of a killed
        # worker, so a tick killed mid-run must not hold a lock that keeps every later tick
        # from starting. Ticks are kept from overlapping by a transaction-level advisory
        # lock instead, which PostgreSQL lets go when the holder's connection dies.
        @app.task(name="recruitlink.tick", queue=CONTROL, queueing_lock="recruitlink:tick",
                  priority=LIVE + 20)
        async def tick(timestamp: int) -> dict[str, int]:
            guard = await asyncio.to_thread(self._tick_guard)
            if guard is None:
                return {"skipped": 1}
            try:
                if timestamp % CLEANUP_EVERY_S < settings.tick_seconds:
                    await self.app.job_manager.delete_old_jobs(
                        nb_hours=24, include_failed=True, include_cancelled=True,
                        include_aborted=True)
                return await self.tick()
            finally:
                await asyncio.to_thread(guard.close)

        self.sync_task, self.poll_task, self.inbox_task, self.tick_task = (
            sync, poll, process_inbox, tick)
        self.webhooks_task = webhooks
        self.parity_task = parity
        self.compliance_task = compliance

    def _tick_guard(self) -> Connection | None:
        """A connection holding the tick's advisory lock in an open transaction (closing it
        lets go), or None when another tick is running."""
        return try_lock(self.runtime.store.db, _TICK_LOCK)

    def engine_for(self, owner: str) -> SyncEngine:
        """An engine for one job: its own lease owner, the process's HTTP client and tokens."""
        shared = self.runtime.engine
        return SyncEngine(shared.store, shared.box, shared.settings,
                          owner=f"{shared.owner}:{owner}", http=shared.http,
                          tokens=shared.tokens)

    def _drain_inbox(self) -> tuple[int, bool]:
        """Process waiting pushes for a while; (how many, whether some may be left)."""
        if self._inbound is None:
            rt = self.runtime
            self._inbound = InboundWorker(
                rt.store, rt.box, rt.engine.pool,
                on_status_change=partial(refresh_status, rt.store, rt.box, rt.engine))
        done = 0
        deadline = time.monotonic() + INBOX_SLICE_S
        while taken := self._inbound.run_once():
            done += taken
            if time.monotonic() > deadline:
                return done, True
        return done, False

    def _pump_webhooks(self) -> tuple[int, bool]:
        """A slice of the delivery loop; (rounds that did something, whether more is due or
        in flight)."""
        if self._deliveries is None:
            self._deliveries = self.runtime.delivery_worker()
        rounds = self._deliveries.pump(WEBHOOKS_SLICE_S)
        return rounds, self._deliveries.busy > 0 or self._webhooks_due()

    def _webhooks_due(self) -> bool:
        with self.runtime.store.reader() as conn:
            return webhook_deliveries.has_due(conn, now_ms())

    async def tick(self) -> dict[str, int]:
        """Hand out the work that is due; each kind at most once per tenant."""
        rt, settings = self.runtime, self.settings
        recovered = await self.recover_stalled()
        # Skip what is already waiting: a refused duplicate is harmless, but PostgreSQL
        # logs each one as an error.
        waiting = await self.busy_locks()
        tenants = await asyncio.to_thread(work.syncing_tenants, rt.store)
        syncs = polls = 0
        for tenant in tenants:
            if self.sync_lock(tenant.id) not in waiting:
                syncs += await self.defer_sync(tenant.id, backfilling=tenant.backfilling)
        due = await asyncio.to_thread(rt.poller().due, settings.poll_interval_seconds)
        for tenant_id in due:
            if self.poll_lock(tenant_id) not in waiting:
                polls += await self.defer_poll(tenant_id)
        parities = 0
        for tenant_id in await asyncio.to_thread(work.parity_due, rt.engine,
                                                 settings.parity_interval_seconds):
            if self.parity_lock(tenant_id) not in waiting:
                parities += await self.defer_parity(tenant_id)

        def pushes_waiting() -> bool:
            with rt.store.reader() as conn:
                return inbox.has_due(conn, now_ms())

        every = int(settings.compliance_interval_seconds)
        duties = (every > 0 and int(time.time()) % every < settings.tick_seconds
                  and _COMPLIANCE_LOCK not in waiting
                  and await self._defer(self.compliance_task, {}, lock=_COMPLIANCE_LOCK,
                                        queueing_lock=_COMPLIANCE_LOCK, priority=BACKFILL))
        pushes = await asyncio.to_thread(pushes_waiting) and await self.defer_inbox()
        hooks = (self.settings.webhooks and _WEBHOOKS_LOCK not in waiting
                 and await asyncio.to_thread(self._webhooks_due)
                 and await self.defer_webhooks())
        return {"recovered": recovered, "syncs": syncs, "polls": polls, "inbox": int(pushes),
                "webhooks": int(hooks), "parity": parities,
                "compliance": int(duties)}

    async def recover_stalled(self) -> int:
        """Jobs of workers that stopped beating (killed, machine lost) go back to the queue.
        The database's leases and write-ahead batches make running them again safe."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            seconds_since_heartbeat=self.settings.worker_stalled_seconds)
        recovered = 0
        for job in stalled:
            assert job.id is not None
            if job.queueing_lock:
                # A job for the same tenant may be waiting already: it goes, so the stalled
                # one can be put back (a queueing lock allows one waiting job).
                for waiting in await manager.list_jobs_async(queueing_lock=job.queueing_lock,
                                                             status="todo"):
                    assert waiting.id is not None
                    await manager.cancel_job_by_id_async(waiting.id, delete_job=True)
            try:
                await manager.retry_job(job)
            except ProcrastinateException:
                log.exception("could not give back job %s of a stalled worker", job.id)
                continue
            recovered += 1
            log.warning("job %s (%s) of a stalled worker given back", job.id, job.task_name)
        return recovered

    # -- running a worker -----------------------------------------------------------------------

    async def run_worker(self, *, concurrency: int = 1, name: str | None = None,
                         queues: list[str] | None = None) -> None:
        # Each job's blocking work runs in a thread: enough of them for every job and the
        # tick, and the runtime built once, up front, not by two threads at the same time.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=concurrency + 4, thread_name_prefix="recruitlink"))
        await asyncio.to_thread(lambda: self.runtime)
        async with self.app.open_async():
            await self.app.run_worker_async(
                concurrency=concurrency, name=name or "recruitlink-worker",
                queues=queues or list(QUEUES),
                update_heartbeat_interval=self.settings.worker_heartbeat_seconds,
                stalled_worker_timeout=self.settings.worker_stalled_seconds,
                delete_jobs="successful", install_signal_handlers=True)

