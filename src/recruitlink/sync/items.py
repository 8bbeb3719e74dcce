"""From store rows to the work the sync sends: one `Item` per record, in LinkedIn's order.

The streams (what each kind of record is, its resource, parents, milestone, ...) are declared
once in `sync/streams.py`; this module holds each stream's builder (`_BUILDERS`: its key and
payload, through `core/mapping.py`). Streams run in milestone order: jobs, candidates,
applications (+ stages), then activities: notes and interview feedback, and for CRM tenants
pipelines, pipeline stages, candidate pipelines and interactions (the five milestones:
`core/milestones.py`).

With the ACL visibility policy the jobs milestone also carries who may see each job
(reference §3.10): one ACL per ATS user (`user-{external_id}`, so no member ever holds more
than one of LinkedIn's ten), attached to every job the user may view (`job_acls`), and one
assignee per user mapped to a LinkedIn member (`acl_assignees`). A stream reads its base
table (`Stream.table`): `job_acls` reads jobs, and its ledger entity is the job/user pair
(`acl_entity_id`).

Building an item reads what the payload needs from the record's companions (its candidate,
job, author, ...), applies the policy's exclusions, validates the payload, and hashes it, so
the sender can skip what LinkedIn already holds unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from sqlalchemy import Connection

from recruitlink.core import mapping, validation
from recruitlink.core.files import CRM_RESUME_TYPES, EXTENSIONS, FILE_TYPES, MAX_FILE_BYTES
from recruitlink.core.linkedin_schema import FieldError, validate_key
from recruitlink.core.mapping import MappingContext
from recruitlink.core.policy import (
    WINDOW_DAYS,
    Policy,
    candidate_child_exclusion,
    candidate_exclusion,
    first_reason,
    job_exclusion,
    outside_window,
    project_exclusion,
    shared_fields,
)
from recruitlink.store import schema
from recruitlink.store.files import synced_owner_keys
from recruitlink.store.inbound_seats import seat_members
from recruitlink.store.records import rows_by_id

# The registry's names, for the modules that import them from here (the engine).
from .streams import JOB_ACLS as JOB_ACLS
from .streams import ORDER as ORDER
from .streams import RESUME_RESOURCE as RESUME_RESOURCE
from .streams import STREAM as STREAM
from .streams import STREAMS as STREAMS
from .streams import Stream as Stream
from .streams import streams_for as streams_for
from .streams import streams_of as streams_of
from .streams import synced_entities as synced_entities
from .streams import uses_acls

Action = Literal["upsert", "delete"]

ACL_USER_BITS = 31


def acl_entity_id(job_id: int, user_id: int) -> int:
    """The ledger id of the ACL record giving user `user_id` job `job_id`: stable, and all of
    one job's ACL records lie in [job_id << 31, (job_id + 1) << 31)."""
    if not 0 <= user_id < 1 << ACL_USER_BITS:
        raise ValueError(f"user id {user_id} does not fit in {ACL_USER_BITS} bits")
    return (job_id << ACL_USER_BITS) | user_id


def acl_job_id(entity_id: int) -> int:
    return entity_id >> ACL_USER_BITS


def acl_id(user_external_id: str) -> str:
    """One ACL per ATS user: a member is assigned exactly one ACL (LinkedIn allows ten)."""
    return f"user-{user_external_id}"


NEEDS_VERSIONED_API = ("LinkedIn takes application attachments only on its versioned API; "
                       "recruitlink talks to the unversioned v2 API, so resumes are not sent "
                       "(set RECRUITLINK_LINKEDIN_API_VERSION to a live version, e.g. 202604)")


