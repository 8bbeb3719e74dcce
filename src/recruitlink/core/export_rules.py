"""One-Click Export: what an `exportedCandidates` element does to the ATS/CRM (issue "Inbound").

Pure: the caller reads the candidates concerned, calls `decide` and applies the returned
`ExportDecision` in one transaction; nothing here does I/O or reads the clock. The rules, from
the seeds (ARCHITECTURE.md, "What the seeds ask"):

- match an existing candidate by person URN, else by LinkedIn profile URL;
- matched: merge (Beamery: new data is appended to all fields, location is overwritten): list
  fields grow; a new headline, current title or company is applied and the value it replaces
  is kept in the export's activity, so nothing LinkedIn sends or the ATS held is silently lost;
  names and the profile URL stay the ATS's (noted in the activity when LinkedIn's differ); and
  attach to the chosen job (a new hiring process: Comeet) or pipeline (CRM: Beamery);
  already in process for that job, or already in that pipeline: the export fails;
- a confidential match: the export fails, nothing changes (Beamery);
- a job already closed in the ATS (LinkedIn may not know yet): the export fails, since an
  active hiring process for a closed position is one nobody will move on; a new hiring
  process starts at the job's first stage (issue 15);
- not matched: create the candidate, tagged and sourced as Comeet does, attributed to the
  exporter's ATS user or the default integration user (Beamery); a similar but not identical
  candidate raises a possible-duplicate alert (Comeet);
- two plausible candidates (two unlinked ones with the exported profile URL, or, unmatched,
  two similar ones) are not guessed between: "review" keeps the export for an admin, who picks
  the candidate (`chosen`), creates one, or merges them (explainable identity, issue 19).

A failed export writes nothing: the caller only records the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from recruitlink.core.mapping import MANUAL_MATCH_METHODS
from recruitlink.core.matching import name_key, profile_slug

__all__ = [
    "APPLICATION_SOURCE",
    "CREATION_SOURCE",
    "DEFAULT_FIRST_STAGE",
    "FIELD_LABELS",
    "IMPORT_TAG",
    "SOURCE_TYPE",
    "CandidateView",
    "CandidateWrite",
    "ElementReader",
    "Export",
    "ExportDecision",
    "ExportedProfile",
    "Exporter",
    "FieldChange",
    "NewAlert",
    "NewApplication",
    "NewInteraction",
    "NewMembership",
    "Outcome",
    "SourceAttribution",
    "SourceContactView",
    "SourcePlan",
    "TenantKind",
    "UserView",
    "applied",
    "decide",
    "fold",
    "link_fields",
    "new_items",
    "parse_export",
    "plan_source",
]

TenantKind = Literal["ATS", "CRM", "BOTH"]
Outcome = Literal["created", "merged", "failed", "review"]

# Comeet: exported candidates are tagged, and sourced "[user name] (LinkedIn Recruiter)".
IMPORT_TAG = "Imported: LinkedIn Recruiter"
SOURCE_SUFFIX = " (LinkedIn Recruiter)"
SOURCE_TYPE = "Active search"
# Beamery: the creation source of contacts imported with CRM Connect is "LinkedIn".
CREATION_SOURCE = "LinkedIn"
APPLICATION_SOURCE = "LinkedIn Recruiter"
# The first stage of a hiring process when the job's own applications show none.
DEFAULT_FIRST_STAGE = "Applied"

PERSON_URN = re.compile(r"^urn:li:person:[A-Za-z0-9_-]+$")  # as records.Candidate.person_urn
SEAT_URN = re.compile(r"^urn:li:seat:[A-Za-z0-9_-]+$")
EXTERNAL_ID = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")  # as records.ExternalId


# -- reading LinkedIn elements ---------------------------------------------------------------

class ElementReader:
    """Reads one LinkedIn element, raising ValueError("<path>: <reason>") on a bad field."""

    def __init__(self, data: object, path: str = "") -> None:
        if not isinstance(data, Mapping):
            raise ValueError(f"{path or 'element'}: must be an object, "
                             f"not {type(data).__name__}")
        self.data: Mapping[str, Any] = data
        self.path = path

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def child(self, key: str) -> ElementReader:
        if self.data.get(key) is None:
            raise ValueError(f"{self.where(key)}: required")
        return ElementReader(self.data[key], self.where(key))

    def text(self, key: str, *, max_length: int = 400,
             pattern: re.Pattern[str] | None = None) -> str | None:
        """An optional string; blank counts as absent."""
        value = self.data.get(key)
        if value is None:
            return None
        where = self.where(key)
        if not isinstance(value, str):
            raise ValueError(f"{where}: must be a string, not {type(value).__name__}")
        if not value.strip():
            return None
        if "\x00" in value:
            raise ValueError(f"{where}: must not contain a NUL character")
        if len(value) > max_length:
            raise ValueError(f"{where}: longer than {max_length} characters")
        if pattern is not None and not pattern.match(value):
            raise ValueError(f"{where}: {value[:60]!r} does not match {pattern.pattern}")
        return value

    def required_text(self, key: str, *, max_length: int = 400,
                      pattern: re.Pattern[str] | None = None) -> str:
        value = self.text(key, max_length=max_length, pattern=pattern)
        if value is None:
            raise ValueError(f"{self.where(key)}: required")
        return value

    def millis(self, key: str) -> int:
        value = self.data.get(key)
        where = self.where(key)
        if value is None:
            raise ValueError(f"{where}: required")
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{where}: must be epoch milliseconds (an integer), "
                             f"not {type(value).__name__}")
        if not 0 <= value < 253_402_300_800_000:  # years 1970..9999, as records.py stores
            raise ValueError(f"{where}: {value} is out of range")
        return value


# -- the export ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exporter:
    """The recruiter who clicked "Export": their seat and LinkedIn identity."""

    seat: str
    person: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None

    @property
    def name(self) -> str:
        full = " ".join(p for p in (self.first_name, self.last_name) if p)
        return full or self.email or self.seat


@dataclass(frozen=True)
class ExportedProfile:
    """The `candidate` stub profile: what the recruiter sees (no email or phone: Comeet)."""

    first_name: str
    last_name: str
    headline: str | None = None
    current_title: str | None = None
    current_company: str | None = None
    location: str | None = None
    profile_url: str | None = None


@dataclass(frozen=True)
class Export:
    request_id: str
    integration_context: str
    exporter: Exporter
    person: str
    candidate: ExportedProfile
    exported_at: int
    contract: str | None = None
    job_id: str | None = None
    """externalJobPostingId: the ATS job's external id (ATS), or None."""
    pipeline_id: str | None = None
    """externalPipelineId: the CRM project's external id (CRM), or None."""
    note: str | None = None


