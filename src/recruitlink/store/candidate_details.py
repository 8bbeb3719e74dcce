"""The reads behind the candidate page (web/pages/candidate.py): its details (source,
applications with their stage history, duplicate alerts, projects) and one merged timeline of
notes, interactions, stages and feedback, newest first, paged by an `(at, kind, id)` key.
Every list is bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from recruitlink.store.schema import (
    applications,
    candidates,
    duplicate_alerts,
    interactions,
    interview_feedback,
    jobs,
    notes,
    project_memberships,
    project_stages,
    projects,
    source_contacts,
    sources,
    stage_transitions,
    users,
)

TIMELINE_PAGE = 25
MAX_APPLICATIONS = 100
MAX_HISTORY = 1000
MAX_ALERTS = 20
MAX_PROJECTS = 50

# The timeline's kinds, in their tie-break order (part of the keyset).
NOTE, INTERACTION, STAGE, FEEDBACK = 1, 2, 3, 4
KIND_NAMES = {NOTE: "note", INTERACTION: "interaction", STAGE: "stage", FEEDBACK: "feedback"}


@dataclass(frozen=True)
class Event:
    at: int
    kind: int
    id: int
    row: Any

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.at, self.kind, self.id)

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


def encode_event_cursor(key: tuple[int, int, int]) -> str:
    return "{}.{}.{}".format(*key)


def _before(at_col: Any, id_col: Any, kind: int,
            cursor: tuple[int, int, int] | None) -> list[ColumnElement[bool]]:
    """`(at, kind, id) < cursor` for a source whose kind is the constant `kind`."""
    if cursor is None:
        return []
    c_at, c_kind, c_id = cursor
    if kind < c_kind:
        return [at_col <= c_at]
    if kind > c_kind:
        return [at_col < c_at]
    return [or_(at_col < c_at, and_(at_col == c_at, id_col < c_id))]


def timeline(conn: Connection, candidate_id: int, application_ids: Sequence[int],
             cursor: tuple[int, int, int] | None, limit: int = TIMELINE_PAGE
             ) -> tuple[list[Event], str | None]:
    """One page of the candidate's merged timeline, newest first, after `cursor`."""
    apps = list(application_ids)
    take = limit + 1
    events: list[Event] = []
    author = users.alias()
    note_owner = (or_(notes.c.candidate_id == candidate_id, notes.c.application_id.in_(apps))
                  if apps else notes.c.candidate_id == candidate_id)
    for row in conn.execute(
            select(notes.c.id, notes.c.created_at.label("at"), notes.c.body,
                   notes.c.visibility, notes.c.origin, notes.c.application_id,
                   author.c.name.label("author"))
            .outerjoin(author, author.c.id == notes.c.author_id)
            .where(note_owner, *_before(notes.c.created_at, notes.c.id, NOTE, cursor))
            .order_by(notes.c.created_at.desc(), notes.c.id.desc()).limit(take)):
        events.append(Event(row.at, NOTE, row.id, row))
    person = users.alias()
    for row2 in conn.execute(
            select(interactions.c.id, interactions.c.occurred_at.label("at"),
                   interactions.c.type, interactions.c.direction, interactions.c.subject,
                   interactions.c.content, interactions.c.origin,
                   person.c.name.label("user_name"), projects.c.title.label("project"))
            .outerjoin(person, person.c.id == interactions.c.user_id)
            .outerjoin(projects, projects.c.id == interactions.c.project_id)
            .where(interactions.c.candidate_id == candidate_id,
                   *_before(interactions.c.occurred_at, interactions.c.id, INTERACTION, cursor))
            .order_by(interactions.c.occurred_at.desc(), interactions.c.id.desc())
            .limit(take)):
        events.append(Event(row2.at, INTERACTION, row2.id, row2))
    if apps:
        for row3 in conn.execute(
                select(stage_transitions.c.id, stage_transitions.c.entered_at.label("at"),
                       stage_transitions.c.stage, jobs.c.title.label("job"),
                       jobs.c.external_id.label("job_ext"), _first_stage().label("first"))
                .join(applications, applications.c.id == stage_transitions.c.application_id)
                .join(jobs, jobs.c.id == applications.c.job_id)
                .where(stage_transitions.c.application_id.in_(apps),
                       *_before(stage_transitions.c.entered_at, stage_transitions.c.id, STAGE,
                                cursor))
                .order_by(stage_transitions.c.entered_at.desc(), stage_transitions.c.id.desc())
                .limit(take)):
            events.append(Event(row3.at, STAGE, row3.id, row3))
        interviewer = users.alias()
        for row4 in conn.execute(
                select(interview_feedback.c.id, interview_feedback.c.created_at.label("at"),
                       interview_feedback.c.interview_type, interview_feedback.c.feedback,
                       interview_feedback.c.evaluations,
                       interviewer.c.name.label("interviewer"), jobs.c.title.label("job"))
                .join(applications, applications.c.id == interview_feedback.c.application_id)
                .join(jobs, jobs.c.id == applications.c.job_id)
                .outerjoin(interviewer, interviewer.c.id == interview_feedback.c.interviewer_id)
                .where(interview_feedback.c.application_id.in_(apps),
                       *_before(interview_feedback.c.created_at, interview_feedback.c.id,
                                FEEDBACK, cursor))
                .order_by(interview_feedback.c.created_at.desc(),
                          interview_feedback.c.id.desc())
                .limit(take)):
            events.append(Event(row4.at, FEEDBACK, row4.id, row4))
    events.sort(key=lambda e: e.key, reverse=True)
    page = events[:limit]
    more = len(events) > limit
    return page, (encode_event_cursor(page[-1].key) if more and page else None)


