"""The webhook delivery engine (recruitlink.hooks) against a real receiver on loopback, on
SQLite and PostgreSQL: deliveries signed per Standard Webhooks and verified with the
`standardwebhooks` library, subscribed types only, both signatures during a rotation, retries
with growing waits, giving up (failed, endpoint disabled with a reason), ordering per record,
claims that run out, redirects not followed, and a slow endpoint that delays no other."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from recruitlink.core.backoff import Backoff
from recruitlink.core.host_events import timestamp
from recruitlink.crypto import SecretBox
from recruitlink.hooks.engine import DeliveryEngine, DeliveryPolicy
from recruitlink.hooks.worker import DeliveryWorker
from recruitlink.store import host_events, webhooks
from recruitlink.store.schema import webhook_attempts, webhook_deliveries
from recruitlink.store.webhook_deliveries import in_flight
from tests.support.keys import TEST_SECRET_KEY
from tests.support.servers import serve

BOX = SecretBox(TEST_SECRET_KEY)
T0 = float(int(time.time()))  # signatures are checked against the real time


@pytest.fixture(autouse=True)
def _real_time_now() -> None:
    """T0 read when each test starts, not when the module is collected: a verifier refuses a
    timestamp over five minutes old, and the whole suite runs for longer than that."""
    global T0
    T0 = float(int(time.time()))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def make_engine(store, clock, **policy):
    policy.setdefault("retry", Backoff(10.0, 2.0, None, 5))
    return DeliveryEngine(store, BOX, DeliveryPolicy(**policy), clock=clock)


def add_endpoint(store, tenant, url, types=()):
    with store.db.write() as conn:
        return webhooks.create_endpoint(conn, BOX, tenant.id, url=url, types=list(types),
                                        now_ms=int(T0 * 1000))


def emit(store, tenant, type_, subject_id, data=None):
    with store.db.write() as conn:
        return host_events.emit(conn, tenant.id, type_, subject_id, data or {},
                                at_ms=int(T0 * 1000))


def deliver_all(engine):
    """One round, every claim sent in turn; the outcomes."""
    engine.dispatch()
    return [engine.deliver(claim) for claim in engine.claim(50)]


def deliveries(store, tenant, endpoint):
    with store.db.read() as conn:
        return {d.event_seq: d for d in webhooks.list_deliveries(conn, tenant.id, endpoint.id)}


def test_deliveries_verify_with_standardwebhooks_and_only_subscribed_types(
        store, tenant, receiver):
    emit(store, tenant, "candidate.created", "c-0")  # before the endpoint: not sent
    endpoint, secret = add_endpoint(store, tenant, receiver.url, types=["candidate.created"])
    clock = Clock()
    engine = make_engine(store, clock)
    seq = emit(store, tenant, "candidate.created", "c-1", {"candidate": "c-1"})
    emit(store, tenant, "note.created", "n-1", {"note": "n-1"})
    assert [o.code for o in deliver_all(engine)] == [200]
    [push] = receiver.wait_for(1)
    payload = Webhook(secret).verify(push.body, push.headers)
    assert payload == {"id": f"evt_{seq}", "cursor": str(seq), "type": "candidate.created",
                       "timestamp": timestamp(int(T0 * 1000)), "data": {"candidate": "c-1"}}
    assert push.headers["webhook-id"] == f"evt_{seq}"
    assert push.headers["webhook-timestamp"] == str(int(T0))
    assert push.headers["content-type"] == "application/json"
    forged = dict(push.headers, **{"webhook-id": "evt_999"})
    with pytest.raises(Exception, match="signature"):
        Webhook(secret).verify(push.body, forged)
    [delivery] = deliveries(store, tenant, endpoint).values()
    assert (delivery.status, delivery.attempts, delivery.last_code) == ("delivered", 1, 200)
    assert deliver_all(engine) == []  # nothing twice
    with store.db.read() as conn:
        [attempt] = webhooks.list_attempts(conn, tenant.id, delivery.id)
        assert attempt.code == 200 and attempt.error is None


def test_both_secrets_sign_during_a_rotation(store, tenant, receiver):
    endpoint, old = add_endpoint(store, tenant, receiver.url)
    with store.db.write() as conn:
        new = webhooks.rotate_secret(conn, BOX, tenant.id, endpoint.id,
                                     now_ms=int(T0 * 1000), overlap_ms=60_000)
    clock = Clock()
    engine = make_engine(store, clock)
    emit(store, tenant, "candidate.updated", "c-1")
    deliver_all(engine)
    clock.now += 61
    emit(store, tenant, "candidate.updated", "c-2")
    deliver_all(engine)
    during, after = receiver.wait_for(2)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(during.body, during.headers)
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    Webhook(new).verify(after.body, after.headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(old).verify(after.body, after.headers)


def test_failures_are_retried_with_growing_waits_then_delivered(store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    receiver.script = [500, 503]
    clock = Clock()
    engine = make_engine(store, clock)
    seq = emit(store, tenant, "candidate.updated", "c-1")
    assert [o.code for o in deliver_all(engine)] == [500]
    first = deliveries(store, tenant, endpoint)[seq]
    assert first.status == "pending" and first.next_attempt_at == int((T0 + 10) * 1000)
    assert first.last_error == "HTTP 500"
    clock.now += 9
    assert deliver_all(engine) == []  # not due yet
    clock.now += 1
    assert [o.code for o in deliver_all(engine)] == [503]
    second = deliveries(store, tenant, endpoint)[seq]
    assert second.next_attempt_at == int((T0 + 10 + 20) * 1000)  # the wait doubled
    clock.now += 20
    assert [o.code for o in deliver_all(engine)] == [200]
    done = deliveries(store, tenant, endpoint)[seq]
    assert (done.status, done.attempts, done.last_error) == ("delivered", 3, None)
    with store.db.read() as conn:
        assert [a.code for a in webhooks.list_attempts(conn, tenant.id, done.id)] == [
            500, 503, 200]


def test_giving_up_fails_the_delivery_and_disables_the_endpoint(store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    receiver.script = [500, 500]
    clock = Clock()
    engine = make_engine(store, clock, retry=Backoff(10.0, 2.0, None, 2))
    seq = emit(store, tenant, "candidate.updated", "c-1")
    deliver_all(engine)
    clock.now += 10
    deliver_all(engine)
    assert deliveries(store, tenant, endpoint)[seq].status == "failed"
    with store.db.read() as conn:
        off = webhooks.get_endpoint(conn, tenant.id, endpoint.id)
    assert off is not None and not off.enabled
    assert off.disabled_reason is not None and "failed 2 times" in off.disabled_reason
    assert "HTTP 500" in off.disabled_reason
    later = emit(store, tenant, "candidate.updated", "c-1")
    assert deliver_all(engine) == []  # a disabled endpoint gets nothing
    with store.db.write() as conn:
        webhooks.update_endpoint(conn, tenant.id, endpoint.id, now_ms=0, enabled=True)
    # Enabled again: what happened meanwhile arrives (the failed one waits for a replay).
    assert [o.code for o in deliver_all(engine)] == [200]
    assert deliveries(store, tenant, endpoint)[later].status == "delivered"
    with store.db.write() as conn:
        assert webhooks.replay_delivery(conn, tenant.id, deliveries(
            store, tenant, endpoint)[seq].id, now_ms=int(clock.now * 1000))
    assert [o.code for o in deliver_all(engine)] == [200]
    assert deliveries(store, tenant, endpoint)[seq].status == "delivered"


def test_retry_after_lengthens_the_wait_never_shortens_it(store, tenant):
    asked = ["600", "0"]

    async def busy(request: Request) -> Response:
        return Response(status_code=503, headers={"retry-after": asked.pop(0)})

    with serve(Starlette(routes=[Route("/hook", busy, methods=["POST"])])) as url:
        endpoint, _ = add_endpoint(store, tenant, f"{url}/hook")
        clock = Clock()
        engine = make_engine(store, clock, retry=Backoff(10.0, 2.0, 3600.0, 5))
        seq = emit(store, tenant, "candidate.updated", "c-1")
        [outcome] = deliver_all(engine)
        assert outcome.retry_after_s == 600
        assert deliveries(store, tenant, endpoint)[seq].next_attempt_at == int(
            (T0 + 600) * 1000)
        clock.now += 600
        deliver_all(engine)  # "Retry-After: 0": the policy's 20 s all the same
        assert deliveries(store, tenant, endpoint)[seq].next_attempt_at == int(
            (T0 + 620) * 1000)


def test_a_retry_after_in_other_digits_is_no_wait_and_the_answer_is_recorded(store, tenant):
    """"²" is a digit to str.isdigit, not to float(): read as seconds it raised in the sender
    thread, so the answer (a 200 as much as a 503) was never recorded and the delivery was
    sent again each time its claim ran out, never counted (found on the attacker review)."""
    codes = [503, 200]

    async def odd(request: Request) -> Response:
        return Response(status_code=codes.pop(0), headers={"retry-after": "\u00b2"})

    with serve(Starlette(routes=[Route("/hook", odd, methods=["POST"])])) as url:
        endpoint, _ = add_endpoint(store, tenant, f"{url}/hook")
        clock = Clock()
        engine = make_engine(store, clock)
        seq = emit(store, tenant, "candidate.updated", "c-1")
        [outcome] = deliver_all(engine)
        assert (outcome.code, outcome.retry_after_s) == (503, None)
        assert deliveries(store, tenant, endpoint)[seq].next_attempt_at == int(
            (T0 + 10) * 1000)  # the policy's first wait
        clock.now += 10
        [outcome] = deliver_all(engine)
        assert outcome.delivered and deliveries(store, tenant, endpoint)[seq].status == \
            "delivered"


def test_the_default_retry_policy_spans_more_than_three_days():
    from recruitlink.settings import Settings

    policy = Settings().webhook_retry
    assert policy.attempts is not None
    waited = sum(policy.delay(n) for n in range(1, policy.attempts))
    assert waited >= 3 * 86400 and policy.gives_up(policy.attempts)


def test_one_records_deliveries_leave_in_order(store, tenant, receiver):
    add_endpoint(store, tenant, receiver.url)
    receiver.script = [500]
    clock = Clock()
    engine = make_engine(store, clock)
    a1 = emit(store, tenant, "candidate.updated", "A", {"n": 1})
    a2 = emit(store, tenant, "candidate.updated", "A", {"n": 2})
    b1 = emit(store, tenant, "candidate.updated", "B", {"n": 1})
    engine.dispatch()
    claims = engine.claim(50)
    assert [c.event.seq for c in claims] == [a1, b1]  # A's second waits for its first
    for claim in claims:
        engine.deliver(claim)  # A's first fails (500), B's goes
    assert engine.claim(50) == []  # A's second still waits: its first is retrying
    clock.now += 10
    assert [o.code for o in deliver_all(engine)] == [200]
    assert [o.code for o in deliver_all(engine)] == [200]
    order = [json.loads(p.body)["id"] for p in receiver.wait_for(4)]
    assert order == [f"evt_{a1}", f"evt_{b1}", f"evt_{a1}", f"evt_{a2}"]


def test_a_claim_runs_out_and_the_delivery_is_taken_again(store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    clock = Clock()
    engine = make_engine(store, clock, claim_s=30.0)
    seq = emit(store, tenant, "candidate.updated", "c-1")
    engine.dispatch()
    [lost] = engine.claim(10)  # its worker dies here
    assert engine.claim(10) == []
    clock.now += 30
    [again] = engine.claim(10)
    assert again.event.seq == seq and again.token != lost.token
    # The dead worker's late failure does not overrule the new claim.
    from recruitlink.hooks.sender import Outcome

    engine.record(lost, Outcome(None, 5, "timed out"))
    assert deliveries(store, tenant, endpoint)[seq].attempts == 0
    engine.deliver(again)
    assert deliveries(store, tenant, endpoint)[seq].status == "delivered"


def test_an_endpoint_deleted_while_its_delivery_is_out_leaves_nothing_behind(
        store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    engine = make_engine(store, Clock())
    emit(store, tenant, "candidate.updated", "c-1")
    engine.dispatch()
    [claim] = engine.claim(10)
    with store.db.write() as conn:
        assert webhooks.delete_endpoint(conn, tenant.id, endpoint.id)
    from recruitlink.hooks.sender import Outcome

    engine.record(claim, Outcome(200, 4, None))  # the POST came back after the delete
    with store.db.read() as conn:
        assert conn.execute(webhook_attempts.select()).all() == []


def test_a_delivery_row_already_there_does_not_stop_the_round(store, tenant, receiver):
    """A row for (endpoint, event) written by someone else first (a concurrent writer, a
    replay): the dispatch skips it, still moves the cursor and writes the others."""
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    engine = make_engine(store, Clock())
    seqs = [emit(store, tenant, "candidate.updated", f"c-{n}") for n in range(3)]
    with store.db.write() as conn:
        conn.execute(webhook_deliveries.insert().values(
            tenant_id=tenant.id, endpoint_id=endpoint.id, event_seq=seqs[1],
            record_key="candidate:c-1", status="pending", attempts=0,
            next_attempt_at=int(T0 * 1000), created_at=int(T0 * 1000)))
    assert engine.dispatch() == 2  # the two that were missing
    with store.db.read() as conn:
        assert webhooks.get_endpoint(conn, tenant.id, endpoint.id).cursor == seqs[-1]
    assert engine.dispatch() == 0  # nothing left behind the cursor
    assert [o.code for o in deliver_all(engine)] == [200, 200, 200]
    assert {d.event_seq: d.status for d in deliveries(store, tenant, endpoint).values()} == {
        seq: "delivered" for seq in seqs}
    assert sorted(p.headers["webhook-id"] for p in receiver.wait_for(3)) == sorted(
        f"evt_{seq}" for seq in seqs)


def test_concurrent_dispatchers_and_claimers_never_double_up(store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    for n in range(40):
        emit(store, tenant, "candidate.updated", f"c-{n}")
    engines = [make_engine(store, Clock(), per_endpoint=100) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    claimed: list[list[int]] = []

    def work(engine):
        barrier.wait()
        engine.dispatch()
        claimed.append([c.delivery_id for c in engine.claim(15)])

    threads = [threading.Thread(target=work, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(claimed) == 4
    # A claimer that ran before the others' dispatch committed found less: the rest is left.
    claimed.append([c.delivery_id for c in engines[0].claim(40)])
    ids = [i for batch in claimed for i in batch]
    assert len(ids) == len(set(ids)) == 40
    assert len(deliveries(store, tenant, endpoint)) == 40  # each event once


def test_finished_deliveries_are_purged_after_the_keep_days(store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    receiver.script = [500]
    clock = Clock()
    engine = make_engine(store, clock, keep_days=1.0)
    delivered = emit(store, tenant, "candidate.updated", "c-1")
    retrying = emit(store, tenant, "candidate.updated", "c-2")
    deliver_all(engine)  # c-1's fails first (500), c-2's is delivered
    clock.now += 10
    deliver_all(engine)
    clock.now += 86_400 + 60
    fresh = emit(store, tenant, "candidate.updated", "c-3")
    deliver_all(engine)
    assert set(deliveries(store, tenant, endpoint)) == {delivered, retrying, fresh}
    assert engine.purge() == 2  # both finished a day ago; the fresh one stays
    assert set(deliveries(store, tenant, endpoint)) == {fresh}
    with store.db.read() as conn:
        assert len(conn.execute(webhook_attempts.select()).all()) == 1


def test_redirects_are_not_followed(store, tenant, receiver):
    add_endpoint(store, tenant, receiver.url)
    receiver.script = [302]
    engine = make_engine(store, Clock())
    emit(store, tenant, "candidate.updated", "c-1")
    [outcome] = deliver_all(engine)
    assert outcome.code == 302 and outcome.error is not None and "redirect" in outcome.error
    assert len(receiver.received) == 1


def test_a_slow_endpoint_delays_no_other(store, tenant, receiver):
    release = threading.Event()

    async def hang(request: Request) -> Response:
        while not release.is_set():  # longer than the test would wait for the fast one
            await asyncio.sleep(0.05)
        return Response(status_code=200)

    app = Starlette(routes=[Route("/hook", hang, methods=["POST"])])
    with serve(app) as slow_url:
        slow, _ = add_endpoint(store, tenant, f"{slow_url}/hook")  # first: older deliveries
        add_endpoint(store, tenant, receiver.url)
        worker = DeliveryWorker(make_engine(store, time.time, timeout_s=60.0, per_endpoint=2,
                                            senders=4), idle_s=0.05)
        for n in range(30):  # a backlog for both, the slow endpoint's first in line
            emit(store, tenant, "candidate.updated", f"c-{n}")
        worker.start()
        try:
            receiver.wait_for(30, timeout=30)
            # All the while the slow endpoint held two senders and nothing of it finished.
            with store.db.read() as conn:
                assert in_flight(conn, int(time.time() * 1000))[slow.id] == 2
                pending = webhooks.list_deliveries(conn, tenant.id, slow.id, limit=100)
            assert [d.status for d in pending] == ["pending"] * 30
            assert all(d.attempts == 0 for d in pending)
        finally:
            release.set()
            worker.stop()
