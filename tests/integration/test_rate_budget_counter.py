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
from recruitlink.store import rate_budget, schema

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


def test_the_window_holds_few_rows_and_never_more_than_the_limit(store):
    """Many calls in one window share rows (one per slice of BUCKET_MS), so a call reads a
    bounded number of them; against the exact times of the grants the limit still holds at
    every moment, and a wait is never more than a slice longer than the exact one."""
    clock, rng = Clock(), random.Random(7)
    limit, window_ms = 500, 60_000
    budget = RateBudget(store.db, "app-1", {FAMILY: Limit(None, limit)}, window_ms=window_ms,
                        clock=clock, sleep=lambda _s: None)
    granted: list[tuple[int, int]] = []  # (exact ms, records)
    most_rows = 0
    for _ in range(1500):
        clock.now += rng.choice((0.0, 0.001, 0.01, 0.04, 0.3, 2.0))
        now, records = int(clock.now * 1000), rng.randint(1, 9)
        in_window = [(t, r) for t, r in granted if t > now - window_ms]
        used = sum(r for _, r in in_window)
        exact_wait = 0.0
        if used + records > limit:  # when enough of the exact window slides out
            freed, need = 0, used + records - limit
            for t, r in sorted(in_window):
                freed += r
                if freed >= need:
                    exact_wait = (t + window_ms - now) / 1000
                    break
        wait = budget.try_acquire(FAMILY, records)
        if wait == 0:
            granted.append((now, records))
            assert used + records <= limit
        else:
            assert wait <= exact_wait + rate_budget.BUCKET_MS / 1000 + 0.002
        with store.reader() as conn:
            most_rows = max(most_rows, int(conn.execute(select(func.count()).where(
                schema.rate_events.c.client_id == "app-1")).scalar() or 0))
    assert len(granted) > 300
    assert most_rows <= window_ms // rate_budget.BUCKET_MS + 1 < len(granted)


def test_the_sandbox_minute_holds_few_rows(tmp_path):
    box = sandbox_store.Store(str(tmp_path / "linkedin.db"))
    throttles = Throttles(records_per_minute=1000, requests_per_day=None)
    now, charged = 1_700_000_000_000, 0
    try:
        for n in range(900):  # 900 requests in 9 s: 90 slices of 100 ms
            with box.tx() as conn:
                throttles.charge(conn, 1, FAMILY, 1, now + 10 * n)
            charged += 1
        with pytest.raises(ApiError) as refused, box.tx() as conn:
            throttles.charge(conn, 1, FAMILY, 101, now + 9_000)
        # The first slice (10 records) slides out 60 s after its last request, at +90 ms:
        # 51.09 s from now, rounded up (LinkedIn's exact minute would say 51).
        assert refused.value.headers == {"Retry-After": "52"}
        m = sandbox_store.throttle_minute.c
        with box.tx() as conn:
            rows = conn.execute(select(func.count()).where(m.app_id == 1)).scalar()
            usage = throttles.usage(conn, 1, now + 9_000)[FAMILY]
        assert rows == 90
        assert usage["recordsLastMinute"] == charged
    finally:
        box.close()
