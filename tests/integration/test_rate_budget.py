"""The shared rate budget, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from recruitlink.core.limits import Limit
from recruitlink.errors import Stopped
from recruitlink.linkedin.budget import RateBudget
from recruitlink.linkedin.http import retry_after_s


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def budget(store, clock, **limits) -> RateBudget:
    return RateBudget(store.db, "app-1", {"atsCandidates": Limit(**limits)},
                      window_ms=60_000, clock=clock, sleep=clock.advance)


def test_records_per_sliding_minute(store):
    clock = FakeClock()
    b = budget(store, clock, per_day=None, per_minute=250)
    assert b.try_acquire("atsCandidates", 100) == 0
    clock.advance(10)
    assert b.try_acquire("atsCandidates", 100) == 0
    assert b.try_acquire("atsCandidates", 100) == pytest.approx(50.0)  # first frees at 60 s
    clock.advance(50)
    assert b.try_acquire("atsCandidates", 100) == 0
    with pytest.raises(ValueError, match="smaller calls"):
        b.try_acquire("atsCandidates", 251)
    assert b.try_acquire("unthrottled", 10_000) == 0


def test_requests_per_day_and_blocks(store):
    clock = FakeClock()
    b = budget(store, clock, per_day=2, per_minute=None)
    assert b.try_acquire("atsCandidates", 1) == 0
    assert b.try_acquire("atsCandidates", 1) == 0
    assert b.try_acquire("atsCandidates", 1) > 0  # until UTC midnight
    other = budget(store, clock, per_day=None, per_minute=None)
    other.client_id = "app-2"
    assert other.try_acquire("atsCandidates", 1) == 0  # budgets are per app
    other.block("atsCandidates", 30)
    assert other.try_acquire("atsCandidates", 1) == pytest.approx(30.0)
    # A second process with the same app sees the block too.
    third = budget(store, clock, per_day=None, per_minute=None)
    third.client_id = "app-2"
    assert third.try_acquire("atsCandidates", 1) == pytest.approx(30.0)
    third.acquire("atsCandidates", 1)  # sleeps (fake clock) through the block
    assert third.waited_s >= 30


def test_acquire_can_be_stopped_while_waiting(store):
    clock = FakeClock()
    b = budget(store, clock, per_day=None, per_minute=1)
    b.acquire("atsCandidates", 1)
    with pytest.raises(Stopped):
        b.acquire("atsCandidates", 1, should_stop=lambda: True)


def test_concurrent_processes_never_overspend_a_window(store):
    clock = FakeClock()
    granted: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = RateBudget(store.db, "app-1", {"atsCandidates": Limit(None, 500)},
                          window_ms=60_000, clock=clock, sleep=lambda _s: None)
        while mine.try_acquire("atsCandidates", 7) == 0:
            with lock:
                granted.append(7)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(granted) == 497  # 71 calls of 7: as many as fit in 500, never more


@pytest.mark.parametrize(("header", "blocked_s"), [
    ("1e999", 60.0), ("inf", 60.0), ("nan", 60.0), ("9" * 30, 86_400.0), ("-5", 0.0)])
def test_a_429_with_an_absurd_retry_after_blocks_for_a_sane_time(store, header: str,
                                                                  blocked_s: float) -> None:
    """A Retry-After of "1e999" or "inf" was read as infinity (math.ceil raised in `block`)
    and one of 30 nines overflowed the block's BIGINT: every such 429 raised instead of
    holding the family. Non-finite is no Retry-After (the 60 s default), and the longest
    wait kept is a day (found on the attacker review)."""
    clock = FakeClock()
    b = budget(store, clock, per_day=None, per_minute=None)
    b.block("atsCandidates", retry_after_s(header))
    assert b.try_acquire("atsCandidates", 1) == pytest.approx(blocked_s)
