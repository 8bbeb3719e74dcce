"""The ATS/CRM store's rows -> LinkedIn's payloads (reference §3 and §8.2). Pure: no I/O.

A row is a dict of the columns of `store/schema.py`: times in epoch milliseconds, references
as internal integer ids, JSON columns as lists/dicts. What a row only references by internal id
(the candidate of an application, a job's owner, a note's author, ...) the caller looks up and
passes in explicitly as a small dict, so every function here is a function of its arguments.

Rules shared by every mapper:

- An absent value (None, or an empty string) is omitted, never sent as null. A field LinkedIn
  requires is then reported by validation (`core/validation.py`) as required; a mapper never
  invents a value for it and never raises on an unexpected value: the value is sent as it is,
  and validation rejects the record with the reason.
- Which rows are synced at all (confidential candidates and jobs, projects not shared with
  all recruiters, private notes) is the sync policy's decision, not the mapper's.
- Interaction content (subject, body) is never mapped (ARCHITECTURE.md, policies).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

__all__ = [
    "MANUAL_MATCH_METHODS",
    "Availability",
    "JobOperation",
    "JobState",
    "MappingContext",
    "acl_assignee_key",
    "acl_key",
    "application",
    "application_key",
    "application_note",
    "candidate",
    "candidate_key",
    "candidate_note",
    "candidate_pipeline",
    "candidate_pipeline_key",
    "interaction",
    "interaction_key",
    "interview_feedback",
    "job_operation",
    "job_posting",
    "pipeline",
    "pipeline_key",
    "pipeline_stage",
    "pipeline_stage_key",
    "source_category",
    "split_name",
    "stage",
]

Row = Mapping[str, Any]
Availability = Literal["PUBLIC", "PRIVATE_TO_ATS_INTEGRATION"]
JobOperation = Literal["CREATE", "UPDATE", "RENEW", "CLOSE"]
JobState = Literal["LISTED", "CLOSED"]

# How a candidate's person_urn was learned: these are forced (manual) matches, sent back as
# manualMatchedMember. "matched" is LinkedIn's own algorithmic match and is not sent back;
# "email" / "linkedin_url" are our guesses, not confirmed links.
MANUAL_MATCH_METHODS: frozenset[str] = frozenset(
    {"one_click_export", "profile_widget", "manual", "stub_profile"}
)

# LinkedIn's only dataProvider for the ats* resources (linkedin_schema accepts nothing else).
_ATS_PROVIDER = "ATS"


@dataclass(frozen=True)
class MappingContext:
    """What every payload of one customer shares."""

    organization: str  # "urn:li:organization:N" (integrationContext)
    ats_base_url: str  # deep links: f"{ats_base_url}/candidates/{external_id}"
    default_availability: Availability = "PRIVATE_TO_ATS_INTEGRATION"
    data_provider: str = "ATS"  # the tcrm* keys' dataProvider ("ATS" or "PARTNER")


# --------------------------------------------------------------------------------------------
# Helpers


def _given(value: Any) -> bool:
    return value is not None and value != ""


def _put(record: dict[str, Any], name: str, value: Any) -> None:
    """Set `name` unless the value is absent (None or "")."""
    if _given(value):
        record[name] = value


def _put_given(record: dict[str, Any], pairs: Iterable[tuple[str, Any]]) -> None:
    """`_put` of each (name, value), in order: one call per record where sync maps
    thousands of candidates."""
    for name, value in pairs:
        if value is not None and value != "":
            record[name] = value


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _deep_link(ctx: MappingContext, kind: str, external_id: Any) -> str:
    # The external id is a path segment: quote everything that is not unreserved ("/", " ").
    segment = str(external_id)
    if _UNRESERVED.fullmatch(segment) is None:  # most ids need no quoting
        segment = quote(segment, safe="")
    return f"{ctx.ats_base_url.rstrip('/')}/{kind}/{segment}"


_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+")
"""What `quote` never escapes (its always-safe characters)."""


def split_name(name: Any) -> tuple[str | None, str | None]:
    """A user's name split on its first space: ("Mary", "Ann Smith"); missing parts are None."""
    if not isinstance(name, str):
        return None, None
    first, _, last = name.strip().partition(" ")
    return first or None, last.strip() or None


