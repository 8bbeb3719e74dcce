"""What each kind of record is: its table, its API model, its columns, its references to other
records, what it needs on create, and what goes with it when it is deleted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Connection, Table

from recruitlink.core import records as models

from . import schema
from .changelog import ChangeSet
from .current_stage import follow_newest_stage, record_stage_move


@dataclass(frozen=True)
class Ref:
    """An API field holding another record's external id (or a list of them)."""

    field: str
    target: str
    many: bool = False


@dataclass(frozen=True)
class Child:
    """Records that point at this one: deleted with it, or unlinked from it."""

    entity: str
    column: str
    action: Literal["delete", "unlink", "drop_from_list"] = "delete"


Check = Callable[[Mapping[str, Any]], list[tuple[str, str]]]
Derive = Callable[[Mapping[str, Any] | None, dict[str, Any], Mapping[str, Any], int], None]
AfterWrite = Callable[[Connection, ChangeSet, int,
                       list[tuple[Mapping[str, Any] | None, Mapping[str, Any]]], int], None]
"""(conn, changes, tenant id, the rows written: (the stored row before, None for a new one;
the values written), now in ms)."""


@dataclass(frozen=True)
class Entity:
    name: str
    """URL segment and changelog entity name (plural, snake_case)."""
    table: Table
    model: type[BaseModel]
    columns: tuple[str, ...]
    """Plain columns: API field name == column name."""
    refs: tuple[Ref, ...] = ()
    times: tuple[str, ...] = ()
    """Columns kept in epoch ms, shown as ISO 8601 datetimes."""
    required: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    children: tuple[Child, ...] = ()
    check: Check | None = None
    """Rules across fields, on the merged record: [(field, reason)]."""
    unique_together: tuple[str, ...] = ()
    """Columns (besides tenant) that must be unique together, e.g. one process per job."""
    confidential: Callable[[Mapping[str, Any]], bool] | None = None
    """Whether a stored row is confidential (the changelog records entering and leaving)."""
    derive: Derive | None = None
    """Sets fields that follow from others on the merged record (before, values, given,
    now), before it is checked."""
    after_write: AfterWrite | None = None
    """Keeps what other records derive from these in step, once rows are written."""

    @property
    def writable(self) -> tuple[str, ...]:
        return self.columns + self.times + tuple(r.field for r in self.refs)