@dataclass
class Item:
    stream: str
    entity: str
    entity_id: int
    external_id: str
    resource: str
    action: Action
    key: Any = None
    """The LinkedIn key: a compound-key dict, or a sub-resource's simple id."""
    parent: dict[str, str] | None = None
    payload: dict[str, Any] | None = None
    operations: Sequence[str] = ()
    """Jobs only: the operations to send, in order (e.g. CREATE then CLOSE). Empty tuples by
    default, not a list per item: a batch's items live until it is committed, and each
    container they hold is one more for the garbage collector to walk."""
    job_payloads: Sequence[dict[str, Any]] = ()
    content_hash: str | None = None
    modified_at: int | None = None
    excluded: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    job_state: str | None = None
    """Jobs: the state LinkedIn will hold once the operations succeed."""
    window_only: bool = False
    """Excluded only by the history window (which never removes what LinkedIn holds)."""
    parent_ref: tuple[str, int] | None = None
    """Sub-resources: the store record of the LinkedIn parent (a candidate, an application)."""
    prior_state: str | None = None
    """Jobs: the state LinkedIn holds now (from the ledger), for a delete."""
    organization: str = ""
    media: dict[str, Any] | None = None
    """Files: what LinkedIn holds once sent (the media URN and the record naming it)."""
    replacing: bool = False
    """A delete of the key LinkedIn holds for a record whose key changed (an assignee whose
    member changed): sent with, and committed before, the record's upsert under its new key."""

    @property
    def li_key(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.key, "parent": self.parent}
        if self.job_state is not None:
            out["state"] = self.job_state
        if self.media is not None:
            out.update(self.media)
        return out


def content_hash(resource: str, key: Any, parent: Any, body: Any) -> str:
    """The ledger's digest of what is sent. Its bytes must never change (a new hash would
    re-send every record): json's sorted compact writing. orjson writes the same bytes
    several times faster for what sync hashes; where it may not, json writes them."""
    value = [resource, key, parent, body]
    raw = _orjson_as_json(value)
    if raw is None:
        raw = _HASH_JSON.encode(value).encode()
    return hashlib.sha256(raw).hexdigest()


_HASH_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              default=str)
# Dates and dataclasses go to default=str, as in json. (A plain Enum would not: orjson writes
# its value, json its str(); payloads are built of JSON values and never hold one.)
_HASH_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME \
    | orjson.OPT_PASSTHROUGH_DATACLASS
# Where orjson differs from json. Floats: not as repr (1e-5 for 1e-05, 0.0000724 for
# 7.24e-05); a float is a value (after "[", "," or ":") of digits then "." or "e", that is
# rb"[\[,:]-?[0-9]+[.eE]". That pattern is looked for in the bytes translated class by class
# (each class to one byte, every other byte to a space), where it reads ":-?0+\.": a quick
# look for a digit then "." or "e" anywhere (in strings too: 127.0.0.1), then the exact one,
# whose literal first byte the regex engine finds fast (the class would be tried at every
# byte). NaN and infinities: null.
_FLOAT_CLASSES = bytes(b"0"[0] if b"0"[0] <= b <= b"9"[0] else b"."[0] if b in b".eE"
                       else b":"[0] if b in b"[,:" else b"-"[0] if b == b"-"[0] else 32
                       for b in range(256))  # for bytes.translate
_FLOAT = re.compile(rb":-?0+\.")  # in translated bytes


def _orjson_as_json(value: list[Any]) -> bytes | None:
    """orjson's writing of `value` when it is certainly json's, byte for byte; else None.
    tests/unit/test_content_hash.py proves it."""
    try:
        raw = orjson.dumps(value, default=str, option=_HASH_OPTIONS)
    except TypeError:  # big integers, keys that are not text, lone surrogates, deep nesting
        return None
    nulls = (value[0] is None) + (value[1] is None) + (value[2] is None) + (value[3] is None)
    if raw.count(b"null") != nulls:  # maybe a NaN, or a string
        return None
    classes = raw.translate(_FLOAT_CLASSES)
    if b"0." in classes and _FLOAT.search(classes):
        return None
    return raw


@dataclass
class BuildContext:
    conn: Connection
    tenant_id: int
    ctx: MappingContext
    policy: Policy
    now_ms: int
    historical: bool
    """Historical sync applies the history window; continuous changes are always recent."""
    job_states: Mapping[int, str | None] = field(default_factory=dict)
    """Jobs: the state LinkedIn holds now (LISTED / CLOSED), or None if never sent."""
    versioned_api: bool = False
    """The client talks to LinkedIn's versioned API (which has `attachments`)."""