def _actor(user: Row | None) -> dict[str, str] | None:
    """LinkedIn's Actor {firstName, lastName}: only when both names are known."""
    if user is None:
        return None
    first, last = split_name(user.get("name"))
    if first is None or last is None:
        return None
    return {"firstName": first, "lastName": last}


# --------------------------------------------------------------------------------------------
# Compound keys, field for field as linkedin_schema.KEY_FIELDS


def candidate_key(external_id: str, ctx: MappingContext) -> dict[str, str]:
    return {
        "atsCandidateId": external_id,
        "dataProvider": _ATS_PROVIDER,
        "integrationContext": ctx.organization,
    }


def application_key(external_id: str, ctx: MappingContext) -> dict[str, str]:
    return {
        "atsJobApplicationId": external_id,
        "dataProvider": _ATS_PROVIDER,
        "integrationContext": ctx.organization,
    }


def acl_key(acl_id: str, job_external_id: str, ctx: MappingContext) -> dict[str, str]:
    return {
        "atsEntityAclId": acl_id,
        "dataProvider": _ATS_PROVIDER,
        "integrationContext": ctx.organization,
        "atsEntityType": "JOB_POSTING",
        "atsEntityId": job_external_id,
    }


def acl_assignee_key(acl_id: str, person_urn: str, ctx: MappingContext) -> dict[str, str]:
    return {
        "atsEntityAclId": acl_id,
        "dataProvider": _ATS_PROVIDER,
        "integrationContext": ctx.organization,
        "assignee": person_urn,
        "atsEntityType": "JOB_POSTING",
    }


def pipeline_key(project_external_id: str, ctx: MappingContext) -> dict[str, str]:
    return {
        "tcrmPipelineId": project_external_id,
        "dataProvider": ctx.data_provider,
        "integrationContext": ctx.organization,
    }


def pipeline_stage_key(
    project_external_id: str, stage_external_id: str, ctx: MappingContext
) -> dict[str, str]:
    return {
        "tcrmPipelineId": project_external_id,
        "tcrmStageId": stage_external_id,
        "dataProvider": ctx.data_provider,
        "integrationContext": ctx.organization,
    }


def candidate_pipeline_key(
    candidate_external_id: str, project_external_id: str, ctx: MappingContext
) -> dict[str, str]:
    return {
        "tcrmCandidateId": candidate_external_id,
        "tcrmPipelineId": project_external_id,
        "dataProvider": ctx.data_provider,
        "integrationContext": ctx.organization,
    }


def interaction_key(external_id: str, ctx: MappingContext) -> dict[str, str]:
    return {
        "tcrmInteractionId": external_id,
        "dataProvider": ctx.data_provider,
        "integrationContext": ctx.organization,
    }


# --------------------------------------------------------------------------------------------
# Jobs: simpleJobPostings


_AVAILABILITY: dict[str, Availability] = {
    "public": "PUBLIC",
    "private": "PRIVATE_TO_ATS_INTEGRATION",
}


def job_operation(job_row: Row, previously_sent_state: JobState | None) -> list[JobOperation]:
    """The operations to send for a job, in order, given the state LinkedIn last accepted.

    | job status | never sent      | LISTED    | CLOSED            |
    |------------|-----------------|-----------|-------------------|
    | open       | CREATE          | UPDATE    | CREATE (reopen)   |
    | closed     | CREATE, CLOSE   | CLOSE     | (nothing)         |

    A closed job never sent is still created and then closed: LinkedIn's job history must
    include closed jobs (certification RSC-201). A reopened job is re-listed with CREATE
    (UPDATE of a closed job fails). A closed job already closed sends nothing: closing it again
    is a 409. An unknown status or state is a bug in the caller and raises ValueError.
    """
    status = job_row.get("status")
    if previously_sent_state not in (None, "LISTED", "CLOSED"):
        raise ValueError(f"unknown job state {previously_sent_state!r}")
    if status == "open":
        return ["UPDATE"] if previously_sent_state == "LISTED" else ["CREATE"]
    if status == "closed":
        if previously_sent_state is None:
            return ["CREATE", "CLOSE"]
        return ["CLOSE"] if previously_sent_state == "LISTED" else []
    raise ValueError(f"unknown job status {status!r}")


