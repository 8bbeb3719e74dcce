"""The push inbox on both databases: a repeated push is kept once; a claim is a lease that a
second worker cannot take while it holds, and only the claim's holder may settle the event."""

from __future__ import annotations

from sqlalchemy import select

from recruitlink.core.signing import verify
from recruitlink.inbound import inbox
from recruitlink.store import schema

PUSH = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "req-1", "integrationContext": "x",
        "createdAt": 1}


def test_claims_are_leases_and_only_the_holder_settles(store, tenant):
    with store.db.write() as conn:
        assert inbox.store_event(conn, tenant_id=tenant.id, body=PUSH, now_ms=1000)
        assert not inbox.store_event(conn, tenant_id=tenant.id, body=PUSH, now_ms=1001)
    with store.db.write() as conn:
        (mine,) = inbox.claim_due(conn, now_ms=2000)
    with store.db.write() as conn:  # a second worker, a minute later: nothing to take
        assert inbox.claim_due(conn, now_ms=62_000) == []
    # The first worker died; after the lease a second worker takes the event over.
    later = 2000 + inbox.LEASE_MS
    with store.db.write() as conn:
        (theirs,) = inbox.claim_due(conn, now_ms=later)
    assert theirs.attempts == mine.attempts + 1
    with store.db.write() as conn:
        assert not inbox.finish(conn, mine, outcome="created", reason=None, candidate_id=None,
                                now_ms=later)
        assert inbox.finish(conn, theirs, outcome="merged", reason=None, candidate_id=None,
                            now_ms=later)
    with store.reader() as conn:
        row = conn.execute(select(schema.inbox_events)).one()
    assert (row.status, row.outcome) == ("done", "merged")


def test_a_transient_failure_is_retried_later_then_kept_as_failed(store, tenant):
    with store.db.write() as conn:
        inbox.store_event(conn, tenant_id=tenant.id, body=PUSH, now_ms=0)
    now = 0
    for attempt in range(1, inbox.MAX_ATTEMPTS + 1):
        with store.db.write() as conn:
            (event,) = inbox.claim_due(conn, now_ms=now)
            assert event.attempts == attempt
            inbox.failed_attempt(conn, event, "LinkedInUnavailable: 503", now)
        now += 10 ** 9
    with store.reader() as conn:
        row = conn.execute(select(schema.inbox_events)).one()
    assert (row.status, row.reason) == ("failed", "LinkedInUnavailable: 503")
    with store.db.write() as conn:
        assert inbox.replay(conn, row.id, now)
        assert len(inbox.claim_due(conn, now_ms=now)) == 1


def test_a_non_ascii_signature_is_simply_wrong():
    assert verify("secret", b"{}", "\u00e9") is False
