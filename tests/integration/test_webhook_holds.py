"""An endpoint that does not answer is held, in its row (store/webhook_deliveries.py), on
SQLite and PostgreSQL: after one delivery fails to connect (a port that refuses), the
endpoint's other deliveries wait for that one's retry and then only it is tried, once per
retry round, by whichever worker; when the endpoint listens again every delivery arrives, in
order per record, none twice. The held delivery's retries grow and give up as before."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import json
import time
from collections import Counter

from sqlalchemy import func, select

from recruitlink.core.backoff import Backoff
from recruitlink.core.host_events import timestamp
from recruitlink.crypto import SecretBox
from recruitlink.hooks.engine import DeliveryEngine, DeliveryPolicy
from recruitlink.hooks.sender import Outcome
from recruitlink.hooks.shapes import endpoint_json
from recruitlink.runtime.servers import url_of
from recruitlink.store import host_events, webhooks
from recruitlink.store.schema import webhook_attempts
from tests.support.keys import TEST_SECRET_KEY
from tests.support.servers import (  # noqa: F401  (refused is a fixture)
    PushReceiver,
    listening,
    refused,
    serve,
)

BOX = SecretBox(TEST_SECRET_KEY)


class Clock:
    def __init__(self) -> None:
        self.now = float(int(time.time()))  # signatures are checked against the real time

    def __call__(self) -> float:
        return self.now


def engine_for(store, clock, attempts: int = 6) -> DeliveryEngine:
    return DeliveryEngine(store, BOX, DeliveryPolicy(retry=Backoff(10.0, 2.0, None, attempts),
                                                     per_endpoint=4), clock=clock)


def subscribe(store, tenant, url: str, clock: Clock) -> webhooks.Endpoint:
    with store.db.write() as conn:
        endpoint, _ = webhooks.create_endpoint(conn, BOX, tenant.id, url=url, types=[],
                                               now_ms=int(clock.now * 1000))
    return endpoint


def emit_records(store, tenant, clock: Clock, records: str, per_record: int) -> list[int]:
    with store.db.write() as conn:
        return [host_events.emit(conn, tenant.id, "candidate.updated", record, {"n": n},
                                 at_ms=int(clock.now * 1000))
                for n in range(per_record) for record in records]


def round_(engine: DeliveryEngine) -> list[Outcome]:
    """One retry round: dispatch, claim what is due, send each, record each."""
    engine.dispatch()
    return [engine.deliver(claim) for claim in engine.claim(50)]


def tries(store) -> int:
    with store.db.read() as conn:
        return int(conn.execute(select(func.count()).select_from(webhook_attempts)).scalar_one())


def endpoint_now(store, tenant, endpoint_id: int) -> webhooks.Endpoint:
    with store.db.read() as conn:
        found = webhooks.get_endpoint(conn, tenant.id, endpoint_id)
    assert found is not None
    return found


def test_a_down_endpoint_gets_one_try_per_round_then_everything_in_order_once(
        store, tenant, refused):
    clock = Clock()
    url = f"{url_of(refused)}/hook"
    endpoint = subscribe(store, tenant, url, clock)
    seqs = emit_records(store, tenant, clock, "ABCDEF", per_record=3)  # 18 deliveries
    engine, other_worker = engine_for(store, clock), engine_for(store, clock)

    first = round_(engine)  # the deliveries already out when the first one fails: 4
    assert len(first) == 4 and all(o.code is None and o.error for o in first)
    held = endpoint_now(store, tenant, endpoint.id)
    assert held.held_until == int((clock.now + 10) * 1000) and held.held(int(clock.now * 1000))
    clock.now += 5
    assert round_(engine) == [] and round_(other_worker) == []  # held, for every worker

    waits = [10, 20, 40]  # the held delivery's waits grow as any retry's
    clock.now += 5
    for wait in waits:
        before = tries(store)
        assert len(round_(other_worker)) == 1 and tries(store) == before + 1  # one try
        assert round_(engine) == []
        until = endpoint_now(store, tenant, endpoint.id).held_until
        assert until == int((clock.now + wait * 2) * 1000)
        clock.now += wait * 2
    probe = endpoint_now(store, tenant, endpoint.id).held_by
    with store.db.read() as conn:
        pending = webhooks.list_deliveries(conn, tenant.id, endpoint.id, limit=100)
    burned = {d.id: d.attempts for d in pending if d.attempts}
    assert burned[probe] == 4 and sorted(burned.values()) == [1, 1, 1, 4]

    receiver = PushReceiver()
    with serve(receiver.app(), sock=listening(refused)):
        rounds = 0
        while (outcomes := round_(engine)) or rounds == 0:
            assert all(o.delivered for o in outcomes)
            rounds += 1
            assert rounds < 20
        pushes = receiver.wait_for(len(seqs))
    assert endpoint_now(store, tenant, endpoint.id).held_until is None
    ids = [json.loads(p.body)["id"] for p in pushes]
    assert Counter(ids) == Counter(f"evt_{s}" for s in seqs)  # every one, none twice
    bodies = [json.loads(p.body) for p in pushes]
    with store.db.read() as conn:
        events = {e.seq: e for e in host_events.read_after(conn, tenant.id, 0, limit=100)}
    for record in "ABCDEF":
        sent = [b["data"]["n"] for b in bodies if events[int(b["cursor"])].subject_id == record]
        assert sent == [0, 1, 2], record
    with store.db.read() as conn:
        statuses = {d.status for d in webhooks.list_deliveries(conn, tenant.id, endpoint.id,
                                                                limit=100)}
    assert statuses == {"delivered"}


def test_the_held_delivery_gives_up_disables_and_enabling_releases(
        store, tenant, refused):
    clock = Clock()
    endpoint = subscribe(store, tenant, f"{url_of(refused)}/hook", clock)
    emit_records(store, tenant, clock, "AB", per_record=2)
    engine = engine_for(store, clock, attempts=3)
    assert len(round_(engine)) == 2  # A's first and B's first
    clock.now += 10
    assert len(round_(engine)) == 1
    clock.now += 20
    assert len(round_(engine)) == 1  # its third try: given up
    off = endpoint_now(store, tenant, endpoint.id)
    assert not off.enabled and off.disabled_reason and "failed 3 times" in off.disabled_reason
    with store.db.write() as conn:
        webhooks.update_endpoint(conn, tenant.id, endpoint.id, now_ms=0, enabled=True)
    assert endpoint_now(store, tenant, endpoint.id).held_until is None
    receiver = PushReceiver()
    with serve(receiver.app(), sock=listening(refused)):
        for _ in range(3):
            round_(engine)
        # The given-up one waits for a replay; the other three arrive.
        assert len(receiver.wait_for(3)) == 3


def test_an_http_error_answer_does_not_hold(store, tenant, receiver):
    clock = Clock()
    endpoint = subscribe(store, tenant, receiver.url, clock)
    receiver.script = [500, 500]
    emit_records(store, tenant, clock, "AB", per_record=1)
    engine = engine_for(store, clock)
    assert [o.code for o in round_(engine)] == [500, 500]
    assert endpoint_now(store, tenant, endpoint.id).held_until is None
    clock.now += 10
    assert [o.code for o in round_(engine)] == [200, 200]


def test_a_replay_releases_the_hold(store, tenant, refused):
    clock = Clock()
    endpoint = subscribe(store, tenant, f"{url_of(refused)}/hook", clock)
    emit_records(store, tenant, clock, "ABC", per_record=1)
    engine = engine_for(store, clock)
    engine.dispatch()
    [claim, *_] = engine.claim(1)
    engine.record(claim, Outcome(None, 3, "ConnectError: refused"))
    assert engine.claim(50) == []
    held = endpoint_now(store, tenant, endpoint.id)
    assert endpoint_json(held)["heldUntil"] == timestamp(int((clock.now + 10) * 1000))
    with store.db.write() as conn:
        assert webhooks.replay_range(conn, tenant.id, endpoint.id, since_ms=0,
                                     until_ms=int(clock.now * 1000) + 1,
                                     now_ms=int(clock.now * 1000)) == 3
    assert len(engine.claim(50)) == 3
    assert endpoint_json(endpoint_now(store, tenant, endpoint.id))["heldUntil"] is None
