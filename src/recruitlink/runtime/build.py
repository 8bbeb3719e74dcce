"""A server process's runtime, built in one place from the settings: the store, the secret box,
the sync engine (`Runtime`) and the workers that run beside the web app. The web app
(`web/app.py`) adds its routes on top; it decides nothing about how the work runs.

Scale-out (PostgreSQL): the work goes to `recruitlink worker` processes through procrastinate.
Embedded (SQLite): threads in this process, the push inbox's worker, the background runner
of the syncs and one of the pollers, and a child process for the webhook deliveries' loop
(`runtime/deliveries.py`). Same task code (`runtime/work.py`) in both modes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from recruitlink.crypto import secret_box
from recruitlink.hooks.worker import DeliveryWorker
from recruitlink.inbound.worker import InboundWorker
from recruitlink.settings import Settings
from recruitlink.store import Database, Store
from recruitlink.sync.connect import refresh_status

from .background import BackgroundRunner, ParityRunner
from .context import Runtime
from .deliveries import DeliveryProcess
from .queue import TaskQueue, ensure_schema, uses_procrastinate


@dataclass
class Services:
    runtime: Runtime
    queue: TaskQueue | None
    """The procrastinate app (scale-out), else None."""
    inbound: InboundWorker | None
    """The push inbox's worker thread (embedded, unless switched off)."""
    background: BackgroundRunner | None
    """The syncs' thread (embedded, unless switched off), or the pollers' when only they run."""
    owns_store: bool
    """The store was opened here, so `running` disposes of it at the end."""
    webhooks: DeliveryWorker | DeliveryProcess | None = None
    """The webhook deliveries' child process, or thread (embedded, unless switched off)."""
    parity: ParityRunner | None = None
    """Live parity's thread (embedded, with the background sync, unless on demand only)."""
    pollers: BackgroundRunner | None = None
    """The pollers' own thread when the syncs run too: a new seat's first read (30 days in
    12-hour windows, a call each) takes minutes on LinkedIn, and every tenant's sync, a live
    change included, would wait for it in one thread."""

    def notify_inbox(self) -> None:
        """A push has been stored: have it processed now, not at the next idle tick."""
        if self.queue is not None:
            self.queue.defer_inbox_now()
        elif self.inbound is not None:
            self.inbound.notify()

    @contextmanager
    def running(self) -> Iterator[None]:
        """The workers run for the duration (a web app's lifespan); everything is stopped and
        closed at the end, the engine's HTTP client and (if it was opened here) the store."""
        store = self.runtime.store
        if self.queue is not None:
            ensure_schema(store.db)
            self.queue.app.open()
        try:
            if self.inbound is not None:
                self.inbound.start()
            if self.background is not None:
                self.background.start()
            if self.pollers is not None:
                self.pollers.start()
            if self.webhooks is not None:
                self.webhooks.start()
            if self.parity is not None:
                self.parity.start()
            yield
        finally:
            if self.parity is not None:
                self.parity.stop()
            if self.webhooks is not None:
                self.webhooks.stop()
            if self.pollers is not None:
                self.pollers.stop()
            if self.background is not None:
                self.background.stop()
            if self.inbound is not None:
                self.inbound.stop()
            if self.queue is not None:
                self.queue.app.close()
            self.runtime.close_engine()
            if self.owns_store:
                store.dispose()


def build_runtime(settings: Settings, store: Store | None = None) -> Services:
    """The runtime and its workers (not started: see `Services.running`); it opens its own
    store unless one is given. Refuses to build without an adequate secret key."""
    box = secret_box(settings)
    owned = store is None
    the_store = store if store is not None else Store(Database(settings.database_url))
    runtime = Runtime(settings, the_store, box)
    queue = TaskQueue(settings, runtime) if uses_procrastinate(settings) else None
    in_process = queue is None
    inbound = (InboundWorker(the_store, box, runtime.engine.pool, on_status_change=partial(
                   refresh_status, the_store, box, runtime.engine))
               if in_process and settings.inbound_worker else None)
    background = pollers = None
    if in_process and settings.background_sync and settings.pollers:
        background = BackgroundRunner(runtime, sync=True, pollers=False)
        pollers = BackgroundRunner(runtime, sync=False, pollers=True)
        pollers.name = "recruitlink-pollers"
    elif in_process and (settings.background_sync or settings.pollers):
        background = BackgroundRunner(runtime, sync=settings.background_sync,
                                      pollers=settings.pollers)
    webhooks: DeliveryWorker | DeliveryProcess | None = None
    if in_process and settings.webhooks:
        webhooks = (DeliveryProcess(settings, the_store) if settings.webhook_process
                    else runtime.delivery_worker())
    parity = (ParityRunner(runtime) if in_process and settings.background_sync
              and settings.parity_interval_seconds > 0 else None)
    return Services(runtime, queue, inbound, background, owns_store=owned, webhooks=webhooks,
                    parity=parity, pollers=pollers)

