"""core.identity: a link's reason in words, and what a merge writes and its unmerge undoes."""

from __future__ import annotations

from recruitlink.core.identity import (
    describe_link,
    link_reason,
    merge_conflicts,
    moved_summary,
    plan_merge,
    plan_unmerge,
    stub_evidence,
)


def test_a_link_says_since_when_and_why() -> None:
    assert describe_link(None, None, None, None) is None
    assert describe_link("urn:li:person:x", "email", "2026-12-06 08:00 UTC",
                         "same email a@b.com") == (
        "Linked to LinkedIn member urn:li:person:x since 2026-12-06 08:00 UTC, because: "
        "same email a@b.com")
    # No evidence recorded (a link from before, or from the data API): the method in words.
    assert link_reason("profile_widget", None) == ("linked by a recruiter in the LinkedIn "
                                                   "profile widget")
    assert link_reason(None, None) == "set by the ATS"


def test_stub_evidence_names_the_signal() -> None:
    common = {"person": "urn:li:person:x", "email": "a@b.com", "first": "Jane", "last": "Doe",
              "phone": "+1 415 555 0134"}
    assert stub_evidence("email", **common) == "InMail contact share: same email a@b.com"
    assert stub_evidence("name", **common, candidate_phones=["(415) 555-0134"]) == (
        "InMail contact share: same name Jane Doe and phone +1 415 555 0134")
    assert stub_evidence("name", **common).endswith("(the only candidate with it)")


def test_merge_grows_lists_fills_blanks_and_takes_the_member_then_unmerge_undoes_it() -> None:
    kept = {"first_name": "Jane", "last_name": "Doe", "emails": ["a@b.com"], "phones": [],
            "headline": None, "tags": ["VIP"], "person_urn": None}
    merged = {"first_name": "JANE", "emails": ["A@B.com", "c@d.com"],
              "phones": [{"number": "+1 415 555 0134"}], "headline": "Analyst",
              "tags": ["vip", "Python"], "person_urn": "urn:li:person:x",
              "match_method": "email", "linked_at": "2026-01-01T00:00:00Z"}
    plan = plan_merge(kept, merged, merged_id="B")
    assert plan.assign == {
        "emails": ["a@b.com", "c@d.com"], "phones": [{"number": "+1 415 555 0134"}],
        "tags": ["VIP", "Python"], "headline": "Analyst", "person_urn": "urn:li:person:x",
        "match_method": "manual", "linked_at": "2026-01-01T00:00:00Z",
        "link_evidence": "merged from candidate B: same email address"}
    after = {**kept, **plan.assign}
    after["emails"] = [*after["emails"], "new@e.com"]  # added since the merge: stays
    undo = plan_unmerge(after, plan.assign, plan.before)
    assert undo == {"emails": ["a@b.com", "new@e.com"], "phones": [], "tags": ["VIP"],
                    "headline": None, "person_urn": None, "match_method": None,
                    "linked_at": None, "link_evidence": None}


def test_merge_conflicts_name_the_job_or_pipeline() -> None:
    assert merge_conflicts("A", "A", [], [], [], []) == [
        "merged: candidate A cannot be merged into itself"]
    assert merge_conflicts("A", "B", ["J1", "J2"], ["J2"], ["P1"], ["P1"]) == [
        "merged: both candidates are in process for job J2",
        "merged: both candidates are in pipeline P1"]
    assert merge_conflicts("A", "B", ["J1"], ["J2"], [], []) == []


def test_moved_summary_counts_in_words() -> None:
    assert moved_summary({"applications": ["A1", "A2"], "notes": ["N1"], "files": []}) == (
        "2 applications, 1 note")
    assert moved_summary({"interactions": []}) == "nothing"
