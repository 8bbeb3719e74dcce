"""The outbound streams, declared once: what each kind of record on its way to LinkedIn is.

A stream is one kind of record on its way to one LinkedIn resource (candidate notes and
application notes are both `notes` rows, on two streams). Each entry says:

- `name`, `entity` (the ledger's entity), `resource` (LinkedIn's), `table` (the store table
  it reads, `base` when it is not `entity`) and `only` (which of the table's rows it carries);
- `parents`: the records whose exclusion it inherits, and (`on_change`) whose changes send it
  again; their columns are `store/entities.py`'s references (`Ref`), resolved here;
- `milestone`: the feature milestone it belongs to (`core/milestones.py`);
- who may see it: `crm_only` (CRM Connect tenants), `acls_only` (the ACL visibility policy);
  `shared`: what the Setup page tells the admin LinkedIn receives;
- `family`: the throttle family its calls count against (`core/limits.py`);
- `verify`: read back after a disconnect to check LinkedIn no longer has it.

The key and payload functions of a stream are its builder in `sync/items.py` (`_BUILDERS`,
by stream name), which calls `core/mapping.py`. Adding a resource is one entry here plus its
builder and mapping. Streams run in the order declared: parents before their children (for
deletes, children first), in milestone order.

Everything else that lists resources reads this module: the engine (dependents, streams of a
record), the disconnect (order, verification), the Setup page, the sync logs and the sender's
throttle family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from recruitlink.core.limits import family_of
from recruitlink.core.milestones import BY_KEY, ENABLED, MILESTONES
from recruitlink.core.policy import Policy
from recruitlink.store.entities import ENTITIES


class _NotNull:
    def __repr__(self) -> str:
        return "NOT_NULL"


NOT_NULL: Any = _NotNull()
"""A value of `Stream.only`: the column is set (whatever its value)."""


@dataclass(frozen=True)
class Parent:
    """A record this stream's records belong to."""

    entity: str
    """The parent's store table."""
    column: str
    """The column of the stream's table holding the parent's id."""
    on_change: bool = True
    """Sent again when the parent changes: its payload embeds the parent's fields, or it waits
    for the parent to be on LinkedIn. Otherwise only the parent's confidentiality (its
    exclusion, which the child inherits) sends it again."""


@dataclass(frozen=True)
class Shared:
    """A group of "What will be shared with LinkedIn" on the Setup page."""

    title: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class Stream:
    name: str
    entity: str
    """The ledger's entity of the stream's records."""
    resource: str
    milestone: str
    crm_only: bool = False
    acls_only: bool = False
    """Only with the ACL visibility policy."""
    base: str | None = None
    """The store table the stream reads, when it is not `entity`."""
    only: Mapping[str, Any] = field(default_factory=dict, hash=False)
    """The table's rows this stream carries: column -> value (or `NOT_NULL`)."""
    parents: tuple[Parent, ...] = ()
    shared: Shared | None = None
    verify: bool = False
    """Read back after a disconnect: LinkedIn must answer nothing for what was deleted."""
    family: str = ""
    """The throttle family; by default the resource's (`core.limits.family_of`)."""

    def __post_init__(self) -> None:
        if self.milestone not in BY_KEY or self.milestone == ENABLED:
            raise ValueError(f"{self.name}: milestone must be one of "
                             f"{', '.join(k for k in BY_KEY if k != ENABLED)}")
        if not self.family:
            object.__setattr__(self, "family", family_of(self.resource))

    @property
    def table(self) -> str:
        return self.base or self.entity

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    def carries(self, row: Mapping[str, Any] | None) -> bool:
        """Whether this stream sends the table's row (a stream with `only` needs the row)."""
        if not self.only:
            return True
        if row is None:
            return False
        return all(row.get(column) is not None if wanted is NOT_NULL
                   else row.get(column) == wanted for column, wanted in self.only.items())


def _ref(table: str, column: str, *, on_change: bool = True) -> Parent:
    """The parent `column` names, as `store/entities.py` declares the reference."""
    ref = next((r for r in ENTITIES[table].refs if r.field == column and not r.many), None)
    if ref is None:
        raise ValueError(f"{table}.{column}: not a reference in store/entities.py")
    return Parent(ref.target, column, on_change)


JOB_ACLS = "job_acls"
"""The ledger entity of a job's ACL records: one per (job, viewer) (`items.acl_entity_id`)."""
RESUME_RESOURCE = "atsCandidates/resume"
"""Not a LinkedIn path: the candidate's `resume` field, set by a partial update once the
file is uploaded (sender.py)."""

NOTE_FIELDS = ("Note text", "Author", "Date")

