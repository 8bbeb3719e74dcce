"""Gap 4: records LinkedIn kept failing (per-record 5xx, 429, timeouts) are replayed by the
running sync itself, with a growing backoff and a bounded number of attempts; after that they
are left failed for `recruitlink sync retry`."""

from __future__ import annotations

import time
from collections import defaultdict
from itertools import pairwise

import httpx
from sqlalchemy.exc import NoResultFound

from recruitlink.core.records import Candidate
from recruitlink.sync import control
from tests.integration.sync_gaps.conftest import (
    Seen,
    answer,
    candidate_id,
    ledger_row,
    open_errors,
)
from tests.integration.test_sync_engine import connected

MAX_ATTEMPTS = 2  # sends per record within one batch
REPLAYS = 2
FIRST_AFTER_S = 0.3


class Unavailable:
    """LinkedIn answers 503 for some candidates: always, or for their first sends."""

    def __init__(self, always: set[str], first: dict[str, int]) -> None:
        self.always = always
        self.first = first
        self.sends: dict[str, list[float]] = defaultdict(list)

    def __call__(self, seen: Seen) -> httpx.Response | None:
        if seen.resource != "atsCandidates" or seen.verb != "PUT" or not seen.answer:
            return None
        body = seen.answer
        changed = False
        for key in list(body.get("results") or {}):
            cid = candidate_id(key)
            self.sends[cid].append(time.monotonic())
            if cid in self.always or len(self.sends[cid]) <= self.first.get(cid, 0):
                del body["results"][key]
                body.setdefault("errors", {})[key] = {
                    "status": 503, "message": "Service Unavailable (test)"}
                changed = True
        return answer(seen, body) if changed else None


def test_retryable_records_are_replayed_with_backoff_then_left_for_sync_retry(
        store, tenant, li, make_engine, tamper):
    with store.writer(tenant.id) as w:
        w.records("candidates", [(n, Candidate(id=f"C{n + 1}", first_name="Ada",
                                               last_name=f"L{n}",
                                               emails=[f"ada{n}@example.com"]))
                                 for n in range(3)], mode="create")
    engine = make_engine(max_attempts=MAX_ATTEMPTS, replay_after_s=FIRST_AFTER_S,
                         replay_attempts=REPLAYS)
    connected(store, engine, li, tenant)
    # C1 fails its first batch (all its sends there); C2 fails every time.
    unavailable = Unavailable(always={"C2"}, first={"C1": MAX_ATTEMPTS})
    tamper.after.append(unavailable)
    exhausted = MAX_ATTEMPTS * (1 + REPLAYS)

    def settled() -> bool:
        return (ledger_row_or_none(store, "C1") == "synced"
                and len(unavailable.sends["C2"]) >= exhausted)

    deadline = time.monotonic() + 30
    engine.run(tenant.id, stop=lambda: settled() or time.monotonic() > deadline)
    assert settled(), dict(unavailable.sends)
    # Nothing more is sent for C2 by the running sync, however long it runs.
    quiet = time.monotonic() + 4 * FIRST_AFTER_S * 2 ** REPLAYS
    engine.run(tenant.id, stop=lambda: time.monotonic() > quiet)

    assert len(unavailable.sends["C1"]) == MAX_ATTEMPTS + 1  # replayed once, then synced
    assert open_errors(store, "C1") == []
    sends = unavailable.sends["C2"]
    assert len(sends) == exhausted
    # Each replay waited longer than the one before it.
    starts = sends[::MAX_ATTEMPTS]
    waits = [b - a for a, b in pairwise(starts)]
    assert waits[0] >= FIRST_AFTER_S * 0.9 and waits[1] >= 2 * FIRST_AFTER_S * 0.9
    (error,) = open_errors(store, "C2")
    assert error.source == "transient"
    assert ledger_row_or_none(store, "C3") == "synced"

    unavailable.always.clear()  # LinkedIn is back: `sync retry` picks up what was left
    report = control.retry(engine, tenant.id)
    assert report.tally is not None and report.tally.synced == 1
    assert ledger_row(store, "candidates", "C2").state == "synced"
    assert open_errors(store) == []


def ledger_row_or_none(store, external_id: str) -> str | None:
    try:
        return str(ledger_row(store, "candidates", external_id).state)
    except NoResultFound:  # not sent yet
        return None
