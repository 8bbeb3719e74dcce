"""core.heap.settled: long work runs with what existed before it frozen out of the garbage
collector's walks, and everything is collectable again afterwards."""

from __future__ import annotations

import gc
import sys
import weakref

import pytest

from recruitlink.core.heap import TURN_S, settled


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_what_existed_is_frozen_during_the_work_and_collectable_after() -> None:
    assert gc.get_freeze_count() == 0
    before = Node()
    with settled():
        assert gc.get_freeze_count() > 0
        assert not any(o is before for o in gc.get_objects())  # out of the collector's walks
        during = Node()
        assert any(o is during for o in gc.get_objects())  # what the work makes is walked
    assert gc.get_freeze_count() == 0
    assert any(o is before for o in gc.get_objects())


def test_garbage_from_before_is_collected_first_not_frozen_for_good() -> None:
    gc.disable()  # only settled() may collect the cycle below
    try:
        gone = weakref.ref(Node())  # unreachable at once: a cycle left for the collector
        assert gone() is not None
        with settled():
            assert gone() is None
    finally:
        gc.enable()


def test_an_error_in_the_work_still_unfreezes() -> None:
    with pytest.raises(RuntimeError), settled():
        raise RuntimeError("boom")
    assert gc.get_freeze_count() == 0


def test_threads_take_turns_often_during_the_work_and_as_before_after() -> None:
    before = sys.getswitchinterval()
    assert before != TURN_S
    with settled():
        assert sys.getswitchinterval() == TURN_S
    assert sys.getswitchinterval() == before
