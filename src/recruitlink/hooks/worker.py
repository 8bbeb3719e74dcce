"""Running the delivery engine: a loop that dispatches new events, claims as many due
deliveries as it has free senders and hands each to a sender thread; the outcomes are written
in batches by a recorder thread (recorder.py), which frees the senders and wakes the loop. The
loop never waits on an endpoint: a slow or dead one holds at most `per_endpoint` senders, and
the sync (another thread or process) not at all.

The server runs it as a thread (`DeliveryWorker.start`, embedded mode); a procrastinate job
runs `pump` for a short slice (scale-out mode): claims live in the database, so a worker
killed mid-delivery loses nothing (the claim runs out and another worker sends again).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor

from recruitlink.loops import WorkLoop
from recruitlink.store.webhook_deliveries import Claim

from .engine import DeliveryEngine
from .recorder import OutcomeRecorder

log = logging.getLogger(__name__)

PURGE_EVERY_S = 3600.0


class DeliveryWorker(WorkLoop):
    name = "recruitlink-webhooks"
    join_timeout_s = 15.0

    def __init__(self, engine: DeliveryEngine, *, idle_s: float = 1.0) -> None:
        super().__init__(idle_s=idle_s)
        self.engine = engine
        self.senders = engine.policy.senders
        self._pool = ThreadPoolExecutor(max_workers=self.senders,
                                        thread_name_prefix="recruitlink-webhook-send")
        self._recorder = OutcomeRecorder(engine.record_many, self.notify)
        self._purge_at = 0.0  # monotonic time of the next purge of old deliveries

    @property
    def busy(self) -> int:
        """Claims being sent, or sent and not recorded yet (their senders are not free:
        until recorded, the database counts them in flight to their endpoint)."""
        return self._recorder.open

    def run_once(self) -> bool:
        """Dispatch, then claim for the free senders; True if more may be waiting now (a
        full batch of events dispatched, or every free sender given a claim): then the next
        round starts at once. Otherwise the recorder wakes the loop when it has written a
        batch (senders free again, a record's next delivery no longer held back), and the
        idle timer for the rest (retries coming due). Old finished deliveries are purged
        once an hour."""
        if time.monotonic() >= self._purge_at:
            self._purge_at = time.monotonic() + PURGE_EVERY_S
            self.engine.purge()
        _, more_behind = self.engine.dispatch_round()
        free = self.senders - self.busy
        claims = self.engine.claim(free) if free > 0 else []
        self._recorder.expect(len(claims))
        for claim in claims:
            future: Future[None] = self._pool.submit(self._send, claim)
            future.add_done_callback(self._cancelled)
        return more_behind or (free > 0 and len(claims) >= free)

    def _send(self, claim: Claim) -> None:
        try:
            outcome = self.engine.send(claim)
        except Exception:  # a bug or a sealed secret that does not open: the claim runs out
            log.exception("webhook delivery %s failed", claim.delivery_id)
            self._recorder.drop()
            return
        self._recorder.add(claim, outcome)  # the recorder frees the sender and wakes the loop

    def _cancelled(self, future: Future[None]) -> None:
        if future.cancelled():  # never sent (stopping): the claim runs out
            self._recorder.drop()

    def pump(self, seconds: float) -> int:
        """Rounds while more may be waiting, for at most `seconds` (a procrastinate job's
        slice); how many ran. It never waits for the POSTs in flight: they finish in the
        sender threads and the recorder's thread, so a slow endpoint holds no job (and no
        worker slot the sync needs)."""
        deadline = time.monotonic() + seconds
        rounds = 0
        while time.monotonic() < deadline:
            rounds += 1
            if not self.run_once():
                break
        return rounds

    def drain(self, timeout_s: float) -> bool:
        """Wait for the sends in flight and their outcomes' recording (tests, shutdown); True
        if none is left."""
        deadline = time.monotonic() + timeout_s
        while self.busy and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self.busy

    def stop(self) -> None:
        super().stop()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._recorder.close()
        self.engine.close()
