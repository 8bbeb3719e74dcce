"""Embedded mode's background work (ARCHITECTURE.md, "Two modes"): one thread in the server
that steps every connected tenant's sync in turn, one step each, so that one tenant's huge
backfill does not starve the others' continuous sync, and runs the LinkedIn pollers when they
are due. The database decides who works (the sync lease), so a CLI `sync start` or a second
server beside it is harmless."""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import select

from recruitlink.store.schema import connections

from .context import Runtime

log = logging.getLogger(__name__)

IDLE = ("idle", "busy", "paused")


class BackgroundRunner:
    def __init__(self, runtime: Runtime, *, sync: bool = True, pollers: bool = True,
                 idle_s: float = 1.0) -> None:
        self.runtime = runtime
        self.sync, self.pollers, self.idle_s = sync, pollers, idle_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._poll_retry_at: dict[int, tuple[float, int]] = {}  # tenant: (when, failures)

    def notify(self) -> None:
        """Work may be waiting (a change was written, a poll was asked for)."""
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="recruitlink-background",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # keep running: one bad round must not stop the server's work
                log.exception("background round failed")
                worked = False
            if not worked:
                self._wake.wait(self.idle_s)
                self._wake.clear()

    def _tenants(self) -> list[int]:
        with self.runtime.store.reader() as conn:
            return [r.tenant_id for r in conn.execute(
                select(connections.c.tenant_id).where(
                    connections.c.status.in_(("ENABLED", "DISCONNECTED")))
                .order_by(connections.c.tenant_id))]

    def run_once(self) -> bool:
        """One step of each tenant's sync, then the due pollers; True if anything was done."""
        worked = False
        if self.sync:
            engine = self.runtime.engine
            for tenant_id in self._tenants():
                if self._stop.is_set():
                    return worked
                report = engine.step(tenant_id)
                if report.kind in IDLE:
                    if report.kind == "idle":
                        engine.release_lease(tenant_id)  # let a CLI run take over at once
                else:
                    worked = True
        if self.pollers:
            poller = self.runtime.poller()
            interval = self.runtime.settings.poll_interval_seconds
            for tenant_id in poller.due(interval):
                retry_at, failures = self._poll_retry_at.get(tenant_id, (0.0, 0))
                if self._stop.is_set():
                    return worked
                if time.monotonic() < retry_at:
                    continue
                try:
                    poller.poll(tenant_id)
                    self._poll_retry_at.pop(tenant_id, None)
                    worked = True
                except Exception:  # a tenant's LinkedIn trouble must not stop the others
                    log.exception("poll round of tenant %s failed", tenant_id)
                    # Retried sooner than the next round, but never in a tight loop.
                    delay = min(interval, 5.0 * 2 ** failures)
                    self._poll_retry_at[tenant_id] = (time.monotonic() + delay, failures + 1)
        return worked
