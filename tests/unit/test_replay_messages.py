"""What a Replay of a LinkedIn item says it did (inbound.replays.ReplayResult.message): the
words the CLI prints and the API returns, for every way a replay can end."""

from __future__ import annotations

import pytest

from recruitlink.inbound.items import Problem, RejectedValue
from recruitlink.inbound.replays import ReplayResult

PHONE = RejectedValue("phoneNumber", "020 7946 0018", "invalid phone number: too long")


def result(outcome: str, added: tuple[str, ...] = (),
           problem: Problem | None = None) -> ReplayResult:
    return ReplayResult("stub", "S1", outcome, "C1", added, problem)


def left(outcome: str, reason: str | None = None,
         rejected: tuple[RejectedValue, ...] = ()) -> Problem:
    return Problem("stub", "S1", outcome, reason, "C1", 0, rejected, replayable=True)


@pytest.mark.parametrize(("replayed", "says"), [
    (result("updated", ("Phone “+44 20 7946 0018”",)),
     "Shared contact info applied again: added Phone “+44 20 7946 0018”."),
    (result("unchanged"),
     "Shared contact info applied again; the candidate already held everything it brings."),
    (result("refused", problem=left("refused", "candidate is confidential")),
     "Shared contact info still refused: candidate is confidential."),
    (result("failed", problem=left("failed", "candidates: emails: too long")),
     "Shared contact info failed again: candidates: emails: too long."),
    (result("updated", ("Email “a@b.example”",), left("updated", rejected=(PHONE,))),
     "Shared contact info applied again, added Email “a@b.example”; still not kept: "
     "Phone “020 7946 0018”: invalid phone number: too long."),
    (ReplayResult("note", "N1", "seat unmapped", "C1", (), left("failed", "no user")),
     "Recruiter note not applied: the Recruiter seat that received it is not mapped to a "
     "user; map it on the Members page, then replay."),
])
def test_a_replay_says_what_it_did(replayed: ReplayResult, says: str) -> None:
    assert replayed.message == says


def test_the_json_names_the_values_still_rejected_and_their_label() -> None:
    body = result("updated", (), left("updated", rejected=(PHONE,))).as_json()
    assert body["stillRejected"] == [{"field": "phoneNumber", "fieldLabel": "Phone",
                                      "value": "020 7946 0018",
                                      "reason": "invalid phone number: too long"}]
    assert body["reason"] is None and body["candidate"] == "C1"
