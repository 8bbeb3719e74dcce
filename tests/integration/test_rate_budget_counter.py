"""The rate budget's and the sandbox throttle's window counters (constant cost per call): the
counter always equals the reservations it stands for, rows written without it are counted,
and a counter that disagrees with its rows is corrected, never trusted into a wait."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, func, insert, select

from recruitlink.core.limits import Limit
from recruitlink.linkedin.budget import RateBudget, next_send_ms
from recruitlink.sandbox import store as sandbox_store
from recruitlink.sandbox.api.throttle import Throttles
from recruitlink.sandbox.errors import ApiError
from recruitlink.store import schema

FAMILY = "atsCandidates"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def rows_and_counter(store, client_id: str) -> tuple[int, int | None]:
    e, w = schema.rate_events.c, schema.rate_windows.c
    with store.reader() as conn:
        rows = conn.execute(select(func.coalesce(func.sum(e.records), 0)).where(
            e.client_id == client_id, e.family == FAMILY)).scalar()
        counter = conn.execute(select(w.records).where(
            w.client_id == client_id, w.family == FAMILY)).scalar()
    return int(rows), counter


def test_the_counter_follows_the_rows_through_grants_refusals_and_expiry(store):
    clock, rng = Clock(), random.Random(3)
    budget = RateBudget(store.db, "app-1", {FAMILY: Limit(None, 40)}, window_ms=10_000,
                        clock=clock, sleep=lambda _s: None)
    granted = refused = 0
    for _ in range(300):
        clock.now += rng.choice((0.0, 0.2, 0.7, 3.0))
        if budget.try_acquire(FAMILY, rng.randint(1, 9)) == 0:
            granted += 1
        else:
            refused += 1
        rows, counter = rows_and_counter(store, "app-1")
        assert counter == rows
        assert rows <= 40  # expired rows are dropped: what is left is the window
    assert granted > 50 and refused > 50


def test_reservations_made_before_the_counter_are_counted(store):
    # As after the migration on a database whose rows have no counter yet.
    with store.db.write() as conn:
        conn.execute(insert(schema.rate_events), [
            {"client_id": "app-1", "family": FAMILY, "at_ms": 1_700_000_000_000 - 1000 * n,
             "records": 10} for n in range(5)])
    clock = Clock()
    budget = RateBudget(store.db, "app-1", {FAMILY: Limit(None, 60)}, window_ms=60_000,
                        clock=clock, sleep=lambda _s: None)
    with store.reader() as conn:
        assert next_send_ms(conn, "app-1", FAMILY, 20, 1_700_000_000_000,
                            Limit(None, 60), 60_000) == (1_700_000_000_000 + 56_000, "minute")
    assert budget.try_acquire(FAMILY, 10) == 0
    # The oldest reservation (4 s ago) frees its 10 records at 56 s from now.
    assert budget.try_acquire(FAMILY, 10) == pytest.approx(56.0)
    assert rows_and_counter(store, "app-1") == (60, 60)


def test_a_counter_above_its_rows_is_recounted_not_waited_on(store):
    clock = Clock()
    budget = RateBudget(store.db, "app-1", {FAMILY: Limit(None, 50)}, window_ms=60_000,
                        clock=clock, sleep=lambda _s: None)
    for _ in range(5):
        assert budget.try_acquire(FAMILY, 10) == 0
    with store.db.write() as conn:  # someone clears the reservations by hand
        conn.execute(delete(schema.rate_events))
    with store.reader() as conn:
        assert next_send_ms(conn, "app-1", FAMILY, 10, int(clock.now * 1000),
                            Limit(None, 50), 60_000)[1] == ""
    assert budget.try_acquire(FAMILY, 10) == 0
    assert rows_and_counter(store, "app-1") == (10, 10)


def test_the_sandbox_throttle_counts_its_minute_and_says_when_to_retry(tmp_path):
    box = sandbox_store.Store(str(tmp_path / "linkedin.db"))
    throttles = Throttles(records_per_minute=30, requests_per_day=None)
    now = 1_700_000_000_000

    def charge(records: int, at: int, app_id: int = 1) -> None:
        with box.tx() as conn:
            throttles.charge(conn, app_id, FAMILY, records, at)

    def counted(app_id: int = 1) -> tuple[int, int]:
        m, w = sandbox_store.throttle_minute.c, sandbox_store.throttle_window.c
        with box.tx() as conn:
            rows = conn.execute(select(func.coalesce(func.sum(m.records), 0)).where(
                m.app_id == app_id, m.family == FAMILY)).scalar()
            counter = conn.execute(select(w.records).where(
                w.app_id == app_id, w.family == FAMILY)).scalar()
        return int(rows), int(counter)

    try:
        charge(10, now)
        charge(15, now + 20_000)
        with pytest.raises(ApiError) as refused:
            charge(10, now + 30_000)  # 35 > 30: the first 10 slide out at +60 s
        assert refused.value.status == 429
        assert refused.value.headers == {"Retry-After": "30"}
        assert counted() == (25, 25)  # a refused request consumes nothing
        charge(10, now + 30_000, app_id=2)  # throttles are per app
        charge(10, now + 60_000)  # the first slid out
        assert counted() == (25, 25)
        # Rows from a sandbox file made before the counter: counted once, then followed.
        with box.tx() as conn:
            conn.execute(delete(sandbox_store.throttle_window))
        charge(5, now + 61_000)
        assert counted() == (30, 30)
    finally:
        box.close()
