"""A batch's calls reserve their place in the shared rate budget together, in one write,
when they all fit now; a 429 inside the batch still holds its remaining calls back."""

from __future__ import annotations

import time

import pytest

from recruitlink.core.policy import Policy
from recruitlink.core.records import Candidate
from recruitlink.linkedin.budget import RateBudget
from recruitlink.store import connections
from tests.integration.sync_gaps.conftest import set_policy
from tests.integration.sync_gaps.test_entity_throttle import ThrottleOne
from tests.integration.test_sync_engine import connected

CALL = 5


def candidates(store, tenant_id: int, count: int) -> None:
    with store.writer(tenant_id) as w:
        w.records("candidates", [(n, Candidate(id=f"C{n + 1}", first_name="Ada",
                                               last_name=f"L{n}",
                                               emails=[f"ada{n}@example.com"]))
                                 for n in range(count)], mode="create")


@pytest.fixture
def reservations(monkeypatch) -> list[tuple[str, int, int]]:
    """Every reservation written to the budget: (family, records, requests)."""
    made: list[tuple[str, int, int]] = []
    reserve = RateBudget.try_acquire

    def spy(self, family, records, *, share=1.0, requests=1):
        wait = reserve(self, family, records, share=share, requests=requests)
        if wait <= 0:
            made.append((family, records, requests))
        return wait

    monkeypatch.setattr(RateBudget, "try_acquire", spy)
    return made


def test_a_batchs_calls_take_one_reservation(store, tenant, li, make_engine, tamper,
                                            reservations):
    candidates(store, tenant.id, 12)  # three calls of one batch
    engine = make_engine()
    connected(store, engine, li, tenant)
    set_policy(store, tenant.id, Policy(call_size=CALL))
    reservations.clear()
    deadline = time.monotonic() + 30
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    assert engine.historical_done(tenant.id)
    assert len(tamper.calls("atsCandidates", verb="PUT")) == 3
    assert [r for r in reservations if r[0] == "atsCandidates"] == [("atsCandidates", 12, 3)]
    info = connections.load_required(store, tenant.id, engine.box)
    used = RateBudget(store.db, info.client_id or "", engine.settings.limits).usage()
    assert (used["atsCandidates"].records_in_window,
            used["atsCandidates"].requests_today) == (12, 3)


def test_a_429_inside_the_batch_holds_its_other_calls(store, tenant, li, make_engine, tamper,
                                                      reservations):
    candidates(store, tenant.id, 12)
    engine = make_engine(calls_in_flight=1, max_attempts=1)
    connected(store, engine, li, tenant)
    set_policy(store, tenant.id, Policy(call_size=CALL))
    throttle = ThrottleOne("atsCandidates", "2")  # C1's entity, in the first call's answer
    tamper.after.append(throttle)
    sent_at: list[float] = []
    tamper.before.append(lambda seen: sent_at.append(time.time())
                         if seen.resource == "atsCandidates" else None)
    assert engine.step(tenant.id).kind != "error"
    while len(sent_at) < 3:
        assert engine.step(tenant.id).kind != "error"
    assert throttle.at is not None
    # The batch's reservation covered three calls; after the 429 the next one waited for
    # Retry-After (its own reservation), not the reservation's place.
    assert sent_at[1] >= throttle.at + 1.9
    assert ("atsCandidates", 12, 3) in reservations
