"""The webhook delivery loop in a child process of the server (embedded mode), so the sync's
threads in the server do not share a GIL with the senders and the recorder (issue 18).

- Started when there is something to deliver to: the server checks every `check_s` whether
  any endpoint is enabled (a server without webhooks runs no extra process).
- It stops with the server: the server's stop writes to a pipe the child watches (it sends
  the POSTs in flight and records them, then exits); a server that dies, even SIGKILLed,
  closes that pipe, and the child stops too. Ctrl-C reaches the whole process group: the child
  ignores it and waits for the server's word; SIGTERM stops it as the word does.
- A child that dies (SIGKILL, a crash) loses nothing: its claims run out and are sent again
  (store/webhook_deliveries.py); the server starts another, after a growing wait if it keeps
  dying.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import signal
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import FrameType

from recruitlink.crypto import secret_box
from recruitlink.settings import Settings
from recruitlink.store import Database, Store, webhooks

from .context import Runtime

log = logging.getLogger(__name__)

NAME = "recruitlink-webhooks"
RESTART_MAX_S = 60.0  # the longest wait before starting a child that keeps dying again
HEALTHY_S = 60.0  # a child that lived this long resets that wait


def deliver_until_told(settings: Settings, told: Connection) -> None:
    """The child: the delivery loop (its sender and recorder threads) until the server writes
    to `told`, closes it or goes, or SIGTERM comes."""
    term = threading.Event()

    def on_term(_signum: int, _frame: FrameType | None) -> None:
        term.set()

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the server tells us in turn
    signal.signal(signal.SIGTERM, on_term)
    runtime = Runtime(settings, Store(Database(settings.database_url)), secret_box(settings))
    worker = runtime.delivery_worker()
    worker.start()
    try:
        while not term.is_set():
            if told.poll(1.0):  # a word, or end of file: the server is gone
                break
    finally:
        worker.stop()  # the POSTs in flight are sent and recorded
        runtime.close()


class DeliveryProcess:
    """The server's side: starts the child when an endpoint is enabled, starts it again if it
    dies, stops it with the server."""

    def __init__(self, settings: Settings, store: Store, *, check_s: float = 2.0,
                 stop_timeout_s: float | None = None) -> None:
        # The child opens the server's store (a test's may differ from the settings').
        self.settings = settings.model_copy(update={"database_url": store.db.url})
        self.store = store
        self.check_s = check_s
        self.stop_timeout_s = stop_timeout_s or settings.webhook_timeout_seconds + 15.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self._child: BaseProcess | None = None
        self._tell: Connection | None = None
        self._started_at = 0.0
        self._restart_s = check_s

    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        with self._lock:
            child = self._child
        return child.pid if child is not None and child.is_alive() else None

    def start(self) -> None:
        self._watcher = threading.Thread(target=self._watch, name=f"{NAME}-watch", daemon=True)
        self._watcher.start()

    def _wanted(self) -> bool:
        try:
            with self.store.reader() as conn:
                return webhooks.any_enabled(conn)
        except Exception:  # the database hiccuped: asked again at the next check
            log.exception("could not tell whether webhooks are to be delivered")
            return False

    def _watch(self) -> None:
        wait = self.check_s
        while not self._stopping.is_set():
            with self._lock:
                child = self._child
            if child is not None and not child.is_alive():
                lived = time.monotonic() - self._started_at
                self._restart_s = (self.check_s if lived >= HEALTHY_S
                                   else min(RESTART_MAX_S, self._restart_s * 2))
                log.warning("the webhook delivery process exited (code %s); another starts "
                            "in %.0f s (its claims run out and are sent again)",
                            child.exitcode, self._restart_s)
                self._reap()
                wait = self._restart_s
            elif child is None and self._wanted():
                self._spawn()
                wait = self.check_s
            else:
                wait = self.check_s
            self._stopping.wait(wait)

    def _spawn(self) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        listen, tell = context.Pipe(duplex=False)
        child = context.Process(target=deliver_until_told, args=(self.settings, listen),
                                name=NAME, daemon=False)
        with self._lock:
            if self._stopping.is_set():
                return
            child.start()
            listen.close()  # the child's end: ours is `tell`, closed when we stop or die
            self._child, self._tell, self._started_at = child, tell, time.monotonic()

    def _reap(self) -> None:
        with self._lock:
            child, tell, self._child, self._tell = self._child, self._tell, None, None
        if tell is not None:
            tell.close()
        if child is not None:
            child.join(timeout=0)
            child.close()

    def stop(self) -> None:
        """Tell the child to stop and wait for it (its POSTs in flight finish); one that does
        not stop in time is terminated, then killed."""
        with self._lock:
            self._stopping.set()
            child, tell = self._child, self._tell
        if self._watcher is not None:
            self._watcher.join()
        if child is None or tell is None:
            return
        with contextlib.suppress(OSError):  # the child is gone already
            tell.send("stop")
        child.join(self.stop_timeout_s)
        if child.is_alive():
            log.warning("the webhook delivery process did not stop in %.0f s: terminated",
                        self.stop_timeout_s)
            child.terminate()
            child.join(5.0)
            if child.is_alive():
                child.kill()
                child.join()
        self._reap()
