"""Tests for recruitlink.core.mapping: store rows -> LinkedIn payloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from recruitlink.core import mapping as m
from recruitlink.core.linkedin_schema import (
    KEY_FIELDS,
    REQUIRED,
    SOURCE_CATEGORIES,
    validate_key,
    validate_record,
)
from recruitlink.core.validation import check

NOW = 1_800_000_000_000
T0 = 1_700_000_000_000
T1 = T0 + 86_400_000
ORG = "urn:li:organization:123"
CTX = m.MappingContext(organization=ORG, ats_base_url="https://ats.example.com/")
DESCRIPTION = (
    "<p>Join the <b>platform</b> team to build the systems behind our hiring products.</p>"
    "<ul><li>Python</li><li>PostgreSQL</li></ul>"
)

# --------------------------------------------------------------------------------------------
# Row builders: dicts of the columns of store/schema.py (times in epoch ms, internal int ids).

_next_id = iter(range(1, 1_000_000))


def _record(external_id: str, **columns: Any) -> dict[str, Any]:
    return {"id": next(_next_id), "tenant_id": 1, "external_id": external_id,
            "created_at": T0, "modified_at": T1, **columns}


def user_row(name: str = "Rita Book", email: str = "rita.book@acme.example.com",
             **over: Any) -> dict[str, Any]:
    return _record("U1", name=name, email=email, role="recruiter",
                   is_default_integration_user=False, active=True) | over


def candidate_row(**over: Any) -> dict[str, Any]:
    return _record(
        "C1",
        first_name="John", last_name="Doe", middle_initial="L", prefix="Mr", suffix="Jr",
        emails=["john.doe@example.com", "jd@example.org"],
        phones=[{"number": "(415) 555-2671", "extension": "1234", "type": "work"},
                {"number": "+44 20 7946 0958", "type": "mobile"}],
        addresses=[{"line1": "31 Spooner St", "line2": "Apt 2", "city": "Quahog",
                    "region": "RI", "postal_code": "02802", "country": "US"}],
        headline="QA lead", current_title="Quality Assurance",
        current_company="Candidate Test Company", location="Quahog, RI",
        linkedin_url="https://www.linkedin.com/in/john-doe",
        person_urn="urn:li:person:AbC123", match_method="one_click_export",
        confidential=False, do_not_contact=True, tags=["Imported: LinkedIn Recruiter"],
        source_id=None, source_contact_id=None, creation_source="LinkedIn", resume=None,
    ) | over


def minimal_candidate_row(**over: Any) -> dict[str, Any]:
    return _record(
        "C2",
        first_name="Ann", last_name=None, middle_initial=None, prefix=None, suffix=None,
        emails=["ann@example.com"], phones=[], addresses=[], headline=None, current_title=None,
        current_company=None, location=None, linkedin_url=None, person_urn=None,
        match_method=None, confidential=False, do_not_contact=False, tags=[], source_id=None,
        source_contact_id=None, creation_source=None, resume=None,
    ) | over


def job_row(**over: Any) -> dict[str, Any]:
    return _record(
        "REQ-42",
        title="Senior Software Engineer", description=DESCRIPTION,
        location="San Francisco, CA, US", status="open", availability="public",
        confidential=False, published_at=T0 + 1000, closed_at=None,
        apply_url="https://careers.acme.example.com/jobs/42", requisition_code="ENG-0042",
        owner_id=7, viewer_ids=[],
    ) | over


def minimal_job_row(**over: Any) -> dict[str, Any]:
    return _record(
        "REQ-43",
        title="Recruiter", description=None, location=None, status="open",
        availability=None, confidential=False, published_at=None, closed_at=None,
        apply_url=None, requisition_code=None, owner_id=None, viewer_ids=[],
    ) | over


def application_row(**over: Any) -> dict[str, Any]:
    return _record("A1", candidate_id=1, job_id=2, source="Referral",
                   current_stage="Phone Interview", disposition_reason="Not a fit",
                   outcome="rejected") | over


def minimal_application_row(**over: Any) -> dict[str, Any]:
    return _record("A2", candidate_id=1, job_id=2, source=None, current_stage=None,
                   disposition_reason=None, outcome="active") | over


def note_row(**over: Any) -> dict[str, Any]:
    return _record("N1", candidate_id=1, application_id=None, author_id=3,
                   body="Strong communicator; follow up in Q3.", visibility="public") | over


def transition_row(**over: Any) -> dict[str, Any]:
    return _record("S1", application_id=4, stage="Phone Interview", entered_at=T0 + 5000) | over


def feedback_row(**over: Any) -> dict[str, Any]:
    return _record(
        "F1", application_id=4, interviewer_id=3, interview_type="phone_screen",
        feedback="Great interview!",
        evaluations=[{"attribute": "Verbal Communication", "result": "4/5"}],
    ) | over


def minimal_feedback_row(**over: Any) -> dict[str, Any]:
    return _record("F2", application_id=4, interviewer_id=None, interview_type=None,
                   feedback=None, evaluations=[]) | over


def project_row(**over: Any) -> dict[str, Any]:
    return _record("P1", title="Data engineers 2025", description="Pipeline for data roles",
                   shared_with_all=True, owner_id=3, locations=["London, GB", "Remote"],
                   job_ids=[2]) | over


def minimal_project_row(**over: Any) -> dict[str, Any]:
    return _record("P2", title="Nurture", description=None, shared_with_all=True,
                   owner_id=None, locations=[], job_ids=[]) | over


def project_stage_row(**over: Any) -> dict[str, Any]:
    return _record("PS1", project_id=5, name="First call", category="contacted",
                   position=1) | over


def membership_row(**over: Any) -> dict[str, Any]:
    return _record("PM1", project_id=5, candidate_id=1, stage_id=6,
                   source="LinkedIn Recruiter", disposition_reason="Not interested") | over


def minimal_membership_row(**over: Any) -> dict[str, Any]:
    return _record("PM2", project_id=5, candidate_id=1, stage_id=None, source=None,
                   disposition_reason=None) | over


def interaction_row(**over: Any) -> dict[str, Any]:
    return _record("I1", candidate_id=1, project_id=5, user_id=3, type="email",
                   direction="outbound", occurred_at=T0 + 2000,
                   subject="SECRET-SUBJECT Your application",
                   content="SECRET-CONTENT Hi John, thanks for your time...") | over


def minimal_interaction_row(**over: Any) -> dict[str, Any]:
    return _record("I2", candidate_id=1, project_id=None, user_id=None, type="web_session",
                   direction=None, occurred_at=T0, subject=None, content=None) | over


# --------------------------------------------------------------------------------------------
# Keys


@pytest.mark.parametrize(
    ("resource", "key"),
    [
        ("atsCandidates", m.candidate_key("C1", CTX)),
        ("atsApplications", m.application_key("A1", CTX)),
        ("tcrmPipelines", m.pipeline_key("P1", CTX)),
        ("tcrmPipelineStages", m.pipeline_stage_key("P1", "PS1", CTX)),
        ("tcrmCandidatePipelines", m.candidate_pipeline_key("C1", "P1", CTX)),
        ("tcrmInteractions", m.interaction_key("I1", CTX)),
        ("atsEntityAcls", m.acl_key("TEST_JOBS", "REQ-42", CTX)),
        ("atsEntityAclAssignees", m.acl_assignee_key("TEST_JOBS", "urn:li:person:AbC123", CTX)),
    ],
)
def test_keys_have_exactly_the_key_fields_and_are_valid(resource: str, key: dict[str, str]) -> None:
    assert tuple(key) == KEY_FIELDS[resource]
    assert validate_key(resource, key) == []
    assert key["integrationContext"] == ORG


def test_key_values() -> None:
    assert m.candidate_key("C1", CTX) == {
        "atsCandidateId": "C1", "dataProvider": "ATS", "integrationContext": ORG}
    assert m.candidate_pipeline_key("C1", "P1", CTX) == {
        "tcrmCandidateId": "C1", "tcrmPipelineId": "P1", "dataProvider": "ATS",
        "integrationContext": ORG}
    assert m.acl_key("TEST_JOBS", "REQ-42", CTX) == {
        "atsEntityAclId": "TEST_JOBS", "dataProvider": "ATS", "integrationContext": ORG,
        "atsEntityType": "JOB_POSTING", "atsEntityId": "REQ-42"}
    assert m.acl_assignee_key("TEST_JOBS", "urn:li:person:X1", CTX)["assignee"] == (
        "urn:li:person:X1")


def test_crm_keys_use_the_context_data_provider_ats_keys_stay_ats() -> None:
    ctx = m.MappingContext(organization=ORG, ats_base_url="https://crm.example.com",
                           data_provider="PARTNER")
    assert m.pipeline_key("P1", ctx)["dataProvider"] == "PARTNER"
    assert m.pipeline_stage_key("P1", "S", ctx)["dataProvider"] == "PARTNER"
    assert m.candidate_pipeline_key("C1", "P1", ctx)["dataProvider"] == "PARTNER"
    assert m.interaction_key("I1", ctx)["dataProvider"] == "PARTNER"
    assert validate_key("tcrmInteractions", m.interaction_key("I1", ctx)) == []
    # LinkedIn accepts only ATS on the ats* resources
    assert m.candidate_key("C1", ctx)["dataProvider"] == "ATS"
    assert m.application_key("A1", ctx)["dataProvider"] == "ATS"
    assert m.acl_key("X", "J", ctx)["dataProvider"] == "ATS"


# --------------------------------------------------------------------------------------------
# Jobs


def test_job_posting_full_row_create() -> None:
    owner = user_row(name="Mary Ann Smith", email="mary@acme.example.com")
    assert m.job_posting(job_row(), CTX, operation="CREATE", owner=owner) == {
        "integrationContext": ORG,
        "externalJobPostingId": "REQ-42",
        "jobPostingOperationType": "CREATE",
        "title": "Senior Software Engineer",
        "description": DESCRIPTION,
        "location": "San Francisco, CA, US",
        "availability": "PUBLIC",
        "companyApplyUrl": "https://careers.acme.example.com/jobs/42",
        "listedAt": T0 + 1000,
        "companyJobCode": "ENG-0042",
        "requisitionOwnerEmail": "mary@acme.example.com",
        "requisitionOwnerFirstName": "Mary",
        "requisitionOwnerLastName": "Ann Smith",
    }


def test_job_posting_minimal_row() -> None:
    posting = m.job_posting(minimal_job_row(), CTX, operation="CREATE", owner=None)
    assert posting == {
        "integrationContext": ORG,
        "externalJobPostingId": "REQ-43",
        "jobPostingOperationType": "CREATE",
        "title": "Recruiter",
        "availability": "PRIVATE_TO_ATS_INTEGRATION",
        "companyApplyUrl": "https://ats.example.com/jobs/REQ-43",
        "listedAt": T0,
    }
    # a job without description and location cannot be listed: validation says why
    errors = validate_record("simpleJobPostings", posting, now_ms=NOW, operation="CREATE")
    assert {(e.path, e.reason) for e in errors} == {
        ("/description", REQUIRED), ("/location", REQUIRED)}


def test_job_posting_minimal_valid_row_passes() -> None:
    row = minimal_job_row(description=DESCRIPTION, location="Berlin, DE")
    posting = m.job_posting(row, CTX, operation="CREATE", owner=None)
    assert validate_record("simpleJobPostings", posting, now_ms=NOW, operation="CREATE") == []


@pytest.mark.parametrize("operation", ["CREATE", "UPDATE", "RENEW"])
def test_job_posting_passes_linkedin_schema(operation: m.JobOperation) -> None:
    posting = m.job_posting(job_row(), CTX, operation=operation, owner=user_row())
    assert validate_record("simpleJobPostings", posting, now_ms=NOW, operation=operation) == []
    assert check("simpleJobPostings", posting, now_ms=NOW, operation=operation) == []


def test_job_posting_close_carries_only_the_key_fields() -> None:
    posting = m.job_posting(job_row(status="closed"), CTX, operation="CLOSE", owner=user_row())
    assert posting == {"integrationContext": ORG, "externalJobPostingId": "REQ-42",
                       "jobPostingOperationType": "CLOSE"}
    assert validate_record("simpleJobPostings", posting, now_ms=NOW, operation="CLOSE") == []


@pytest.mark.parametrize(
    ("availability", "default", "expected"),
    [
        ("public", "PRIVATE_TO_ATS_INTEGRATION", "PUBLIC"),
        ("private", "PUBLIC", "PRIVATE_TO_ATS_INTEGRATION"),
        (None, "PRIVATE_TO_ATS_INTEGRATION", "PRIVATE_TO_ATS_INTEGRATION"),
        (None, "PUBLIC", "PUBLIC"),
    ],
)
def test_job_availability(availability: str | None, default: m.Availability,
                          expected: str) -> None:
    ctx = m.MappingContext(organization=ORG, ats_base_url="https://ats.example.com",
                           default_availability=default)
    posting = m.job_posting(job_row(availability=availability), ctx, operation="UPDATE")
    assert posting["availability"] == expected


def test_job_availability_default_is_private() -> None:
    assert m.MappingContext(organization=ORG, ats_base_url="x").default_availability == (
        "PRIVATE_TO_ATS_INTEGRATION")


def test_job_fallbacks_apply_url_and_listed_at() -> None:
    row = job_row(external_id="REQ 7/b", apply_url=None, published_at=None, created_at=T0 - 5)
    posting = m.job_posting(row, CTX, operation="CREATE")
    assert posting["companyApplyUrl"] == "https://ats.example.com/jobs/REQ%207%2Fb"
    assert posting["listedAt"] == T0 - 5
    assert validate_record("simpleJobPostings", posting, now_ms=NOW, operation="CREATE") == []


@pytest.mark.parametrize(
    ("name", "email", "expected"),
    [
        ("Mary Ann Smith", "m@x.example.com", {"requisitionOwnerEmail": "m@x.example.com",
                                              "requisitionOwnerFirstName": "Mary",
                                              "requisitionOwnerLastName": "Ann Smith"}),
        ("Cher", "cher@x.example.com", {"requisitionOwnerEmail": "cher@x.example.com",
                                       "requisitionOwnerFirstName": "Cher"}),
        ("  Rita   Book ", "", {"requisitionOwnerFirstName": "Rita",
                                "requisitionOwnerLastName": "Book"}),
    ],
)
def test_job_owner_fields(name: str, email: str, expected: dict[str, str]) -> None:
    posting = m.job_posting(job_row(), CTX, operation="UPDATE",
                            owner=user_row(name=name, email=email))
    got = {k: v for k, v in posting.items() if k.startswith("requisitionOwner")}
    assert got == expected


def test_job_without_owner_has_no_owner_fields() -> None:
    posting = m.job_posting(job_row(requisition_code=None), CTX, operation="UPDATE")
    assert not any(k.startswith("requisitionOwner") for k in posting)
    assert "companyJobCode" not in posting


@pytest.mark.parametrize(
    ("status", "previous", "expected"),
    [
        ("open", None, ["CREATE"]),
        ("open", "LISTED", ["UPDATE"]),
        ("open", "CLOSED", ["CREATE"]),
        ("closed", None, ["CREATE", "CLOSE"]),
        ("closed", "LISTED", ["CLOSE"]),
        ("closed", "CLOSED", []),
    ],
)
def test_job_operation(status: str, previous: m.JobState | None, expected: list[str]) -> None:
    assert m.job_operation(job_row(status=status), previous) == expected


def test_closed_job_never_sent_is_created_then_closed_and_both_are_valid() -> None:
    row = job_row(status="closed", closed_at=T1)
    for operation in m.job_operation(row, None):
        posting = m.job_posting(row, CTX, operation=operation)
        assert validate_record("simpleJobPostings", posting, now_ms=NOW,
                               operation=operation) == []


def test_job_operation_rejects_unknown_status_and_state() -> None:
    with pytest.raises(ValueError, match="status"):
        m.job_operation(job_row(status="draft"), None)
    with pytest.raises(ValueError, match="state"):
        m.job_operation(job_row(), "OPEN")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Candidates


def test_candidate_full_row() -> None:
    assert m.candidate(candidate_row(), CTX) == {
        "addresses": [{"line1": "31 Spooner St, Apt 2", "city": "Quahog",
                       "geographicArea": "RI", "geographicAreaType": "STATE",
                       "postalCode": "02802", "country": "us"}],
        "atsCreatedAt": T0,
        "atsLastModifiedAt": T1,
        "emailAddresses": ["john.doe@example.com", "jd@example.org"],
        "phoneNumbers": [{"number": "(415) 555-2671", "extension": "1234"},
                         {"number": "+44 20 7946 0958"}],
        "firstName": "John", "lastName": "Doe", "middleInitial": "L", "prefix": "Mr",
        "suffix": "Jr",
        "currentCompanyName": "Candidate Test Company",
        "currentJobTitle": "Quality Assurance",
        "externalProfileUrl": "https://ats.example.com/candidates/C1",
        "linkedInProfileUrl": "https://www.linkedin.com/in/john-doe",
        "doNotContact": True,
        "manualMatchedMember": "urn:li:person:AbC123",
    }


def test_candidate_minimal_row() -> None:
    assert m.candidate(minimal_candidate_row(), CTX) == {
        "addresses": [],
        "atsCreatedAt": T0,
        "atsLastModifiedAt": T1,
        "emailAddresses": ["ann@example.com"],
        "phoneNumbers": [],
        "firstName": "Ann",
        "externalProfileUrl": "https://ats.example.com/candidates/C2",
        "doNotContact": False,
    }


def test_candidate_omits_none_everywhere() -> None:
    record = m.candidate(minimal_candidate_row(), CTX)
    assert None not in record.values()
    assert "null" not in json.dumps(record)


def test_candidate_without_email_or_manual_match_is_rejected_with_the_reason() -> None:
    record = m.candidate(minimal_candidate_row(emails=[]), CTX)
    assert "emailAddresses" not in record
    errors = validate_record("atsCandidates", record, now_ms=NOW)
    assert [e.path for e in errors] == ["/emailAddresses"]
    assert errors[0].reason.startswith(REQUIRED)


def test_candidate_without_email_but_manually_matched_passes() -> None:
    row = minimal_candidate_row(emails=[], person_urn="urn:li:person:Z9",
                                match_method="one_click_export")
    record = m.candidate(row, CTX)
    assert record["manualMatchedMember"] == "urn:li:person:Z9"
    assert validate_record("atsCandidates", record, now_ms=NOW) == []


@pytest.mark.parametrize(
    ("method", "sent"),
    [
        ("one_click_export", True),
        ("profile_widget", True),
        ("manual", True),
        ("stub_profile", True),
        ("matched", False),  # LinkedIn's own match is not sent back
        ("email", False),
        ("linkedin_url", False),
        (None, False),
    ],
)
def test_manual_matched_member_rule(method: str | None, sent: bool) -> None:
    record = m.candidate(candidate_row(match_method=method), CTX)
    assert ("manualMatchedMember" in record) is sent
    if sent:
        assert record["manualMatchedMember"] == "urn:li:person:AbC123"


def test_manual_method_without_person_urn_sends_nothing() -> None:
    record = m.candidate(candidate_row(person_urn=None, match_method="manual"), CTX)
    assert "manualMatchedMember" not in record


def test_candidate_addresses() -> None:
    row = candidate_row(addresses=[
        {"line1": None, "line2": "Unit 4", "city": "London", "region": None,
         "postal_code": "EC1A 1BB", "country": "GB"},
        {"line1": None, "line2": None, "city": None, "region": None, "postal_code": None,
         "country": None},
        {"city": "Austin", "region": "TX"},
    ])
    assert m.candidate(row, CTX)["addresses"] == [
        {"line1": "Unit 4", "city": "London", "postalCode": "EC1A 1BB", "country": "gb"},
        {"city": "Austin", "geographicArea": "TX", "geographicAreaType": "STATE"},
    ]


def test_candidate_deep_link_quotes_the_id() -> None:
    record = m.candidate(candidate_row(external_id="cand 1/2?x"), CTX)
    assert record["externalProfileUrl"] == "https://ats.example.com/candidates/cand%201%2F2%3Fx"
    assert validate_record("atsCandidates", record, now_ms=NOW) == []


# --------------------------------------------------------------------------------------------
# Notes, applications, stages, feedback


def test_candidate_note_full_and_minimal() -> None:
    assert m.candidate_note(note_row(), user_row(name="Rita Book")) == {
        "atsCreatedAt": T0, "note": "Strong communicator; follow up in Q3.",
        "author": {"firstName": "Rita", "lastName": "Book"}}
    assert m.candidate_note(note_row(), None) == {
        "atsCreatedAt": T0, "note": "Strong communicator; follow up in Q3."}


@pytest.mark.parametrize("name", ["Cher", "", "   ", None])
def test_note_author_only_when_both_names_are_known(name: str | None) -> None:
    assert "author" not in m.application_note(note_row(), user_row(name=name))  # type: ignore[arg-type]


def test_application_note_is_a_note() -> None:
    row = note_row(candidate_id=None, application_id=4)
    assert m.application_note(row, user_row()) == m.candidate_note(row, user_row())


def test_application_full_row() -> None:
    record = m.application(application_row(), candidate=candidate_row(), job=job_row(), ctx=CTX)
    assert record == {
        "atsCandidateId": "C1",
        "atsCreatedAt": T0,
        "atsLastModifiedAt": T1,
        "atsJobPostingId": "REQ-42",
        "atsJobPostingName": "Senior Software Engineer",
        "candidateEmail": "john.doe@example.com",
        "firstName": "John",
        "lastName": "Doe",
        "source": "Referral",
        "dispositionReason": "Not a fit",
    }


def test_application_minimal_row() -> None:
    record = m.application(minimal_application_row(),
                           candidate=minimal_candidate_row(emails=[]),
                           job=minimal_job_row(), ctx=CTX)
    assert record == {
        "atsCandidateId": "C2",
        "atsCreatedAt": T0,
        "atsLastModifiedAt": T1,
        "atsJobPostingId": "REQ-43",
        "atsJobPostingName": "Recruiter",
        "firstName": "Ann",
    }


def test_stage() -> None:
    assert m.stage(transition_row()) == {"atsCreatedAt": T0 + 5000, "stage": "Phone Interview"}


def test_interview_feedback_full_and_minimal() -> None:
    assert m.interview_feedback(feedback_row(), user_row(name="Rita Book")) == {
        "atsCreatedAt": T0,
        "interviewer": {"firstName": "Rita", "lastName": "Book"},
        "evaluations": [{"attribute": "Verbal Communication", "result": "4/5"}],
        "feedback": "Great interview!",
        "interviewType": "PHONE_SCREEN",
    }
    assert m.interview_feedback(minimal_feedback_row(), None) == {
        "atsCreatedAt": T0, "evaluations": []}
    onsite = m.interview_feedback(feedback_row(interview_type="onsite"), None)
    assert onsite["interviewType"] == "ONSITE"


# --------------------------------------------------------------------------------------------
# CRM Connect


def test_pipeline_full_and_minimal() -> None:
    record = m.pipeline(project_row(), owner=user_row(email="owner@acme.example.com"),
                        job_external_ids=["REQ-42"])
    assert record == {
        "title": "Data engineers 2025",
        "description": "Pipeline for data roles",
        "accessRestricted": False,
        "externalJobPostingIds": ["REQ-42"],
        "locations": ["London, GB", "Remote"],
        "ownerEmailAddress": "owner@acme.example.com",
        "tcrmCreatedAt": T0,
        "tcrmLastModifiedAt": T1,
    }
    assert m.pipeline(minimal_project_row(), owner=None, job_external_ids=[]) == {
        "title": "Nurture", "accessRestricted": False, "externalJobPostingIds": [],
        "locations": [], "tcrmCreatedAt": T0, "tcrmLastModifiedAt": T1}


def test_pipeline_access_restricted_when_not_shared() -> None:
    record = m.pipeline(project_row(shared_with_all=False), owner=None, job_external_ids=[])
    assert record["accessRestricted"] is True


def test_pipeline_stage() -> None:
    assert m.pipeline_stage(project_stage_row()) == {
        "stageCategory": "CONTACTED", "stageDetails": "First call", "tcrmCreatedAt": T0}


def test_candidate_pipeline_full_and_minimal() -> None:
    assert m.candidate_pipeline(membership_row(), stage_external_id="PS1") == {
        "sources": [{"sourceCategory": "LINKEDIN", "sourceDetails": "LinkedIn Recruiter"}],
        "dispositionReason": "Not interested",
        "tcrmStageId": "PS1",
        "tcrmCreatedAt": T0,
        "tcrmLastModifiedAt": T1,
    }
    assert m.candidate_pipeline(minimal_membership_row(), stage_external_id=None) == {
        "sources": [{"sourceCategory": "OTHER"}],
        "tcrmCreatedAt": T0,
        "tcrmLastModifiedAt": T1,
    }


@pytest.mark.parametrize(
    ("source", "category"),
    [
        ("LinkedIn", "LINKEDIN"),
        ("John Smith (LinkedIn Recruiter)", "LINKEDIN"),
        ("linkedin job board", "LINKEDIN"),
        ("InMail reply", "LINKEDIN"),
        ("Email campaign", "EMAIL"),
        ("E-mail", "EMAIL"),
        ("Employee referral", "REFERRAL"),
        ("Referred by Bob via email", "REFERRAL"),
        ("Spring career fair", "EVENT"),
        ("Events: PyCon", "EVENT"),
        ("Career site", "CAREER_SITE"),
        ("Careers page", "CAREER_SITE"),
        ("Job board", "JOB_BOARD"),
        ("Indeed", "JOB_BOARD"),
        ("Recruitment agency", "AGENCY"),
        ("Social media", "SOCIAL_MEDIA"),
        ("Facebook ad", "SOCIAL_MEDIA"),
        ("Active search", "OTHER"),
        ("", "OTHER"),
        (None, "OTHER"),
    ],
)
def test_source_category(source: str | None, category: str) -> None:
    assert m.source_category(source) == category
    assert category in SOURCE_CATEGORIES


def test_interaction_full_and_minimal() -> None:
    assert m.interaction(interaction_row(), candidate_external_id="C1",
                         project_external_id="P1") == {
        "tcrmCandidateId": "C1",
        "tcrmPipelineId": "P1",
        "interactionType": "EMAIL",
        "direction": "OUTBOUND",
        "tcrmCreatedAt": T0 + 2000,
        "tcrmLastModifiedAt": T1,
    }
    assert m.interaction(minimal_interaction_row(), candidate_external_id="C1",
                         project_external_id=None) == {
        "tcrmCandidateId": "C1", "interactionType": "WEB_SESSION", "tcrmCreatedAt": T0,
        "tcrmLastModifiedAt": T1}


@pytest.mark.parametrize("itype", ["email", "web_session", "inmail", "note", "call", "meeting",
                                   "sms", "event", "application", "other"])
def test_interactions_never_carry_subject_or_content(itype: str) -> None:
    record = m.interaction(interaction_row(type=itype), candidate_external_id="C1",
                           project_external_id="P1")
    text = json.dumps(record)
    assert "SECRET" not in text
    assert not {"subject", "content", "body", "note"} & set(record)
    assert validate_record("tcrmInteractions", record, now_ms=NOW) == []


def test_interaction_last_modified_never_before_it_happened() -> None:
    row = interaction_row(occurred_at=T1 + 60_000, modified_at=T1)  # a scheduled meeting
    record = m.interaction(row, candidate_external_id="C1", project_external_id=None)
    assert record["tcrmCreatedAt"] == record["tcrmLastModifiedAt"] == T1 + 60_000
    assert validate_record("tcrmInteractions", record, now_ms=NOW) == []


def test_unexpected_enum_values_are_sent_for_validation_to_reject() -> None:
    record = m.pipeline_stage(project_stage_row(category="sourcing"))
    errors = validate_record("tcrmPipelineStages", record, now_ms=NOW)
    assert [e.path for e in errors] == ["/stageCategory"]


# --------------------------------------------------------------------------------------------
# Every mapped valid row passes LinkedIn's schema (and our contact checks), per resource

_VALID: list[tuple[str, Callable[[], dict[str, Any]]]] = [
    ("atsCandidates", lambda: m.candidate(candidate_row(), CTX)),
    ("atsCandidates", lambda: m.candidate(minimal_candidate_row(), CTX)),
    ("atsCandidates/notes", lambda: m.candidate_note(note_row(), user_row())),
    ("atsCandidates/notes", lambda: m.candidate_note(note_row(), None)),
    ("atsApplications", lambda: m.application(application_row(), candidate=candidate_row(),
                                              job=job_row(), ctx=CTX)),
    ("atsApplications", lambda: m.application(minimal_application_row(),
                                              candidate=minimal_candidate_row(emails=[]),
                                              job=minimal_job_row(), ctx=CTX)),
    ("atsApplications/notes", lambda: m.application_note(note_row(), user_row())),
    ("atsApplications/interviewFeedback",
     lambda: m.interview_feedback(feedback_row(), user_row())),
    ("atsApplications/interviewFeedback",
     lambda: m.interview_feedback(minimal_feedback_row(), None)),
    ("atsApplications/stages", lambda: m.stage(transition_row())),
    ("tcrmPipelines", lambda: m.pipeline(project_row(), owner=user_row(),
                                         job_external_ids=["REQ-42"])),
    ("tcrmPipelines", lambda: m.pipeline(minimal_project_row(), owner=None,
                                         job_external_ids=[])),
    ("tcrmPipelineStages", lambda: m.pipeline_stage(project_stage_row())),
    ("tcrmCandidatePipelines",
     lambda: m.candidate_pipeline(membership_row(), stage_external_id="PS1")),
    ("tcrmCandidatePipelines",
     lambda: m.candidate_pipeline(minimal_membership_row(), stage_external_id=None)),
    ("tcrmInteractions", lambda: m.interaction(interaction_row(), candidate_external_id="C1",
                                               project_external_id="P1")),
    ("tcrmInteractions", lambda: m.interaction(minimal_interaction_row(),
                                               candidate_external_id="C1",
                                               project_external_id=None)),
]


@pytest.mark.parametrize(("resource", "build"), _VALID)
def test_mapped_valid_rows_pass_linkedin_schema(
    resource: str, build: Callable[[], dict[str, Any]]
) -> None:
    payload = build()
    assert validate_record(resource, payload, now_ms=NOW) == []
    assert check(resource, payload, now_ms=NOW) == []


@pytest.mark.parametrize("category", ["nurture", "lead", "contacted", "replied", "applied",
                                      "screen", "interview", "offer", "hired", "rejected",
                                      "declined", "archived", "other"])
def test_every_store_stage_category_is_a_linkedin_one(category: str) -> None:
    record = m.pipeline_stage(project_stage_row(category=category))
    assert validate_record("tcrmPipelineStages", record, now_ms=NOW) == []


def test_mappers_do_not_modify_their_rows() -> None:
    row = candidate_row()
    before = json.dumps(row, sort_keys=True)
    m.candidate(row, CTX)
    assert json.dumps(row, sort_keys=True) == before
