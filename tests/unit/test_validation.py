"""Tests for recruitlink.core.validation: LinkedIn's rules plus email and phone checks."""

from __future__ import annotations

import copy
import socket
from typing import Any

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitlink.core.linkedin_schema import REQUIRED, RESOURCES, FieldError
from recruitlink.core.validation import check, email_problem, phone_problem

NOW = 1_800_000_000_000
T0 = 1_700_000_000_000
ORG = "urn:li:organization:123"

INVALID_EMAILS = ["john.doe@", "name at example dot com", "a@b"]
INVALID_PHONES = ["12", "call me", "+1 555"]
VALID_PHONES = ["+44 20 7946 0958", "(415) 555-2671"]

# --------------------------------------------------------------------------------------------
# Payload builders (valid LinkedIn records, as core/mapping produces them)


def candidate(**over: Any) -> dict[str, Any]:
    return {
        "addresses": [],
        "atsCreatedAt": T0,
        "atsLastModifiedAt": T0,
        "emailAddresses": ["john.doe@example.com"],
        "phoneNumbers": [{"number": "(415) 555-2671", "extension": "12"}],
        "firstName": "John",
        "lastName": "Doe",
        "externalProfileUrl": "https://ats.example.com/candidates/C1",
    } | over


def application(**over: Any) -> dict[str, Any]:
    return {
        "atsCandidateId": "C1",
        "atsCreatedAt": T0,
        "atsLastModifiedAt": T0,
        "atsJobPostingId": "REQ-42",
        "atsJobPostingName": "Senior Software Engineer",
        "candidateEmail": "john.doe@example.com",
        "firstName": "John",
        "lastName": "Doe",
    } | over


def job(**over: Any) -> dict[str, Any]:
    return {
        "integrationContext": ORG,
        "externalJobPostingId": "REQ-42",
        "jobPostingOperationType": "CREATE",
        "title": "Senior Software Engineer",
        "description": "<p>" + "Build the systems behind our hiring products. " * 3 + "</p>",
        "location": "San Francisco, CA, US",
        "availability": "PRIVATE_TO_ATS_INTEGRATION",
        "companyApplyUrl": "https://careers.acme.example.com/jobs/42",
        "listedAt": T0,
        "requisitionOwnerEmail": "mary@acme.example.com",
    } | over


def pipeline(**over: Any) -> dict[str, Any]:
    return {"title": "Data engineers", "tcrmCreatedAt": T0,
            "ownerEmailAddress": "owner@acme.example.com"} | over