STREAMS: tuple[Stream, ...] = (
    Stream("jobs", "jobs", "simpleJobPostings", "jobs", shared=Shared("Jobs", (
        "Title", "Description", "Location", "Job URL", "Publish date",
        "Requisition code and owner", "Open or closed"))),
    Stream("job_acls", JOB_ACLS, "atsEntityAcls", "jobs", acls_only=True, base="jobs"),
    Stream("acl_assignees", "users", "atsEntityAclAssignees", "jobs", acls_only=True),
    Stream("candidates", "candidates", "atsCandidates", "candidates", verify=True,
           shared=Shared("Candidates", (
               "First and last name", "Email addresses", "Phone numbers", "Addresses",
               "Current title and company", "LinkedIn profile URL",
               "Profile URL in recruitlink", "Created and last updated dates"))),
    # A CRM candidate's resume: uploaded through hireMediaUrl, then set on the candidate.
    Stream("candidate_resumes", "files", RESUME_RESOURCE, "candidates", crm_only=True,
           only={"owner_entity": "candidates"},
           parents=(Parent("candidates", "owner_id"),),
           shared=Shared("Resumes", (
               "The candidate's resume file (PDF, DOC or TXT, up to 10 MB)", "File name"))),
    Stream("applications", "applications", "atsApplications", "applications", verify=True,
           parents=(_ref("applications", "candidate_id"), _ref("applications", "job_id")),
           shared=Shared("Applications", (
               "Candidate name and email", "Job applied to", "Application status and stages",
               "Source", "Created and last updated dates"))),
    Stream("stage_transitions", "stage_transitions", "atsApplications/stages", "applications",
           parents=(_ref("stage_transitions", "application_id"),)),
    # An application's files: uploaded, then attached (versioned `attachments` only).
    Stream("application_attachments", "files", "attachments", "applications",
           only={"owner_entity": "applications"},
           parents=(Parent("applications", "owner_id"),),
           shared=Shared("Application files", (
               "Files attached to applications (PDF, DOC, DOCX or TXT, up to 10 MB) and "
               "their names", "Only with LinkedIn's versioned API"))),
    # Activities (Tracker's milestone 5): notes and feedback, after every application.
    Stream("candidate_notes", "notes", "atsCandidates/notes", "activities",
           only={"candidate_id": NOT_NULL}, parents=(_ref("notes", "candidate_id"),),
           shared=Shared("Candidate notes", NOTE_FIELDS)),
    Stream("application_notes", "notes", "atsApplications/notes", "activities",
           only={"application_id": NOT_NULL}, parents=(_ref("notes", "application_id"),),
           shared=Shared("Application notes", NOTE_FIELDS)),
    Stream("interview_feedback", "interview_feedback", "atsApplications/interviewFeedback",
           "activities", parents=(_ref("interview_feedback", "application_id"),),
           shared=Shared("Interview feedback", (
               "Interviewer", "Interview type", "Evaluations", "Feedback text"))),
    Stream("projects", "projects", "tcrmPipelines", "activities", crm_only=True, verify=True,
           shared=Shared("Projects (talent pipelines)", (
               "Title", "Stages and stage details", "Created and last updated dates",
               "Only projects shared with all recruiters"))),
    # Pipelines' children carry their parents' ids only: a parent's change sends them again
    # only when it changes their exclusion.
    Stream("project_stages", "project_stages", "tcrmPipelineStages", "activities",
           crm_only=True, parents=(_ref("project_stages", "project_id", on_change=False),)),
    Stream("project_memberships", "project_memberships", "tcrmCandidatePipelines",
           "activities", crm_only=True,
           parents=(_ref("project_memberships", "candidate_id", on_change=False),
                    _ref("project_memberships", "project_id", on_change=False)),
           shared=Shared("Project members", ("Candidate", "Project and stage", "Source"))),
    Stream("interactions", "interactions", "tcrmInteractions", "activities", crm_only=True,
           verify=True,
           parents=(_ref("interactions", "candidate_id", on_change=False),
                    _ref("interactions", "project_id", on_change=False)),
           shared=Shared("Candidate interactions", (
               "Interaction type (e.g. email, web session)", "Created and last updated dates",
               "Never the content"))),
)
STREAM = {s.name: s for s in STREAMS}
ORDER = {s.name: i for i, s in enumerate(STREAMS)}
BY_RESOURCE = {s.resource: s for s in STREAMS}
_STREAMS_OF_TABLE: dict[str, tuple[Stream, ...]] = {
    table: tuple(s for s in STREAMS if s.table == table) for table in {s.table for s in STREAMS}}
