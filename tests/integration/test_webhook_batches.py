"""The delivery engine's batches (recruitlink.hooks), on SQLite and PostgreSQL: the outcomes
of several sends written in one transaction, each as it would be alone (delivered, retried,
given up, dropped with its deleted endpoint, ignored once another worker took the claim
over); the worker's recorder, which writes what finished together in one batch and counts a
claim busy until its outcome is written; and claims of several endpoints in one statement,
within each endpoint's cap and each record's order, checked again as they are taken."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import event, select, update

from recruitlink.core.backoff import Backoff
from recruitlink.hooks.engine import DISPATCH_BATCH
from recruitlink.hooks.recorder import OutcomeRecorder
from recruitlink.hooks.sender import Outcome
from recruitlink.hooks.worker import DeliveryWorker
from recruitlink.store import host_events, webhooks
from recruitlink.store import webhook_deliveries as queue
from recruitlink.store.schema import webhook_attempts, webhook_deliveries
from recruitlink.store.webhook_deliveries import Claim
from tests.integration.test_webhook_delivery import (  # noqa: F401 (the autouse fixture too)
    Clock,
    _real_time_now,
    add_endpoint,
    deliver_all,
    deliveries,
    emit,
    make_engine,
)


@contextmanager
def write_transactions(store) -> Iterator[list[int]]:
    """Counts the transactions committed meanwhile (one item each; reads roll back)."""
    committed: list[int] = []

    def on_commit(conn) -> None:
        committed.append(1)

    event.listen(store.db.write_engine, "commit", on_commit)
    try:
        yield committed
    finally:
        event.remove(store.db.write_engine, "commit", on_commit)


def claimed_until(store, delivery_id: int) -> int | None:
    d = webhook_deliveries.c
    with store.db.read() as conn:
        return conn.execute(select(d.claimed_until).where(d.id == delivery_id)).scalar()


def test_a_batch_of_mixed_outcomes_is_written_in_one_transaction(store, tenant, receiver):
    kept, _ = add_endpoint(store, tenant, receiver.url)
    doomed, _ = add_endpoint(store, tenant, receiver.url + "?doomed")
    deleted, _ = add_endpoint(store, tenant, receiver.url + "?deleted")
    clock = Clock()
    engine = make_engine(store, clock, retry=Backoff(10.0, 2.0, None, 2), per_endpoint=10)
    seqs = [emit(store, tenant, "candidate.updated", f"c-{n}") for n in range(4)]
    engine.dispatch()
    claims = engine.claim(50)
    by_endpoint: dict[int, list[Claim]] = {}
    for claim in claims:
        by_endpoint.setdefault(claim.endpoint_id, []).append(claim)
    assert sorted(len(c) for c in by_endpoint.values()) == [4, 4, 4]
    ok, retried, late, taken = by_endpoint[kept.id]
    d = webhook_deliveries.c
    with store.db.write() as conn:
        # The doomed endpoint's first delivery was tried once before: this try gives up.
        conn.execute(update(webhook_deliveries).where(
            d.id == by_endpoint[doomed.id][0].delivery_id).values(attempts=1))
        # Two claims ran out and other workers took them over.
        for claim in (late, taken):
            conn.execute(update(webhook_deliveries).where(d.id == claim.delivery_id).values(
                claimed_until=claim.token + 1))
        assert webhooks.delete_endpoint(conn, tenant.id, deleted.id)
    given_up = replace(by_endpoint[doomed.id][0], attempts=1)
    outcomes = [(ok, Outcome(204, 3, None)), (retried, Outcome(500, 4, "HTTP 500")),
                (given_up, Outcome(None, 5, "timed out")),
                (taken, Outcome(503, 6, "HTTP 503")),
                (late, Outcome(200, 7, None))]  # delivered, though no longer its claim
    outcomes += [(c, Outcome(200, 8, None)) for c in by_endpoint[deleted.id]]
    with write_transactions(store) as begun:
        engine.record_many(outcomes)
    assert len(begun) == 1
    log = deliveries(store, tenant, kept)
    status = {seq: (d.status, d.attempts, d.last_code, d.last_error) for seq, d in log.items()}
    assert status[seqs[0]] == ("delivered", 1, 204, None)
    assert status[seqs[1]] == ("pending", 1, 500, "HTTP 500")
    assert log[seqs[1]].next_attempt_at == int((clock.now + 10) * 1000)
    assert status[seqs[2]] == ("delivered", 1, 200, None)
    assert status[seqs[3]] == ("pending", 0, None, None)  # the other worker's to record
    assert claimed_until(store, taken.delivery_id) == taken.token + 1
    with store.db.read() as conn:
        off = webhooks.get_endpoint(conn, tenant.id, doomed.id)
        attempts = conn.execute(webhook_attempts.select()).all()
    assert off is not None and not off.enabled
    assert off.disabled_reason is not None and "timed out" in off.disabled_reason
    failed = deliveries(store, tenant, doomed)[given_up.event.seq]
    assert (failed.status, failed.attempts) == ("failed", 2)
    # Every attempt made is in the log (the taken-over one's too), but the deleted
    # endpoint's: they went with it.
    assert sorted(a.code or 0 for a in attempts) == [0, 200, 204, 500, 503]


def test_the_recorder_writes_what_finished_together_in_one_batch(store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    engine = make_engine(store, Clock())
    for n in range(3):
        emit(store, tenant, "candidate.updated", f"c-{n}")
    engine.dispatch()
    claims = engine.claim(10)
    assert len(claims) == 3
    batches: list[int] = []
    written = threading.Event()

    def write(batch) -> None:
        batches.append(len(batch))
        engine.record_many(batch)

    # A long coalescing wait: the batch is written when no send is left out, not before.
    recorder = OutcomeRecorder(write, written.set, coalesce_s=60.0)
    recorder.expect(len(claims))
    outcomes = [(claim, engine.send(claim)) for claim in claims]
    recorder.add(*outcomes[0])
    recorder.add(*outcomes[1])
    assert recorder.open == 3 and not written.wait(0.2)  # the third is still out
    recorder.add(*outcomes[2])
    assert written.wait(30)
    recorder.close()
    assert batches == [3] and recorder.open == 0
    assert {d.status for d in deliveries(store, tenant, endpoint).values()} == {"delivered"}


def test_a_closing_recorder_writes_what_waits_and_dropped_claims_free_their_senders(
        store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    engine = make_engine(store, Clock())
    for n in range(2):
        emit(store, tenant, "candidate.updated", f"c-{n}")
    engine.dispatch()
    sent, never = engine.claim(10)
    woken: list[int] = []
    recorder = OutcomeRecorder(engine.record_many, lambda: woken.append(1), coalesce_s=60.0)
    recorder.expect(2)
    recorder.add(sent, engine.send(sent))  # waits for the other one...
    recorder.drop()  # ...which ends with nothing to write (its claim will run out)
    recorder.close()
    assert recorder.open == 0 and woken
    log = deliveries(store, tenant, endpoint)
    assert log[sent.event.seq].status == "delivered"
    assert (log[never.event.seq].status, log[never.event.seq].attempts) == ("pending", 0)


def test_one_round_claims_for_several_endpoints_within_their_caps_and_record_order(
        store, tenant, receiver):
    endpoints = [add_endpoint(store, tenant, f"{receiver.url}?n={n}")[0] for n in range(3)]
    engine = make_engine(store, Clock(), per_endpoint=2)
    a1 = emit(store, tenant, "candidate.updated", "A")
    emit(store, tenant, "candidate.updated", "A")  # waits for A's first, per endpoint
    b1 = emit(store, tenant, "candidate.updated", "B")
    c1 = emit(store, tenant, "candidate.updated", "C")
    engine.dispatch()
    [busy] = [c for c in engine.claim(1) if c.endpoint_id == endpoints[0].id]  # 1 in flight
    assert busy.event.seq == a1
    with write_transactions(store) as begun:
        claims = engine.claim(50)
    assert len(begun) == 1  # the candidates read, then one write
    got = {e.id: [c.event.seq for c in claims if c.endpoint_id == e.id] for e in endpoints}
    assert got == {endpoints[0].id: [b1],  # one more: its cap is two
                   endpoints[1].id: [a1, b1], endpoints[2].id: [a1, b1]}
    assert len({c.token for c in claims}) == 1
    # A third round finds every endpoint full: no write at all.
    with write_transactions(store) as begun:
        assert engine.claim(50) == []
    assert begun == []
    assert c1 not in {c.event.seq for c in claims}


def test_what_changed_since_the_candidates_were_read_is_not_claimed(store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    other, _ = add_endpoint(store, tenant, receiver.url + "?other")
    clock = Clock()
    engine = make_engine(store, clock)
    first = emit(store, tenant, "candidate.updated", "A")
    deliver_all(engine)  # A's first delivered to both
    second = emit(store, tenant, "candidate.updated", "A")
    engine.dispatch()
    now = int(clock.now * 1000)
    with store.db.read() as conn:
        candidates = queue.due(conn, now_ms=now, limit=10, per_endpoint=4)
    assert sorted(c.id for c in candidates) == sorted(
        deliveries(store, tenant, e)[second].id for e in (endpoint, other))
    with store.db.write() as conn:
        # Meanwhile: A's first is replayed to one endpoint (A's second must wait for it
        # again), the other endpoint is disabled.
        assert webhooks.replay_delivery(conn, tenant.id, deliveries(
            store, tenant, endpoint)[first].id, now_ms=now)
        webhooks.update_endpoint(conn, tenant.id, other.id, now_ms=now, enabled=False)
    with store.db.write() as conn:
        assert queue.claim_due(conn, candidates, now_ms=now, limit=10, per_endpoint=4,
                               claim_ms=30_000) == []
    assert [c.event.seq for c in engine.claim(10)] == [first]  # the replay, first


def test_a_round_goes_again_at_once_only_when_more_may_be_waiting(store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url)
    worker = DeliveryWorker(make_engine(store, Clock(), senders=2), idle_s=60.0)
    for n in range(3):
        emit(store, tenant, "candidate.updated", f"c-{n}")
    try:
        assert worker.run_once()  # both senders given a claim: the third is waiting
        assert worker.drain(30) and worker.busy == 0  # busy until recorded
        assert not worker.run_once()  # the third: a free sender left, nothing else due
        assert worker.drain(30)
        assert not worker.run_once()
    finally:
        worker.stop()
    assert {d.status for d in deliveries(store, tenant, endpoint).values()} == {"delivered"}


def test_a_full_batch_of_events_nobody_subscribed_to_still_means_more_may_be_waiting(
        store, tenant, receiver):
    endpoint, _ = add_endpoint(store, tenant, receiver.url, types=["note.created"])
    with store.db.write() as conn:
        for n in range(DISPATCH_BATCH + 1):
            host_events.emit(conn, tenant.id, "candidate.updated", f"c-{n}", {})
    worker = DeliveryWorker(make_engine(store, Clock()), idle_s=60.0)
    try:
        assert worker.run_once()  # a batch read, nothing written: the rest waits
        assert not worker.run_once()
    finally:
        worker.stop()
    with store.db.read() as conn:
        got = webhooks.get_endpoint(conn, tenant.id, endpoint.id)
        assert got is not None and got.cursor == host_events.head(conn, tenant.id)