def _candidate_check(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    if not (row.get("first_name") or row.get("last_name") or row.get("emails")):
        return [("first_name", "a candidate needs a first name, a last name or an email")]
    return []


def _candidate_link(before: Mapping[str, Any] | None, values: dict[str, Any],
                    given: Mapping[str, Any], now_ms: int) -> None:
    """A new link to a member starts now, and its evidence is the writer's or none; no link
    has neither (explainable identity)."""
    person = values.get("person_urn")
    if person is None:
        values["linked_at"] = values["link_evidence"] = None
    elif person != (before or {}).get("person_urn"):
        if given.get("linked_at") is None:
            values["linked_at"] = now_ms
        if "link_evidence" not in given:
            values["link_evidence"] = None


def _note_check(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    if (row.get("candidate_id") is None) == (row.get("application_id") is None):
        return [("candidate_id", "a note belongs to exactly one of a candidate "
                                 "(candidate_id) or an application (application_id)")]
    return []


def _alert_check(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    if row.get("candidate_id") is not None and row.get("candidate_id") == row.get(
            "other_candidate_id"):
        return [("other_candidate_id", "a candidate cannot duplicate itself")]
    return []


ENTITIES: dict[str, Entity] = {e.name: e for e in (
    Entity("users", schema.users, models.User,
           columns=("name", "email", "role", "is_default_integration_user", "active",
                    "person_urn"),
           required=("name", "email", "role"),
           defaults={"is_default_integration_user": False, "active": True},
           children=(Child("jobs", "owner_id", "unlink"), Child("notes", "author_id", "unlink"),
                     Child("projects", "owner_id", "unlink"),
                     Child("interactions", "user_id", "unlink"),
                     Child("interview_feedback", "interviewer_id", "unlink"),
                     Child("source_contacts", "user_id", "unlink"),
                     Child("jobs", "viewer_ids", "drop_from_list"))),
    Entity("sources", schema.sources, models.Source, columns=("name", "type"),
           required=("name",),
           children=(Child("source_contacts", "source_id", "unlink"),
                     Child("candidates", "source_id", "unlink"))),
    Entity("source_contacts", schema.source_contacts, models.SourceContact,
           columns=("first_name", "last_name", "email"),
           refs=(Ref("source_id", "sources"), Ref("user_id", "users")),
           children=(Child("candidates", "source_contact_id", "unlink"),)),
    Entity("candidates", schema.candidates, models.Candidate,
           columns=("first_name", "last_name", "middle_initial", "prefix", "suffix", "emails",
                    "phones", "addresses", "headline", "current_title", "current_company",
                    "location", "linkedin_url", "person_urn", "match_method", "confidential",
                    "do_not_contact", "tags", "creation_source", "resume", "consents",
                    "link_evidence"),
           times=("linked_at",),
           refs=(Ref("source_id", "sources"), Ref("source_contact_id", "source_contacts")),
           defaults={"emails": [], "phones": [], "addresses": [], "tags": [],
                     "confidential": False, "do_not_contact": False},
           children=(Child("applications", "candidate_id"), Child("notes", "candidate_id"),
                     Child("project_memberships", "candidate_id"),
                     Child("interactions", "candidate_id"),
                     Child("duplicate_alerts", "candidate_id"),
                     Child("duplicate_alerts", "other_candidate_id")),
           check=_candidate_check, derive=_candidate_link,
           confidential=lambda row: bool(row["confidential"])),
    Entity("jobs", schema.jobs, models.Job,
           columns=("title", "description", "location", "status", "availability",
                    "confidential", "apply_url", "requisition_code"),
           times=("published_at", "closed_at"),
           refs=(Ref("owner_id", "users"), Ref("viewer_ids", "users", many=True)),
           required=("title",),
           defaults={"status": "open", "confidential": False, "viewer_ids": []},
           children=(Child("applications", "job_id"),
                     Child("projects", "job_ids", "drop_from_list")),
           confidential=lambda row: bool(row["confidential"])),
    Entity("applications", schema.applications, models.Application,
           columns=("source", "current_stage", "disposition_reason", "outcome"),
           refs=(Ref("candidate_id", "candidates"), Ref("job_id", "jobs")),
           required=("candidate_id", "job_id"), defaults={"outcome": "active"},
           children=(Child("stage_transitions", "application_id"),
                     Child("interview_feedback", "application_id"),
                     Child("notes", "application_id")),
           unique_together=("candidate_id", "job_id"), after_write=record_stage_move),
    Entity("stage_transitions", schema.stage_transitions, models.StageTransition,
           columns=("stage",), times=("entered_at",),
           refs=(Ref("application_id", "applications"),),
           required=("application_id", "stage", "entered_at"),
           after_write=follow_newest_stage),
    Entity("interview_feedback", schema.interview_feedback, models.InterviewFeedback,
           columns=("interview_type", "feedback", "evaluations"),
           refs=(Ref("application_id", "applications"), Ref("interviewer_id", "users")),
           required=("application_id",), defaults={"evaluations": []}),
    Entity("notes", schema.notes, models.Note, columns=("body", "visibility", "origin"),
           refs=(Ref("candidate_id", "candidates"), Ref("application_id", "applications"),
                 Ref("author_id", "users")),
           required=("body",), defaults={"visibility": "public"}, check=_note_check),
    Entity("projects", schema.projects, models.Project,
           columns=("title", "description", "shared_with_all", "locations"),
           refs=(Ref("owner_id", "users"), Ref("job_ids", "jobs", many=True)),
           required=("title",),
           defaults={"shared_with_all": True, "locations": [], "job_ids": []},
           children=(Child("project_stages", "project_id"),
                     Child("project_memberships", "project_id"),
                     Child("interactions", "project_id", "unlink")),
           # A project not shared with all recruiters is excluded like a confidential record.
           confidential=lambda row: not row["shared_with_all"]),
    Entity("project_stages", schema.project_stages, models.ProjectStage,
           columns=("name", "category", "position"),
           refs=(Ref("project_id", "projects"),),
           required=("project_id", "name", "category"), defaults={"position": 0},
           children=(Child("project_memberships", "stage_id", "unlink"),)),
    Entity("project_memberships", schema.project_memberships, models.ProjectMembership,
           columns=("source", "disposition_reason"),
           refs=(Ref("project_id", "projects"), Ref("candidate_id", "candidates"),
                 Ref("stage_id", "project_stages")),
           required=("project_id", "candidate_id"),
           unique_together=("project_id", "candidate_id")),
    Entity("interactions", schema.interactions, models.Interaction,
           columns=("type", "direction", "subject", "content", "origin"), times=("occurred_at",),
           refs=(Ref("candidate_id", "candidates"), Ref("project_id", "projects"),
                 Ref("user_id", "users")),
           required=("candidate_id", "type", "occurred_at")),
    Entity("duplicate_alerts", schema.duplicate_alerts, models.DuplicateAlert,
           columns=("reason", "status"),
           refs=(Ref("candidate_id", "candidates"), Ref("other_candidate_id", "candidates")),
           required=("candidate_id", "other_candidate_id", "reason"),
           defaults={"status": "open"}, check=_alert_check),
)}


def entity(name: str) -> Entity:
    try:
        return ENTITIES[name]
    except KeyError:
        raise KeyError(f"unknown entity {name!r}") from None
