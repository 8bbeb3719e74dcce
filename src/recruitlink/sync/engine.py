"""The outbound sync engine: historical backfill and continuous sync, one tenant at a time.

`step(tenant)` does the next unit of work under the tenant's lease, in this order:
1. a batch left `prepared` by a crash is sent again (it is an upsert) and committed;
2. the next chunk of the changelog (the continuous sync: it runs from the first minute of the
   historical sync, and before each historical batch, so the backfill never starves it);
3. LinkedIn's job tasks that are due (CREATE, UPDATE and CLOSE) are polled until confirmed;
4. records LinkedIn kept failing (5xx, 429, timeouts) are replayed, with a growing backoff,
   a bounded number of times (then they wait for `sync retry`);
5. the next logical batch (up to 1000 records) of the historical sync, in milestone order
   (read and built while the batch before it was sent, if no other kind of step ran since).
Sends for a tenant never overlap, and every send reads the record's current row, so an older
version can never overwrite a newer one.

This module orchestrates, with a public API only: the plan is pure (core/planner.py), work is
built in sync/work.py, steps and batches run in sync/steps.py, the SQL is sync/state.py's.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from typing import Any

import httpx
from sqlalchemy import Connection

from recruitlink.core import planner
from recruitlink.core.mapping import MappingContext
from recruitlink.core.planner import Ref
from recruitlink.crypto import SecretBox
from recruitlink.errors import (
    ConfigurationError,
    Disconnecting,
    EnvironmentRefused,
    LeaseLost,
    Stopped,
    TerminalError,
    TransientError,
)
from recruitlink.linkedin import LinkedInClient, TokenCache
from recruitlink.linkedin.budget import RateBudget
from recruitlink.linkedin.pool import ClientPool
from recruitlink.linkedin.transport import linkedin_http
from recruitlink.store import Store, connections
from recruitlink.store.connections import ConnectionInfo
from recruitlink.store.files import read_chunks

from . import state_ledger as ledger  # noqa: F401  (a regression test patches commit_batch)
from .items import streams_for
from .lease import Lease
from .sender import Sender
from .settings import EngineSettings
from .state import SyncState, stream_query
from .state_ledger import PreparedItem
from .steps import StepKind, StepReport, Steps, now_ms
from .streams import DEPENDENTS_ON_CHANGE, DEPENDENTS_ON_CONFIDENTIALITY, PARENT_COLUMN
from .work import Work, build_work

__all__ = ["STOPPED_FOR_DISCONNECT", "EngineSettings", "LeaseLost", "StepKind", "StepReport",
           "SyncEngine", "Work", "now_ms"]


STOPPED_FOR_DISCONNECT = "stopped: the tenant is being disconnected"


class SyncEngine:
    def __init__(self, store: Store, box: SecretBox, settings: EngineSettings, *,
                 owner: str | None = None, http: httpx.Client | None = None,
                 tokens: TokenCache | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.store = store
        self.box = box
        self.settings = settings
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.http = http or linkedin_http()
        self.tokens = tokens or TokenCache()
        self.sleep = sleep
        self.pool = ClientPool(store.db, lambda: self.settings, http=self.http,
                               tokens=self.tokens, sleep=sleep)
        self.state = SyncState(store, PARENT_COLUMN)
        self.lease = Lease(self.state, self.owner, lambda: self.settings.lease_ttl_s,
                           lambda seconds: self.sleep(seconds))
        self.steps = Steps(self.state, lambda: self.settings, self.lease, self.build_work,
                           self.dependents, self.paused)

    def close(self) -> None:
        self.steps.close()
        self.http.close()

    def under_own_lease(self) -> SyncEngine:
        """An engine sharing this one's HTTP client and tokens under a lease owner of its own
        (never close it: the client is this engine's). A control command run in a process
        whose runner steps the same tenants (the server) must not pass for that runner:
        under one owner both would send for the tenant at once."""
        return SyncEngine(self.store, self.box, self.settings, http=self.http,
                          tokens=self.tokens, sleep=self.sleep)

    # -- services --------------------------------------------------------------------------------

    def client_for(self, info: ConnectionInfo) -> LinkedInClient:
        return self.pool.client_for(info)

    def budget_for(self, info: ConnectionInfo) -> RateBudget:
        return self.pool.budget_for(info)

    def load(self, tenant_id: int) -> ConnectionInfo | None:
        with self.store.reader() as conn:
            return connections.load(conn, tenant_id, self.box)

    def mapping(self, info: ConnectionInfo) -> MappingContext:
        return MappingContext(organization=info.organization,
                              ats_base_url=f"{self.settings.ats_base_url.rstrip('/')}"
                                           f"/t/{info.tenant_slug}",
                              default_availability=info.policy.default_availability)

    def sender_for(self, info: ConnectionInfo) -> Sender:
        """A sender for the tenant: it keeps the lease, stops for a pause or a disconnect."""
        return Sender(self.client_for(info), self.budget_for(info),
                      call_size=info.policy.call_size, retry=self.settings.call_retry,
                      in_flight=self.settings.calls_in_flight,
                      sleep=self.sleep,
                      pause_check=lambda: self.paused(info.tenant_id),
                      keep_alive=lambda: self.lease.keep(info.tenant_id),
                      disconnect_check=lambda: self.disconnecting(info.tenant_id),
                      file_chunks=partial(read_chunks, self.store))

    # -- planning --------------------------------------------------------------------------------

    def build_work(self, info: ConnectionInfo, refs: Iterable[Ref], *, historical: bool,
                   rows_by_ref: Mapping[Ref, dict[str, Any]] | None = None,
                   maybe_live: Mapping[Ref, PreparedItem] | None = None,
                   streams: Collection[str] | None = None) -> Work:
        """The work for these records as they are now (sync/work.py)."""
        with self.store.reader() as conn:
            return self._work(conn, info, refs, historical=historical, rows_by_ref=rows_by_ref,
                              maybe_live=maybe_live, streams=streams)

    def _work(self, conn: Connection, info: ConnectionInfo, refs: Iterable[Ref], *,
              historical: bool, rows_by_ref: Mapping[Ref, dict[str, Any]] | None = None,
              maybe_live: Mapping[Ref, PreparedItem] | None = None,
              streams: Collection[str] | None = None) -> Work:
        return build_work(conn, self.state.reads(conn, info.tenant_id), info,
                          self.mapping(info), refs, now=now_ms(), historical=historical,
                          versioned_api=self.settings.versioned_api, rows_by_ref=rows_by_ref,
                          maybe_live=maybe_live, streams=streams)

    def dependents(self, tenant_id: int, changes: Sequence[planner.Change]) -> list[Ref]:
        """The records whose payload or exclusion these changes change, looked up in bulk."""
        with self.store.reader() as conn:
            reads = self.state.reads(conn, tenant_id)
            # The stream registry's parents (sync/streams.py, from store/entities.py); files
            # belong to a candidate or an application (`owner_entity`, checked by the lookup).
            return planner.dependents(changes, on_change=DEPENDENTS_ON_CHANGE,
                                      on_confidentiality=DEPENDENTS_ON_CONFIDENTIALITY,
                                      lookup=reads.children)

    # Names kept for the tests that reach into the engine.
    _load = load
    _mapping = mapping
    _sender = sender_for
    _stream_query = staticmethod(stream_query)

    # -- runs ------------------------------------------------------------------------------------

    def start_historical(self, tenant_id: int) -> int:
        """Start (or restart) the historical sync; the continuous sync starts with it."""
        info = self.load(tenant_id)
        if info is None:
            raise ConfigurationError(f"tenant {tenant_id} is not connected to LinkedIn")
        return self.state.start_historical(tenant_id, streams_for(info.tenant_kind, info.policy),
                                           now_ms())

    def historical_done(self, tenant_id: int) -> bool:
        return self.state.historical_done(tenant_id)

    # -- the loop --------------------------------------------------------------------------------

    def run(self, tenant_id: int, *, stop: Callable[[], bool],
            on_step: Callable[[StepReport], None] | None = None,
            until_done: bool = False) -> StepReport:
        """Step until `stop()`; with `until_done`, also return once the historical run is done
        and nothing is pending. Transient errors are retried; a terminal one ends the loop.
        However it ends (normally, stopped, or by an exception such as KeyboardInterrupt),
        the tenant's lease is let go, so the next process does not wait for it to expire."""
        try:
            with self.reading_ahead(tenant_id):
                return self._run(tenant_id, stop=stop, on_step=on_step, until_done=until_done)
        finally:
            self.release_lease(tenant_id)

    @contextmanager
    def reading_ahead(self, tenant_id: int) -> Iterator[None]:
        """The tenant's steps come one after another here (a run, a worker's slice): each
        historical batch reads and builds the next page while it is sent. Not in a round
        over many tenants, where each would keep a page it may not use for a while."""
        self.steps.read_ahead_for.add(tenant_id)
        try:
            yield
        finally:
            self.steps.read_ahead_for.discard(tenant_id)
            self.steps.forget_ahead(tenant_id)

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

    def step(self, tenant_id: int) -> StepReport:
        report: StepReport | None = None
        try:
            report = self._step(tenant_id)
            return report
        finally:  # a page read ahead serves only the historical step right after its own
            if report is None or report.kind != "historical":
                self.steps.forget_ahead(tenant_id)

    def _step(self, tenant_id: int) -> StepReport:
        if self.disconnecting(tenant_id):
            return self._let_go(tenant_id)
        if not self.lease.held(tenant_id):  # another process may have synced meanwhile
            self.steps.forget_ahead(tenant_id)
        if not self.lease.take(tenant_id):
            return StepReport("busy")
        info = self.load(tenant_id)
        if info is not None and info.status == "DISCONNECTING":
            return self._let_go(tenant_id)
        if info is None or info.status not in ("ENABLED", "DISCONNECTED"):
            return StepReport("idle", message="not connected or not ENABLED")
        if info.paused:
            return StepReport("paused")
        if info.status == "DISCONNECTED" and not info.client_id:
            return StepReport("idle", message="not connected or not ENABLED")
        try:
            sender = self.sender_for(info)
            report = self._work_step(info, sender)
            self._keep_app_environment(info, sender.client.app_environment)
            return report
        except EnvironmentRefused as exc:
            # The guard refused before any byte was sent (linkedin/http.py); what LinkedIn
            # said of the app is kept so the pages and `sync status` say why.
            self._keep_app_environment(info, exc.app_environment or "UNKNOWN")
            return StepReport("error", message=exc.message, terminal=True)
        except Disconnecting:
            return self._let_go(tenant_id)
        except Stopped as exc:
            return StepReport("paused", message=str(exc))
        except TransientError as exc:
            return StepReport("error", message=exc.message)
        except TerminalError as exc:
            return StepReport("error", message=exc.message, terminal=True)

    def _work_step(self, info: ConnectionInfo, sender: Sender) -> StepReport:
        if info.status == "DISCONNECTED":
            # Closes a disconnect did not see confirmed are still followed to their end.
            return self.steps.poll_tasks(info, sender) or StepReport(
                "idle", message="not connected or not ENABLED")
        prepared = self.state.prepared(info.tenant_id)
        if prepared:
            return self.steps.recover(info, prepared[0], sender)
        for attempt in (self.steps.continuous, self.steps.poll_tasks, self.steps.replay,
                        self.steps.historical):
            report = attempt(info, sender)
            if report is not None:
                return report
        return StepReport("idle")

    def _keep_app_environment(self, info: ConnectionInfo, said: str | None) -> None:
        """What LinkedIn last said of the app's environment (None: no call this step, so
        nothing new), for the pages and `sync status` (core/environment.py)."""
        if said is not None and said != info.app_environment:
            with self.store.db.write() as conn:
                connections.set_app_environment(conn, info.tenant_id, said)

    def _let_go(self, tenant_id: int) -> StepReport:
        """A disconnect asked this sync to stop: let go of the lease so it can start."""
        self.release_lease(tenant_id)
        return StepReport("idle", message=STOPPED_FOR_DISCONNECT)

    def disconnecting(self, tenant_id: int) -> bool:
        """A disconnect has asked the tenant's sync to stop (`control.disconnect`)."""
        return self.state.connection_status(tenant_id) == "DISCONNECTING"

    def paused(self, tenant_id: int) -> bool:
        return self.state.paused(tenant_id)

    # -- leases ----------------------------------------------------------------------------------

    def renew_lease(self, tenant_id: int) -> None:
        self.lease.renew(tenant_id)

    def hold_lease(self, tenant_id: int, timeout_s: float = 120.0) -> None:
        """Wait for the tenant's lease (for control commands that send)."""
        self.lease.hold(tenant_id, timeout_s)

    def release_lease(self, tenant_id: int) -> None:
        self.lease.release(tenant_id)

    def release_leases(self) -> None:
        """Let go of every tenant's lease this engine holds (its process is stopping)."""
        self.lease.release_all()