def job_posting(
    job_row: Row,
    ctx: MappingContext,
    *,
    operation: JobOperation,
    owner: Row | None = None,
) -> dict[str, Any]:
    """One simpleJobPostings element. CLOSE carries only the key fields and the operation."""
    external_id = job_row.get("external_id")
    element: dict[str, Any] = {
        "integrationContext": ctx.organization,
        "externalJobPostingId": external_id,
        "jobPostingOperationType": operation,
    }
    if operation == "CLOSE":
        return element
    availability = job_row.get("availability")
    _put(element, "title", job_row.get("title"))
    _put(element, "description", job_row.get("description"))
    _put(element, "location", job_row.get("location"))
    if availability is None:
        element["availability"] = ctx.default_availability
    elif isinstance(availability, str):
        element["availability"] = _AVAILABILITY.get(availability, availability)
    else:
        element["availability"] = availability  # validation reports it
    apply_url = job_row.get("apply_url")
    element["companyApplyUrl"] = (
        apply_url if _given(apply_url) else _deep_link(ctx, "jobs", external_id)
    )
    published_at = job_row.get("published_at")
    _put(
        element, "listedAt", published_at if published_at is not None else job_row.get("created_at")
    )
    _put(element, "companyJobCode", job_row.get("requisition_code"))
    if owner is not None:
        first, last = split_name(owner.get("name"))
        _put(element, "requisitionOwnerEmail", owner.get("email"))
        _put(element, "requisitionOwnerFirstName", first)
        _put(element, "requisitionOwnerLastName", last)
    return element


# --------------------------------------------------------------------------------------------
# Candidates, notes, applications, stages, feedback: ats*


def _address(row: Any) -> dict[str, Any] | None:
    """A store address as LinkedIn's Address; None when nothing of it is given."""
    if not isinstance(row, Mapping):
        return None
    address: dict[str, Any] = {}
    # LinkedIn's Address has no line2: it is appended to line1 so nothing is lost.
    lines = [line for line in (row.get("line1"), row.get("line2")) if _given(line)]
    if lines:
        address["line1"] = ", ".join(str(line) for line in lines)
    _put(address, "city", row.get("city"))
    region = row.get("region")
    if _given(region):
        address["geographicArea"] = region
        address["geographicAreaType"] = "STATE"
    _put(address, "postalCode", row.get("postal_code"))
    country = row.get("country")
    _put(address, "country", country.lower() if isinstance(country, str) else country)
    return address or None


def _phone(row: Any) -> dict[str, Any]:
    if not isinstance(row, Mapping):
        return {"number": row}  # not a phone object: validation reports it
    phone: dict[str, Any] = {"number": row.get("number")}
    _put(phone, "extension", row.get("extension"))
    return phone


_CANDIDATE_NAMES = (("firstName", "first_name"), ("lastName", "last_name"),
                    ("middleInitial", "middle_initial"), ("prefix", "prefix"),
                    ("suffix", "suffix"), ("currentCompanyName", "current_company"),
                    ("currentJobTitle", "current_title"))


def candidate(row: Row, ctx: MappingContext) -> dict[str, Any]:
    """The atsCandidates record (§3.2)."""
    record: dict[str, Any] = {
        "addresses": [a for a in map(_address, _list(row.get("addresses"))) if a is not None]}
    # Each field is set only when given (sync maps thousands: no None to filter out after).
    if (created := row.get("created_at")) is not None:
        record["atsCreatedAt"] = created
    if (modified := row.get("modified_at")) is not None:
        record["atsLastModifiedAt"] = modified
    # Required only without a member link: omitted when empty, so that a candidate with
    # neither an email nor a manual match is rejected with that reason rather than sent.
    emails = _list(row.get("emails"))
    if emails:
        record["emailAddresses"] = emails
    record["phoneNumbers"] = [_phone(p) for p in _list(row.get("phones"))]
    for name, column in _CANDIDATE_NAMES:
        value = row.get(column)
        if value is not None and value != "":
            record[name] = value
    record["externalProfileUrl"] = _deep_link(ctx, "candidates", row.get("external_id"))
    _put(record, "linkedInProfileUrl", row.get("linkedin_url"))
    _put(record, "doNotContact", row.get("do_not_contact"))
    if row.get("match_method") in MANUAL_MATCH_METHODS:
        _put(record, "manualMatchedMember", row.get("person_urn"))
    return record