# -- details --------------------------------------------------------------------------------

def _first_stage() -> Any:
    """Whether a stage transition is its application's first (the timeline says "started
    at", not "moved to"), correlated to `stage_transitions`."""
    earlier = stage_transitions.alias("earlier")
    return ~exists().where(
        earlier.c.application_id == stage_transitions.c.application_id,
        or_(earlier.c.entered_at < stage_transitions.c.entered_at,
            and_(earlier.c.entered_at == stage_transitions.c.entered_at,
                 earlier.c.id < stage_transitions.c.id))).correlate(stage_transitions)


def source_of(conn: Connection, source_id: int | None) -> Any:
    """The candidate's source (name, type), or None."""
    if source_id is None:
        return None
    return conn.execute(select(sources.c.name, sources.c.type)
                        .where(sources.c.id == source_id)).first()


def contact_of(conn: Connection, source_contact_id: int | None) -> Any:
    """The candidate's source contact (first and last name, email), or None."""
    if source_contact_id is None:
        return None
    return conn.execute(select(source_contacts.c.first_name, source_contacts.c.last_name,
                               source_contacts.c.email)
                        .where(source_contacts.c.id == source_contact_id)).first()


def applications_of(conn: Connection, candidate_id: int) -> list[Any]:
    """The candidate's newest `MAX_APPLICATIONS` applications, with their job."""
    return list(conn.execute(
        select(applications.c.id, applications.c.external_id, applications.c.current_stage,
               applications.c.outcome, applications.c.source,
               applications.c.disposition_reason, applications.c.created_at,
               jobs.c.external_id.label("job_ext"), jobs.c.title.label("job"),
               jobs.c.confidential.label("job_confidential"))
        .join(jobs, jobs.c.id == applications.c.job_id)
        .where(applications.c.candidate_id == candidate_id)
        .order_by(applications.c.id.desc()).limit(MAX_APPLICATIONS)).all())