def build(stream: Stream, rows: Sequence[Mapping[str, Any]], bc: BuildContext) -> list[Item]:
    builder: Builder = _BUILDERS[stream.name]
    # Builders only read the rows: the store's dicts go as they are, not copied.
    return builder(stream, [r if type(r) is dict else dict(r) for r in rows], bc)


def _org_item(stream: Stream, row: Mapping[str, Any], bc: BuildContext, **values: Any) -> Item:
    return Item(stream=stream.name, entity=stream.entity, entity_id=row["id"],
                external_id=row["external_id"], resource=stream.resource, action="upsert",
                modified_at=row["modified_at"], organization=bc.ctx.organization, **values)


def _finish(item: Item, bc: BuildContext, *, window_reason: str | None = None,
            exclusion: str | None = None, operation: str | None = None) -> Item:
    reason = exclusion or window_reason  # first_reason's, for two (called per item)
    if reason:
        item.excluded = reason
        item.window_only = exclusion is None
        return item
    if not item.job_payloads:  # one payload (or none): every record but a job
        if item.content_hash is None:
            item.content_hash = content_hash(item.resource, item.key, item.parent, item.payload)
        if item.payload is not None:
            # Its hash is its fingerprint, so a payload found clean is not re-checked.
            problems = validation.check(
                item.resource, item.payload, now_ms=bc.now_ms,
                operation=item.operations[0] if item.operations else operation,
                phone_region=bc.policy.phone_region, fingerprint=item.content_hash)
            if problems:  # most payloads are clean
                _add_errors(item, problems)
        return item
    if item.content_hash is None:  # jobs hash their own (see _jobs)
        item.content_hash = content_hash(item.resource, item.key, item.parent,
                                         item.job_payloads)
    operations: list[str | None] = list(item.operations) or [operation] * len(
        item.job_payloads)
    for payload, op in zip(item.job_payloads, operations, strict=False):
        problems = validation.check(item.resource, payload, now_ms=bc.now_ms, operation=op,
                                    phone_region=bc.policy.phone_region)
        if problems:
            _add_errors(item, problems)
    return item


def _add_errors(item: Item, problems: Iterable[FieldError]) -> None:
    item.errors.extend({"field": p.path.lstrip("/").replace("/", ".") or "record",
                        "reason": p.reason} for p in problems)


def from_linkedin(row: Mapping[str, Any]) -> str | None:
    """Notes and interactions imported from LinkedIn (InMails, Recruiter notes) are LinkedIn's
    already: sending them back would echo them."""
    return "came from LinkedIn" if row.get("origin") == "linkedin" else None


def private_note(row: Mapping[str, Any]) -> str | None:
    # A note its author kept private stays in the ATS.
    return "private note" if row.get("visibility") == "private" else None


def _window(bc: BuildContext, modified_at: int) -> str | None:
    # Most policies keep all history: nothing to compute per record.
    if not bc.historical or bc.policy.history_window not in WINDOW_DAYS:
        return None
    return outside_window(bc.policy, modified_at, bc.now_ms)


