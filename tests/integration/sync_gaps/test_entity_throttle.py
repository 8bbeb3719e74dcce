"""Gap 3: an entity answered 429 inside a 200 batch answer blocks the shared rate budget (for
the answer's Retry-After, else the budget's default), so every process backs off."""

from __future__ import annotations

import time

import httpx
import pytest
from sqlalchemy import select

from recruitlink.core.records import Candidate, Job
from recruitlink.linkedin.budget import RateBudget
from recruitlink.store import connections, schema
from tests.integration.sync_gaps.conftest import Seen, answer, candidate_id
from tests.integration.test_sync_engine import DESCRIPTION, connected

THROTTLED = {"status": 429, "serviceErrorCode": 101,
             "message": "Resource level throttle limit reached (test)"}


class ThrottleOne:
    """The first answer of `resource` says one of its entities was throttled."""

    def __init__(self, resource: str, retry_after: str | None) -> None:
        self.resource = resource
        self.retry_after = retry_after
        self.at: float | None = None

    def __call__(self, seen: Seen) -> httpx.Response | None:
        if seen.resource != self.resource or self.at is not None or not seen.answer:
            return None
        self.at = time.time()
        body = seen.answer
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        if self.resource == "simpleJobPostings":
            body["elements"][0] = {"status": 429, "error": THROTTLED}
        else:
            key = next(k for k in body["results"] if candidate_id(k) == "C1")
            del body["results"][key]
            body.setdefault("errors", {})[key] = THROTTLED
        return answer(seen, body, headers=headers)


def blocked_until(store, family: str) -> int | None:
    with store.reader() as conn:
        return conn.execute(select(schema.rate_blocks.c.until_ms).where(
            schema.rate_blocks.c.family == family)).scalar()


def jobs_only(store, tenant_id: int) -> None:
    # Open jobs only: one round of CREATEs, so nothing waits out the block inside the step.
    with store.writer(tenant_id) as w:
        w.records("jobs", [(n, Job(id=f"J{n + 1}", title="Engineer", description=DESCRIPTION,
                                   location="Paris, FR", published_at="2025-01-01T00:00:00Z"))
                           for n in range(2)], mode="create")


def candidates_only(store, tenant_id: int) -> None:
    with store.writer(tenant_id) as w:
        w.records("candidates", [(n, Candidate(id=f"C{n + 1}", first_name="Ada",
                                               last_name=f"L{n}",
                                               emails=[f"ada{n}@example.com"]))
                                 for n in range(3)], mode="create")


@pytest.mark.parametrize(("resource", "retry_after", "expected_s"), [
    ("atsCandidates", "7", 7.0),
    ("atsCandidates", None, 60.0),  # no Retry-After: the budget's default
    ("simpleJobPostings", "5", 5.0),
])
def test_entity_429_blocks_the_shared_budget(store, tenant, li, make_engine, tamper,
                                              resource, retry_after, expected_s):
    if resource == "simpleJobPostings":
        jobs_only(store, tenant.id)
    else:
        candidates_only(store, tenant.id)
    # One attempt per call: the throttled entity is left retryable instead of waiting here.
    engine = make_engine(max_attempts=1)
    connected(store, engine, li, tenant)
    throttle = ThrottleOne(resource, retry_after)
    tamper.after.append(throttle)
    deadline = time.monotonic() + 30
    while throttle.at is None:
        assert time.monotonic() < deadline
        assert engine.step(tenant.id).kind != "error"

    until = blocked_until(store, resource)
    assert until is not None
    assert throttle.at * 1000 + (expected_s - 1) * 1000 <= until
    assert until <= time.time() * 1000 + expected_s * 1000 + 1000
    # Every process sharing the app's budget now waits, not only the throttled record.
    info = connections.load_required(store, tenant.id, engine.box)
    other = RateBudget(store.db, info.client_id or "", engine.settings.limits)
    assert other.try_acquire(resource, 1) > expected_s - 2


def test_throttled_entity_is_sent_again_after_retry_after(store, tenant, li, make_engine,
                                                          tamper):
    candidates_only(store, tenant.id)
    engine = make_engine(max_attempts=4)
    connected(store, engine, li, tenant)
    throttle = ThrottleOne("atsCandidates", "2")
    tamper.after.append(throttle)
    deadline = time.monotonic() + 30
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    assert engine.historical_done(tenant.id)
    calls = tamper.calls("atsCandidates", verb="PUT")
    assert len(calls) == 2
    assert throttle.at is not None
    with store.reader() as conn:
        batch = conn.execute(select(schema.sync_batches).where(
            schema.sync_batches.c.milestone == "candidates")).one()
    assert batch.synced == 3 and batch.retryable == 0
    # The re-send waited for Retry-After, not just the sender's short backoff.
    assert (batch.committed_at or 0) >= throttle.at * 1000 + 1900
