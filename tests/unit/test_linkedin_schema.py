"""Tests for recruitlink.core.linkedin_schema: LinkedIn's field rules, one case per rule."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitlink.core.linkedin_schema import (
    INTEGRATION_TYPES,
    JOB_AVAILABILITIES,
    JOB_OPERATIONS,
    KEY_FIELDS,
    NOT_DELETABLE,
    PATCHABLE_RESOURCES,
    READ_ONLY,
    REQUIRED,
    RESOURCES,
    UNKNOWN_KEY_FIELD,
    UNRECOGNIZED,
    FieldError,
    validate_key,
    validate_patch_fields,
    validate_provisioning,
    validate_record,
)

NOW = 1_800_000_000_000
T0 = 1_700_000_000_000
ORG = "urn:li:organization:123"
DEL = object()  # in a change set: remove the field

# --------------------------------------------------------------------------------------------
# Valid examples, taken from the reference (linkedin-api.md) where it has one.

CANDIDATE: dict[str, Any] = {
    "addresses": [
        {
            "line1": "31 Spooner St",
            "city": "Quahog",
            "geographicArea": "RI",
            "geographicAreaType": "STATE",
            "postalCode": "02802",
            "country": "us",
        }
    ],
    "atsCreatedAt": T0,
    "atsLastModifiedAt": T0,
    "currentCompanyName": "Candidate Test Company",
    "currentJobTitle": "Quality Assurance",
    "emailAddresses": ["john.doe@example.com"],
    "externalProfileUrl": "https://myats.example.com/candidates/C1",
    "firstName": "John",
    "lastName": "Doe",
    "middleInitial": "L",
    "prefix": "Mr",
    "suffix": "Jr",
    "phoneNumbers": [{"number": "555-555-5555", "extension": "1234"}],
}
NOTE: dict[str, Any] = {
    "atsCreatedAt": T0,
    "note": "This is a candidate note.",
    "author": {"firstName": "Rita", "lastName": "Book"},
}
APPLICATION: dict[str, Any] = {
    "atsCandidateId": "C1",
    "atsCreatedAt": T0,
    "atsLastModifiedAt": T0,
    "atsJobPostingId": "REQ-42",
    "atsJobPostingName": "Senior Software Engineer",
    "candidateEmail": "john.doe@example.com",
    "firstName": "John",
    "lastName": "Doe",
    "source": "Referral",
    "dispositionReason": "",
}
FEEDBACK: dict[str, Any] = {
    "atsCreatedAt": T0,
    "evaluations": [{"attribute": "Verbal Communication", "result": "4/5"}],
    "feedback": "Great interview!",
    "interviewer": {"firstName": "Rita", "lastName": "Book"},
    "interviewType": "PHONE_SCREEN",
}
STAGE: dict[str, Any] = {"atsCreatedAt": T0, "stage": "Phone Interview"}
PIPELINE: dict[str, Any] = {
    "title": "Backend engineers 2024",
    "description": "Talent pool for backend roles",
    "accessRestricted": False,
    "externalJobPostingIds": ["REQ-42"],
    "locations": ["Berlin, DE"],
    "ownerEmailAddress": "owner@acme.com",
    "tcrmCreatedAt": T0,
    "tcrmLastModifiedAt": T0 + 1,
}
PIPELINE_STAGE: dict[str, Any] = {
    "stageCategory": "CONTACTED",
    "stageDetails": "Reached out by email",
    "tcrmCreatedAt": T0,
}
CANDIDATE_PIPELINE: dict[str, Any] = {
    "sources": [{"sourceCategory": "LINKEDIN", "sourceDetails": "Recruiter search"}],
    "dispositionReason": "",
    "tcrmStageId": "S1",
    "tcrmCreatedAt": T0,
    "tcrmLastModifiedAt": T0,
}
INTERACTION: dict[str, Any] = {
    "tcrmCandidateId": "C1",
    "tcrmPipelineId": "P1",
    "accessRestricted": False,
    "interactionType": "EMAIL",
    "direction": "OUTBOUND",
    "tcrmCreatedAt": T0,
    "tcrmLastModifiedAt": T0,
}
INTEGRATION: dict[str, Any] = {
    "integrationName": "Acme LinkedIn Recruiter One-Click Export Integration"
}
CONFIGURATION: dict[str, Any] = {
    "configurationValue": {"string": "https://hooks.myats.com/linkedin/acme"}
}
DESCRIPTION = "<p>We are hiring a <b>Senior Software Engineer</b> to build our platform.</p>" + (
    "<ul><li>Python</li><li>Rest.li</li></ul><br>"
)
JOB: dict[str, Any] = {
    "integrationContext": ORG,
    "externalJobPostingId": "REQ-42",
    "jobPostingOperationType": "CREATE",
    "title": "Senior Software Engineer",
    "description": DESCRIPTION,
    "location": "San Francisco, CA, US",
    "availability": "PRIVATE_TO_ATS_INTEGRATION",
    "companyApplyUrl": "https://careers.acme.com/jobs/42",
    "listedAt": T0,
}
JOB_KEYS_ONLY: dict[str, Any] = {
    "integrationContext": ORG,
    "externalJobPostingId": "REQ-42",
    "jobPostingOperationType": "CLOSE",
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "atsCandidates": CANDIDATE,
    "atsCandidates/notes": NOTE,
    "atsApplications": APPLICATION,
    "atsApplications/notes": NOTE,
    "atsApplications/interviewFeedback": FEEDBACK,
    "atsApplications/stages": STAGE,
    "atsEntityAcls": {},
    "atsEntityAclAssignees": {},
    "tcrmPipelines": PIPELINE,
    "tcrmPipelineStages": PIPELINE_STAGE,
    "tcrmCandidatePipelines": CANDIDATE_PIPELINE,
    "tcrmInteractions": INTERACTION,
    "atsIntegrations": INTEGRATION,
    "atsIntegrations/configurations": CONFIGURATION,
    "simpleJobPostings": JOB,
    "attachments": {"fileName": "cv.pdf", "contentType": "application/pdf",
                    "media": "urn:li:media:1", "externalCreatedAt": T0},
}

KEYS: dict[str, dict[str, str]] = {
    "atsCandidates": {"atsCandidateId": "C1", "dataProvider": "ATS", "integrationContext": ORG},
    "atsApplications": {
        "atsJobApplicationId": "A1",
        "dataProvider": "ATS",
        "integrationContext": ORG,
    },
    "atsEntityAcls": {
        "atsEntityAclId": "TEST_JOBS",
        "dataProvider": "ATS",
        "integrationContext": ORG,
        "atsEntityType": "JOB_POSTING",
        "atsEntityId": "REQ-42",
    },
    "atsEntityAclAssignees": {
        "atsEntityAclId": "TEST_JOBS",
        "integrationContext": ORG,
        "dataProvider": "ATS",
        "assignee": "urn:li:person:AbC-12_3",
        "atsEntityType": "JOB_POSTING",
    },
    "tcrmPipelines": {"tcrmPipelineId": "P1", "dataProvider": "PARTNER", "integrationContext": ORG},
    "tcrmPipelineStages": {
        "tcrmPipelineId": "P1",
        "tcrmStageId": "S1",
        "dataProvider": "ATS",
        "integrationContext": ORG,
    },
    "tcrmCandidatePipelines": {
        "tcrmCandidateId": "C1",
        "tcrmPipelineId": "P1",
        "dataProvider": "PARTNER",
        "integrationContext": ORG,
    },
    "tcrmInteractions": {
        "tcrmInteractionId": "I1",
        "dataProvider": "PARTNER",
        "integrationContext": ORG,
    },
    "atsIntegrations": {
        "integrationContext": ORG,
        "integrationType": "ONE_CLICK_EXPORT",
        "tenantType": "RECRUITER",
        "dataProvider": "ATS",
    },
    "atsCandidates/notes": {"id": "N1"},
    "atsApplications/notes": {"id": "APPL_NOTE_0001"},
    "atsApplications/interviewFeedback": {"id": "APPL_INTERVIEW_0001"},
    "atsApplications/stages": {"id": "STAGE001"},
    "atsIntegrations/configurations": {"id": "CALLBACK_URL"},
    "simpleJobPostings": {},
    "attachments": {"atsJobApplicationId": "A1", "integrationContext": ORG,
                    "externalAttachmentId": "F1"},
}

PROVISIONING: dict[str, Any] = {
    "description": "TEST APP FOR Acme",
    "name": "MyATS - Acme",
    "uniqueForeignId": "acme-123",
    "oauth2AuthorizedCallbackUrls": ["https://app.example.com/oauth2/callback"],
    "validJsSdkDomains": ["https://acme.myats.com", "http://localhost:5000"],
}


def changed(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    record = copy.deepcopy(base)
    for name, value in changes.items():
        if value is DEL:
            record.pop(name, None)
        else:
            record[name] = value
    return record


def only(errors: list[FieldError], path: str, fragment: str, status: int = 422) -> None:
    """Exactly one error, at `path`, whose reason mentions `fragment`."""
    assert [e.path for e in errors] == [path], errors
    assert fragment.lower() in errors[0].reason.lower(), errors
    assert errors[0].status == status, errors


def has(errors: list[FieldError], path: str, fragment: str, status: int = 422) -> None:
    """Some error at `path` whose reason mentions `fragment`."""
    assert any(
        e.path == path and fragment.lower() in e.reason.lower() and e.status == status
        for e in errors
    ), errors


# --------------------------------------------------------------------------------------------
# Public surface


def test_field_error_message_and_default_status() -> None:
    assert FieldError("/title", REQUIRED).message == (
        "ERROR :: /title :: field is required but not found and has no default value"
    )
    assert FieldError("", "bad").message == "ERROR :: / :: bad"
    assert FieldError("", "bad").status == 422


def test_resource_names_and_key_fields() -> None:
    assert KEY_FIELDS == {
        "atsCandidates": ("atsCandidateId", "dataProvider", "integrationContext"),
        "atsApplications": ("atsJobApplicationId", "dataProvider", "integrationContext"),
        "atsEntityAcls": (
            "atsEntityAclId",
            "dataProvider",
            "integrationContext",
            "atsEntityType",
            "atsEntityId",
        ),
        "atsEntityAclAssignees": (
            "atsEntityAclId",
            "dataProvider",
            "integrationContext",
            "assignee",
            "atsEntityType",
        ),
        "tcrmPipelines": ("tcrmPipelineId", "dataProvider", "integrationContext"),
        "tcrmPipelineStages": (
            "tcrmPipelineId",
            "tcrmStageId",
            "dataProvider",
            "integrationContext",
        ),
        "tcrmCandidatePipelines": (
            "tcrmCandidateId",
            "tcrmPipelineId",
            "dataProvider",
            "integrationContext",
        ),
        "tcrmInteractions": ("tcrmInteractionId", "dataProvider", "integrationContext"),
        "atsIntegrations": ("integrationContext", "integrationType", "tenantType", "dataProvider"),
        "atsCandidates/notes": (),
        "atsApplications/notes": (),
        "atsApplications/interviewFeedback": (),
        "atsApplications/stages": (),
        "atsIntegrations/configurations": (),
        "simpleJobPostings": (),
        "attachments": ("atsJobApplicationId", "integrationContext", "externalAttachmentId"),
    }
    assert frozenset(KEY_FIELDS) == RESOURCES
    assert set(EXAMPLES) == set(RESOURCES) == set(KEYS)
    assert {"atsCandidates", "atsApplications", "atsIntegrations"} == PATCHABLE_RESOURCES


def test_constants() -> None:
    assert set(INTEGRATION_TYPES) == {
        "APPLY_CONNECT",
        "APPLY_WITH_LINKEDIN",
        "CSA_API",
        "IN_ATS_INDICATOR",
        "ONE_CLICK_EXPORT",
        "PROFILE_PLUGIN",
        "RECOMMENDED_MATCHES",
        "UNIFIED_SEARCH",
        "CRM_ONE_CLICK_EXPORT",
        "IN_CRM_INDICATOR",
    }
    assert tuple(JOB_OPERATIONS) == ("CREATE", "UPDATE", "RENEW", "CLOSE")
    assert set(JOB_AVAILABILITIES) == {"PUBLIC", "PRIVATE_TO_ATS_INTEGRATION"}


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_unknown_resource_is_a_programming_error(resource: str) -> None:
    with pytest.raises(ValueError):
        validate_record(resource + "X", {}, now_ms=NOW)
    with pytest.raises(ValueError):
        validate_key(resource + "X", {})


def test_patch_on_a_resource_without_partial_update_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        validate_patch_fields("atsCandidates/notes", {}, [])
    with pytest.raises(ValueError):
        validate_patch_fields("nope", {}, [])


# --------------------------------------------------------------------------------------------
# Records: valid examples pass, and generic shape rules hold for every resource


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_reference_example_is_valid(resource: str) -> None:
    assert validate_record(resource, copy.deepcopy(EXAMPLES[resource]), now_ms=NOW) == []


@pytest.mark.parametrize("resource", sorted(RESOURCES - {"simpleJobPostings"}))
@pytest.mark.parametrize("value", [None, [], "x", 1, True, 1.5])
def test_record_must_be_an_object(resource: str, value: object) -> None:
    errors = validate_record(resource, value, now_ms=NOW)
    only(errors, "", "expected object but found")


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_unknown_field_is_rejected(resource: str) -> None:
    record = changed(EXAMPLES[resource], {"bogus/field~": 1})
    only(validate_record(resource, record, now_ms=NOW), "/bogus~1field~0", UNRECOGNIZED)


@pytest.mark.parametrize(
    "variant",
    [
        {"addresses": [], "phoneNumbers": []},
        {"addresses": [{}], "phoneNumbers": [{"number": "1"}]},
        {"emailAddresses": []},
        {"emailAddresses": DEL, "manualMatchedMember": "urn:li:person:AbC123"},
        {"doNotContact": True, "linkedInProfileUrl": "https://www.linkedin.com/in/jdoe"},
        {"atsLastModifiedAt": T0 + 1},
        {"lastName": DEL, "middleInitial": ""},
    ],
)
def test_candidate_valid_variants(variant: dict[str, Any]) -> None:
    assert validate_record("atsCandidates", changed(CANDIDATE, variant), now_ms=NOW) == []


# (resource, changes, path, reason fragment)
RECORD_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # atsCandidates
    ("atsCandidates", {"addresses": DEL}, "/addresses", REQUIRED),
    ("atsCandidates", {"addresses": {}}, "/addresses", "expected array but found object"),
    ("atsCandidates", {"addresses": [{"street": "x"}]}, "/addresses/0/street", UNRECOGNIZED),
    ("atsCandidates", {"addresses": [{"city": 5}]}, "/addresses/0/city", "expected string"),
    ("atsCandidates", {"addresses": ["x"]}, "/addresses/0", "expected object but found string"),
    ("atsCandidates", {"atsCreatedAt": DEL}, "/atsCreatedAt", REQUIRED),
    ("atsCandidates", {"atsCreatedAt": True}, "/atsCreatedAt", "expected long but found boolean"),
    ("atsCandidates", {"atsCreatedAt": 1.7e12}, "/atsCreatedAt", "expected long but found number"),
    ("atsCandidates", {"atsCreatedAt": "1700000000000"}, "/atsCreatedAt", "found string"),
    ("atsCandidates", {"atsCreatedAt": None}, "/atsCreatedAt", "expected long but found null"),
    ("atsCandidates", {"atsCreatedAt": 0}, "/atsCreatedAt", "> 0"),
    ("atsCandidates", {"atsCreatedAt": -5}, "/atsCreatedAt", "> 0"),
    ("atsCandidates", {"atsCreatedAt": 2**63}, "/atsCreatedAt", "long"),
    ("atsCandidates", {"atsLastModifiedAt": DEL}, "/atsLastModifiedAt", REQUIRED),
    ("atsCandidates", {"atsLastModifiedAt": T0 - 1}, "/atsLastModifiedAt", ">= atsCreatedAt"),
    ("atsCandidates", {"phoneNumbers": DEL}, "/phoneNumbers", REQUIRED),
    ("atsCandidates", {"phoneNumbers": [{}]}, "/phoneNumbers/0/number", REQUIRED),
    ("atsCandidates", {"phoneNumbers": [{"number": ""}]}, "/phoneNumbers/0/number", "empty"),
    (
        "atsCandidates",
        {"phoneNumbers": [{"number": "1", "extension": 12}]},
        "/phoneNumbers/0/extension",
        "expected string but found integer",
    ),
    ("atsCandidates", {"firstName": DEL}, "/firstName", REQUIRED),
    ("atsCandidates", {"firstName": ""}, "/firstName", "empty"),
    ("atsCandidates", {"firstName": None}, "/firstName", "expected string but found null"),
    ("atsCandidates", {"lastName": ["Doe"]}, "/lastName", "expected string but found array"),
    ("atsCandidates", {"externalProfileUrl": DEL}, "/externalProfileUrl", REQUIRED),
    ("atsCandidates", {"externalProfileUrl": "ftp://x.com/c"}, "/externalProfileUrl", "http"),
    ("atsCandidates", {"externalProfileUrl": "/candidates/1"}, "/externalProfileUrl", "URL"),
    ("atsCandidates", {"externalProfileUrl": "https://"}, "/externalProfileUrl", "host"),
    ("atsCandidates", {"externalProfileUrl": "https://a b.com"}, "/externalProfileUrl", "URL"),
    ("atsCandidates", {"externalProfileUrl": "https://a.com:x"}, "/externalProfileUrl", "URL"),
    ("atsCandidates", {"externalProfileUrl": "https://-a.com"}, "/externalProfileUrl", "host"),
    ("atsCandidates", {"linkedInProfileUrl": "linkedin.com/in/x"}, "/linkedInProfileUrl", "URL"),
    ("atsCandidates", {"emailAddresses": ["john.doe"]}, "/emailAddresses/0", "email pattern"),
    ("atsCandidates", {"emailAddresses": ["a@b"]}, "/emailAddresses/0", "email pattern"),
    ("atsCandidates", {"emailAddresses": ["a@b."]}, "/emailAddresses/0", "email pattern"),
    ("atsCandidates", {"emailAddresses": ["a@.b"]}, "/emailAddresses/0", "email pattern"),
    ("atsCandidates", {"emailAddresses": ["@b.c"]}, "/emailAddresses/0", "email pattern"),
    ("atsCandidates", {"emailAddresses": ["a b@c.d"]}, "/emailAddresses/0", "email pattern"),
    ("atsCandidates", {"emailAddresses": ["a@b@c.d"]}, "/emailAddresses/0", "email pattern"),
    ("atsCandidates", {"emailAddresses": "a@b.c"}, "/emailAddresses", "expected array"),
    ("atsCandidates", {"emailAddresses": DEL}, "/emailAddresses", REQUIRED),
    ("atsCandidates", {"manualMatchedMember": "urn:li:member:1"}, "/manualMatchedMember", "person"),
    ("atsCandidates", {"manualMatchedMember": "urn:li:person:"}, "/manualMatchedMember", "person"),
    ("atsCandidates", {"matchedMembers": ["urn:li:person:1"]}, "/matchedMembers", READ_ONLY),
    ("atsCandidates", {"doNotContact": "yes"}, "/doNotContact", "expected boolean"),
    ("atsCandidates", {"doNotContact": 0}, "/doNotContact", "expected boolean but found integer"),
    # notes (both kinds)
    ("atsCandidates/notes", {"author": {"firstName": "Rita"}}, "/author/lastName", REQUIRED),
    ("atsCandidates/notes", {"author": "Rita Book"}, "/author", "expected object"),
    (
        "atsApplications/notes",
        {"author": {"firstName": "", "lastName": "B"}},
        "/author/firstName",
        "empty",
    ),
    ("atsApplications/notes", {"note": 5}, "/note", "expected string"),
    ("atsApplications/notes", {"atsCreatedAt": 0}, "/atsCreatedAt", "> 0"),
    ("atsCandidates/notes", {"atsLastModifiedAt": T0 - 1}, "/atsLastModifiedAt", ">= atsCreatedAt"),
    # interview feedback
    ("atsApplications/interviewFeedback", {"interviewType": "VIDEO"}, "/interviewType", "one of"),
    (
        "atsApplications/interviewFeedback",
        {"evaluations": [{"attribute": "x"}]},
        "/evaluations/0/result",
        REQUIRED,
    ),
    (
        "atsApplications/interviewFeedback",
        {"evaluations": [{"attribute": "x", "result": 4}]},
        "/evaluations/0/result",
        "expected string",
    ),
    (
        "atsApplications/interviewFeedback",
        {"interviewer": {"firstName": "R"}},
        "/interviewer/lastName",
        REQUIRED,
    ),
    ("atsApplications/interviewFeedback", {"feedback": False}, "/feedback", "expected string"),
    ("atsApplications/interviewFeedback", {"atsCreatedAt": True}, "/atsCreatedAt", "long"),
    # stages
    ("atsApplications/stages", {"stage": DEL}, "/stage", REQUIRED),
    ("atsApplications/stages", {"stage": ""}, "/stage", "empty"),
    ("atsApplications/stages", {"stage": "Not Available"}, "/stage", "Not Available"),
    ("atsApplications/stages", {"stage": " not AVAILABLE "}, "/stage", "Not Available"),
    ("atsApplications/stages", {"atsCreatedAt": DEL}, "/atsCreatedAt", REQUIRED),
    # atsApplications
    ("atsApplications", {"atsJobPostingId": DEL}, "/atsJobPostingId", REQUIRED),
    ("atsApplications", {"atsJobPostingId": ""}, "/atsJobPostingId", "empty"),
    ("atsApplications", {"atsJobPostingName": DEL}, "/atsJobPostingName", REQUIRED),
    ("atsApplications", {"atsJobPostingName": ""}, "/atsJobPostingName", "empty"),
    ("atsApplications", {"atsCreatedAt": DEL}, "/atsCreatedAt", REQUIRED),
    ("atsApplications", {"atsLastModifiedAt": DEL}, "/atsLastModifiedAt", REQUIRED),
    ("atsApplications", {"atsLastModifiedAt": T0 - 1}, "/atsLastModifiedAt", ">= atsCreatedAt"),
    ("atsApplications", {"candidateEmail": "john"}, "/candidateEmail", "email pattern"),
    ("atsApplications", {"firstName": ""}, "/firstName", "empty"),
    ("atsApplications", {"lastName": ""}, "/lastName", "empty"),
    ("atsApplications", {"atsCandidateId": 5}, "/atsCandidateId", "expected string"),
    ("atsApplications", {"source": None}, "/source", "expected string but found null"),
    ("atsApplications", {"status": "HIRED"}, "/status", UNRECOGNIZED),
    # ACLs
    ("atsEntityAcls", {"atsEntityId": "REQ-42"}, "/atsEntityId", UNRECOGNIZED),
    ("atsEntityAclAssignees", {"assignee": "urn:li:person:1"}, "/assignee", UNRECOGNIZED),
    # tcrmPipelines
    ("tcrmPipelines", {"title": DEL}, "/title", REQUIRED),
    ("tcrmPipelines", {"title": ""}, "/title", "empty"),
    ("tcrmPipelines", {"title": "x" * 201}, "/title", "at most 200"),
    ("tcrmPipelines", {"description": 1}, "/description", "expected string"),
    ("tcrmPipelines", {"accessRestricted": "true"}, "/accessRestricted", "expected boolean"),
    ("tcrmPipelines", {"externalJobPostingIds": [42]}, "/externalJobPostingIds/0", "string"),
    ("tcrmPipelines", {"locations": "Berlin"}, "/locations", "expected array"),
    ("tcrmPipelines", {"ownerEmailAddress": "owner"}, "/ownerEmailAddress", "email pattern"),
    ("tcrmPipelines", {"tcrmCreatedAt": DEL}, "/tcrmCreatedAt", REQUIRED),
    ("tcrmPipelines", {"tcrmLastModifiedAt": T0 - 1}, "/tcrmLastModifiedAt", ">= tcrmCreatedAt"),
    # tcrmPipelineStages
    ("tcrmPipelineStages", {"stageCategory": DEL}, "/stageCategory", REQUIRED),
    ("tcrmPipelineStages", {"stageCategory": "SOURCED"}, "/stageCategory", "one of"),
    ("tcrmPipelineStages", {"stageCategory": "contacted"}, "/stageCategory", "one of"),
    ("tcrmPipelineStages", {"stageDetails": DEL}, "/stageDetails", REQUIRED),
    ("tcrmPipelineStages", {"stageDetails": ""}, "/stageDetails", "empty"),
    ("tcrmPipelineStages", {"tcrmCreatedAt": DEL}, "/tcrmCreatedAt", REQUIRED),
    ("tcrmPipelineStages", {"tcrmLastModifiedAt": 1}, "/tcrmLastModifiedAt", ">= tcrmCreatedAt"),
    # tcrmCandidatePipelines
    ("tcrmCandidatePipelines", {"sources": DEL}, "/sources", REQUIRED),
    ("tcrmCandidatePipelines", {"sources": []}, "/sources", "at least 1"),
    (
        "tcrmCandidatePipelines",
        {"sources": [{"sourceCategory": "CAREER_SI"}]},
        "/sources/0/sourceCategory",
        "one of",
    ),
    (
        "tcrmCandidatePipelines",
        {"sources": [{"sourceDetails": "x"}]},
        "/sources/0/sourceCategory",
        REQUIRED,
    ),
    ("tcrmCandidatePipelines", {"dispositionReason": 3}, "/dispositionReason", "string"),
    ("tcrmCandidatePipelines", {"tcrmCreatedAt": -1}, "/tcrmCreatedAt", "> 0"),
    # tcrmInteractions
    ("atsCandidates", {"resume": {"media": "urn:li:media:1", "fileName": "cv.docx",
                                  "contentType": "application/vnd.openxmlformats-"
                                                 "officedocument.wordprocessingml.document"}},
     "/resume/contentType", "one of"),
    ("atsCandidates", {"resume": {"media": "media-1", "fileName": "cv.pdf",
                                  "contentType": "application/pdf"}},
     "/resume/media", "urn:li:media"),
    ("attachments", {"contentType": "image/png"}, "/contentType", "one of"),
    ("attachments", {"media": DEL}, "/media", REQUIRED),
    ("tcrmInteractions", {"tcrmCandidateId": DEL}, "/tcrmCandidateId", REQUIRED),
    ("tcrmInteractions", {"tcrmCandidateId": ""}, "/tcrmCandidateId", "empty"),
    ("tcrmInteractions", {"interactionType": DEL}, "/interactionType", REQUIRED),
    ("tcrmInteractions", {"interactionType": "FAX"}, "/interactionType", "one of"),
    ("tcrmInteractions", {"direction": "SIDEWAYS"}, "/direction", "one of"),
    ("tcrmInteractions", {"tcrmCreatedAt": DEL}, "/tcrmCreatedAt", REQUIRED),
    ("tcrmInteractions", {"tcrmLastModifiedAt": T0 - 1}, "/tcrmLastModifiedAt", ">="),
    ("tcrmInteractions", {"body": "Hi John"}, "/body", UNRECOGNIZED),
    ("tcrmInteractions", {"content": "Hi John"}, "/content", UNRECOGNIZED),
    ("tcrmInteractions", {"accessRestricted": None}, "/accessRestricted", "expected boolean"),
    # atsIntegrations ($set of the partial update)
    ("atsIntegrations", {"integrationName": DEL}, "/integrationName", REQUIRED),
    ("atsIntegrations", {"integrationName": ""}, "/integrationName", "empty"),
    ("atsIntegrations", {"integrationName": "x" * 201}, "/integrationName", "at most 200"),
    ("atsIntegrations", {"status": "ENABLED"}, "/status", READ_ONLY),
    ("atsIntegrations", {"lastModifiedAt": T0}, "/lastModifiedAt", READ_ONLY),
    # configurations
    (
        "atsIntegrations/configurations",
        {"configurationValue": DEL},
        "/configurationValue",
        REQUIRED,
    ),
    (
        "atsIntegrations/configurations",
        {"configurationValue": "https://hooks.myats.com"},
        "/configurationValue",
        "expected object but found string",
    ),
    (
        "atsIntegrations/configurations",
        {"configurationValue": {}},
        "/configurationValue/string",
        REQUIRED,
    ),
    (
        "atsIntegrations/configurations",
        {"configurationValue": {"string": 443}},
        "/configurationValue/string",
        "expected string",
    ),
]


@pytest.mark.parametrize(("resource", "changes", "path", "fragment"), RECORD_CASES)
def test_record_rule(resource: str, changes: dict[str, Any], path: str, fragment: str) -> None:
    errors = validate_record(resource, changed(EXAMPLES[resource], changes), now_ms=NOW)
    only(errors, path, fragment)


def test_every_problem_is_reported_not_just_the_first() -> None:
    record = changed(
        CANDIDATE,
        {"firstName": "", "atsCreatedAt": True, "emailAddresses": ["x", "y@z.com", "z"], "x": 1},
    )
    errors = validate_record("atsCandidates", record, now_ms=NOW)
    assert sorted(e.path for e in errors) == [
        "/atsCreatedAt",
        "/emailAddresses/0",
        "/emailAddresses/2",
        "/firstName",
        "/x",
    ]


def test_union_with_another_member_is_rejected() -> None:
    record = {"configurationValue": {"int": 5}}
    errors = validate_record("atsIntegrations/configurations", record, now_ms=NOW)
    has(errors, "/configurationValue/int", UNRECOGNIZED)
    has(errors, "/configurationValue/string", REQUIRED)
    assert len(errors) == 2


def test_interview_feedback_and_notes_have_no_required_fields() -> None:
    for resource in ("atsApplications/interviewFeedback", "atsCandidates/notes"):
        assert validate_record(resource, {}, now_ms=NOW) == []


def test_actor_without_names_names_both() -> None:
    errors = validate_record("atsApplications/interviewFeedback", {"interviewer": {}}, now_ms=NOW)
    assert sorted(e.path for e in errors) == ["/interviewer/firstName", "/interviewer/lastName"]


def test_modified_before_created_only_compared_when_both_are_valid() -> None:
    record = changed(APPLICATION, {"atsCreatedAt": "x", "atsLastModifiedAt": 1})
    only(validate_record("atsApplications", record, now_ms=NOW), "/atsCreatedAt", "long")


# --------------------------------------------------------------------------------------------
# simpleJobPostings


def job(op: str = "CREATE", **changes: Any) -> dict[str, Any]:
    return changed(JOB, {"jobPostingOperationType": op, **changes})


def check_job(record: object, operation: str | None = None) -> list[FieldError]:
    if operation is None and isinstance(record, dict):
        operation = record.get("jobPostingOperationType")
    return validate_record("simpleJobPostings", record, now_ms=NOW, operation=operation)


@pytest.mark.parametrize(
    "record",
    [
        job(),
        job("UPDATE", listedAt=DEL),
        job("RENEW"),
        dict(JOB_KEYS_ONLY, jobPostingOperationType="RENEW"),
        dict(JOB_KEYS_ONLY),
        job(listedAt=NOW),
        job(description="<P>" + "x" * 100 + "</P><BR/><Strong>y</Strong><U>u</U><I>i</I>"),
        job(description="x" * 25_000),
        job(description="salary < 100k and 3 > 2, " + "x" * 100),
        job(title="t" * 200),
        job(location="Berlin, DE"),
        job(location="10115, DE"),
        job(location="US", workplaceTypes=["REMOTE"]),
        job(workplaceTypes=["HYBRID"], employmentStatus="OTHER", experienceLevel="NOT_APPLICABLE"),
        job(categories=["eng", "it", "qa"], industries=["urn:li:industry:4"]),
        job(skillsDescription="s" * 4000, companyJobCode="J-1", companyName="Acme"),
        job(companyPageUrl="http://acme.com", compensation={"anything": [1, {"x": None}]}),
        job(expireAt=T0 + 1, listingType="PREMIUM", accessRestricted=True),
        job(
            availability="PUBLIC",
            requisitionOwnerEmail="boss@acme.com",
            requisitionOwnerFirstName="B",
            requisitionOwnerLastName="",
        ),
        job(companyApplyUrl="https://[2001:db8::1]:8443/apply?job=42#top"),
    ],
)
def test_valid_job_postings(record: dict[str, Any]) -> None:
    assert check_job(record) == []


# (changes to a CREATE job, path, fragment, status)
JOB_CASES: list[tuple[dict[str, Any], str, str, int]] = [
    ({"jobPostingOperationType": "DELETE"}, "/jobPostingOperationType", "one of", 422),
    ({"integrationContext": DEL}, "/integrationContext", REQUIRED, 422),
    ({"integrationContext": "urn:li:contract:1"}, "/integrationContext", "organization", 422),
    ({"integrationContext": "urn:li:organization:12a"}, "/integrationContext", "organization", 422),
    ({"externalJobPostingId": DEL}, "/externalJobPostingId", REQUIRED, 422),
    ({"externalJobPostingId": ""}, "/externalJobPostingId", "empty", 422),
    ({"externalJobPostingId": "x" * 201}, "/externalJobPostingId", "at most 200", 422),
    ({"externalJobPostingId": 42}, "/externalJobPostingId", "expected string", 422),
    ({"title": DEL}, "/title", REQUIRED, 422),
    ({"title": ""}, "/title", "empty", 422),
    ({"title": "t" * 201}, "/title", "at most 200", 422),
    ({"description": DEL}, "/description", REQUIRED, 422),
    ({"description": "x" * 99}, "/description", "at least 100", 422),
    ({"description": "x" * 25_001}, "/description", "at most 25000", 422),
    ({"description": DESCRIPTION + "<div>x</div>"}, "/description", "<div>", 422),
    ({"description": DESCRIPTION + "<a href='x'>x</a>"}, "/description", "<a>", 422),
    ({"description": DESCRIPTION + "<h1>x</h1>"}, "/description", "<h1>", 422),
    ({"description": DESCRIPTION + "<!-- c -->"}, "/description", "<!--", 422),
    ({"description": DESCRIPTION + "<SCRIPT>"}, "/description", "<SCRIPT>", 422),
    ({"companyApplyUrl": DEL}, "/companyApplyUrl", REQUIRED, 422),
    ({"companyApplyUrl": "careers.acme.com/42"}, "/companyApplyUrl", "URL", 400),
    ({"companyApplyUrl": "javascript:alert(1)"}, "/companyApplyUrl", "URL", 400),
    ({"companyApplyUrl": "https://acme.com:99999/x"}, "/companyApplyUrl", "URL", 400),
    ({"companyApplyUrl": ""}, "/companyApplyUrl", "empty", 400),
    ({"companyApplyUrl": 42}, "/companyApplyUrl", "expected string but found integer", 422),
    ({"location": DEL}, "/location", REQUIRED, 422),
    ({"location": "A, B, C, D"}, "/location", "1 to 3", 422),
    ({"location": "A,,B"}, "/location", "1 to 3", 422),
    ({"location": "A, B, "}, "/location", "1 to 3", 422),
    ({"location": "US"}, "/location", "REMOTE", 422),
    ({"location": "US", "workplaceTypes": ["HYBRID"]}, "/location", "REMOTE", 422),
    ({"availability": DEL}, "/availability", REQUIRED, 422),
    ({"availability": "INTERNAL"}, "/availability", "one of", 422),
    ({"listedAt": DEL}, "/listedAt", REQUIRED, 422),
    ({"listedAt": NOW + 1}, "/listedAt", "future", 422),
    ({"listedAt": "2024-01-01"}, "/listedAt", "expected long but found string", 422),
    ({"listedAt": True}, "/listedAt", "expected long but found boolean", 422),
    ({"alternateLocations": ["Paris, FR"]}, "/alternateLocations", "not supported", 422),
    ({"workplaceTypes": ["ON_SITE", "HYBRID"]}, "/workplaceTypes", "at most 1", 422),
    ({"workplaceTypes": []}, "/workplaceTypes", "at least 1", 422),
    ({"workplaceTypes": ["OFFICE"]}, "/workplaceTypes/0", "one of", 422),
    ({"workplaceTypes": "REMOTE"}, "/workplaceTypes", "expected array", 422),
    ({"employmentStatus": "FULLTIME"}, "/employmentStatus", "one of", 422),
    ({"experienceLevel": "SENIOR"}, "/experienceLevel", "one of", 422),
    ({"categories": ["a", "b", "c", "d"]}, "/categories", "at most 3", 422),
    ({"categories": [1]}, "/categories/0", "expected string", 422),
    ({"industries": ["urn:li:industry:abc"]}, "/industries/0", "industry", 422),
    ({"industries": ["4"]}, "/industries/0", "industry", 422),
    ({"skillsDescription": "s" * 4001}, "/skillsDescription", "at most 4000", 422),
    ({"companyJobCode": 7}, "/companyJobCode", "expected string", 422),
    ({"companyName": None}, "/companyName", "expected string", 422),
    ({"companyPageUrl": "acme"}, "/companyPageUrl", "URL", 422),
    ({"compensation": "100k"}, "/compensation", "expected object", 422),
    ({"expireAt": T0}, "/expireAt", "after listedAt", 422),
    ({"expireAt": 0}, "/expireAt", "> 0", 422),
    ({"listingType": "GOLD"}, "/listingType", "one of", 422),
    ({"accessRestricted": 1}, "/accessRestricted", "expected boolean", 422),
    ({"requisitionOwnerEmail": "boss"}, "/requisitionOwnerEmail", "email pattern", 422),
    ({"requisitionOwnerFirstName": 1}, "/requisitionOwnerFirstName", "expected string", 422),
    ({"requisitionOwnerLastName": []}, "/requisitionOwnerLastName", "expected string", 422),
    ({"state": "LISTED"}, "/state", "deprecated", 422),
    ({"countryCode": "us"}, "/countryCode", "deprecated", 422),
    ({"postalCode": "94105"}, "/postalCode", "deprecated", 422),
]


@pytest.mark.parametrize(("changes", "path", "fragment", "status"), JOB_CASES)
def test_job_rule(changes: dict[str, Any], path: str, fragment: str, status: int) -> None:
    only(check_job(job(**changes), "CREATE"), path, fragment, status)


def test_missing_title_message_is_linkedins() -> None:
    (error,) = check_job(job(title=DEL))
    assert error.message == (
        "ERROR :: /title :: field is required but not found and has no default value"
    )


@pytest.mark.parametrize("op", ["UPDATE", "RENEW", "CLOSE"])
def test_listed_at_only_required_for_create(op: str) -> None:
    assert check_job(job(op, listedAt=DEL)) == []


def test_update_requires_the_edit_fields() -> None:
    record = changed(JOB_KEYS_ONLY, {"jobPostingOperationType": "UPDATE"})
    errors = check_job(record)
    assert sorted(e.path for e in errors) == [
        "/availability",
        "/companyApplyUrl",
        "/description",
        "/location",
        "/title",
    ]
    assert all(e.reason == REQUIRED and e.status == 422 for e in errors)


@pytest.mark.parametrize("op", ["RENEW", "CLOSE"])
@pytest.mark.parametrize("key_field", ["integrationContext", "externalJobPostingId"])
def test_renew_and_close_still_require_the_key_fields(op: str, key_field: str) -> None:
    record = changed(JOB_KEYS_ONLY, {"jobPostingOperationType": op, key_field: DEL})
    only(check_job(record), f"/{key_field}", REQUIRED)


@pytest.mark.parametrize(
    ("changes", "path", "fragment", "status"),
    [
        ({"title": 5}, "/title", "expected string", 422),
        ({"description": "too short"}, "/description", "at least 100", 422),
        ({"alternateLocations": []}, "/alternateLocations", "not supported", 422),
        ({"listedAt": NOW + 1}, "/listedAt", "future", 422),
        ({"state": "CLOSED"}, "/state", "deprecated", 422),
    ],
)
def test_close_still_checks_the_fields_it_is_given(
    changes: dict[str, Any], path: str, fragment: str, status: int
) -> None:
    record = changed(JOB_KEYS_ONLY, changes)
    only(check_job(record), path, fragment, status)


def test_operation_is_read_from_the_record_and_must_agree() -> None:
    only(
        check_job(job("CREATE"), operation="UPDATE"),
        "/jobPostingOperationType",
        "does not match",
    )
    # No operation in the record: the caller's one decides what else is required.
    record = changed(JOB_KEYS_ONLY, {"jobPostingOperationType": DEL})
    assert [e.path for e in check_job(record, operation="CLOSE")] == ["/jobPostingOperationType"]
    paths = [e.path for e in check_job(changed(record, {"title": DEL}), operation="UPDATE")]
    assert "/jobPostingOperationType" in paths
    assert "/title" in paths
    # The record's own operation wins over a missing caller one.
    assert check_job(job("CREATE"), operation=None) == []


@pytest.mark.parametrize("value", [None, [], "job", 3])
def test_job_element_not_an_object_is_a_malformed_body(value: object) -> None:
    only(check_job(value, "CREATE"), "", "expected object", 400)


# --------------------------------------------------------------------------------------------
# Keys


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_reference_key_is_valid(resource: str) -> None:
    assert validate_key(resource, dict(KEYS[resource])) == []


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_key_extra_field_is_rejected(resource: str) -> None:
    only(validate_key(resource, {**KEYS[resource], "extra": "x"}), "/extra", UNKNOWN_KEY_FIELD, 400)


@pytest.mark.parametrize("resource", sorted(RESOURCES - {"simpleJobPostings"}))
def test_key_missing_and_empty_fields(resource: str) -> None:
    for name in KEYS[resource]:
        missing = {k: v for k, v in KEYS[resource].items() if k != name}
        only(validate_key(resource, missing), f"/{name}", "required", 400)
        only(validate_key(resource, {**KEYS[resource], name: ""}), f"/{name}", "", 400)
        not_a_string: dict[str, Any] = {**KEYS[resource], name: 7}
        only(validate_key(resource, not_a_string), f"/{name}", "expected string", 400)


@pytest.mark.parametrize("value", [None, [], "k", 1])
def test_key_must_be_an_object(value: Any) -> None:
    only(validate_key("atsCandidates", value), "", "expected object", 400)


# (resource, changes to the reference key, path, fragment)
KEY_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("atsCandidates", {"atsCandidateId": ""}, "/atsCandidateId", "empty"),
    ("atsCandidates", {"atsCandidateId": "c" * 201}, "/atsCandidateId", "at most 200"),
    ("atsCandidates", {"dataProvider": "PARTNER"}, "/dataProvider", "one of: ATS"),
    ("atsCandidates", {"dataProvider": "ats"}, "/dataProvider", "one of"),
    (
        "atsCandidates",
        {"integrationContext": "urn:li:contract:1"},
        "/integrationContext",
        "organization",
    ),
    (
        "atsCandidates",
        {"integrationContext": "urn:li:organization:"},
        "/integrationContext",
        "organization",
    ),
    (
        "atsCandidates",
        {"integrationContext": "urn:li:organization:1\n"},
        "/integrationContext",
        "organization",
    ),
    ("atsApplications", {"atsJobApplicationId": "a" * 201}, "/atsJobApplicationId", "at most 200"),
    ("atsApplications", {"dataProvider": "PARTNER"}, "/dataProvider", "one of"),
    ("atsEntityAcls", {"atsEntityType": "APPLICATION"}, "/atsEntityType", "JOB_POSTING"),
    ("atsEntityAcls", {"atsEntityId": "j" * 201}, "/atsEntityId", "at most 200"),
    ("atsEntityAcls", {"atsEntityAclId": "a" * 201}, "/atsEntityAclId", "at most 200"),
    ("atsEntityAclAssignees", {"assignee": "urn:li:member:1"}, "/assignee", "person"),
    ("atsEntityAclAssignees", {"assignee": "urn:li:person:a b"}, "/assignee", "person"),
    ("atsEntityAclAssignees", {"assignee": "urn:li:person:"}, "/assignee", "person"),
    ("atsEntityAclAssignees", {"atsEntityType": "JOB"}, "/atsEntityType", "JOB_POSTING"),
    ("tcrmPipelines", {"dataProvider": "LINKEDIN"}, "/dataProvider", "ATS, PARTNER"),
    ("tcrmPipelines", {"tcrmPipelineId": "p" * 201}, "/tcrmPipelineId", "at most 200"),
    ("tcrmPipelineStages", {"tcrmStageId": "s" * 201}, "/tcrmStageId", "at most 200"),
    ("tcrmCandidatePipelines", {"tcrmCandidateId": "c" * 201}, "/tcrmCandidateId", "at most 200"),
    ("tcrmInteractions", {"integrationContext": "org:1"}, "/integrationContext", "organization"),
    ("tcrmInteractions", {"tcrmInteractionId": ""}, "/tcrmInteractionId", "empty"),
    ("atsIntegrations", {"integrationType": "FOO"}, "/integrationType", "one of"),
    ("atsIntegrations", {"tenantType": "HIRER"}, "/tenantType", "RECRUITER"),
    ("atsIntegrations", {"dataProvider": "PARTNER"}, "/dataProvider", "one of"),
    (
        "atsIntegrations",
        {"integrationContext": "urn:li:contract:9"},
        "/integrationContext",
        "organization",
    ),
    (
        "atsIntegrations",
        {"integrationType": "CSA_API"},
        "/integrationContext",
        "urn:li:contract",
    ),
    ("atsCandidates/notes", {"id": ""}, "/id", "empty"),
    ("atsApplications/notes", {"id": "n" * 201}, "/id", "at most 200"),
    ("atsApplications/interviewFeedback", {"id": "f" * 201}, "/id", "at most 200"),
    ("atsApplications/stages", {"id": ""}, "/id", "empty"),
    ("atsIntegrations/configurations", {"id": "WEBHOOK_URL"}, "/id", "CALLBACK_URL"),
]


@pytest.mark.parametrize(("resource", "changes", "path", "fragment"), KEY_CASES)
def test_key_rule(resource: str, changes: dict[str, Any], path: str, fragment: str) -> None:
    only(validate_key(resource, changed(KEYS[resource], changes)), path, fragment, 400)


@pytest.mark.parametrize("integration_type", INTEGRATION_TYPES)
def test_integration_context_kind_follows_the_type(integration_type: str) -> None:
    key = {**KEYS["atsIntegrations"], "integrationType": integration_type}
    contract = {**key, "integrationContext": "urn:li:contract:456"}
    if integration_type == "CSA_API":
        assert validate_key("atsIntegrations", contract) == []
        has(validate_key("atsIntegrations", key), "/integrationContext", "contract", 400)
    else:
        assert validate_key("atsIntegrations", key) == []
        has(validate_key("atsIntegrations", contract), "/integrationContext", "organization", 400)


@pytest.mark.parametrize(
    "config_key", ["CALLBACK_URL", "JOB_POSTING_VIEWERS", "APPLICATION_VIEWERS"]
)
def test_configuration_keys(config_key: str) -> None:
    assert validate_key("atsIntegrations/configurations", {"id": config_key}) == []


def test_tcrm_data_provider_accepts_both_readings() -> None:
    for provider in ("ATS", "PARTNER"):
        key = {**KEYS["tcrmInteractions"], "dataProvider": provider}
        assert validate_key("tcrmInteractions", key) == []


def test_sub_resource_key_missing_id() -> None:
    only(validate_key("atsCandidates/notes", {}), "/id", "required", 400)


# --------------------------------------------------------------------------------------------
# Partial updates


@pytest.mark.parametrize(
    ("resource", "set_fields", "delete_fields"),
    [
        ("atsCandidates", {"manualMatchedMember": "urn:li:person:AbC123"}, []),
        ("atsCandidates", {"firstName": "Jon", "atsLastModifiedAt": T0}, ["lastName", "prefix"]),
        ("atsCandidates", {}, ["emailAddresses", "doNotContact"]),
        ("atsApplications", {"dispositionReason": "Withdrew"}, ["candidateEmail"]),
        ("atsIntegrations", {"integrationName": "Acme 1CE"}, []),
        ("atsIntegrations", {}, ()),
    ],
)
def test_valid_patches(resource: str, set_fields: dict[str, Any], delete_fields: list[str]) -> None:
    assert validate_patch_fields(resource, set_fields, delete_fields) == []


PATCH_CASES: list[tuple[str, Any, Any, str, str]] = [
    ("atsCandidates", {"manualMatchedMember": "AbC123"}, [], "/manualMatchedMember", "person"),
    ("atsCandidates", {"nickname": "J"}, [], "/nickname", UNRECOGNIZED),
    ("atsCandidates", {"matchedMembers": []}, [], "/matchedMembers", READ_ONLY),
    ("atsCandidates", {"atsCreatedAt": True}, [], "/atsCreatedAt", "expected long"),
    ("atsCandidates", {"emailAddresses": ["nope"]}, [], "/emailAddresses/0", "email pattern"),
    ("atsCandidates", {"firstName": ""}, [], "/firstName", "empty"),
    ("atsCandidates", {}, ["firstName"], "/firstName", NOT_DELETABLE),
    ("atsCandidates", {}, ["addresses"], "/addresses", NOT_DELETABLE),
    ("atsCandidates", {}, ["nickname"], "/nickname", UNRECOGNIZED),
    ("atsCandidates", {}, ["matchedMembers"], "/matchedMembers", READ_ONLY),
    ("atsCandidates", {}, [5], "", "expected string"),
    ("atsCandidates", {}, "lastName", "", "expected array but found string"),
    ("atsCandidates", ["lastName"], [], "", "expected object but found array"),
    ("atsCandidates", {"lastName": "D"}, ["lastName"], "/lastName", "both"),
    ("atsApplications", {"candidateEmail": "x"}, [], "/candidateEmail", "email pattern"),
    ("atsApplications", {}, ["atsJobPostingId"], "/atsJobPostingId", NOT_DELETABLE),
    ("atsIntegrations", {"status": "ENABLED"}, [], "/status", READ_ONLY),
    ("atsIntegrations", {"integrationName": ""}, [], "/integrationName", "empty"),
    ("atsIntegrations", {}, ["integrationName"], "/integrationName", NOT_DELETABLE),
]


@pytest.mark.parametrize(
    ("resource", "set_fields", "delete_fields", "path", "fragment"), PATCH_CASES
)
def test_patch_rule(
    resource: str, set_fields: Any, delete_fields: Any, path: str, fragment: str
) -> None:
    only(validate_patch_fields(resource, set_fields, delete_fields), path, fragment)


# --------------------------------------------------------------------------------------------
# Provisioning


@pytest.mark.parametrize(
    "body",
    [
        PROVISIONING,
        {"description": "d", "name": "n", "uniqueForeignId": "u"},
        {**PROVISIONING, "name": "n" * 50, "oauth2AuthorizedCallbackUrls": []},
        {**PROVISIONING, "validJsSdkDomains": ["https://[::1]:8080", "http://127.0.0.1"]},
    ],
)
def test_valid_provisioning(body: dict[str, Any]) -> None:
    assert validate_provisioning(body) == []


PROVISIONING_CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"uniqueForeignId": DEL}, "/uniqueForeignId", REQUIRED),
    ({"uniqueForeignId": ""}, "/uniqueForeignId", "empty"),
    ({"uniqueForeignId": "u" * 201}, "/uniqueForeignId", "at most 200"),
    ({"name": DEL}, "/name", REQUIRED),
    ({"name": ""}, "/name", "empty"),
    ({"name": "n" * 51}, "/name", "at most 50"),
    ({"name": "MyATS - Linkedin Acme"}, "/name", "LinkedIn"),
    ({"name": "LINKEDIN"}, "/name", "LinkedIn"),
    ({"description": DEL}, "/description", REQUIRED),
    ({"description": ""}, "/description", "empty"),
    ({"description": 3}, "/description", "expected string"),
    ({"oauth2AuthorizedCallbackUrls": ["not a url"]}, "/oauth2AuthorizedCallbackUrls/0", "URL"),
    (
        {"oauth2AuthorizedCallbackUrls": "https://a.com/cb"},
        "/oauth2AuthorizedCallbackUrls",
        "array",
    ),
    (
        {"oauth2AuthorizedCallbackUrls": ["https://a.com/cb#x"]},
        "/oauth2AuthorizedCallbackUrls/0",
        "fragment",
    ),
    ({"validJsSdkDomains": ["https://acme.myats.com/"]}, "/validJsSdkDomains/0", "trailing"),
    ({"validJsSdkDomains": ["https://acme.myats.com/app"]}, "/validJsSdkDomains/0", "origin"),
    ({"validJsSdkDomains": ["https://acme.myats.com?x=1"]}, "/validJsSdkDomains/0", "origin"),
    ({"validJsSdkDomains": ["https://acme.myats.com#x"]}, "/validJsSdkDomains/0", "origin"),
    ({"validJsSdkDomains": ["acme.myats.com"]}, "/validJsSdkDomains/0", "origin"),
    ({"validJsSdkDomains": ["ftp://acme.myats.com"]}, "/validJsSdkDomains/0", "origin"),
    ({"validJsSdkDomains": ["https://"]}, "/validJsSdkDomains/0", "origin"),
    ({"validJsSdkDomains": ["http://localhost:99999"]}, "/validJsSdkDomains/0", "origin"),
    ({"validJsSdkDomains": ["http://localhost:"]}, "/validJsSdkDomains/0", "origin"),
    ({"validJsSdkDomains": ["https://u@acme.com"]}, "/validJsSdkDomains/0", "origin"),
    ({"validJsSdkDomains": [None]}, "/validJsSdkDomains/0", "expected string"),
    ({"key": "urn:li:developerApplication:1"}, "/key", UNRECOGNIZED),
]


@pytest.mark.parametrize(("changes", "path", "fragment"), PROVISIONING_CASES)
def test_provisioning_rule(changes: dict[str, Any], path: str, fragment: str) -> None:
    only(validate_provisioning(changed(PROVISIONING, changes)), path, fragment, 400)


def test_provisioning_partial_set() -> None:
    assert validate_provisioning({}, partial=True) == []
    assert (
        validate_provisioning(
            {"validJsSdkDomains": ["http://localhost:8000", "http://localhost:5000"]}, partial=True
        )
        == []
    )
    assert validate_provisioning({"name": "n", "description": "d"}, partial=True) == []
    only(
        validate_provisioning({"uniqueForeignId": "x"}, partial=True),
        "/uniqueForeignId",
        UNRECOGNIZED,
        400,
    )
    only(validate_provisioning({"name": "LinkedIn"}, partial=True), "/name", "LinkedIn", 400)
    only(
        validate_provisioning({"validJsSdkDomains": ["https://a.com/"]}, partial=True),
        "/validJsSdkDomains/0",
        "origin",
        400,
    )
    only(validate_provisioning(None, partial=True), "", "expected object", 400)
    only(validate_provisioning([PROVISIONING]), "", "expected object", 400)


# --------------------------------------------------------------------------------------------
# The email pattern is the documented regex; huge inputs stay fast

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email_ok(text: str) -> bool:
    record = {**APPLICATION, "candidateEmail": text}
    return validate_record("atsApplications", record, now_ms=NOW) == []


@settings(max_examples=500)
@given(st.text(alphabet="ab@. \t\né\u2003", max_size=10))
def test_email_check_is_the_documented_pattern(text: str) -> None:
    assert email_ok(text) == bool(EMAIL_RE.fullmatch(text))


@given(st.text(max_size=20))
def test_email_check_is_never_looser_than_the_pattern(text: str) -> None:
    if email_ok(text):
        assert EMAIL_RE.fullmatch(text)


def test_huge_strings_are_handled_quickly() -> None:
    big = "a@" + "." * 300_000 + " "
    assert not email_ok(big)
    description = "<" + " " * 300_000 + "<b" * 100_000
    errors = check_job(job(description=description, location="a," * 200_000))
    assert {e.path for e in errors} == {"/description", "/location"}
    assert all(len(e.message) < 500 for e in errors)
    url = "https://" + "a." * 200_000 + "com"
    record = {**CANDIDATE, "externalProfileUrl": url}
    has(validate_record("atsCandidates", record, now_ms=NOW), "/externalProfileUrl", "host")


# --------------------------------------------------------------------------------------------
# Never raise, on any JSON

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def well_formed(errors: object) -> None:
    assert isinstance(errors, list)
    for error in errors:
        assert isinstance(error, FieldError)
        assert error.path == "" or error.path.startswith("/")
        assert error.reason
        assert error.status in (400, 422)
        assert error.message.startswith("ERROR :: ")


@st.composite
def near_valid(draw: st.DrawFn, resource: str) -> dict[str, Any]:
    """A resource's valid example with some of its fields replaced by arbitrary JSON."""
    example = EXAMPLES[resource]
    names = st.sampled_from(sorted(example)) if example else st.text(max_size=8)
    return {
        **example,
        **draw(st.dictionaries(names | st.text(max_size=8), json_values, max_size=4)),
    }


