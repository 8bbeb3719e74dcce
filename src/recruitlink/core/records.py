"""The ATS/CRM records as the data API accepts them (pydantic v2, no I/O).

Every model describes a *write*: all fields optional, so the same model serves create (where
`REQUIRED_ON_CREATE` applies), partial update and bulk upsert (which merges the given fields
into the stored record). Unknown keys are refused. References to other records
(`candidate_id`, `job_id`, ...) carry the caller's external ids.

Email addresses and phone numbers are stored as given: an ATS holds invalid ones, and the
seeds expect the LinkedIn sync, not the store, to reject them with a reason. URLs are not:
the pages link to them, so only absolute http(s) URLs are stored (no `javascript:`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError

from recruitlink.core.linkedin_schema import http_url_problem


def _http_url(value: str) -> str:
    # Pages link to stored URLs: only http(s) ones, so no `javascript:` runs when clicked.
    # "" is no URL (as None), kept as sent: ATS exports often have empty fields.
    problem = http_url_problem(value) if value else None
    if problem is not None:
        raise PydanticCustomError("http_url", problem)
    return value


Str40 = Annotated[str, StringConstraints(max_length=40)]
Str200 = Annotated[str, StringConstraints(max_length=200)]
Str400 = Annotated[str, StringConstraints(max_length=400)]
ConsentPurpose = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                                  pattern=r"^[A-Za-z0-9_.:-]+$")]
"""A consent purpose's name: letters, digits and `_ . : -` (e.g. `linkedin_recruiter`)."""
_URL_DOC = Field(description="An absolute http or https URL with a host (\"\" for none).")
Url = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_http_url), _URL_DOC]
"""An absolute http(s) URL with a host (`linkedin_schema.http_url_problem`)."""
Url400 = Annotated[str, StringConstraints(max_length=400), AfterValidator(_http_url), _URL_DOC]
Text = Annotated[str, StringConstraints(max_length=100_000)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=200,
                                              pattern=r"^[^\x00-\x1f\x7f]+$")]
Email = Annotated[str, StringConstraints(max_length=320)]

RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


def rfc3339(value: Any) -> Any:
    """Text as `format: date-time` says (RFC 3339, with its offset): pydantic alone also
    takes a number (seconds since 1970), a bare date, or a time without its offset."""
    if isinstance(value, datetime) or (isinstance(value, str) and RFC3339.fullmatch(value)):
        return value
    raise PydanticCustomError(
        "date_time", "must be a date-time with its offset, as in 2024-05-01T09:30:00Z")


DateTime = Annotated[datetime, BeforeValidator(rfc3339)]