def stage_history(conn: Connection, application_ids: Sequence[int]) -> dict[int, list[Any]]:
    """Application id -> its stage transitions in order (`MAX_HISTORY` in all)."""
    history: dict[int, list[Any]] = {app_id: [] for app_id in application_ids}
    if not history:
        return history
    for step in conn.execute(
            select(stage_transitions.c.application_id, stage_transitions.c.stage,
                   stage_transitions.c.entered_at)
            .where(stage_transitions.c.application_id.in_(list(history)))
            .order_by(stage_transitions.c.entered_at, stage_transitions.c.id)
            .limit(MAX_HISTORY)):
        history[step.application_id].append(step)
    return history


def duplicate_alerts_of(conn: Connection, tenant_id: int,
                        candidate_id: int) -> list[tuple[str, Any]]:
    """(direction, alert with the other candidate's id, names and emails) for the duplicate
    alerts naming the candidate: "this" when raised on it, "other" when on the other one;
    the newest `MAX_ALERTS` of each."""
    other = candidates.alias()
    alerts: list[tuple[str, Any]] = []
    for direction, mine, theirs in (("this", duplicate_alerts.c.candidate_id,
                                     duplicate_alerts.c.other_candidate_id),
                                    ("other", duplicate_alerts.c.other_candidate_id,
                                     duplicate_alerts.c.candidate_id)):
        for row in conn.execute(
                select(duplicate_alerts.c.id, duplicate_alerts.c.reason,
                       duplicate_alerts.c.status, duplicate_alerts.c.created_at,
                       other.c.external_id, other.c.first_name, other.c.last_name,
                       other.c.emails)
                .join(other, other.c.id == theirs)
                .where(duplicate_alerts.c.tenant_id == tenant_id, mine == candidate_id)
                .order_by(duplicate_alerts.c.id.desc()).limit(MAX_ALERTS)):
            alerts.append((direction, row))
    return alerts


def project_memberships_of(conn: Connection, candidate_id: int) -> list[Any]:
    """The projects the candidate is in (external id, title, stage), newest `MAX_PROJECTS`."""
    return list(conn.execute(
        select(projects.c.external_id, projects.c.title, project_stages.c.name.label("stage"))
        .join(projects, projects.c.id == project_memberships.c.project_id)
        .outerjoin(project_stages, project_stages.c.id == project_memberships.c.stage_id)
        .where(project_memberships.c.candidate_id == candidate_id)
        .order_by(project_memberships.c.id.desc()).limit(MAX_PROJECTS)).all())


def applications_by_id(conn: Connection, candidate_id: int) -> dict[int, str]:
    """Id -> external id of all the candidate's applications."""
    return {r.id: r.external_id for r in conn.execute(
        select(applications.c.id, applications.c.external_id).where(
            applications.c.candidate_id == candidate_id))}


def application_of(conn: Connection, tenant_id: int, candidate_id: int,
                   application_external_id: str) -> int | None:
    """The id of the tenant's application with this external id if it is the candidate's."""
    return conn.execute(select(applications.c.id).where(
        applications.c.tenant_id == tenant_id,
        applications.c.external_id == application_external_id,
        applications.c.candidate_id == candidate_id)).scalar()


def with_person(conn: Connection, tenant_id: int, person_urn: str) -> list[str]:
    """External ids of the tenant's candidates linked to this LinkedIn member."""
    return list(conn.execute(select(candidates.c.external_id).where(
        candidates.c.tenant_id == tenant_id, candidates.c.person_urn == person_urn)).scalars())


def job_ids_applied_to(conn: Connection, tenant_id: int,
                       candidate_external_id: str) -> set[str]:
    """External ids of the jobs the tenant's candidate has applications on."""
    return set(conn.execute(
        select(jobs.c.external_id).join(applications, applications.c.job_id == jobs.c.id)
        .join(candidates, candidates.c.id == applications.c.candidate_id)
        .where(candidates.c.tenant_id == tenant_id,
               candidates.c.external_id == candidate_external_id)).scalars())