def parse_export(element: Mapping[str, Any]) -> Export:
    """An `exportedCandidates` element (the shape assumed in ARCHITECTURE.md) as an Export.

    Raises ValueError("<field>: <reason>") for a malformed element."""
    top = ElementReader(element)
    who = top.child("exporter")
    profile = top.child("candidate")
    job_id = top.text("externalJobPostingId", max_length=200, pattern=EXTERNAL_ID)
    pipeline_id = top.text("externalPipelineId", max_length=200, pattern=EXTERNAL_ID)
    if job_id is not None and pipeline_id is not None:
        raise ValueError("externalPipelineId: an export names a job or a pipeline, not both")
    return Export(
        request_id=top.required_text("requestId", max_length=200),
        integration_context=top.required_text("integrationContext", max_length=200),
        contract=top.text("contract", max_length=200),
        exporter=Exporter(
            seat=who.required_text("seat", max_length=100, pattern=SEAT_URN),
            person=who.text("person", max_length=100, pattern=PERSON_URN),
            email=who.text("emailAddress", max_length=320),
            first_name=who.text("firstName", max_length=200),
            last_name=who.text("lastName", max_length=200)),
        person=top.required_text("person", max_length=100, pattern=PERSON_URN),
        candidate=ExportedProfile(
            first_name=profile.required_text("firstName", max_length=200),
            last_name=profile.required_text("lastName", max_length=200),
            headline=profile.text("headline"),
            current_title=profile.text("currentJobTitle"),
            current_company=profile.text("currentCompanyName"),
            location=profile.text("location"),
            profile_url=profile.text("publicProfileUrl")),
        job_id=job_id,
        pipeline_id=pipeline_id,
        note=top.text("note", max_length=100_000),
        exported_at=top.millis("exportedAt"),
    )


