"""The webhook endpoints' store (store/webhooks.py): sealed secrets shown once, a new endpoint
gets events from now on, admin enable/disable, rotation overlap, the delivery log newest first
with keyset paging, replays, and one tenant never sees another's (issue 18)."""

from __future__ import annotations

import base64

import pytest

from recruitlink.crypto import SecretBox
from recruitlink.store import host_events, webhooks
from recruitlink.store.schema import webhook_attempts, webhook_deliveries, webhook_endpoints
from tests.conftest import make_tenant
from tests.support.keys import TEST_SECRET_KEY

NOW = 1_700_000_000_000
BOX = SecretBox(TEST_SECRET_KEY)


def _delivery(conn, tenant_id, endpoint_id, seq, *, status="pending", created_at=NOW):
    return conn.execute(webhook_deliveries.insert().values(
        tenant_id=tenant_id, endpoint_id=endpoint_id, event_seq=seq, record_key="candidate:c-1",
        status=status, attempts=0, next_attempt_at=created_at + 3_600_000,
        created_at=created_at).returning(webhook_deliveries.c.id)).scalar_one()


def test_an_endpoint_is_created_with_a_sealed_secret_shown_once(store, tenant):
    with store.db.write() as conn:
        before = host_events.emit(conn, tenant.id, "candidate.created", "c-1", {})
        endpoint, secret = webhooks.create_endpoint(
            conn, BOX, tenant.id, url="https://ats.example/hooks",
            types=["candidate.created"], description="our ATS", now_ms=NOW)
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 24
    assert endpoint.cursor == before  # events from now on, not the past
    assert endpoint.enabled and endpoint.types == ("candidate.created",)
    assert endpoint.wants("candidate.created") and not endpoint.wants("note.created")
    with store.db.read() as conn:
        stored = conn.execute(webhook_endpoints.select()).one().secret
        assert secret not in stored and BOX.open(stored) == secret
        assert webhooks.signing_secrets(conn, BOX, endpoint.id, NOW) == [secret]
        assert webhooks.list_endpoints(conn, tenant.id) == [endpoint]
        assert "whsec_" not in repr(endpoint)


def test_admin_disable_and_enable(store, tenant):
    with store.db.write() as conn:
        endpoint, _ = webhooks.create_endpoint(conn, BOX, tenant.id, url="https://a.example/h",
                                               types=[], now_ms=NOW)
        off = webhooks.update_endpoint(conn, tenant.id, endpoint.id, now_ms=NOW + 1,
                                       enabled=False, description="paused")
        assert off is not None and not off.enabled
        assert (off.disabled_reason, off.disabled_at) == ("disabled by an admin", NOW + 1)
        assert off.description == "paused" and off.url == "https://a.example/h"
        on = webhooks.update_endpoint(conn, tenant.id, endpoint.id, now_ms=NOW + 2,
                                      enabled=True, types=["note.created"],
                                      url="https://b.example/h")
        assert on is not None and on.enabled and on.disabled_reason is None
        assert on.disabled_at is None and on.types == ("note.created",)
        assert on.url == "https://b.example/h" and on.updated_at == NOW + 2
        webhooks.disable_endpoint(conn, endpoint.id, reason="gave up after 3 days",
                                  now_ms=NOW + 3)
        gone = webhooks.get_endpoint(conn, tenant.id, endpoint.id)
        assert gone is not None and gone.disabled_reason == "gave up after 3 days"
        assert webhooks.update_endpoint(conn, tenant.id, 9999, now_ms=NOW, enabled=True) is None


def test_rotation_signs_with_both_secrets_during_the_overlap(store, tenant):
    with store.db.write() as conn:
        endpoint, old = webhooks.create_endpoint(conn, BOX, tenant.id,
                                                 url="https://a.example/h", types=[], now_ms=NOW)
        new = webhooks.rotate_secret(conn, BOX, tenant.id, endpoint.id, now_ms=NOW,
                                     overlap_ms=1000)
        assert new is not None and new != old
        rotating = webhooks.get_endpoint(conn, tenant.id, endpoint.id)
        assert rotating is not None and rotating.rotating_until == NOW + 1000
        assert webhooks.signing_secrets(conn, BOX, endpoint.id, NOW + 999) == [new, old]
        assert webhooks.signing_secrets(conn, BOX, endpoint.id, NOW + 1000) == [new]
        assert webhooks.rotate_secret(conn, BOX, tenant.id, 9999, now_ms=NOW,
                                      overlap_ms=0) is None