def _reasons(errors: list[FieldError]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in errors:
        found.setdefault(error.path, []).append(error.reason)
    return found


def _validator_message(email: str) -> str:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        return str(exc)
    raise AssertionError(f"{email!r} is valid")


# --------------------------------------------------------------------------------------------
# Valid payloads


@pytest.mark.parametrize(
    ("resource", "payload", "operation"),
    [
        ("atsCandidates", candidate(), None),
        ("atsCandidates", candidate(phoneNumbers=[{"number": p} for p in VALID_PHONES]), None),
        ("atsApplications", application(), None),
        ("simpleJobPostings", job(), "CREATE"),
        ("tcrmPipelines", pipeline(), None),
    ],
)
def test_valid_payloads_pass(resource: str, payload: dict[str, Any],
                             operation: str | None) -> None:
    assert check(resource, payload, now_ms=NOW, operation=operation) == []


@pytest.mark.parametrize("number", VALID_PHONES)
def test_valid_phones_pass(number: str) -> None:
    assert phone_problem(number) is None
    assert check("atsCandidates", candidate(phoneNumbers=[{"number": number}]), now_ms=NOW) == []


# --------------------------------------------------------------------------------------------
# Emails


@pytest.mark.parametrize("email", INVALID_EMAILS)
def test_invalid_candidate_emails_are_named(email: str) -> None:
    payload = candidate(emailAddresses=["john.doe@example.com", email])
    reasons = _reasons(check("atsCandidates", payload, now_ms=NOW))
    expected = f"invalid email address: {_validator_message(email)}"
    assert expected in reasons["/emailAddresses/1"]
    assert "/emailAddresses/0" not in reasons


@pytest.mark.parametrize(
    ("resource", "field", "build", "operation"),
    [
        ("atsApplications", "candidateEmail", application, None),
        ("simpleJobPostings", "requisitionOwnerEmail", job, "UPDATE"),
        ("tcrmPipelines", "ownerEmailAddress", pipeline, None),
    ],
)
@pytest.mark.parametrize("email", INVALID_EMAILS)
def test_invalid_single_email_fields_are_named(
    resource: str, field: str, build: Any, operation: str | None, email: str
) -> None:
    payload = build(**{field: email})
    if operation:
        payload["jobPostingOperationType"] = operation
    reasons = _reasons(check(resource, payload, now_ms=NOW, operation=operation))
    assert f"invalid email address: {_validator_message(email)}" in reasons[f"/{field}"]


def test_email_and_phone_checks_never_use_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network used")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    # a syntactically valid address at a domain that does not exist passes: no lookup is made
    assert email_problem("someone@no-such-domain-7f3a9c.example.com") is None
    payload = candidate(emailAddresses=["a@b", "x@no-such-domain-7f3a9c.example.com"],
                        phoneNumbers=[{"number": "12"}])
    assert len(check("atsCandidates", payload, now_ms=NOW)) == 3


def test_email_problem_messages() -> None:
    assert email_problem("john.doe@example.com") is None
    assert email_problem("a@b") == (
        "invalid email address: The part after the @-sign is not valid. It should have a period."
    )


# --------------------------------------------------------------------------------------------
# Phones


@pytest.mark.parametrize("number", INVALID_PHONES)
def test_invalid_phones_are_named_with_the_number(number: str) -> None:
    payload = candidate(phoneNumbers=[{"number": "(415) 555-2671"}, {"number": number}])
    errors = check("atsCandidates", payload, now_ms=NOW)
    assert [e.path for e in errors] == ["/phoneNumbers/1/number"]
    reason = errors[0].reason
    assert reason.startswith("invalid phone number: ")
    assert repr(number) in reason
    assert errors[0].message.startswith("ERROR :: /phoneNumbers/1/number :: invalid phone")


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("12", "invalid phone number: '12' is too short (read as a number of region US)"),
        ("call me", "invalid phone number: 'call me' is not a phone number "
                    "(read as a number of region US)"),
        ("+1 555", "invalid phone number: '+1 555' is too short"),
    ],
)
def test_phone_reasons(number: str, reason: str) -> None:
    assert phone_problem(number) == reason


def test_phone_region_is_the_default_for_national_numbers() -> None:
    payload = candidate(phoneNumbers=[{"number": "020 7946 0958"}])
    assert check("atsCandidates", payload, now_ms=NOW, phone_region="GB") == []
    errors = check("atsCandidates", payload, now_ms=NOW)  # US by default
    assert [e.path for e in errors] == ["/phoneNumbers/0/number"]
    assert "region US" in errors[0].reason
    # an international number ignores the region
    intl = candidate(phoneNumbers=[{"number": "+44 20 7946 0958"}])
    assert check("atsCandidates", intl, now_ms=NOW, phone_region="DE") == []


def test_bad_phone_region_rejects_national_numbers_without_raising() -> None:
    payload = candidate(phoneNumbers=[{"number": "(415) 555-2671"}])
    errors = check("atsCandidates", payload, now_ms=NOW, phone_region="ZZ")
    assert [e.path for e in errors] == ["/phoneNumbers/0/number"]
    assert check("atsCandidates", payload, now_ms=NOW, phone_region="us") == []


def test_only_candidate_phones_are_checked() -> None:
    payload = application(phoneNumbers=[{"number": "12"}])
    reasons = _reasons(check("atsApplications", payload, now_ms=NOW))
    assert not any("invalid phone" in r for rs in reasons.values() for r in rs)


# --------------------------------------------------------------------------------------------
# Whole-record rejection


def test_all_reasons_of_a_record_are_returned_together() -> None:
    payload = candidate(emailAddresses=["a@b", "john.doe@"],
                        phoneNumbers=[{"number": "call me"}, {"number": "+1 555"}])
    del payload["firstName"]
    reasons = _reasons(check("atsCandidates", payload, now_ms=NOW))
    assert reasons["/firstName"] == [REQUIRED]
    # the schema's own pattern error and ours, both
    assert len(reasons["/emailAddresses/0"]) == 2
    assert any(r.startswith("invalid email address: ") for r in reasons["/emailAddresses/0"])
    assert any(r.startswith("invalid email address: ") for r in reasons["/emailAddresses/1"])
    assert reasons["/phoneNumbers/0/number"][0].startswith("invalid phone number: 'call me'")
    assert reasons["/phoneNumbers/1/number"][0].startswith("invalid phone number: '+1 555'")