# -- what the caller reads from the store ----------------------------------------------------

@dataclass(frozen=True)
class CandidateView:
    """An existing candidate, as far as export and stub rules need it. Ids are external ids."""

    id: str
    first_name: str | None = None
    last_name: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    """Phone numbers only (the `number` of each stored phone)."""
    linkedin_url: str | None = None
    person_urn: str | None = None
    match_method: str | None = None
    headline: str | None = None
    current_title: str | None = None
    current_company: str | None = None
    location: str | None = None
    tags: tuple[str, ...] = ()
    confidential: bool = False
    job_ids: frozenset[str] = frozenset()
    """Jobs the candidate has an application for, whatever its outcome (one per job)."""
    project_ids: frozenset[str] = frozenset()
    """Projects (CRM pipelines) the candidate is a member of."""


@dataclass(frozen=True)
class UserView:
    id: str
    name: str
    email: str


# -- what the caller writes ------------------------------------------------------------------

@dataclass(frozen=True)
class CandidateWrite:
    """The field changes of one candidate, in `records.Candidate` names.

    `assign`: scalar fields to set (on create: every field given). `append`: values to add at
    the end of the list fields `tags`, `emails` and `phones` (phone numbers, stored as
    `{"number": n}`); never one already there. Only real changes are listed."""

    assign: Mapping[str, str] = field(default_factory=dict)
    append: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.assign and not any(self.append.values())


def applied(view: CandidateView, write: CandidateWrite) -> CandidateView:
    """`view` after `write`: what the store holds once the caller applies it."""
    changes: dict[str, Any] = {k: v for k, v in write.assign.items() if k in _VIEW_TEXT_FIELDS}
    changes.update({k: (*getattr(view, k), *v) for k, v in write.append.items() if v})
    return replace(view, **changes)


_VIEW_TEXT_FIELDS = frozenset({
    "first_name", "last_name", "linkedin_url", "person_urn", "match_method", "headline",
    "current_title", "current_company", "location"})


@dataclass(frozen=True)
class FieldChange:
    """A single-valued field where the export's value differs from the candidate's."""

    field: str
    """The `records.Candidate` name."""
    before: str | None
    after: str
    applied: bool
    """True: `after` replaced `before`; False: the ATS value stays, LinkedIn's is noted."""

    @property
    def line(self) -> str:
        label = FIELD_LABELS[self.field]
        if self.applied:
            was = repr(self.before) if self.before else "empty"
            return f"{label}: {self.after!r} (was {was})"
        return f"{label} on LinkedIn: {self.after!r} (kept {self.before!r})"


FIELD_LABELS = {"headline": "Headline", "current_title": "Current title",
                "current_company": "Current company", "location": "Location",
                "first_name": "First name", "last_name": "Last name",
                "linkedin_url": "LinkedIn profile URL"}


@dataclass(frozen=True)
class NewApplication:
    """A new hiring process (Comeet: one per candidate and position)."""

    job_id: str
    source: str
    created_at: int
    outcome: str = "active"
    stage: str | None = None
    """The job's first stage, where the process starts (also its first stage transition)."""