def _person(user: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(user) if user is not None else None


# -- builders, one per stream ------------------------------------------------------------------

def access_restricted(job: Mapping[str, Any], policy: Policy) -> bool:
    """With ACLs, a job with viewers is visible only to its ACL's assignees (§3.10)."""
    return uses_acls(policy) and bool(job.get("viewer_ids"))


def _posting(row: Mapping[str, Any], bc: BuildContext, operation: mapping.JobOperation,
             owner: Mapping[str, Any] | None) -> dict[str, Any]:
    posting = mapping.job_posting(row, bc.ctx, operation=operation, owner=owner)
    if operation != "CLOSE" and access_restricted(row, bc.policy):
        posting["accessRestricted"] = True
    return posting


def _jobs(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    owners = rows_by_id(bc.conn, schema.users, (r["owner_id"] for r in rows))
    items = []
    for row in rows:
        operations = mapping.job_operation(row, bc.job_states.get(row["id"]))  # type: ignore[arg-type]
        owner = owners.get(row["owner_id"]) if row["owner_id"] is not None else None
        item = _org_item(stream, row, bc, key=row["external_id"], operations=list(operations),
                     job_state="CLOSED" if row["status"] == "closed" else "LISTED")
        item.job_payloads = [_posting(row, bc, op, owner) for op in operations]
        # What LinkedIn keeps of a job is its content and status, whatever operations get it
        # there: hash that, so an unchanged job is skipped whether it is listed or closed.
        # (Set before _finish, which then hashes nothing; excluded jobs carry it too.)
        item.content_hash = content_hash(item.resource, item.key, row["status"],
                                         _posting(row, bc, "UPDATE", owner))
        items.append(_finish(item, bc, exclusion=job_exclusion(row),
                             window_reason=_window(bc, row["modified_at"])))
    return items


def _key_errors(item: Item) -> None:
    """ACL keys carry ATS ids LinkedIn bounds (an ACL id is `user-` + the user's id)."""
    item.errors.extend({"field": "key" + p.path.replace("/", "."), "reason": p.reason}
                       for p in validate_key(item.resource, item.key))


def _job_acls(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    """One ACL record per viewer of each job (rows are jobs). A job's ACL records LinkedIn
    holds but no longer wanted are the engine's to delete (it reads them from the ledger)."""
    if not uses_acls(bc.policy):
        return []
    users = rows_by_id(bc.conn, schema.users, (u for r in rows for u in (r["viewer_ids"] or [])))
    items = []
    for job in rows:
        exclusion = "belongs to a confidential job" if job_exclusion(job) else None
        window = _window(bc, job["modified_at"])
        for user_id in dict.fromkeys(job["viewer_ids"] or []):
            user = users.get(user_id)
            if user is None:
                continue  # a user deleted meanwhile: the job is being updated too
            item = Item(stream=stream.name, entity=stream.entity,
                        entity_id=acl_entity_id(job["id"], user_id),
                        external_id=f"{job['external_id']}/{user['external_id']}"[:200],
                        resource=stream.resource, action="upsert",
                        key=mapping.acl_key(acl_id(user["external_id"]), job["external_id"],
                                            bc.ctx),
                        payload={}, modified_at=job["modified_at"],
                        organization=bc.ctx.organization)
            if not exclusion and not window:
                _key_errors(item)
            items.append(_finish(item, bc, exclusion=exclusion, window_reason=window))
    return items


def assignee_exclusion(user: Mapping[str, Any], person: str | None = None) -> str | None:
    return first_reason("inactive user" if not user.get("active", True) else None,
                        "no LinkedIn member mapped" if not (person or user.get("person_urn"))
                        else None)


def _acl_assignees(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext
                   ) -> list[Item]:
    """Each active user mapped to a LinkedIn member (its own `person_urn`, or the Recruiter
    seat mapped to it) is assigned its own ACL (rows are users). Who a user is does not age:
    the history window does not apply."""
    seated = seat_members(bc.conn, bc.tenant_id,
                          (u["id"] for u in rows if not u.get("person_urn")))
    items = []
    for user in rows:
        person = user.get("person_urn") or seated.get(user["id"])
        exclusion = assignee_exclusion(user, person)
        key = None if exclusion or person is None else mapping.acl_assignee_key(
            acl_id(user["external_id"]), person, bc.ctx)
        item = _org_item(stream, user, bc, key=key, payload={})
        if not exclusion:
            _key_errors(item)
        items.append(_finish(item, bc, exclusion=exclusion))
    return items


def _candidates(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    resumes = held_resumes(bc.conn, bc.tenant_id, [r["id"] for r in rows])
    items = []
    for row in rows:
        payload = mapping.candidate(shared_fields(row, bc.policy), bc.ctx)
        if row["id"] in resumes:
            # A full update replaces LinkedIn's copy: keep the resume it holds.
            payload["resume"] = resumes[row["id"]]
        item = _org_item(stream, row, bc, key=mapping.candidate_key(row["external_id"], bc.ctx),
                     payload=payload)
        items.append(_finish(item, bc, exclusion=candidate_exclusion(row, bc.policy),
                             window_reason=_window(bc, row["modified_at"])))
    return items


def _candidate_notes(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    candidates = rows_by_id(bc.conn, schema.candidates, (r["candidate_id"] for r in rows))
    authors = rows_by_id(bc.conn, schema.users, (r["author_id"] for r in rows))
    items = []
    for row in rows:
        candidate = candidates[row["candidate_id"]]
        item = _org_item(stream, row, bc, key=row["external_id"],
                         parent_ref=("candidates", row["candidate_id"]),
                         parent=mapping.candidate_key(candidate["external_id"], bc.ctx),
                     payload=mapping.candidate_note(row, _person(authors.get(
                         row["author_id"]) if row["author_id"] else None)))
        items.append(_finish(item, bc, exclusion=first_reason(
            candidate_exclusion(candidate, bc.policy), private_note(row), from_linkedin(row)),
            window_reason=_window(bc, candidate["modified_at"])))
    return items


FAMILY_CANDIDATE_COLUMNS = ("external_id", "emails", "first_name", "last_name",
                            "confidential", "tags", "consents")
FAMILY_JOB_COLUMNS = ("external_id", "title", "confidential")
"""What an application's family reads of its candidate and job: `mapping.application`'s and
the exclusions' fields (tests/unit/test_sync_family_columns.py holds them to it). Not the
whole rows: their JSON columns (phones, addresses, ...) cost most of the reading."""


@dataclass
class _AppFamily:
    application: dict[str, Any]
    candidate: dict[str, Any]
    job: dict[str, Any]

    _excluded: tuple[Policy, str | None] | None = field(default=None, init=False, repr=False)
    """The last answer and its policy: a page's children share their application's family."""

    def exclusion(self, policy: Policy) -> str | None:
        if self._excluded is not None and self._excluded[0] is policy:
            return self._excluded[1]
        reason = _family_exclusion(self.candidate, self.job, policy)
        self._excluded = (policy, reason)
        return reason


def _family_exclusion(candidate: Mapping[str, Any], job: Mapping[str, Any],
                      policy: Policy) -> str | None:
    """Why an application (and what hangs on it) is not shared: its candidate's or job's."""
    return first_reason(candidate_child_exclusion(candidate, policy),
                        "belongs to a confidential job" if job_exclusion(job) else None)


def _family_rows(conn: Connection, applications: Iterable[Mapping[str, Any]]
                 ) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
    """The candidates and jobs of these applications, by id (what a family reads of them)."""
    applications = list(applications)
    return (rows_by_id(conn, schema.candidates, (a["candidate_id"] for a in applications),
                       columns=FAMILY_CANDIDATE_COLUMNS),
            rows_by_id(conn, schema.jobs, (a["job_id"] for a in applications),
                       columns=FAMILY_JOB_COLUMNS))


def _app_families(conn: Connection, application_ids: Iterable[int]) -> dict[int, _AppFamily]:
    """The family of each of these applications (read here)."""
    applications = rows_by_id(conn, schema.applications, application_ids)
    candidates, jobs = _family_rows(conn, applications.values())
    return {i: _AppFamily(a, candidates[a["candidate_id"]], jobs[a["job_id"]])
            for i, a in applications.items()}


def _applications(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    # The page's rows are the applications: no second read (which would also miss one
    # deleted in between), and no family object per application (each is used once).
    candidates, jobs = _family_rows(bc.conn, rows)
    items = []
    for row in rows:
        candidate, job = candidates[row["candidate_id"]], jobs[row["job_id"]]
        item = _org_item(stream, row, bc, key=mapping.application_key(row["external_id"], bc.ctx),
                         payload=mapping.application(row, candidate=candidate, job=job,
                                                     ctx=bc.ctx))
        items.append(_finish(item, bc, exclusion=_family_exclusion(candidate, job, bc.policy),
                             window_reason=_window(bc, row["modified_at"])))
    return items


def _application_children(payload_of: Any, people_column: str | None) -> Any:
    def builder(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
        families = _app_families(bc.conn, (r["application_id"] for r in rows))
        people = (rows_by_id(bc.conn, schema.users, (r[people_column] for r in rows))
                  if people_column else {})
        items = []
        for row in rows:
            family = families[row["application_id"]]
            person = people.get(row[people_column]) if people_column and row[
                people_column] else None
            payload = payload_of(row, _person(person)) if people_column else payload_of(row)
            item = _org_item(stream, row, bc, key=row["external_id"], payload=payload,
                             parent_ref=("applications", row["application_id"]),
                             parent=mapping.application_key(family.application["external_id"],
                                                            bc.ctx))
            exclusion = first_reason(family.exclusion(bc.policy),
                                     private_note(row) if stream.entity == "notes" else None,
                                     from_linkedin(row) if stream.entity == "notes" else None)
            items.append(_finish(item, bc, exclusion=exclusion,
                                 window_reason=_window(bc, family.application["modified_at"])))
        return items
    return builder


def _projects(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    owners = rows_by_id(bc.conn, schema.users, (r["owner_id"] for r in rows))
    jobs = rows_by_id(bc.conn, schema.jobs, (j for r in rows for j in (r["job_ids"] or [])))
    items = []
    for row in rows:
        job_ids = [jobs[j]["external_id"] for j in (row["job_ids"] or []) if j in jobs
                   and not jobs[j]["confidential"]]
        owner = owners.get(row["owner_id"]) if row["owner_id"] is not None else None
        item = _org_item(stream, row, bc, key=mapping.pipeline_key(row["external_id"], bc.ctx),
                     payload=mapping.pipeline(row, owner=_person(owner),
                                              job_external_ids=job_ids))
        items.append(_finish(item, bc, exclusion=project_exclusion(row),
                             window_reason=_window(bc, row["modified_at"])))
    return items


def _project_stages(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    projects = rows_by_id(bc.conn, schema.projects, (r["project_id"] for r in rows))
    items = []
    for row in rows:
        project = projects[row["project_id"]]
        item = _org_item(stream, row, bc, key=mapping.pipeline_stage_key(
            project["external_id"], row["external_id"], bc.ctx),
            payload=mapping.pipeline_stage(row))
        items.append(_finish(item, bc, exclusion=project_exclusion(project),
                             window_reason=_window(bc, project["modified_at"])))
    return items


def _memberships(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    projects = rows_by_id(bc.conn, schema.projects, (r["project_id"] for r in rows))
    candidates = rows_by_id(bc.conn, schema.candidates, (r["candidate_id"] for r in rows))
    stages = rows_by_id(bc.conn, schema.project_stages, (r["stage_id"] for r in rows))
    items = []
    for row in rows:
        project, candidate = projects[row["project_id"]], candidates[row["candidate_id"]]
        stage = stages.get(row["stage_id"]) if row["stage_id"] is not None else None
        item = _org_item(stream, row, bc, key=mapping.candidate_pipeline_key(
            candidate["external_id"], project["external_id"], bc.ctx),
            payload=mapping.candidate_pipeline(
                row, stage_external_id=stage["external_id"] if stage else None))
        items.append(_finish(item, bc, exclusion=first_reason(
            project_exclusion(project),
            candidate_child_exclusion(candidate, bc.policy)),
            window_reason=_window(bc, row["modified_at"])))
    return items


def _interactions(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    projects = rows_by_id(bc.conn, schema.projects, (r["project_id"] for r in rows))
    candidates = rows_by_id(bc.conn, schema.candidates, (r["candidate_id"] for r in rows))
    items = []
    for row in rows:
        candidate = candidates[row["candidate_id"]]
        project = projects.get(row["project_id"]) if row["project_id"] is not None else None
        item = _org_item(stream, row, bc, key=mapping.interaction_key(row["external_id"], bc.ctx),
                     payload=mapping.interaction(
                         row, candidate_external_id=candidate["external_id"],
                         project_external_id=project["external_id"] if project else None))
        items.append(_finish(item, bc, exclusion=first_reason(
            candidate_child_exclusion(candidate, bc.policy),
            project_exclusion(project) if project else None, from_linkedin(row)),
            window_reason=_window(bc, row["modified_at"])))
    return items


# -- files: a CRM candidate's resume, an application's attachments ---------------------------

def file_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the ledger hashes of a file: a changed file (or name) is sent again."""
    return {"fileName": row["file_name"], "contentType": row["content_type"],
            "size": row["size"], "sha256": row["sha256"]}


def held_resumes(conn: Connection, tenant_id: int,
                 candidate_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """The `resume` LinkedIn holds for each of these candidates (from the ledger)."""
    if not candidate_ids:
        return {}
    found: dict[int, dict[str, str]] = {}
    for owner_id, li_key in synced_owner_keys(conn, tenant_id, candidate_ids,
                                              RESUME_RESOURCE):
        resume = (li_key or {}).get("resume")
        if isinstance(resume, dict):
            found[owner_id] = resume
    return found


def _file_problem(row: Mapping[str, Any], accepted: Sequence[str], what: str) -> list[
        dict[str, str]]:
    if row["content_type"] not in accepted:
        names = ", ".join(EXTENSIONS[t].upper() for t in accepted)
        kind = EXTENSIONS.get(row["content_type"], row["content_type"]).upper()
        return [{"field": "contentType",
                 "reason": f"LinkedIn takes {names} for {what}, not {kind}"}]
    if row["size"] > MAX_FILE_BYTES:
        return [{"field": "size", "reason": f"LinkedIn takes files of at most 10 MB; this one "
                                            f"has {row['size']:,} bytes"}]
    return []


def _files(stream: Stream, rows: list[dict[str, Any]], bc: BuildContext) -> list[Item]:
    resumes = stream.name == "candidate_resumes"
    owners = (rows_by_id(bc.conn, schema.candidates, (r["owner_id"] for r in rows)) if resumes
              else {})
    families = {} if resumes else _app_families(bc.conn, (r["owner_id"] for r in rows))
    items = []
    for row in rows:
        if not row["complete"]:
            continue  # an upload still streaming in
        if resumes:
            owner = owners[row["owner_id"]]
            key: Any = mapping.candidate_key(owner["external_id"], bc.ctx)
            parent_ref = ("candidates", row["owner_id"])
            exclusion = candidate_child_exclusion(owner, bc.policy)
            modified = owner["modified_at"]
            problems = _file_problem(row, CRM_RESUME_TYPES, "CRM resumes")
        else:
            family = families[row["owner_id"]]
            key = {"atsJobApplicationId": family.application["external_id"],
                   "integrationContext": bc.ctx.organization,
                   "externalAttachmentId": row["external_id"]}
            parent_ref = ("applications", row["owner_id"])
            exclusion = first_reason(family.exclusion(bc.policy),
                                     None if bc.versioned_api else NEEDS_VERSIONED_API)
            modified = family.application["modified_at"]
            problems = _file_problem(row, FILE_TYPES, "attachments")
        payload = file_payload(row)
        item = _org_item(stream, row, bc, key=key, payload=payload, parent_ref=parent_ref)
        reason = first_reason(exclusion, _window(bc, modified))
        if reason:
            item.excluded = reason
            item.window_only = exclusion is None
        else:
            item.errors.extend(problems)
        item.content_hash = content_hash(item.resource, item.key, None, payload)
        items.append(item)
    return items


Builder = Callable[[Stream, list[dict[str, Any]], BuildContext], list[Item]]

_BUILDERS: dict[str, Builder] = {
    "jobs": _jobs,
    "job_acls": _job_acls,
    "acl_assignees": _acl_assignees,
    "candidates": _candidates,
    "candidate_resumes": _files,
    "application_attachments": _files,
    "candidate_notes": _candidate_notes,
    "applications": _applications,
    "stage_transitions": _application_children(mapping.stage, None),
    "application_notes": _application_children(mapping.application_note, "author_id"),
    "interview_feedback": _application_children(mapping.interview_feedback, "interviewer_id"),
    "projects": _projects,
    "project_stages": _project_stages,
    "project_memberships": _memberships,
    "interactions": _interactions,
}


def delete_item(stream: str, entity: str, entity_id: int, external_id: str,
                li_key: Mapping[str, Any], organization: str) -> Item:
    """Remove from LinkedIn what the ledger says it holds (for jobs: CLOSE it)."""
    s = STREAM[stream]
    item = Item(stream=stream, entity=entity, entity_id=entity_id, external_id=external_id,
                resource=s.resource, action="delete", key=li_key.get("key"),
                parent=li_key.get("parent"), prior_state=li_key.get("state"),
                organization=organization)
    if s.name == "jobs":
        item.job_state = "CLOSED"
    return item
