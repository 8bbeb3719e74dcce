"""Calls of one batch in flight at once (sync/sender.py): the batch's first call goes alone
(a pause stops only a batch that sent nothing), then up to `in_flight` calls overlap; every
record gets its own outcome, and a failed call names only its own records."""

from __future__ import annotations

import threading
import time
from typing import Any

from recruitlink.core.failed_calls import FailedCall
from recruitlink.core.outcomes import EntityOutcome
from recruitlink.linkedin import BatchOutcomes
from recruitlink.linkedin.capture import _OPEN
from recruitlink.sync.items import Item
from recruitlink.sync.sender import Sender


class Budget:
    def acquire(self, family: str, records: int, should_stop: Any = None) -> None:
        pass

    def block(self, family: str, retry_after: float | None) -> None:
        pass


class Client:
    """Answers each upsert after a short wait; refuses the records whose id ends in 7, and
    notes each refusing call as a failed call (as RestliHttp does in a capture)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = self.most = 0
        self.calls: list[tuple[int, int]] = []  # (records, calls in flight when it began)

    def upsert(self, base: str, records: list[tuple[Any, dict[str, Any]]], *, parent: Any,
               child: Any) -> BatchOutcomes:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.calls.append((len(records), self.now))
        time.sleep(0.02)
        outcomes = {}
        refused = False
        for key, _payload in records:
            if str(key).endswith("7"):
                outcomes[key] = EntityOutcome("rejected", 422, "no sevens")
                refused = True
            else:
                outcomes[key] = EntityOutcome("synced", 200, "")
        if refused:
            calls = _OPEN.get()
            assert calls is not None
            calls.append(FailedCall(method="POST", url=f"/{base}", request_headers=[],
                                    request_body=None, status=207, response_headers=[],
                                    response_body=None, li_uuid=None, started_at_ms=0,
                                    duration_ms=20))
        with self.lock:
            self.now -= 1
        return BatchOutcomes(outcomes)


def items(n: int) -> list[Item]:
    return [Item(stream="candidates", entity="candidate", entity_id=i, external_id=f"C{i}",
                 resource="atsCandidates", action="upsert", key=f"C{i}", payload={"n": i})
            for i in range(n)]


def test_the_first_call_goes_alone_then_two_overlap_and_each_record_has_its_outcome() -> None:
    client = Client()
    sender = Sender(client, Budget(), call_size=10, in_flight=2)  # type: ignore[arg-type]
    sender.start_batch()
    batch = items(95)
    results = sender.send(batch)
    assert client.calls[0] == (10, 1)  # alone
    assert client.most == 2  # then overlapping, never more than in_flight
    assert sorted(n for n, _ in client.calls) == [5] + [10] * 9
    assert sender.stats.calls == 10 and sender.stats.records == 95
    for i, item in enumerate(batch):
        expected = "rejected" if str(item.key).endswith("7") else "synced"
        assert results[i].outcome == expected, (i, results[i])
    # Each failed call names the records of its own call only.
    assert len(sender.failed_calls) == 9  # C7, C17, ..., C87: one per call of ten
    for call in sender.failed_calls:
        assert len(call.records) == 1
        (entity, entity_id) = call.records[0]
        assert entity == "candidate" and entity_id % 10 == 7
    assert sorted(c.records[0][1] for c in sender.failed_calls) == list(range(7, 95, 10))


def test_one_in_flight_sends_in_turn() -> None:
    client = Client()
    sender = Sender(client, Budget(), call_size=10, in_flight=1)  # type: ignore[arg-type]
    sender.start_batch()
    sender.send(items(40))
    assert client.most == 1 and len(client.calls) == 4
