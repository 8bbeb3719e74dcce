"""The push inbox on both databases: a repeated push is kept once; a claim is a lease that a
second worker cannot take while it holds, and only the claim's holder may settle the event."""

from __future__ import annotations

from sqlalchemy import select

from recruitlink.core.signing import verify
from recruitlink.inbound import event_log
from recruitlink.store import inbound_inbox as inbox
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


def test_the_event_log_filters_and_pages_by_key_both_ways(store, tenant):
    """The Exports pages' reads: newest first, `before`/`after` keys, filters by outcome."""
    with store.db.write() as conn:
        for n in range(7):
            assert inbox.store_event(conn, tenant_id=tenant.id, now_ms=1000 + n, body=dict(
                PUSH, requestId=f"req-{n}"))
    with store.db.write() as conn:
        claimed = inbox.claim_due(conn, now_ms=2000)
        for event in claimed:  # every other one refused, with its reason
            refused = int(event.request_id.removeprefix("req-")) % 2 == 0
            assert inbox.finish(conn, event, outcome="failed" if refused else "created",
                                reason=f"refused {event.request_id}" if refused else None,
                                candidate_id=None, now_ms=2000, seat="urn:li:seat:1",
                                details={"person": "urn:li:person:p", "name": "Ann Lee",
                                         "job": "J1", "pipeline": None, "exporter": "Rita"})
    everything = event_log.EventFilter()
    with store.reader() as conn:
        first = event_log.events(conn, tenant.id, everything, size=3)
        ids = [r["id"] for r in first.rows]
        assert len(ids) == 3 and ids == sorted(ids, reverse=True)
        assert first.newer is None and first.older == ids[-1]
        second = event_log.events(conn, tenant.id, everything, before=first.older, size=3)
        third = event_log.events(conn, tenant.id, everything, before=second.older, size=3)
        assert len(third.rows) == 1 and third.older is None and third.newer is not None
        seen = [r["id"] for page in (first, second, third) for r in page.rows]
        assert len(seen) == len(set(seen)) == 7 and seen == sorted(seen, reverse=True)
        back = event_log.events(conn, tenant.id, everything, after=second.rows[0]["id"],
                                size=3)
        assert [r["id"] for r in back.rows] == ids and back.newer is None
        refused = event_log.events(conn, tenant.id, event_log.EventFilter(result="refused"))
        assert [r["request_id"] for r in refused.rows] == ["req-6", "req-4", "req-2", "req-0"]
        assert {(r["label"], r["job"], r["seat"]) for r in refused.rows} == {
            ("Refused", "J1", "urn:li:seat:1")}
        assert refused.rows[0]["reason"] == "refused req-6"
        # Nobody is mapped to seat 1: a recruiter's own list is empty.
        assert event_log.events(conn, tenant.id, everything, seat_user=1).rows == []
