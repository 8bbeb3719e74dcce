"""A background thread that repeats a round of work: at once while there is work, otherwise
after `idle_s` or as soon as `notify()` says work may be waiting. The inbound worker and the
server's background runner are both one."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class WorkLoop:
    name = "recruitlink-loop"
    join_timeout_s = 10.0

    def __init__(self, *, idle_s: float = 1.0) -> None:
        self.idle_s = idle_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int | bool:
        """One round; truthy when it did something (then the next round starts at once)."""
        raise NotImplementedError

    def notify(self) -> None:
        """Work may be waiting: start the next round now."""
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=self.join_timeout_s)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # keep running: one bad round must not stop the loop
                log.exception("%s: round failed", self.name)
                worked = False
            if not worked:
                self._wake.wait(self.idle_s)
                self._wake.clear()