@dataclass(frozen=True)
class NewMembership:
    """A new membership of a CRM project (LinkedIn pipeline); stage left to the caller."""

    project_id: str
    source: str
    created_at: int


@dataclass(frozen=True)
class NewAlert:
    """A possible-duplicate alert, status "open". `candidate_id` None: the candidate being
    created. The caller skips a pair that already has an alert, in either order."""

    candidate_id: str | None
    other_candidate_id: str
    reason: str


EXPORTED_BY = "Exported from LinkedIn Recruiter by "
"""The export activity's subject, then the ATS user mapped to the exporting seat or, the seat
unmapped, LinkedIn's name of its holder (the activity is then the default user's)."""


@dataclass(frozen=True)
class NewInteraction:
    """The activity logged on the candidate's timeline (`interactions`)."""

    user_id: str | None
    occurred_at: int
    subject: str
    content: str | None = None
    project_id: str | None = None
    type: str = "other"


@dataclass(frozen=True)
class SourceAttribution:
    """The Comeet source of a created candidate: a source contact for the recruiter and a
    source "[user name] (LinkedIn Recruiter)" of type "Active search". See `plan_source`."""

    source_name: str
    source_type: str
    contact_first_name: str | None
    contact_last_name: str | None
    contact_email: str | None
    contact_user_id: str | None


@dataclass(frozen=True)
class ExportDecision:
    outcome: Outcome
    reason: str | None = None
    """Why the export failed; None unless outcome is "failed"."""
    candidate_id: str | None = None
    """The existing candidate merged into (or refusing the export); None on create."""
    write: CandidateWrite | None = None
    """The candidate's field changes; None when nothing is written (failed)."""
    source: SourceAttribution | None = None
    application: NewApplication | None = None
    membership: NewMembership | None = None
    alerts: tuple[NewAlert, ...] = ()
    interaction: NewInteraction | None = None
    user_id: str | None = None
    """The ATS user the export is attributed to: the exporter's, else the default one."""
    changes: tuple[FieldChange, ...] = ()
    """What a merge changed or left (also written in the interaction's content)."""
    review: tuple[tuple[str, str], ...] = ()
    """Outcome "review": the plausible candidates (id, why); nothing is written."""


def _failed(reason: str, candidate_id: str | None = None) -> ExportDecision:
    return ExportDecision("failed", reason=reason, candidate_id=candidate_id)


# -- the rules -------------------------------------------------------------------------------

def fold(text: str | None) -> str:
    """Lower case, accents removed, spaces collapsed (as matching's name folding)."""
    if not text:
        return ""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                    if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def link_fields(view: CandidateView, person: str, method: str) -> dict[str, str]:
    """Link `view` to `person`, learned by `method`: a recruiter's export or the member's
    shared contact info confirms the link, so it is sent back as manualMatchedMember."""
    changes: dict[str, str] = {}
    if view.person_urn != person:
        changes["person_urn"] = person
        changes["match_method"] = method
    elif view.match_method not in MANUAL_MATCH_METHODS:
        changes["match_method"] = method
    return changes


def new_items(existing: Iterable[str], offered: Iterable[str | None],
              key: Callable[[str], str | None] = fold) -> tuple[str, ...]:
    """The `offered` values not already in `existing` (compared by `key`), each once."""
    seen = {key(v) for v in existing}
    out: list[str] = []
    for value in offered:
        k = key(value) if value else None
        if value and k and k not in seen:
            seen.add(k)
            out.append(value)
    return tuple(out)