def candidate_note(note_row: Row, author: Row | None) -> dict[str, Any]:
    """A note of atsCandidates/{key}/notes (§3.3): {atsCreatedAt, note, author?}."""
    note: dict[str, Any] = {}
    _put(note, "atsCreatedAt", note_row.get("created_at"))
    _put(note, "note", note_row.get("body"))
    _put(note, "author", _actor(author))
    return note


def application_note(note_row: Row, author: Row | None) -> dict[str, Any]:
    """A note of atsApplications/{key}/notes (§3.5): the same schema as candidate notes."""
    return candidate_note(note_row, author)


def application(
    row: Row, *, candidate: Row, job: Row, ctx: MappingContext | None = None
) -> dict[str, Any]:
    """The atsApplications record (§3.4). `candidate` and `job` are the rows it references.

    `ctx` is not needed for the record (the key carries the organization); it is accepted so
    every mapper can be called alike."""
    record: dict[str, Any] = {}
    emails = _list(candidate.get("emails"))
    _put_given(record, (
        ("atsCandidateId", candidate.get("external_id")),
        ("atsCreatedAt", row.get("created_at")),
        ("atsLastModifiedAt", row.get("modified_at")),
        ("atsJobPostingId", job.get("external_id")),
        ("atsJobPostingName", job.get("title")),
        ("candidateEmail", emails[0] if emails else None),
        ("firstName", candidate.get("first_name")),
        ("lastName", candidate.get("last_name")),
        ("source", row.get("source")),
        ("dispositionReason", row.get("disposition_reason")),
    ))
    return record


def stage(transition_row: Row) -> dict[str, Any]:
    """A stage of atsApplications/{key}/stages (§3.7): one per transition, a history."""
    record: dict[str, Any] = {}
    _put(record, "atsCreatedAt", transition_row.get("entered_at"))
    _put(record, "stage", transition_row.get("stage"))
    return record


def _evaluation(row: Any) -> Any:
    if not isinstance(row, Mapping):
        return row  # validation reports it
    return {"attribute": row.get("attribute"), "result": row.get("result")}


def interview_feedback(row: Row, interviewer: Row | None) -> dict[str, Any]:
    """An atsApplications/{key}/interviewFeedback record (§3.6)."""
    record: dict[str, Any] = {}
    _put(record, "atsCreatedAt", row.get("created_at"))
    _put(record, "interviewer", _actor(interviewer))
    record["evaluations"] = [_evaluation(e) for e in _list(row.get("evaluations"))]
    _put(record, "feedback", row.get("feedback"))
    _put(record, "interviewType", _upper(row.get("interview_type")))
    return record


# --------------------------------------------------------------------------------------------
# CRM Connect: tcrm*


def pipeline(
    project_row: Row, *, owner: Row | None, job_external_ids: Sequence[str]
) -> dict[str, Any]:
    """The tcrmPipelines record (§8.2) of a project; `job_external_ids` are its jobs' ids."""
    record: dict[str, Any] = {}
    _put(record, "title", project_row.get("title"))
    _put(record, "description", project_row.get("description"))
    shared = project_row.get("shared_with_all")
    if isinstance(shared, bool):
        record["accessRestricted"] = not shared
    record["externalJobPostingIds"] = list(job_external_ids)
    record["locations"] = _list(project_row.get("locations"))
    if owner is not None:
        _put(record, "ownerEmailAddress", owner.get("email"))
    _put(record, "tcrmCreatedAt", project_row.get("created_at"))
    _put(record, "tcrmLastModifiedAt", project_row.get("modified_at"))
    return record


