"""Failed records in plain words: the label a person knows a LinkedIn field by, and a short
reason, for the sync logs page, `recruitlink sync errors` and the API. The raw message is kept
as it was (shown one click away); this only reads it. Pure: no I/O.

One table (`LABELS`) names LinkedIn's fields; list fields are numbered from 1 ("Email
address 1" for `emailAddresses.0`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from recruitlink.core.linkedin_schema import REQUIRED, UNRECOGNIZED

LABELS: dict[str, str] = {
    "emailAddresses": "Email address",
    "phoneNumbers": "Phone number",
    "firstName": "First name",
    "lastName": "Last name",
    "headline": "Headline",
    "currentTitle": "Current title",
    "currentCompany": "Current company",
    "profileUrls": "Profile link",
    "addresses": "Address",
    "externalProfileUrl": "Record link",
    "candidateEmail": "Candidate's email address",
    "requisitionOwnerEmail": "Job owner's email address",
    "ownerEmailAddress": "Owner's email address",
    "title": "Title",
    "description": "Description",
    "location": "Location",
    "companyApplyUrl": "Apply link",
    "listedAt": "Published date",
    "createdAt": "Created date",
    "lastModifiedAt": "Last changed date",
    "atsCreatedAt": "Created date",
    "atsLastModifiedAt": "Last changed date",
    "startedAt": "Start date",
    "endedAt": "End date",
    "name": "Name",
    "content": "Text",
    "body": "Text",
    "stage": "Stage",
    "jobPostingOperationType": "Job operation",
    "workplaceTypes": "Workplace type",
    "key": "Record key",
    "record": "Record",
    # The ATS candidate's own keys, which a refusal of the candidate page names
    # (inbound/links.py: the profile widget's link and unlink).
    "emails": "Email address",
    "phones": "Phone number",
    "person_urn": "LinkedIn member",
    # A note's, stage's or feedback's parent LinkedIn does not hold (core/planner.py).
    "candidate": "Candidate",
    "application": "Application",
}
"""LinkedIn field name (or an ATS record's key) -> the label a recruiter knows it by."""

_RECORD_FIELDS = LABELS.keys() - {"candidate", "application"}
"""The keys naming a field of the record itself, not a parent record it waits for."""
_PATH_PART = re.compile(r"[./]")
_LINKEDIN_MESSAGE = re.compile(r"ERROR :: (/[^ ]*) :: (.*)", re.S)
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^invalid email address"), "not a valid email address"),
    (re.compile(r"does not match the email pattern"), "not a valid email address"),
    (re.compile(r"^invalid phone number: .*? (is .*|has .*|could not .*)$", re.S),
     r"not a valid phone number (\1)"),
    (re.compile(r"^invalid phone number"), "not a valid phone number"),
    (re.compile("^" + re.escape(REQUIRED)), "is required and missing"),
    (re.compile("^" + re.escape(UNRECOGNIZED)), "is not a field LinkedIn accepts"),
    (re.compile(r"^must not be empty"), "must not be empty"),
    (re.compile(r"^must be at most (\d+) characters.*"), r"is too long (at most \1 characters)"),
    (re.compile(r"^must not be in the future.*"), "must not be in the future"),
    (re.compile(r"^expected (\w+) but found (\w+)"), r"has the wrong type (\2, not \1)"),
)


def field_label(field: str | None) -> str:
    """`emailAddresses.0` -> "Email address 1"; `phoneNumbers.1.number` -> "Phone number 2";
    an unknown field keeps its name; none -> "Record"."""
    if not field:
        return "Record"
    parts = [p for p in _PATH_PART.split(field) if p]
    if not parts:
        return "Record"
    label = LABELS.get(parts[0], parts[0])
    index = next((p for p in parts[1:] if p.isdigit()), None)
    return f"{label} {int(index) + 1}" if index is not None else label


def labelled(message: str) -> str:
    """"emails: has none; person_urn: bad" -> "Email address: has none; LinkedIn member: bad":
    a refusal naming its fields by key ("key: reason", "; " between them) in a person's
    words. A part without a key is kept as it is."""
    parts = []
    for part in message.split("; "):
        key, sep, reason = part.partition(": ")
        known = sep and key and " " not in key
        parts.append(f"{field_label(key)}: {reason}" if known else part)
    return "; ".join(parts)


def split_linkedin_message(field: str | None, reason: str) -> tuple[str | None, str]:
    """LinkedIn's "ERROR :: /path :: reason" names the field itself: (field, reason)."""
    found = _LINKEDIN_MESSAGE.search(reason)
    if found is None:
        return field, reason
    path = found.group(1).strip("/").replace("/", ".")
    return field or path or None, found.group(2).strip()


def plain_reason(reason: str) -> str:
    """A short reason in plain words; an unknown one is kept as it is."""
    text = reason.strip()
    for pattern, plain in _REASONS:
        if pattern.search(text):
            return pattern.sub(plain, text) if "\\" in plain else plain
    return text


def explain(field: str | None, reason: str) -> str:
    """"Email address 1: not a valid email address" for one failed check."""
    field, reason = split_linkedin_message(field, reason)
    return f"{field_label(field)}: {plain_reason(reason)}"


def rejected_reason(error: Mapping[str, str]) -> str:
    """Why a record is not on LinkedIn, as the ledger keeps it (the audit trail shows it, and
    a note or stage waiting for the record quotes it): a check on a field LinkedIn knows in
    plain words ("Email address 1: not a valid email address"), else the reason as it is."""
    field, reason = split_linkedin_message(error.get("field") or None, error["reason"])
    if field and _PATH_PART.split(field)[0] in _RECORD_FIELDS:
        return explain(field, reason)
    return error["reason"]