def _merge(view: CandidateView,
           export: Export) -> tuple[CandidateWrite, tuple[FieldChange, ...]]:
    """Beamery: new data is appended to all fields, except location, which is overwritten.
    A single-valued field holds one value: LinkedIn's newer one is applied and the one it
    replaces is kept as a FieldChange (the activity's history). Names and the profile URL are
    the ATS's identity of the candidate: filled when empty, else LinkedIn's is only noted."""
    profile = export.candidate
    assign = link_fields(view, export.person, "one_click_export")
    changes: list[FieldChange] = []
    if profile.location and profile.location != view.location:
        assign["location"] = profile.location
        if view.location:
            changes.append(FieldChange("location", view.location, profile.location, True))
    for name, value in (("headline", profile.headline), ("current_title", profile.current_title),
                        ("current_company", profile.current_company)):
        before = getattr(view, name)
        if value and fold(value) != fold(before):
            assign[name] = value
            if before:
                changes.append(FieldChange(name, before, value, True))
    url_differs = profile_slug(profile.profile_url) != profile_slug(view.linkedin_url)
    for name, value, differs in (
            ("first_name", profile.first_name, fold(profile.first_name) != fold(view.first_name)),
            ("last_name", profile.last_name, fold(profile.last_name) != fold(view.last_name)),
            ("linkedin_url", profile.profile_url, url_differs)):
        before = getattr(view, name)
        if not value or not differs:
            continue
        if before:
            changes.append(FieldChange(name, before, value, False))
        elif name == "linkedin_url":
            assign[name] = value
    tags = new_items(view.tags, [IMPORT_TAG])
    return CandidateWrite(assign, {"tags": tags} if tags else {}), tuple(changes)


def _create(export: Export) -> CandidateWrite:
    profile = export.candidate
    given = {"first_name": profile.first_name, "last_name": profile.last_name,
             "headline": profile.headline, "current_title": profile.current_title,
             "current_company": profile.current_company, "location": profile.location,
             "linkedin_url": profile.profile_url}
    assign = {k: v for k, v in given.items() if v}
    assign.update(person_urn=export.person, match_method="one_click_export",
                  creation_source=CREATION_SOURCE)
    return CandidateWrite(assign, {"tags": (IMPORT_TAG,)})


def _identity(view: CandidateView, export: Export) -> Literal["person", "url", "other"] | None:
    """How `view` is the exported member: same person URN, or same profile URL and not linked
    to anyone else; "other": same URL but linked to another member."""
    if view.person_urn == export.person:
        return "person"
    slug = profile_slug(export.candidate.profile_url)
    if slug and profile_slug(view.linkedin_url) == slug:
        return "url" if view.person_urn is None else "other"
    return None


def _similarity(view: CandidateView, first: str | None, last: str | None,
               pairs: Sequence[tuple[str, str | None, str | None]]) -> str | None:
    """Why `view` looks like the same person (same folded name and one more same field)."""
    name = name_key(first, last)
    if name is None or name_key(view.first_name, view.last_name) != name:
        return None
    same = [label for label, mine, theirs in pairs if fold(mine) and fold(mine) == fold(theirs)]
    if not same:
        return None
    parts = ["name", *same]
    return f"possible duplicate: same {', '.join(parts[:-1])} and {parts[-1]}"


def named_target(what: str, target_id: str, title: str | None) -> str:
    """A job or pipeline as the pages name it: "Staff Engineer (job J1)", by its title as the
    recruiter chose it in Recruiter, with its id; "job J1" when the ATS has no title."""
    return f"{title} ({what} {target_id})" if title else f"{what} {target_id}"


def _target(export: Export, kind: TenantKind, target_exists: bool,
            target_closed: bool, title: str | None) -> tuple[str | None, str | None] | str:
    """(job_id, project_id), or why the target is refused."""
    if export.job_id is not None:
        if kind == "CRM":
            return f"job {export.job_id}: this CRM takes exports into pipelines, not jobs"
        if not target_exists:
            return f"job {export.job_id} does not exist"
        if target_closed:
            return (f"{named_target('job', export.job_id, title)} is closed in the ATS: a closed "
                    "position takes no new candidates")
        return export.job_id, None
    if export.pipeline_id is not None:
        if kind == "ATS":
            return f"pipeline {export.pipeline_id}: this ATS takes exports into jobs, not pipelines"
        if not target_exists:
            return f"pipeline {export.pipeline_id} does not exist"
        return None, export.pipeline_id
    return None, None


