"""core/policy.py: the sharing rules (fields never shared, tags excluded, consent required)."""

from __future__ import annotations

import pytest

from recruitlink.core.policy import (
    Policy,
    candidate_child_exclusion,
    candidate_exclusion,
    shared_fields,
    sharing_rules,
)

ADA = {"confidential": False, "tags": ["Python", "Internal"], "consents": ["email"],
       "phones": [{"number": "+33 1"}], "current_title": "CTO", "emails": ["a@x.io"]}


def test_no_rules_share_everything_but_the_confidential() -> None:
    assert candidate_exclusion(ADA, Policy()) is None
    assert candidate_exclusion({**ADA, "confidential": True}, Policy()) == (
        "confidential candidate")
    assert candidate_child_exclusion({**ADA, "confidential": True}) == (
        "belongs to a confidential candidate")


def test_tags_are_matched_without_case_and_consent_exactly() -> None:
    tagged = Policy(excluded_tags=("internal",))
    assert candidate_exclusion(ADA, tagged) == (
        "tagged 'Internal', which the policy does not share")
    consent = Policy(required_consent="linkedin_recruiter")
    assert candidate_exclusion(ADA, consent) == "no consent to 'linkedin_recruiter'"
    assert candidate_exclusion({**ADA, "consents": ["linkedin_recruiter"]}, consent) is None
    assert candidate_exclusion({**ADA, "consents": None}, consent) is not None
    assert candidate_child_exclusion(ADA, consent) == (
        "belongs to a candidate not shared: no consent to 'linkedin_recruiter'")


def test_denied_fields_are_emptied_and_the_rest_kept() -> None:
    policy = Policy(never_shared=("current_title", "phones"))
    shown = shared_fields(ADA, policy)
    assert (shown["phones"], shown["current_title"], shown["emails"]) == ([], None, ["a@x.io"])
    assert shared_fields(ADA, Policy()) is ADA


def test_the_policy_round_trips_through_json_in_one_spelling() -> None:
    policy = Policy.from_json({"never_shared": ["addresses", "phones"],
                               "excluded_tags": ["internal"],
                               "required_consent": "linkedin_recruiter"})
    assert policy.never_shared == ("phones", "addresses")  # the catalog's order
    assert Policy.from_json(policy.to_json()) == policy
    assert sharing_rules(policy) != sharing_rules(Policy())
    assert sharing_rules(Policy(excluded_tags=("A",))) == sharing_rules(
        Policy(excluded_tags=("a",)))


@pytest.mark.parametrize(("values", "field"), [
    ({"never_shared": ["emails"]}, "never_shared"),  # LinkedIn needs them: not deniable
    ({"never_shared": "phones"}, "never_shared"),
    ({"excluded_tags": [""]}, "excluded_tags"),
    ({"excluded_tags": ["x" * 201]}, "excluded_tags"),
    ({"required_consent": "no spaces please"}, "required_consent"),
    ({"required_consent": ""}, "required_consent")])
def test_bad_rules_name_their_field(values: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: "):
        Policy(**values)  # type: ignore[arg-type]