def test_delivery_log_pages_newest_first_and_replays(store, tenant):
    with store.db.write() as conn:
        endpoint, _ = webhooks.create_endpoint(conn, BOX, tenant.id,
                                               url="https://a.example/h", types=[], now_ms=NOW)
        seqs = [host_events.emit(conn, tenant.id, "candidate.updated", "c-1", {}, at_ms=NOW + i)
                for i in range(5)]
        ids = [_delivery(conn, tenant.id, endpoint.id, seq, created_at=NOW + i,
                         status="failed" if i == 1 else "pending")
               for i, seq in enumerate(seqs)]
        conn.execute(webhook_attempts.insert().values(delivery_id=ids[1], at=NOW, code=500,
                                                      latency_ms=12, error="HTTP 500"))
    with store.db.read() as conn:
        first = webhooks.list_deliveries(conn, tenant.id, endpoint.id, limit=2)
        assert [d.id for d in first] == [ids[4], ids[3]]
        assert first[0].event_id == f"evt_{seqs[4]}" and first[0].event_type == "candidate.updated"
        assert first[0].event_at == NOW + 4 and first[0].record_key == "candidate:c-1"
        rest = webhooks.list_deliveries(conn, tenant.id, endpoint.id, before_id=first[-1].id)
        assert [d.id for d in rest] == [ids[2], ids[1], ids[0]]
        assert [d.id for d in webhooks.list_deliveries(
            conn, tenant.id, endpoint.id, status="failed")] == [ids[1]]
        with pytest.raises(ValueError, match="status"):
            webhooks.list_deliveries(conn, tenant.id, endpoint.id, status="lost")
        [attempt] = webhooks.list_attempts(conn, tenant.id, ids[1])
        assert (attempt.code, attempt.latency_ms, attempt.error) == (500, 12, "HTTP 500")
    with store.db.write() as conn:
        assert webhooks.replay_delivery(conn, tenant.id, ids[1], now_ms=NOW + 50)
        assert not webhooks.replay_delivery(conn, tenant.id, 9999, now_ms=NOW + 50)
        assert webhooks.replay_range(conn, tenant.id, endpoint.id, since_ms=NOW + 3,
                                     until_ms=NOW + 4, now_ms=NOW + 60) == 2
    with store.db.read() as conn:
        replayed = webhooks.get_delivery(conn, tenant.id, ids[1])
        assert replayed is not None and replayed.status == "pending"
        assert replayed.next_attempt_at == NOW + 50
        assert [d.next_attempt_at for d in webhooks.list_deliveries(
            conn, tenant.id, endpoint.id, limit=2)] == [NOW + 60, NOW + 60]
        assert len(webhooks.list_attempts(conn, tenant.id, ids[1])) == 1  # the log stays


def test_one_tenant_never_reaches_anothers_endpoints(store, tenant):
    other = make_tenant(store, "globex")
    with store.db.write() as conn:
        endpoint, _ = webhooks.create_endpoint(conn, BOX, tenant.id,
                                               url="https://a.example/h", types=[], now_ms=NOW)
        seq = host_events.emit(conn, tenant.id, "candidate.created", "c-1", {})
        delivery = _delivery(conn, tenant.id, endpoint.id, seq)
        conn.execute(webhook_attempts.insert().values(delivery_id=delivery, at=NOW, code=200,
                                                      latency_ms=3))
    with store.db.write() as conn:
        assert webhooks.get_endpoint(conn, other.id, endpoint.id) is None
        assert webhooks.list_endpoints(conn, other.id) == []
        assert webhooks.update_endpoint(conn, other.id, endpoint.id, now_ms=NOW,
                                        enabled=False) is None
        assert webhooks.rotate_secret(conn, BOX, other.id, endpoint.id, now_ms=NOW,
                                      overlap_ms=0) is None
        assert webhooks.list_deliveries(conn, other.id, endpoint.id) == []
        assert webhooks.list_attempts(conn, other.id, delivery) == []
        assert not webhooks.replay_delivery(conn, other.id, delivery, now_ms=NOW)
        assert webhooks.replay_range(conn, other.id, endpoint.id, since_ms=0,
                                     until_ms=NOW * 2, now_ms=NOW) == 0
        assert not webhooks.delete_endpoint(conn, other.id, endpoint.id)
    with store.db.write() as conn:
        assert webhooks.delete_endpoint(conn, tenant.id, endpoint.id)
        assert webhooks.list_endpoints(conn, tenant.id) == []
        assert conn.execute(webhook_deliveries.select()).all() == []
        assert conn.execute(webhook_attempts.select()).all() == []