def decide(export: Export, candidates_by_identity: Sequence[CandidateView],
           similar_candidates: Sequence[CandidateView], *, kind: TenantKind,
           target_exists: bool, exporter_user: UserView | None,
           default_user: UserView | None, now_ms: int, target_closed: bool = False,
           first_stage: str | None = None, chosen: CandidateView | None = None,
           target_title: str | None = None) -> ExportDecision:
    """What `export` does to the store.

    candidates_by_identity: candidates with the export's person URN or profile URL (any
    superset: others are ignored); the first person-URN match wins, then the first URL match.
    similar_candidates: candidates that may share the exported member's folded name (any
    superset). target_exists: whether the export's job or pipeline exists (ignored when it
    names neither). exporter_user: the ATS user mapped to the exporting seat, if any.
    target_closed: whether the export's job is closed in the ATS. first_stage: the job's
    first stage (DEFAULT_FIRST_STAGE when None). chosen: the candidate an admin picked for
    this export in the review queue (wins over every match). target_title: the job's or
    pipeline's title in the ATS, for the refusals that name it."""
    target = _target(export, kind, target_exists, target_closed, target_title)
    if isinstance(target, str):
        return _failed(target)
    job_id, project_id = target
    matches = [v for v in candidates_by_identity if _identity(v, export) == "person"]
    by_url = [v for v in candidates_by_identity if _identity(v, export) == "url"]
    if chosen is not None:
        matches = [chosen]
    elif not matches and len({v.id for v in by_url}) > 1 and not any(
            v.confidential for v in by_url):
        return _review(export, [(v.id, "same LinkedIn profile URL") for v in by_url])
    else:
        matches += by_url
    # Beamery: exporting the profile of a confidential contact fails, and changes nothing.
    secret = next((v for v in matches if v.confidential), None)
    if secret is not None:
        return _failed("candidate is confidential", secret.id)
    user = exporter_user or default_user  # Beamery: the default integration user
    occurred = min(export.exported_at, now_ms)
    matched = matches[0] if matches else None
    if matched is not None:
        if job_id is not None and job_id in matched.job_ids:
            # Comeet: one hiring process per candidate and position.
            return _failed(f"already in process for {named_target('job', job_id, target_title)}",
                           matched.id)
        if project_id is not None and project_id in matched.project_ids:
            return _failed(f"already in {named_target('pipeline', project_id, target_title)}",
                           matched.id)
    conflicts = [NewAlert(None if matched is None else matched.id, v.id,
                          "possible duplicate: same LinkedIn profile URL, linked to another "
                          "LinkedIn member")
                 for v in candidates_by_identity
                 if _identity(v, export) == "other" and not v.confidential]
    if matched is not None:
        twins = [NewAlert(matched.id, v.id,
                          f"possible duplicate: the same LinkedIn member {export.person}")
                 for v in matches[1:]]
        write, changes = _merge(matched, export)
        alerts = _unique(twins + conflicts, {matched.id})
    else:
        similar = _similar_alerts(export, similar_candidates)
        if len({a.other_candidate_id for a in similar}) > 1:
            return _review(export, [(a.other_candidate_id, a.reason.removeprefix(
                "possible duplicate: ")) for a in similar])
        write, changes = _create(export), ()
        alerts = _unique(conflicts + similar, set())
    by = exporter_user.name if exporter_user else export.exporter.name
    return ExportDecision(
        "created" if matched is None else "merged",
        candidate_id=None if matched is None else matched.id,
        write=write,
        source=None if matched is not None else _attribution(export, exporter_user),
        application=None if job_id is None else NewApplication(
            job_id, APPLICATION_SOURCE, occurred, stage=first_stage or DEFAULT_FIRST_STAGE),
        membership=None if project_id is None else NewMembership(project_id,
                                                                 APPLICATION_SOURCE, occurred),
        alerts=alerts,
        interaction=NewInteraction(
            user_id=user.id if user else None, occurred_at=occurred,
            subject=f"{EXPORTED_BY}{by}",
            content=_content(export.note, changes), project_id=project_id),
        user_id=user.id if user else None,
        changes=changes,
    )


