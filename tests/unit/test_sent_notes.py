"""A batch's progress is written as its calls go out, at most every `every_s`: not a write
per call; what is left unwritten when the batch fails is written then."""

from __future__ import annotations

import time

from recruitlink.sync.steps import SentNotes


class State:
    def __init__(self) -> None:
        self.writes: list[tuple[int, int]] = []

    def note_sent(self, batch_id: int, records: int) -> None:
        self.writes.append((batch_id, records))


def test_calls_are_written_together_at_most_every_interval() -> None:
    state = State()
    notes = SentNotes(state, 7, every_s=0.2)  # type: ignore[arg-type]
    for _ in range(5):
        notes(100)  # five quick calls: none written yet
    assert state.writes == []
    time.sleep(0.25)
    notes(100)  # the interval has passed: all six calls in one write
    assert state.writes == [(7, 600)]
    notes(40)
    notes.flush()  # the batch failed: what is left is written
    assert state.writes == [(7, 600), (7, 40)]
    notes.flush()  # nothing left: no write
    assert state.writes == [(7, 600), (7, 40)]


def test_slow_calls_are_each_written() -> None:
    state = State()
    notes = SentNotes(state, 1, every_s=0.05)  # type: ignore[arg-type]
    for _ in range(3):
        time.sleep(0.06)
        notes(100)
    assert state.writes == [(1, 100)] * 3