"""Each store table's streams, in STREAMS order (`streams_of` runs once per record)."""
VERIFY_RESOURCES = tuple(s.resource for s in STREAMS if s.verify)
"""What a disconnect reads back from LinkedIn."""
ACL_RESOURCES = tuple(s.resource for s in STREAMS if s.acls_only)
"""What LinkedIn holds only under the ACL visibility policy."""
FILE_RESOURCES = tuple(s.resource for s in STREAMS if s.table == "files")
"""Files: uploaded first, then named on their record (sender.py)."""


def _children(*, on_change: bool) -> dict[str, tuple[str, ...]]:
    found: dict[str, dict[str, None]] = {}
    for s in STREAMS:
        for p in s.parents:
            if p.on_change or not on_change:
                found.setdefault(p.entity, {})[s.table] = None
    return {parent: tuple(children) for parent, children in found.items()}


DEPENDENTS_ON_CHANGE = _children(on_change=True)
"""parent table -> the tables whose records a change to it sends again."""
DEPENDENTS_ON_CONFIDENTIALITY = _children(on_change=False)
"""parent table -> the tables whose records inherit its exclusion (a record entering or
leaving confidentiality sends them again, or deletes them)."""
PARENT_COLUMN = {(s.table, p.entity): p.column for s in STREAMS for p in s.parents}
"""(child table, parent table) -> the child's column naming the parent. A `files` row
belongs to its `owner_entity`: look at that too."""


def stream_for_resource(resource: str) -> Stream:
    try:
        return BY_RESOURCE[resource]
    except KeyError:
        raise KeyError(f"no stream sends to LinkedIn's {resource!r}") from None


def family_for(resource: str) -> str:
    """The throttle family of a call to `resource`: its stream's, or LinkedIn's for the
    resources no stream sends to (job tasks, integrations, read-backs)."""
    stream = BY_RESOURCE.get(resource)
    return stream.family if stream is not None else family_of(resource)


def first_stream_of(entity: str) -> str:
    """The first stream sending a ledger entity's records (the entity itself if none does):
    where an error stored without its stream is counted."""
    return next((s.name for s in STREAMS if s.entity == entity), entity)


def milestone_of(entity: str) -> str:
    """The milestone a ledger entity's records count towards (its first stream's; the last
    milestone for an entity no stream sends)."""
    return next((s.milestone for s in STREAMS if s.entity == entity), MILESTONES[-1].key)


def uses_acls(policy: Policy | None) -> bool:
    return policy is not None and policy.visibility == "acls"


def streams_for(kind: str, policy: Policy | None = None) -> list[Stream]:
    """RSC tenants sync the ATS streams; CRM tenants add pipelines and interactions; with the
    ACL visibility policy, jobs are followed by their ACLs and the users' assignees."""
    return [s for s in STREAMS if (kind in ("CRM", "BOTH") or not s.crm_only)
            and (uses_acls(policy) or not s.acls_only)]


def synced_entities(kind: str, policy: Policy | None = None) -> set[str]:
    """The store tables whose changes matter to this tenant (users: only with ACLs)."""
    return {s.table for s in streams_for(kind, policy)}


def streams_of(table: str, row: Mapping[str, Any] | None) -> list[str]:
    """The streams a store record feeds (notes: by what they are attached to; files: by their
    owner; a job: its posting and its ACLs)."""
    return [s.name for s in _STREAMS_OF_TABLE.get(table, ()) if s.carries(row)]


def streams_of_table(table: str) -> tuple[Stream, ...]:
    """Every stream reading `table`, in STREAMS order (which of them a row feeds:
    `Stream.carries`, or `streams_of`)."""
    return _STREAMS_OF_TABLE.get(table, ())


CANDIDATE_FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "Email addresses": ("emails",), "Phone numbers": ("phones",), "Addresses": ("addresses",),
    "Current title and company": ("current_title", "current_company"),
    "LinkedIn profile URL": ("linkedin_url",)}
"""The Candidates group's labels and the fields behind each (a label goes once the policy
keeps all its fields from LinkedIn)."""


def shared_groups(kind: str, policy: Policy | None = None) -> list[Shared]:
    """What the sync sends to LinkedIn for a tenant of this kind, grouped for the admin,
    without the candidate fields the policy never shares."""
    denied = set(policy.never_shared) if policy is not None else set()
    groups = []
    for s in streams_for(kind, policy):
        if s.shared is None:
            continue
        shared = s.shared
        if s.name == "candidates" and denied:
            shared = Shared(shared.title, tuple(
                label for label in shared.fields
                if not set(CANDIDATE_FIELD_LABELS.get(label, ())) or
                not set(CANDIDATE_FIELD_LABELS[label]) <= denied))
        groups.append(shared)
    return groups