def test_check_does_not_modify_the_payload() -> None:
    payload = candidate(emailAddresses=["a@b"], phoneNumbers=[{"number": "12"}])
    before = copy.deepcopy(payload)
    check("atsCandidates", payload, now_ms=NOW)
    assert payload == before


def test_wrong_types_are_reported_by_the_schema_and_skipped_here() -> None:
    payload = candidate(emailAddresses=[42, None], phoneNumbers=[{"number": 5551234}, "x"])
    errors = check("atsCandidates", payload, now_ms=NOW)
    assert errors
    assert not any(e.reason.startswith(("invalid email", "invalid phone")) for e in errors)


def test_unknown_resource_and_non_object_payload_do_not_raise() -> None:
    errors = check("atsNothing", candidate(), now_ms=NOW)
    assert len(errors) == 1
    assert errors[0].path == ""
    assert "atsNothing" in errors[0].reason
    assert check("atsCandidates", ["not", "an", "object"], now_ms=NOW)  # type: ignore[arg-type]
    assert check("simpleJobPostings", "x", now_ms=NOW)  # type: ignore[arg-type]


def test_huge_values_make_short_reasons() -> None:
    payload = candidate(emailAddresses=["x" * 100_000 + "@example.com"],
                        phoneNumbers=[{"number": "9" * 100_000}])
    errors = check("atsCandidates", payload, now_ms=NOW)
    ours = [e for e in errors if e.reason.startswith(("invalid email", "invalid phone"))]
    assert len(ours) == 2
    assert all(len(e.reason) < 300 for e in ours)


# --------------------------------------------------------------------------------------------
# check() never raises, whatever the payload

_FIELD_NAMES = [
    "emailAddresses", "phoneNumbers", "candidateEmail", "requisitionOwnerEmail",
    "ownerEmailAddress", "number", "extension", "firstName", "atsCreatedAt",
    "atsLastModifiedAt", "jobPostingOperationType", "listedAt", "location", "description",
    "addresses", "sources", "stage", "tcrmCreatedAt", "tcrmCandidateId",
]
_scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
            | st.text(max_size=40) | st.sampled_from(
                ["+1 555", "12", "a@b", "john.doe@", "(415) 555-2671", "+44 20 7946 0958",
                 "john.doe@example.com", "CREATE", "CLOSE", "\ud800@x.com", "+", "@", ""]))
_keys = st.sampled_from(_FIELD_NAMES) | st.text(max_size=10)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
    max_leaves=20,
)
_payloads = st.dictionaries(_keys, _json, max_size=8)
_phone_lists = st.lists(
    st.fixed_dictionaries({"number": st.text(max_size=30) | _scalars}) | _json, max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    resource=st.sampled_from(sorted(RESOURCES)) | st.text(max_size=12),
    payload=_payloads,
    emails=st.lists(st.text(max_size=30) | _scalars, max_size=3),
    phones=_phone_lists,
    operation=st.none() | st.sampled_from(["CREATE", "UPDATE", "RENEW", "CLOSE", "X"]),
    region=st.sampled_from(["US", "GB", "us", "ZZ", ""]),
)
def test_check_never_raises(resource: str, payload: dict[str, Any], emails: list[Any],
                            phones: list[Any], operation: str | None, region: str) -> None:
    payload = payload | {"emailAddresses": emails, "phoneNumbers": phones}
    errors = check(resource, payload, now_ms=NOW, operation=operation, phone_region=region)
    assert all(isinstance(e, FieldError) for e in errors)
    assert all(isinstance(e.message, str) for e in errors)


@settings(max_examples=200, deadline=None)
@given(resource=st.sampled_from(sorted(RESOURCES)), payload=_payloads)
def test_check_never_raises_on_bare_payloads(resource: str, payload: dict[str, Any]) -> None:
    assert isinstance(check(resource, payload, now_ms=NOW), list)
