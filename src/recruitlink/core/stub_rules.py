"""InMail stub profiles: what a `mailStubs` element does to the ATS/CRM (issue "Inbound").

A stub is made when a member answers an InMail and shares their contact info (reference §5.6);
Comeet then updates the candidate's LinkedIn URL, email and phone. Pure, like export_rules:
the caller reads the candidates concerned, calls `decide_stub` and applies the decision.

Matching, in order: the person URN; the email address (case-insensitive); the folded name,
only when exactly one candidate has it. Several (not confidential) candidates with the name
are not guessed between: the stub goes to the review queue ("review", with the candidates and
why), and an admin links it to one (`chosen`), creates a new candidate or merges them.
A candidate linked to another LinkedIn member never matches by email or name.
An email or phone number that fails validation is neither written nor used to match: it is
reported in `rejected` with the reason, never dropped silently (PageUp names invalid emails
and phones as the most likely sync errors, so none is let into the store from LinkedIn).
A stub whose match is a confidential candidate is refused with its reason and writes nothing:
no LinkedIn data is attached to a confidential candidate (Beamery: confidential contacts are
kept apart from LinkedIn, and exporting one fails), nor is a second candidate created beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from recruitlink.core.export_rules import (
    CREATION_SOURCE,
    PERSON_URN,
    SEAT_URN,
    CandidateView,
    CandidateWrite,
    ElementReader,
    NewAlert,
    fold,
    link_fields,
    new_items,
)
from recruitlink.core.matching import email_key, name_key, phone_key
from recruitlink.core.validation import email_problem, phone_problem

__all__ = ["MailStub", "MatchedBy", "Rejection", "StubDecision", "StubOutcome", "decide_stub",
           "parse_stub"]

StubOutcome = Literal["created", "updated", "unchanged", "refused", "review"]
MatchedBy = Literal["person", "email", "name", "admin"]
ADMIN_METHOD = "manual"
"""The match method of a link an admin chose in the review queue."""
PHONE_MAX = 64  # records.Phone.number


@dataclass(frozen=True)
class MailStub:
    owner: str
    """The seat that received the member's contact info."""
    person: str
    first_name: str
    last_name: str
    created_at: int
    id: str | None = None
    email: str | None = None
    phone: str | None = None
    headline: str | None = None
    profile_url: str | None = None


def parse_stub(element: Mapping[str, Any]) -> MailStub:
    """A `mailStubs` element (the shape assumed in ARCHITECTURE.md) as a MailStub.

    Raises ValueError("<field>: <reason>") for a malformed element. `emailAddress` is one
    string (LinkedIn changed it in March 2024); an invalid address is not malformed here but
    rejected by `decide_stub`."""
    top = ElementReader(element)
    raw_id = top.data.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, int | str)):
        raise ValueError(f"id: must be a string or an integer, not {type(raw_id).__name__}")
    return MailStub(
        id=None if raw_id is None else str(raw_id),
        owner=top.required_text("owner", max_length=100, pattern=SEAT_URN),
        person=top.required_text("person", max_length=100, pattern=PERSON_URN),
        first_name=top.required_text("firstName", max_length=200),
        last_name=top.required_text("lastName", max_length=200),
        email=_stripped(top.text("emailAddress", max_length=2000)),
        phone=_stripped(top.text("phoneNumber", max_length=2000)),
        headline=top.text("headline"),
        profile_url=top.text("publicProfileUrl"),
        created_at=top.millis("createdAt"),
    )


def _stripped(value: str | None) -> str | None:
    return value.strip() if value is not None else None


@dataclass(frozen=True)
class Rejection:
    """A value of the stub that is not written, and why."""

    field: str
    """The stub's field: "emailAddress" or "phoneNumber"."""
    value: str
    reason: str


@dataclass(frozen=True)
class StubDecision:
    outcome: StubOutcome
    candidate_id: str | None
    """The matched candidate; None when one is created."""
    matched_by: MatchedBy | None
    write: CandidateWrite
    alerts: tuple[NewAlert, ...] = ()
    rejected: tuple[Rejection, ...] = ()
    reason: str | None = None
    """Why the stub was refused; None unless outcome is "refused"."""
    review: tuple[tuple[str, str], ...] = ()
    """Outcome "review": the plausible candidates (id, why), none of them written."""


CONFIDENTIAL = ("candidate is confidential: a shared contact never adds LinkedIn data to a "
                "confidential candidate")


def _checked(stub: MailStub, phone_region: str) -> tuple[str | None, str | None,
                                                          tuple[Rejection, ...]]:
    """The stub's email and phone that may be written, and the rejections of the others."""
    rejected: list[Rejection] = []
    email, phone = stub.email, stub.phone
    if email is not None:
        problem = email_problem(email)
        if problem is not None:
            rejected.append(Rejection("emailAddress", email, problem))
            email = None
    if phone is not None:
        problem = (f"invalid phone number: longer than {PHONE_MAX} characters"
                   if len(phone) > PHONE_MAX else phone_problem(phone, phone_region))
        if problem is not None:
            rejected.append(Rejection("phoneNumber", phone, problem))
            phone = None
    return email, phone, tuple(rejected)


