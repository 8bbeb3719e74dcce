"""The outcomes of a delivery worker's sends, written in batches by one thread of their own:
what finished together goes in one transaction (a write per POST would cost more than the POST
and hold the store's write lock as often: SQLite has one writer, the sync among them).

The thread waits a little (`coalesce_s`, or until no send is left out) after the first outcome
of a batch, so the sends of one round go together; the POSTs have been made, so this delays
no delivery, only the moment their senders are free again. It works the same whoever claims
(the server's loop thread, or a procrastinate job's slices): recording never waits on them.
A batch that cannot be written is dropped: its claims run out and the deliveries go again
(at least once, as when a worker is killed).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from recruitlink.store.webhook_deliveries import Claim

from .sender import Outcome

log = logging.getLogger(__name__)

COALESCE_S = 0.01

Write = Callable[[Sequence[tuple[Claim, Outcome]]], None]


class OutcomeRecorder:
    def __init__(self, write: Write, on_written: Callable[[], None], *,
                 coalesce_s: float = COALESCE_S) -> None:
        self._write, self._on_written, self.coalesce_s = write, on_written, coalesce_s
        self._cond = threading.Condition()
        self._waiting: list[tuple[Claim, Outcome]] = []
        self._open = 0  # claims handed to senders and not yet recorded (or dropped)
        self._writing = 0
        self._closing = False
        self._thread: threading.Thread | None = None

    @property
    def open(self) -> int:
        """Claims sent or being sent whose outcome is not written yet."""
        with self._cond:
            return self._open

    def expect(self, claims: int) -> None:
        """That many claims go to the senders: each ends in `add` or `drop`."""
        with self._cond:
            self._open += claims

    def add(self, claim: Claim, outcome: Outcome) -> None:
        with self._cond:
            self._waiting.append((claim, outcome))
            if self._thread is None:  # first use: a worker never run starts no thread
                self._thread = threading.Thread(target=self._run, daemon=True,
                                                name="recruitlink-webhook-record")
                self._thread.start()
            self._cond.notify()

    def drop(self, claims: int = 1) -> None:
        """Claims that end with nothing to record (their send failed unexpectedly, or was
        cancelled): their claims run out and they are sent again."""
        with self._cond:
            self._open -= claims
        self._on_written()

    def close(self) -> None:
        """Write what is waiting, then end the thread (after the senders have stopped)."""
        with self._cond:
            self._closing = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _sending(self) -> int:
        return self._open - len(self._waiting) - self._writing

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._closing:
                    self._cond.wait()
                if not self._waiting:
                    return
                deadline = time.monotonic() + self.coalesce_s
                while (self._sending() > 0 and not self._closing
                       and (left := deadline - time.monotonic()) > 0):
                    self._cond.wait(left)
                batch, self._waiting = self._waiting, []
                self._writing = len(batch)
            try:
                self._write(batch)
            except Exception:  # the database hiccuped: the claims run out, sent again
                log.exception("recording %s webhook deliveries failed", len(batch))
            with self._cond:
                self._writing = 0
                self._open -= len(batch)
            self._on_written()