class _Strict(BaseModel):
    """Every record part: unknown keys refused, and no text a database cannot hold."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        _check_storable(value)
        if isinstance(value, datetime):
            # Naive datetimes are UTC; everything is stored as epoch milliseconds, which
            # must be shown again as a datetime: keep to years 1..9999 in UTC.
            aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
            try:
                return aware.astimezone(UTC)
            except OverflowError as exc:
                raise ValueError("must fall between years 1 and 9999 in UTC") from exc
        return value


def _check_storable(value: Any) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("must not contain a NUL character")
    elif isinstance(value, list):
        for item in value:
            _check_storable(item)
    elif isinstance(value, datetime):
        return


class _Record(_Strict):
    id: ExternalId | None = None
    created_at: DateTime | None = None
    modified_at: DateTime | None = None


class Phone(_Strict):
    number: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    extension: Annotated[str, StringConstraints(max_length=16)] | None = None
    type: Literal["mobile", "work", "home", "other"] | None = None


class Address(_Strict):
    line1: Str400 | None = None
    line2: Str400 | None = None
    city: Str200 | None = None
    region: Str200 | None = None
    postal_code: Str40 | None = None
    country: Annotated[str, StringConstraints(max_length=2, min_length=2)] | None = None


class Resume(_Strict):
    filename: Str400
    content_type: Str200
    size: int = Field(ge=0, le=50 * 1024 * 1024)
    url: Url | None = None


class Evaluation(_Strict):
    attribute: Str200
    result: Str200


class User(_Record):
    name: Str200 | None = None
    email: Email | None = None
    role: Literal["recruiter", "admin", "company_admin"] | None = None
    is_default_integration_user: bool | None = None
    active: bool | None = None
    person_urn: Annotated[str, StringConstraints(max_length=100,
                                                 pattern=r"^urn:li:person:[A-Za-z0-9_-]+$")
                          ] | None = None


class Source(_Record):
    name: Str200 | None = None
    type: Annotated[str, StringConstraints(max_length=64)] | None = None


class SourceContact(_Record):
    source_id: ExternalId | None = None
    user_id: ExternalId | None = None
    first_name: Str200 | None = None
    last_name: Str200 | None = None
    email: Email | None = None


MatchMethod = Literal["email", "linkedin_url", "one_click_export", "profile_widget",
                      "stub_profile", "manual", "matched", "unlinked"]
"""How person_urn was learned; "unlinked": a recruiter removed the link in the profile
widget (no manualMatchedMember is sent)."""


class Candidate(_Record):
    first_name: Str200 | None = None
    last_name: Str200 | None = None
    middle_initial: Annotated[str, StringConstraints(max_length=20)] | None = None
    prefix: Str40 | None = None
    suffix: Str40 | None = None
    emails: list[Email] | None = Field(None, max_length=20)
    phones: list[Phone] | None = Field(None, max_length=20)
    addresses: list[Address] | None = Field(None, max_length=10)
    headline: Str400 | None = None
    current_title: Str400 | None = None
    current_company: Str400 | None = None
    location: Str400 | None = None
    linkedin_url: Url400 | None = None
    person_urn: Annotated[str, StringConstraints(max_length=100,
                                                 pattern=r"^urn:li:person:[A-Za-z0-9_-]+$")
                          ] | None = None
    match_method: MatchMethod | None = None
    linked_at: DateTime | None = Field(None, description=(
        "Since when `person_urn` is this member: set when the link changes, cleared with it."))
    link_evidence: Str400 | None = Field(None, description=(
        "Why `person_urn` is this member, e.g. `same email a@b.com` (see `match_method`); "
        "cleared when the link changes without a new reason."))
    confidential: bool | None = None
    do_not_contact: bool | None = None
    tags: list[Str200] | None = Field(None, max_length=100)
    consents: list[ConsentPurpose] | None = Field(None, max_length=50, description=(
        "The purposes the candidate consented to, e.g. `linkedin_recruiter` (GDPR-style "
        "consent kept in the ATS). A sync policy may share only candidates whose consents "
        "include its purpose (`recruitlink policy set --require-consent`)."))
    source_id: ExternalId | None = None
    source_contact_id: ExternalId | None = None
    creation_source: Annotated[str, StringConstraints(max_length=64)] | None = None
    resume: Resume | None = Field(None, description=(
        "A link to the candidate's resume kept in the ATS record (file name, type, size and "
        "URL): shown on the candidate page, not sent to LinkedIn. Only an uploaded file is "
        "sent to LinkedIn: the one put in the candidate's files with "
        "`PUT /api/v1/candidates/{id}/resume`."))


class Job(_Record):
    title: Str400 | None = None
    description: Text | None = None
    location: Str400 | None = None
    status: Literal["open", "closed"] | None = None
    availability: Literal["public", "private"] | None = None
    confidential: bool | None = None
    published_at: DateTime | None = None
    closed_at: DateTime | None = None
    apply_url: Url | None = None
    requisition_code: Str200 | None = None
    owner_id: ExternalId | None = None
    viewer_ids: list[ExternalId] | None = Field(None, max_length=1000)


class Application(_Record):
    candidate_id: ExternalId | None = None
    job_id: ExternalId | None = None
    source: Str200 | None = None
    current_stage: Str200 | None = None
    disposition_reason: Str400 | None = None
    outcome: Literal["active", "hired", "rejected", "withdrawn"] | None = None


class StageTransition(_Record):
    application_id: ExternalId | None = None
    stage: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    entered_at: DateTime | None = None


class InterviewFeedback(_Record):
    application_id: ExternalId | None = None
    interviewer_id: ExternalId | None = None
    interview_type: Literal["phone_screen", "onsite"] | None = None
    feedback: Text | None = None
    evaluations: list[Evaluation] | None = Field(None, max_length=100)


Origin = Literal["ats", "linkedin"]
"""Where a note or interaction was made; "linkedin" ones (imported) are not sent back."""


class Note(_Record):
    candidate_id: ExternalId | None = None
    application_id: ExternalId | None = None
    author_id: ExternalId | None = None
    body: Text | None = None
    visibility: Literal["public", "private"] | None = None
    origin: Origin | None = None


class Project(_Record):
    title: Str400 | None = None
    description: Text | None = None
    shared_with_all: bool | None = None
    owner_id: ExternalId | None = None
    locations: list[Str200] | None = Field(None, max_length=50)
    job_ids: list[ExternalId] | None = Field(None, max_length=100)


StageCategory = Literal["nurture", "lead", "contacted", "replied", "applied", "screen",
                        "interview", "offer", "hired", "rejected", "declined", "archived",
                        "other"]


class ProjectStage(_Record):
    project_id: ExternalId | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    category: StageCategory | None = None
    position: int | None = Field(None, ge=0, le=10_000)


class ProjectMembership(_Record):
    project_id: ExternalId | None = None
    candidate_id: ExternalId | None = None
    stage_id: ExternalId | None = None
    source: Str200 | None = None
    disposition_reason: Str400 | None = None


InteractionType = Literal["email", "web_session", "inmail", "note", "call", "meeting", "sms",
                          "event", "application", "other"]


class Interaction(_Record):
    candidate_id: ExternalId | None = None
    project_id: ExternalId | None = None
    user_id: ExternalId | None = None
    type: InteractionType | None = None
    direction: Literal["inbound", "outbound"] | None = None
    occurred_at: DateTime | None = None
    subject: Str400 | None = None
    content: Text | None = None
    origin: Origin | None = None


class DuplicateAlert(_Record):
    candidate_id: ExternalId | None = None
    other_candidate_id: ExternalId | None = None
    reason: Str400 | None = None
    status: Literal["open", "resolved", "dismissed"] | None = None


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_millis(value: datetime) -> int:
    # Integer arithmetic: a float timestamp loses milliseconds far from 1970.
    return (value - EPOCH) // timedelta(milliseconds=1)


def from_millis(value: int | None) -> str | None:
    if value is None:
        return None
    return (EPOCH + timedelta(milliseconds=value)).isoformat().replace("+00:00", "Z")
