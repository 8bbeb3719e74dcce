"""The delivery engine: events become deliveries (dispatch), due deliveries are claimed, and
each is signed, POSTed and recorded (deliver). A failed attempt is tried again after the retry
policy's growing wait; when the policy gives up (by default after more than three days) the
delivery is failed and its endpoint disabled, with a reason the admin page shows.

Nothing here waits on an endpoint while holding a transaction: a claim is committed before
the POST, the outcome in a transaction of its own after it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
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
        self.http = http or new_client(policy.timeout_s, policy.senders)

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    def close(self) -> None:
        self.http.close()

    def dispatch(self) -> int:
        """Every enabled endpoint's new events as deliveries; how many were written. One
        transaction per endpoint and batch: one tenant's backlog does not hold others."""
        written = 0
        with self.store.reader() as conn:
            behind = queue.endpoints_behind(conn)
        for endpoint_id in behind:
            with self.store.db.write() as conn:
                written += queue.dispatch_endpoint(conn, endpoint_id, limit=DISPATCH_BATCH,
                                                   now_ms=self.now_ms())
        return written

    def claim(self, limit: int) -> list[queue.Claim]:
        p = self.policy
        with self.store.db.write() as conn:
            return queue.claim_due(conn, now_ms=self.now_ms(), limit=limit,
                                   per_endpoint=p.per_endpoint, claim_ms=int(p.claim_s * 1000))

    def deliver(self, claim: queue.Claim) -> Outcome:
        """Sign and POST one claimed delivery, then record the outcome."""
        with self.store.reader() as conn:
            secrets = webhooks.signing_secrets(conn, self.box, claim.endpoint_id, self.now_ms())
        if not secrets:  # the endpoint was deleted meanwhile
            return Outcome(None, 0, "the endpoint is gone")
        envelope = claim.event.envelope()
        body = orjson.dumps(envelope)
        outcome = post(self.http, claim.url, body,
                       signed_headers(envelope["id"], self.clock(), body, secrets))
        self.record(claim, outcome)
        return outcome

    def record(self, claim: queue.Claim, outcome: Outcome) -> None:
        now = self.now_ms()
        with self.store.db.write() as conn:
            queue.record_attempt(conn, claim, at_ms=now, code=outcome.code,
                                 latency_ms=outcome.latency_ms, error=outcome.error)
            if outcome.error is None:
                queue.mark_delivered(conn, claim, now_ms=now, code=outcome.code or 200,
                                     latency_ms=outcome.latency_ms)
                return
            tries = claim.attempts + 1
            retry = self.policy.retry
            next_at = None if retry.gives_up(tries) else now + int(retry.delay(tries) * 1000)
            still_ours = queue.mark_retry(conn, claim, next_at_ms=next_at, code=outcome.code,
                                          latency_ms=outcome.latency_ms, error=outcome.error)
            if next_at is None and still_ours:
                reason = give_up_reason(tries, claim.created_at, now, outcome.error)
                webhooks.disable_endpoint(conn, claim.endpoint_id, reason=reason, now_ms=now)
                log.warning("webhook endpoint %s disabled: %s", claim.endpoint_id, reason)