resources = st.sampled_from(sorted(RESOURCES))
operations = st.none() | st.sampled_from(JOB_OPERATIONS) | st.text(max_size=8)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(resources, json_values | resources.flatmap(near_valid), operations, st.integers())
def test_validate_record_never_raises(
    resource: str, record: object, operation: str | None, now_ms: int
) -> None:
    well_formed(validate_record(resource, record, now_ms=now_ms, operation=operation))


@settings(max_examples=200)
@given(
    resources,
    json_values
    | st.dictionaries(st.text(max_size=20), json_values)
    | resources.flatmap(lambda r: st.fixed_dictionaries({k: json_values for k in KEYS[r]})),
)
def test_validate_key_never_raises(resource: str, key: Any) -> None:
    well_formed(validate_key(resource, key))


field_names = st.sampled_from(sorted({*CANDIDATE, *APPLICATION, *INTEGRATION, "matchedMembers"}))


@settings(max_examples=200)
@given(
    st.sampled_from(sorted(PATCHABLE_RESOURCES)),
    json_values | st.dictionaries(field_names, json_values, max_size=4),
    json_values | st.lists(field_names | json_values, max_size=4),
)
def test_validate_patch_fields_never_raises(resource: str, set_fields: Any, deletes: Any) -> None:
    well_formed(validate_patch_fields(resource, set_fields, deletes))


provisioning_bodies = st.dictionaries(
    st.sampled_from(sorted(PROVISIONING)), json_values, max_size=5
).map(lambda overrides: {**PROVISIONING, **overrides})


@settings(max_examples=200)
@given(json_values | provisioning_bodies, st.booleans())
def test_validate_provisioning_never_raises(body: Any, partial: bool) -> None:
    well_formed(validate_provisioning(body, partial=partial))