def pipeline_stage(stage_row: Row) -> dict[str, Any]:
    """The tcrmPipelineStages record (§8.2) of a project stage."""
    record: dict[str, Any] = {}
    _put(record, "stageCategory", _upper(stage_row.get("category")))
    _put(record, "stageDetails", stage_row.get("name"))
    _put(record, "tcrmCreatedAt", stage_row.get("created_at"))
    return record


# First match wins, so LinkedIn beats e.g. "LinkedIn job board" and referral beats
# "referral by email". Keywords match at the start of a word, case-insensitively.
_SOURCE_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("LINKEDIN", ("linkedin", "linked in", "inmail")),
    ("REFERRAL", ("referr", "refer a friend", "employee refer")),
    ("AGENCY", ("agency", "agencies", "headhunt", "staffing", "recruitment firm")),
    (
        "JOB_BOARD",
        (
            "job board",
            "jobboard",
            "job site",
            "indeed",
            "glassdoor",
            "monster",
            "ziprecruiter",
            "careerbuilder",
            "stepstone",
            "dice",
        ),
    ),
    (
        "EVENT",
        (
            "event",
            "career fair",
            "job fair",
            "careers fair",
            "meetup",
            "conference",
            "webinar",
            "hackathon",
        ),
    ),
    (
        "CAREER_SITE",
        (
            "career site",
            "careers site",
            "career page",
            "careers page",
            "careers website",
            "company website",
            "career portal",
            "careers portal",
        ),
    ),
    ("SOCIAL_MEDIA", ("social", "facebook", "twitter", "instagram", "tiktok", "youtube")),
    ("EMAIL", ("email", "e-mail", "mailing", "newsletter")),
)
_SOURCE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (category, re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + ")"))
    for category, words in _SOURCE_KEYWORDS
)


def source_category(source: str | None) -> str:
    """LinkedIn's sourceCategory for a free-text source; OTHER when nothing fits."""
    if not isinstance(source, str):
        return "OTHER"
    text = source.lower()
    for category, pattern in _SOURCE_PATTERNS:
        if pattern.search(text):
            return category
    return "OTHER"


def candidate_pipeline(membership_row: Row, *, stage_external_id: str | None) -> dict[str, Any]:
    """The tcrmCandidatePipelines record (§8.2) of a project membership.

    `sources` is required with at least one entry: a membership without a source is sent
    as [{"sourceCategory": "OTHER"}]."""
    text = membership_row.get("source")
    source: dict[str, Any] = {"sourceCategory": source_category(text)}
    _put(source, "sourceDetails", text)
    record: dict[str, Any] = {"sources": [source]}
    _put(record, "dispositionReason", membership_row.get("disposition_reason"))
    _put(record, "tcrmStageId", stage_external_id)
    _put(record, "tcrmCreatedAt", membership_row.get("created_at"))
    _put(record, "tcrmLastModifiedAt", membership_row.get("modified_at"))
    return record


def interaction(
    row: Row, *, candidate_external_id: str, project_external_id: str | None
) -> dict[str, Any]:
    """The tcrmInteractions record (§8.2): the type and times only.

    The subject and content are NEVER sent (ARCHITECTURE.md policies; Beamery and PageUp sync
    only that an interaction happened). tcrmCreatedAt is when it happened; the last-modified
    time is never earlier than that (an interaction logged before it occurs, e.g. a scheduled
    meeting, would otherwise be rejected)."""
    record: dict[str, Any] = {"tcrmCandidateId": candidate_external_id}
    _put(record, "tcrmPipelineId", project_external_id)
    _put(record, "interactionType", _upper(row.get("type")))
    _put(record, "direction", _upper(row.get("direction")))
    occurred_at, modified_at = row.get("occurred_at"), row.get("modified_at")
    _put(record, "tcrmCreatedAt", occurred_at)
    if isinstance(occurred_at, int) and isinstance(modified_at, int):
        modified_at = max(occurred_at, modified_at)
    _put(record, "tcrmLastModifiedAt", modified_at)
    return record
