"""Standard Webhooks signatures: the `webhook-id`, `webhook-timestamp` and `webhook-signature`
headers of one delivery, signed with the `standardwebhooks` library (so a receiver verifies
with the same library, in any language). During a secret rotation every secret signs and the
signatures go space-separated in one header: a receiver on either secret accepts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from standardwebhooks import Webhook


def signed_headers(msg_id: str, at_s: float, body: bytes,
                   secrets: Sequence[str]) -> dict[str, str]:
    """The headers for `body` sent at `at_s` (seconds since the epoch), signed by each of
    `secrets` (the current one first)."""
    if not secrets:
        raise ValueError("a delivery needs at least one signing secret")
    when = datetime.fromtimestamp(int(at_s), UTC)
    signatures = " ".join(Webhook(secret).sign(msg_id, when, body) for secret in secrets)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at_s)),
            "webhook-signature": signatures}
