"""The tenant lease (sync/lease.py) against the in-memory state: renewed once per batch and
when a third of its time has passed, not before every call."""

from __future__ import annotations

import time

import pytest

from recruitlink.sync.lease import Lease, LeaseLost
from recruitlink.sync.state_memory import MemoryState


def lease(state: MemoryState, owner: str, ttl_s: float) -> Lease:
    return Lease(state, owner, lambda: ttl_s, lambda _seconds: None)


def test_calls_within_a_third_of_the_lease_do_not_renew_it() -> None:
    state = MemoryState()
    mine = lease(state, "A", 60.0)
    assert mine.take(1)
    for _call in range(50):
        mine.keep(1)
    assert state.lease_writes == 1


def test_a_stalled_process_asks_again_before_its_next_call_and_stops() -> None:
    state = MemoryState()
    mine = lease(state, "A", 0.06)
    assert mine.take(1)
    mine.keep(1)
    assert state.lease_writes == 1
    time.sleep(0.1)  # past the lease's time: another process takes it
    assert lease(state, "B", 60.0).take(1)
    with pytest.raises(LeaseLost):
        mine.keep(1)


def test_a_commit_counts_as_a_renewal() -> None:
    state = MemoryState()
    mine = lease(state, "A", 0.3)
    assert mine.take(1)
    time.sleep(0.11)
    mine.committed(1, time.monotonic())
    mine.keep(1)
    assert state.lease_writes == 1


def test_hold_says_who_holds_it_when_it_gives_up() -> None:
    state = MemoryState()
    assert lease(state, "B", 60.0).take(1)
    with pytest.raises(LeaseLost, match="held by B"):
        lease(state, "A", 60.0).hold(1, timeout_s=0.0)
    lease(state, "B", 60.0).release(1)
    lease(state, "A", 60.0).hold(1, timeout_s=0.0)
    assert state.lease_holder(1) == "A"
