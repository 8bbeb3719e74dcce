"""Standard Webhooks headers (hooks/signing.py), checked with the `standardwebhooks` library a
receiver uses: one signature per secret, space-separated, each verifiable on its own."""

from __future__ import annotations

import time

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from recruitlink.hooks.signing import signed_headers
from recruitlink.store.webhooks import new_secret


def test_each_secret_verifies_and_a_changed_body_does_not() -> None:
    old, new = new_secret(), new_secret()
    body = b'{"id":"evt_1","type":"candidate.created"}'
    headers = signed_headers("evt_1", time.time(), body, [new, old])
    assert headers["webhook-id"] == "evt_1"
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (new, old):
        assert Webhook(secret).verify(body, headers)["id"] == "evt_1"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body.replace(b"created", b"deleted"), headers)
    stale = signed_headers("evt_1", time.time() - 3600, body, [new])
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(new).verify(body, stale)  # a replayed capture is refused by the receiver


def test_a_delivery_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        signed_headers("evt_1", time.time(), b"{}", [])