def _review(export: Export, plausible: Sequence[tuple[str, str]]) -> ExportDecision:
    unique = tuple({cid: (cid, why) for cid, why in plausible}.values())
    name = f"{export.candidate.first_name} {export.candidate.last_name}"
    return ExportDecision("review", reason=f"{len(unique)} candidates could be {name}, and "
                                           "none is linked to the LinkedIn member",
                          review=unique)


def _content(note: str | None, changes: Sequence[FieldChange]) -> str | None:
    """The export's note, then what the export changed (the fields' history)."""
    parts = [note] if note else []
    if changes:
        parts.append("Changed by this export:\n" + "\n".join(f"- {c.line}" for c in changes))
    return "\n\n".join(parts) or None


def _similar_alerts(export: Export, views: Sequence[CandidateView]) -> list[NewAlert]:
    """Comeet: a Possible duplicate alert for existing candidates with similar (but not
    identical) details. Confidential candidates are not revealed by an alert (Beamery)."""
    profile = export.candidate
    alerts: list[NewAlert] = []
    for view in views:
        if view.confidential or _identity(view, export) is not None:
            continue
        why = _similarity(view, profile.first_name, profile.last_name, [
            ("current company", view.current_company, profile.current_company),
            ("current title", view.current_title, profile.current_title),
            ("location", view.location, profile.location)])
        if why:
            alerts.append(NewAlert(None, view.id, why))
    return alerts


def _unique(alerts: Iterable[NewAlert], exclude: set[str]) -> tuple[NewAlert, ...]:
    """One alert per other candidate, never a candidate with itself."""
    out: dict[str, NewAlert] = {}
    for alert in alerts:
        if alert.other_candidate_id not in exclude:
            out.setdefault(alert.other_candidate_id, alert)
    return tuple(out.values())


def _attribution(export: Export, user: UserView | None) -> SourceAttribution:
    """Comeet: the source contact is the recruiter (their ATS email, linked to their ATS user
    when there is one); the source is named "[user name] (LinkedIn Recruiter)"."""
    who = export.exporter
    return SourceAttribution(
        source_name=(user.name if user else who.name)[:200 - len(SOURCE_SUFFIX)] + SOURCE_SUFFIX,
        source_type=SOURCE_TYPE,
        contact_first_name=who.first_name,
        contact_last_name=who.last_name,
        contact_email=user.email if user else who.email,
        contact_user_id=user.id if user else None)


# -- the source of a created candidate -------------------------------------------------------

@dataclass(frozen=True)
class SourceContactView:
    """The source contact found by the attribution's `contact_email`, if any."""

    id: str
    source_id: str | None


@dataclass(frozen=True)
class SourcePlan:
    contact_id: str | None
    """The existing source contact to use; None: create one from the attribution."""
    source_id: str | None
    """The existing source to use; None: create one (`source_name`, `source_type`)."""
    link_contact: bool
    """Set the contact's source_id to the new source."""


def plan_source(contact: SourceContactView | None) -> SourcePlan:
    """Comeet: an existing source contact with the recruiter's email is reused, with its
    source if it has one; otherwise a new source is created (and a new contact if needed)."""
    if contact is None:
        return SourcePlan(None, None, link_contact=True)
    if contact.source_id is None:
        return SourcePlan(contact.id, None, link_contact=True)
    return SourcePlan(contact.id, contact.source_id, link_contact=False)
