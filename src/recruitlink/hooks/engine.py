"""The delivery engine: events become deliveries (dispatch), due deliveries are claimed, and
each is signed, POSTed and recorded (deliver). A failed attempt is tried again after the retry
policy's growing wait; when the policy gives up (by default after more than three days) the
delivery is failed and its endpoint disabled, with a reason the admin page shows. An attempt
that got no answer holds its endpoint until its retry (store/webhook_deliveries.py): the
endpoint's other deliveries wait without spending attempts or connections.

Nothing here waits on an endpoint while holding a transaction: a claim is committed before
the POST, the outcome in a transaction of its own after it (the worker records the outcomes
that finished together in one).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
import orjson

from recruitlink.core.backoff import Backoff
from recruitlink.crypto import SecretBox
from recruitlink.store import Store, webhooks
from recruitlink.store import webhook_deliveries as queue

from .sender import Outcome, new_client, post
from .signing import signed_headers

log = logging.getLogger(__name__)

DISPATCH_BATCH = 500  # events turned into deliveries per endpoint and transaction
PURGE_BATCH = 1000  # finished deliveries deleted per transaction


@dataclass(frozen=True)
class DeliveryPolicy:
    retry: Backoff
    """Waits between attempts; when it gives up, the delivery fails and the endpoint is
    disabled (Settings.webhook_retry)."""
    timeout_s: float = 10.0
    """How long an endpoint has to answer one POST."""
    per_endpoint: int = 4
    """Deliveries in flight to one endpoint at most (per worker process)."""
    claim_s: float = 60.0
    """A claimed delivery is taken again after this if its worker never finished it."""
    senders: int = 16
    """POSTs in flight at most (per worker process)."""
    keep_days: float = 30.0
    """Delivered and failed deliveries (and their attempts) are kept this long."""


def give_up_reason(tries: int, first_ms: int, now_ms: int, error: str) -> str:
    days = (now_ms - first_ms) / 86_400_000
    span = f"{days:.1f} days" if days >= 1 else f"{(now_ms - first_ms) / 3_600_000:.1f} hours"
    return (f"A delivery failed {tries} times over {span} (last: {error}); the endpoint was "
            "disabled. Fix it, enable it, then replay the failed deliveries.")


class DeliveryEngine:
    def __init__(self, store: Store, box: SecretBox, policy: DeliveryPolicy, *,
                 http: httpx.Client | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store, self.box, self.policy, self.clock = store, box, policy, clock
        self._http = http
        self._http_lock = threading.Lock()

    @property
    def http(self) -> httpx.Client:
        """Made on first use: a server built but never run opens no connections."""
        with self._http_lock:
            if self._http is None:
                self._http = new_client(self.policy.timeout_s, self.policy.senders)
                # Connections are kept alive between POSTs: an engine dropped without
                # close() closes them when it is collected.
                weakref.finalize(self, self._http.close)
            return self._http

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def close(self) -> None:
        with self._http_lock:
            if self._http is not None:
                self._http.close()
                self._http = None

    def dispatch(self) -> int:
        """Every enabled endpoint's new events as deliveries; how many were written."""
        return self.dispatch_round()[0]

    def dispatch_round(self) -> tuple[int, bool]:
        """A batch of every enabled endpoint's new events as deliveries, one transaction per
        endpoint (one tenant's backlog does not hold others); (deliveries written, whether
        an endpoint may have more events waiting)."""
        written, more = 0, False
        with self.store.reader() as conn:
            behind = queue.endpoints_behind(conn)
        for endpoint_id in behind:
            with self.store.db.write() as conn:
                done = queue.dispatch_endpoint(conn, endpoint_id, limit=DISPATCH_BATCH,
                                               now_ms=self.now_ms())
            written += done.written
            more = more or done.read >= DISPATCH_BATCH
        return written, more

    def purge(self) -> int:
        """Delete the finished deliveries older than `keep_days`, a batch per transaction;
        how many."""
        before = self.now_ms() - int(self.policy.keep_days * 86_400_000)
        purged = 0
        while True:
            with self.store.db.write() as conn:
                n = queue.purge_finished(conn, before_ms=before, limit=PURGE_BATCH)
            purged += n
            if n < PURGE_BATCH:
                return purged

    def claim(self, limit: int) -> list[queue.Claim]:
        """Up to `limit` due deliveries claimed: the candidates are read first (an idle loop,
        or one whose endpoints are all full, takes no write lock), then claimed in one
        statement that checks each again."""
        if limit <= 0:
            return []
        p = self.policy
        with self.store.reader() as conn:
            candidates = queue.due(conn, now_ms=self.now_ms(), limit=limit,
                                   per_endpoint=p.per_endpoint)
        if not candidates:
            return []
        with self.store.db.write() as conn:
            return queue.claim_due(conn, candidates, now_ms=self.now_ms(), limit=limit,
                                   per_endpoint=p.per_endpoint, claim_ms=int(p.claim_s * 1000))

    def deliver(self, claim: queue.Claim) -> Outcome:
        """Sign and POST one claimed delivery, then record the outcome."""
        outcome = self.send(claim)
        self.record(claim, outcome)
        return outcome

    def send(self, claim: queue.Claim) -> Outcome:
        """Sign and POST one claimed delivery; the outcome is not recorded."""
        secrets = [self.box.open(sealed) for sealed in claim.sealed_secrets]
        envelope = claim.event.envelope()
        body = orjson.dumps(envelope)
        return post(self.http, claim.url, body,
                    signed_headers(envelope["id"], self.clock(), body, secrets))

    def wait_s(self, tries: int, retry_after_s: float | None) -> float:
        """The policy's wait, or longer when the endpoint asked (Retry-After, at most the
        policy's cap): never shorter, so a receiver cannot burn the retries in minutes."""
        retry = self.policy.retry
        wait = retry.delay(tries)
        if retry_after_s is not None and retry_after_s > wait:
            wait = retry_after_s if retry.cap is None else max(wait, min(retry.cap,
                                                                         retry_after_s))
        return wait

    def record(self, claim: queue.Claim, outcome: Outcome) -> None:
        self.record_many([(claim, outcome)])

    def record_many(self, outcomes: Sequence[tuple[queue.Claim, Outcome]]) -> None:
        """The outcomes in one transaction: delivered, due again after the policy's wait, or
        failed for good (then the endpoint is disabled, with the reason)."""
        if not outcomes:
            return
        now = self.now_ms()
        retry = self.policy.retry
        finished = []
        for claim, outcome in outcomes:
            tries = claim.attempts + 1
            next_at = None if outcome.error is None or retry.gives_up(tries) else now + int(
                self.wait_s(tries, outcome.retry_after_s) * 1000)
            finished.append(queue.Finished(claim, now, outcome.code, outcome.latency_ms,
                                           outcome.error, next_at))
        with self.store.db.write() as conn:
            applied = queue.record_outcomes(conn, finished)
            for f in finished:
                if f.error is None or f.next_at_ms is not None:
                    continue
                if f.claim.delivery_id in applied:  # given up while the claim was its own
                    reason = give_up_reason(f.claim.attempts + 1, f.claim.created_at, now,
                                            f.error)
                    webhooks.disable_endpoint(conn, f.claim.endpoint_id, reason=reason,
                                              now_ms=now)
                    log.warning("webhook endpoint %s disabled: %s", f.claim.endpoint_id,
                                reason)
