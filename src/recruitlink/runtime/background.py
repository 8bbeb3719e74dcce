"""Embedded mode's background work (ARCHITECTURE.md, "Two modes"): one thread in the server
that steps every connected tenant's sync in turn, one step each, so that one tenant's huge
backfill does not starve the others' continuous sync, and runs the LinkedIn pollers when they
are due. The database decides who works (the sync lease, the poll lease), so a CLI
`sync start`, an on-demand poll or a second server beside it is harmless. A failing tenant is
backed off; the others go on. With the pollers goes the compliance scheduler
(runtime/compliance.py), every `compliance_interval_seconds`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from recruitlink.loops import WorkLoop

from .compliance import Compliance
from .context import Runtime
from .retries import TERMINAL_RECHECK_S, TenantRetries
from .work import RESTING, parity_due, parity_round, poll_tenant, sync_step, syncing_tenants

log = logging.getLogger(__name__)

class BackgroundRunner(WorkLoop):
    name = "recruitlink-background"
    join_timeout_s = 30.0

    def __init__(self, runtime: Runtime, *, sync: bool = True, pollers: bool = True,
                 idle_s: float = 1.0, clock: Callable[[], float] = time.time) -> None:
        super().__init__(idle_s=idle_s)
        self.runtime = runtime
        self.sync, self.pollers = sync, pollers
        # The compliance scheduler rides with the pollers (`clock`: its time, for duties).
        self.clock = clock
        self._compliance_at = 0.0  # time.monotonic() of its next round
        # tenant: not before (time.monotonic()), after a failure
        self._poll_retry_at: dict[int, float] = {}
        self._sync_retry_at: dict[int, float] = {}
        policy = runtime.settings.retry_tenants
        self._poll_retries, self._sync_retries = TenantRetries(policy), TenantRetries(policy)

    def _loop(self) -> None:
        try:
            super()._loop()
        finally:
            # The server is stopping: the leases of the tenants this runner was stepping
            # go at once, not when they expire.
            if self.sync:
                try:
                    self.runtime.engine.release_leases()
                except Exception:
                    log.exception("could not release the sync leases")

    def run_once(self) -> bool:
        """One step of each tenant's sync, then the due pollers; True if anything was done."""
        worked = False
        if self.sync:
            worked = self._sync_round()
        if self.pollers and not self._stop.is_set():
            worked = self._poll_round() or worked
        if self.pollers and not self._stop.is_set():
            self._compliance_round()
        return worked

    def _compliance_round(self) -> None:
        interval = self.runtime.settings.compliance_interval_seconds
        if interval <= 0 or time.monotonic() < self._compliance_at:
            return
        self._compliance_at = time.monotonic() + interval
        compliance = Compliance(self.runtime.engine, share=self.runtime.settings.parity_share,
                                clock=self.clock)
        report = compliance.run(stop=self._stop.is_set)
        if report.acted:
            log.info("compliance: %s", report.acted)

    @staticmethod
    def _later(retry_at: dict[int, float], retries: TenantRetries, tenant_id: int,
               cap_s: float | None = None, wait_s: float | None = None) -> None:
        """Back off a failing tenant (RECRUITLINK_RETRY_TENANTS, at most `cap_s`); `wait_s`
        when LinkedIn said."""
        retry_at[tenant_id] = time.monotonic() + retries.failed(tenant_id, cap_s=cap_s,
                                                                wait_s=wait_s)

    @staticmethod
    def _clear(retry_at: dict[int, float], retries: TenantRetries, tenant_id: int) -> None:
        retry_at.pop(tenant_id, None)
        retries.succeeded(tenant_id)

    def _sync_round(self) -> bool:
        worked = False
        engine = self.runtime.engine
        for tenant in syncing_tenants(self.runtime.store):
            tenant_id = tenant.id
            if self._stop.is_set():
                break
            if time.monotonic() < self._sync_retry_at.get(tenant_id, 0.0):
                continue
            try:
                report = sync_step(engine, tenant_id)
            except Exception:  # one tenant's trouble must not stop the others'
                log.exception("sync step of tenant %s failed", tenant_id)
                self._later(self._sync_retry_at, self._sync_retries, tenant_id)
                continue
            if report.kind == "error":
                log.warning("sync of tenant %s: %s", tenant_id, report.message)
                self._later(self._sync_retry_at, self._sync_retries, tenant_id,
                            wait_s=TERMINAL_RECHECK_S if report.terminal else None)
                continue
            self._clear(self._sync_retry_at, self._sync_retries, tenant_id)
            if report.kind not in RESTING:
                worked = True
        return worked

    def _poll_round(self) -> bool:
        worked = False
        poller = self.runtime.poller()
        interval = self.runtime.settings.poll_interval_seconds
        for tenant_id in poller.due(interval):
            if self._stop.is_set():
                break
            if time.monotonic() < self._poll_retry_at.get(tenant_id, 0.0):
                continue
            try:
                outcome = poll_tenant(poller, tenant_id)
            except Exception:  # a tenant's LinkedIn trouble must not stop the others
                log.exception("poll round of tenant %s failed", tenant_id)
                self._later(self._poll_retry_at, self._poll_retries, tenant_id, interval)
                continue
            if outcome.busy:
                continue  # another process is polling this tenant
            if outcome.wait_s is not None or outcome.report is None:
                log.info("poll of tenant %s deferred by LinkedIn's budget", tenant_id)
                self._later(self._poll_retry_at, self._poll_retries, tenant_id, interval,
                            wait_s=outcome.wait_s)
                continue
            self._clear(self._poll_retry_at, self._poll_retries, tenant_id)
            worked = True
            if outcome.report.errors:
                log.warning("poll of tenant %s: %s", tenant_id, "; ".join(outcome.report.errors))
        return worked


class ParityRunner(WorkLoop):
    """Embedded mode's live parity: its own thread, so a round waiting for its share of
    LinkedIn's budget never holds up the syncs' thread; a round per tenant every
    `parity_interval_seconds`."""

    name = "recruitlink-parity"
    join_timeout_s = 30.0

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(idle_s=min(60.0, max(1.0, runtime.settings.parity_interval_seconds)))
        self.runtime = runtime

    def run_once(self) -> bool:
        s = self.runtime.settings
        engine = self.runtime.engine
        for tenant_id in parity_due(engine, s.parity_interval_seconds):
            if self._stop.is_set():
                break
            try:
                parity_round(engine, tenant_id, interval_s=s.parity_interval_seconds,
                             share=s.parity_share, max_records=s.parity_max_records,
                             slice_s=s.parity_slice_seconds, stop=self._stop.is_set)
            except Exception:  # one tenant's trouble must not stop the others' rounds
                log.exception("parity round of tenant %s failed", tenant_id)
        return False  # rounds are spaced by the interval: rest until the next look
