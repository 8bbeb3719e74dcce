"""The compliance duties' pure decisions (core/compliance.py) and the policy's fields for them."""

from __future__ import annotations

import pytest

from recruitlink.core.compliance import (
    closure_action,
    closure_due,
    erasure_verdict,
    retention_cutoff,
    state,
)
from recruitlink.core.policy import DAY_MS, Policy

NOTIFY, PURGE = Policy(), Policy(closed_members="purge")


def test_a_closure_is_due_its_window_after_it_was_closed():
    assert closure_due(1_000, NOTIFY) == 1_000 + 30 * DAY_MS
    assert closure_due(1_000, Policy(closure_window_days=7)) == 1_000 + 7 * DAY_MS


@pytest.mark.parametrize(("outcome", "policy", "action"), [
    ("notified", NOTIFY, "none"),   # done by the pollers under the notify policy
    ("purged", NOTIFY, "none"),
    ("purged", PURGE, "none"),
    ("notified", PURGE, "purge"),   # the policy changed since: purge now
    ("waiting", NOTIFY, "lapse"),   # nobody linked by the due date: purge what waits
    ("waiting", PURGE, "lapse"),
    ("failed", NOTIFY, "apply"),
])
def test_what_the_scheduler_does_with_a_due_closure(outcome, policy, action):
    assert closure_action(outcome, policy) == action


def test_a_duty_is_done_due_or_overdue():
    assert state("done", 10, 20) == "done"
    assert state("open", 30, 20) == "due"
    assert state("open", 10, 20) == "overdue"


def test_retention_keeps_everything_unless_the_policy_says():
    assert retention_cutoff(NOTIFY, 100 * DAY_MS) is None
    assert retention_cutoff(Policy(history_retention_days=30), 100 * DAY_MS) == 70 * DAY_MS


def test_an_erasure_is_verified_only_when_the_sync_is_done_and_linkedin_holds_none():
    records = [{"entity": "candidates", "id": "C1", "readable": True, "key": {"k": 1}},
               {"entity": "notes", "id": "N1", "readable": False, "key": 5}]
    waiting = erasure_verdict(records, ["candidates/C1"], [])
    assert not waiting.done and "waiting for the sync" in waiting.outcome
    held = erasure_verdict(records, [], ["candidates/C1"])
    assert not held.done and held.outcome == "LinkedIn still holds 1 record(s): candidates/C1"
    done = erasure_verdict(records, [], [])
    assert done.done and done.outcome == ("verified: LinkedIn holds none of the 1 record(s) "
                                          "read back")


@pytest.mark.parametrize(("fields", "message"), [
    ({"closure_window_days": 31}, "closure_window_days: a whole number of days from 0 to 30"),
    ({"closure_window_days": True}, "closure_window_days"),
    ({"history_retention_days": 0}, "history_retention_days: a whole number of days"),
    ({"history_retention_days": "30"}, "history_retention_days"),
])
def test_the_policy_refuses_bad_compliance_fields(fields, message):
    with pytest.raises(ValueError, match=message):
        Policy(**fields)


def test_an_older_policy_without_the_fields_reads_with_the_defaults():
    policy = Policy.from_json({"closed_members": "purge"})
    assert (policy.closure_window_days, policy.history_retention_days) == (30, None)