def _phone_identity(number: str) -> str | None:
    """Numbers are the same when their last ten digits are (matching.phone_key)."""
    return phone_key(number) or fold(number) or None


def decide_stub(stub: MailStub, by_person: Sequence[CandidateView],
                by_email: Sequence[CandidateView], by_name: Sequence[CandidateView], *,
                phone_region: str = "US", chosen: CandidateView | None = None) -> StubDecision:
    """What `stub` does to the store.

    by_person / by_email / by_name: candidates with the stub's person URN, email address, or
    name (any superset: others are ignored); the first match in the given order wins.
    phone_region: the tenant policy's region for numbers without a country code.
    chosen: the candidate an admin picked for this stub in the review queue (wins)."""
    email, phone, rejected = _checked(stub, phone_region)
    mine = (None, stub.person)
    key = email_key(email)
    people = [v for v in by_person if v.person_urn == stub.person]
    same_email = [v for v in by_email if key and key in {email_key(e) for e in v.emails}]
    emails = [v for v in same_email if v.person_urn in mine]
    wanted = name_key(stub.first_name, stub.last_name)
    names = [v for v in by_name
             if v.person_urn in mine and name_key(v.first_name, v.last_name) == wanted]
    names = list({v.id: v for v in names}.values())

    matched: CandidateView | None = None
    matched_by: MatchedBy | None = None
    pairs: list[tuple[CandidateView, str]] = []
    if chosen is not None:
        matched, matched_by = chosen, "admin"
    elif people:
        matched, matched_by = people[0], "person"
        pairs += [(v, f"linked to the same LinkedIn member {stub.person}") for v in people[1:]]
    elif emails:
        matched, matched_by = emails[0], "email"
    elif len(names) == 1:
        matched, matched_by = names[0], "name"
    elif len([v for v in names if not v.confidential]) > 1:
        return StubDecision("review", None, None, CandidateWrite(), rejected=rejected,
                            review=tuple((v.id, f"same name {stub.first_name} "
                                                f"{stub.last_name}")
                                         for v in names if not v.confidential))
    else:
        pairs += [(v, "same name") for v in names]
    pairs += [(v, "same email address" if v.person_urn in mine else
               "same email address, linked to another LinkedIn member") for v in same_email]

    if matched is not None and matched.confidential:
        return StubDecision("refused", matched.id, matched_by, CandidateWrite(),
                            rejected=rejected, reason=CONFIDENTIAL)
    if matched is None:
        write = _create(stub, email, phone)
        outcome: StubOutcome = "created"
    else:
        write = _update(matched, stub, email, phone,
                        ADMIN_METHOD if matched_by == "admin" else "stub_profile")
        outcome = "unchanged" if write.empty else "updated"
    return StubDecision(outcome, None if matched is None else matched.id, matched_by, write,
                        _alerts(matched, pairs), rejected)


def _update(view: CandidateView, stub: MailStub, email: str | None,
            phone: str | None, method: str) -> CandidateWrite:
    """Comeet: the shared contact info updates the LinkedIn URL, email and phone; list fields
    only grow, and never with a value already there."""
    assign = link_fields(view, stub.person, method)
    if stub.profile_url and not view.linkedin_url:
        assign["linkedin_url"] = stub.profile_url
    append = {"emails": new_items(view.emails, [email], key=email_key),
              "phones": new_items(view.phones, [phone], key=_phone_identity)}
    return CandidateWrite(assign, {k: v for k, v in append.items() if v})


def _create(stub: MailStub, email: str | None, phone: str | None) -> CandidateWrite:
    given = {"first_name": stub.first_name, "last_name": stub.last_name,
             "headline": stub.headline, "linkedin_url": stub.profile_url}
    assign = {k: v for k, v in given.items() if v}
    assign.update(person_urn=stub.person, match_method="stub_profile",
                  creation_source=CREATION_SOURCE)
    append = {"emails": (email,) if email else (), "phones": (phone,) if phone else ()}
    return CandidateWrite(assign, {k: v for k, v in append.items() if v})


def _alerts(matched: CandidateView | None,
            pairs: Sequence[tuple[CandidateView, str]]) -> tuple[NewAlert, ...]:
    """One alert per other candidate; none with the matched candidate itself, and none
    revealing a confidential candidate (as export_rules)."""
    out: dict[str, NewAlert] = {}
    for view, why in pairs:
        if view.confidential or (matched is not None and view.id == matched.id):
            continue
        out.setdefault(view.id, NewAlert(None if matched is None else matched.id, view.id,
                                         f"possible duplicate: {why}"))
    return tuple(out.values())
