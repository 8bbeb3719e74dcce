"""The keyed sync resources: batch_update (PUT upsert, a full overwrite), batch_get,
batch_partial_update, batch_delete, their simple-keyed sub-resources, and the ACL finders.

One table holds them all (`records`): a record is its resource, its canonical key (and parent
key for sub-resources), the organization it belongs to, and the body exactly as accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select
from sqlalchemy.dialects.sqlite import insert
from starlette.responses import JSONResponse, Response

from recruitlink.core.assumed import finder_page
from recruitlink.core.linkedin_schema import (
    validate_key,
    validate_patch_fields,
    validate_record,
)
from recruitlink.core.restli import RestliSyntaxError, apply_patch, canonical, parse_key

from ..errors import ApiError
from ..recruiter.links import index_candidates, unindex_candidate
from ..state import Sandbox
from ..store import BulkInsert, integrations, records
from .batch import (
    batch_response,
    entity_error,
    field_errors_to_entity,
    keyed_compound_ids,
    match_keyed_entities,
    match_simple_entities,
    require_enabled,
    require_method,
    simple_ids,
    split_valid_keyed,
)
from .media import media_problem
from .oauth import App
from .restli_http import RestliCall

MAX_ACLS_PER_ASSIGNEE = 10


@dataclass(frozen=True)
class Resource:
    name: str
    family: str
    patchable: bool = False
    children: tuple[str, ...] = ()
    finder_fields: tuple[str, ...] = ()
    """Fields the `q=criteria` finder filters on (empty: no finder)."""


RESOURCES: dict[str, Resource] = {r.name: r for r in (
    Resource("atsCandidates", "atsCandidates", patchable=True, children=("notes",)),
    Resource("atsApplications", "atsApplications", patchable=True,
             children=("notes", "interviewFeedback", "stages")),
    Resource("atsEntityAcls", "atsEntityAcls",
             finder_fields=("atsEntityId", "atsEntityType", "dataProvider",
                            "integrationContext", "atsEntityAclId")),
    Resource("atsEntityAclAssignees", "atsEntityAclAssignees",
             finder_fields=("assignee", "dataProvider", "integrationContext", "atsEntityAclId",
                            "atsEntityType")),
    Resource("tcrmPipelines", "tcrmPipelines"),
    Resource("tcrmPipelineStages", "tcrmPipelineStages"),
    Resource("tcrmCandidatePipelines", "tcrmCandidatePipelines"),
    Resource("tcrmInteractions", "tcrmInteractions"),
)}


def records_in_request(call: RestliCall) -> int:
    """How many records a request carries, for the records-per-minute throttle."""
    if call.ids:
        return len(call.ids)
    return 1


def handle(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    if app.is_parent:
        raise ApiError(403, f"Not enough permissions to access: {call.segments[0]} needs the "
                            "customer (child) application's token")
    resource = RESOURCES[call.segments[0]]
    rest = call.segments[1:]
    if not rest:
        return _collection(sandbox, app, call, resource)
    try:
        parent_fields = parse_key(rest[0], protocol=call.protocol)
    except RestliSyntaxError as exc:
        raise ApiError(400, f"{resource.name} key in path: {exc}") from exc
    problems = validate_key(resource.name, parent_fields)
    if problems:
        raise ApiError(400, "; ".join(p.message for p in problems))
    if len(rest) == 1:
        return _single(sandbox, app, call, resource, parent_fields)
    if len(rest) == 2 and rest[1] in resource.children:
        return _children(sandbox, app, call, resource, parent_fields, rest[1])
    raise ApiError(404, f"Unknown sub-resource {'/'.join(rest[1:])[:100]!r} of {resource.name}")


# -- top-level collection ------------------------------------------------------------------

def _collection(sandbox: Sandbox, app: App, call: RestliCall, resource: Resource) -> Response:
    if call.method == "GET" and call.ids is None:
        return _finder(sandbox, app, call, resource)
    ids, texts = keyed_compound_ids(call)
    now = sandbox.clock.now_ms()
    results: dict[str, Any] = {}
    valid, errors = split_valid_keyed(resource.name, ids, texts)
    contexts = {f["integrationContext"] for f, _ in valid}
    with sandbox.store.tx() as conn:
        if call.method == "DELETE":
            _require_known(conn, app, contexts)
        else:
            require_enabled(conn, app.id, contexts)
        if call.method == "GET":
            statuses = {k: 400 for k in errors}
            fields_wanted = _projection(call)
            stored = _load_many(conn, resource.name, "", [name for _, name in valid])
            for _, name in valid:
                body = stored.get(name)
                if body is None:
                    errors[name] = entity_error(404, f"{resource.name} entity not found")
                    statuses[name] = 404
                else:
                    results[name] = _project(_present(sandbox, resource.name, body),
                                             fields_wanted)
                    statuses[name] = 200
            return batch_response(results, errors, statuses, protocol=call.protocol)
        if call.method == "PUT":
            require_method(call, "batch_update")
            entities = match_keyed_entities(call, texts)
            writer = RecordWriter(conn, app, resource.name, now)
            for fields, name in valid:
                body = entities[name]
                problems = validate_record(resource.name, body, now_ms=now)
                if problems:
                    errors[name] = field_errors_to_entity(problems)
                    continue
                problem = _extra_rules(conn, resource.name, fields) or _resume_rule(
                    conn, app, resource.name, body)
                if problem is not None:
                    errors[name] = entity_error(*problem)
                    continue
                writer.add("", name, fields, body)
                results[name] = {"status": 204}
            writer.flush()
            return batch_response(results, errors, protocol=call.protocol)
        if call.method == "POST":
            if not resource.patchable:
                raise ApiError(405, f"{resource.name} does not support batch_partial_update")
            require_method(call, "batch_partial_update")
            entities = match_keyed_entities(call, texts)
            writer = RecordWriter(conn, app, resource.name, now)
            stored = _load_many(conn, resource.name, "", [name for _, name in valid])
            for fields, name in valid:
                current = stored.get(name)
                if current is None:
                    errors[name] = entity_error(404, f"{resource.name} entity not found; "
                                                     "create it with batch_update first")
                    continue
                try:
                    merged, set_fields, deleted = apply_patch(current, entities[name])
                except RestliSyntaxError as exc:
                    errors[name] = entity_error(400, str(exc))
                    continue
                problems = (validate_patch_fields(resource.name, set_fields, deleted)
                            or validate_record(resource.name, merged, now_ms=now))
                if problems:
                    errors[name] = field_errors_to_entity(problems)
                    continue
                problem = _resume_rule(conn, app, resource.name, merged)
                if problem is not None:
                    errors[name] = entity_error(*problem)
                    continue
                writer.add("", name, fields, merged)
                results[name] = {"status": 204}
            writer.flush()
            return batch_response(results, errors, protocol=call.protocol)
        if call.method == "DELETE":
            # An injected LinkedIn bug answers 204 and keeps the records (faults.py).
            ignored = sandbox.faults.ignores_deletes(resource.name)
            for _, name in valid:
                if ignored or _delete(conn, resource, name):
                    results[name] = {"status": 204}
                else:
                    errors[name] = entity_error(404, f"{resource.name} entity not found")
            return batch_response(results, errors, protocol=call.protocol)
    raise ApiError(405, f"{call.method} is not supported on {resource.name}")


def _single(sandbox: Sandbox, app: App, call: RestliCall, resource: Resource,
            fields: dict[str, str]) -> Response:
    if call.method != "GET":
        raise ApiError(405, f"use the batch methods (ids[N]...) to change {resource.name}")
    with sandbox.store.tx() as conn:
        require_enabled(conn, app.id, [fields["integrationContext"]])
        body = _load(conn, resource.name, "", canonical(fields))
    if body is None:
        raise ApiError(404, f"{resource.name} entity not found")
    return JSONResponse(_project(_present(sandbox, resource.name, body), _projection(call)))


def _finder(sandbox: Sandbox, app: App, call: RestliCall, resource: Resource) -> Response:
    if not resource.finder_fields or call.param("q") != "criteria":
        raise ApiError(400, f"GET {resource.name} needs ids (batch_get)"
                       + (" or q=criteria" if resource.finder_fields else ""))
    start, count = _paging(call)
    wanted = {f: call.param(f) for f in resource.finder_fields}
    wanted = {f: v for f, v in wanted.items() if v is not None}
    unknown = set(call.params) - set(resource.finder_fields) - {"q", "start", "count", "fields"}
    if unknown:
        raise ApiError(400, f"unknown finder parameter(s): {', '.join(sorted(unknown))}")
    context = wanted.get("integrationContext")
    if not context:
        raise ApiError(400, "integrationContext is required for q=criteria")
    with sandbox.store.tx() as conn:
        require_enabled(conn, app.id, [context])
        matches = [kf for kf in _iter_key_fields(conn, resource.name, context)
                   if all(kf.get(f) == v for f, v in wanted.items())]
    page = matches[start:start + count]
    return JSONResponse(finder_page(page, start=start, count=len(page), total=len(matches)))


# -- sub-resources -------------------------------------------------------------------------

def _children(sandbox: Sandbox, app: App, call: RestliCall, resource: Resource,
              parent_fields: dict[str, str], child: str) -> Response:
    sub = f"{resource.name}/{child}"
    parent = canonical(parent_fields)
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        if call.method == "DELETE":
            _require_known(conn, app, {parent_fields["integrationContext"]})
        else:
            require_enabled(conn, app.id, [parent_fields["integrationContext"]])
        if _load(conn, resource.name, "", parent) is None:
            raise ApiError(404, f"{resource.name} entity {parent} not found; sync it before "
                                f"its {child}")
        if call.method == "GET" and call.ids is None:
            start, count = _paging(call)
            rows = conn.execute(select(records.c.key, records.c.body).where(
                records.c.resource == sub, records.c.parent == parent)
                .order_by(records.c.key)).all()
            page = [dict(r.body, id=r.key) for r in rows[start:start + count]]
            return JSONResponse(finder_page(page, start=start, count=len(page),
                                            total=len(rows)))
        ids = simple_ids(call)
        results: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        valid = []
        for ident in ids:
            problems = validate_key(sub, {"id": ident})
            if problems:
                errors[ident] = field_errors_to_entity(problems)
            else:
                valid.append(ident)
        if call.method == "GET":
            statuses = {k: 400 for k in errors}
            for ident in valid:
                body = _load(conn, sub, parent, ident)
                if body is None:
                    errors[ident] = entity_error(404, f"{child} entity not found")
                    statuses[ident] = 404
                else:
                    results[ident] = body
                    statuses[ident] = 200
            return batch_response(results, errors, statuses, protocol=call.protocol,
                                  simple_keys=True)
        if call.method == "PUT":
            require_method(call, "batch_update")
            entities = match_simple_entities(call, ids)
            writer = RecordWriter(conn, app, sub, now)
            for ident in valid:
                problems = validate_record(sub, entities[ident], now_ms=now)
                if problems:
                    errors[ident] = field_errors_to_entity(problems)
                    continue
                writer.add(parent, ident, {"id": ident, **parent_fields}, entities[ident])
                results[ident] = {"status": 204}
            writer.flush()
            return batch_response(results, errors, protocol=call.protocol, simple_keys=True)
        if call.method == "DELETE":
            ignored = sandbox.faults.ignores_deletes(resource.name)  # an injected bug
            for ident in valid:
                gone = ignored or conn.execute(delete(records).where(
                    records.c.resource == sub, records.c.parent == parent,
                    records.c.key == ident)).rowcount
                if gone:
                    results[ident] = {"status": 204}
                else:
                    errors[ident] = entity_error(404, f"{child} entity not found")
            return batch_response(results, errors, protocol=call.protocol, simple_keys=True)
    raise ApiError(405, f"{call.method} is not supported on {sub}")


# -- storage helpers ------------------------------------------------------------------------

def _load(conn: Connection, resource: str, parent: str, key: str) -> dict[str, Any] | None:
    body = conn.execute(select(records.c.body).where(
        records.c.resource == resource, records.c.parent == parent, records.c.key == key)
    ).scalar()
    return dict(body) if body is not None else None


def _load_many(conn: Connection, resource: str, parent: str,
               keys: list[str]) -> dict[str, dict[str, Any]]:
    """The stored bodies of these keys (one statement), by key; a missing one is absent."""
    if not keys:
        return {}
    rows = conn.execute(_BODIES, {"resource": resource, "parent": parent, "keys": keys})
    return {r.key: dict(r.body) for r in rows}


# Built once: every batch read and partial update asks it.
_BODIES = select(records.c.key, records.c.body).where(
    records.c.resource == bindparam("resource"), records.c.parent == bindparam("parent"),
    records.c.key.in_(bindparam("keys", expanding=True)))


def _candidate_of(resource: str, key_fields: dict[str, str],
                  body: dict[str, Any]) -> str | None:
    if resource == "atsApplications":
        value = body.get("atsCandidateId")
        return value if isinstance(value, str) else None
    if resource == "tcrmCandidatePipelines":
        return key_fields.get("tcrmCandidateId")
    if resource == "tcrmInteractions":
        value = body.get("tcrmCandidateId")
        return value if isinstance(value, str) else None
    return None


class RecordWriter:
    """Collects one request's accepted records and writes them in a few statements: one
    upsert for all of them (executemany), and for candidates their member-match keys."""

    def __init__(self, conn: Connection, app: App, resource: str, now: int) -> None:
        self.conn, self.app, self.resource, self.now = conn, app, resource, now
        self.rows: list[tuple[Any, ...]] = []
        """Each record's values in `_UPSERT`'s order (`_COLUMNS`)."""

    def add(self, parent: str, key: str, key_fields: dict[str, str],
            body: dict[str, Any]) -> None:
        self.rows.append((self.resource, parent, key, key_fields.get("integrationContext", ""),
                          self.app.id, key_fields, body,
                          _candidate_of(self.resource, key_fields, body), self.now, self.now))

    def flush(self) -> None:
        if not self.rows:
            return
        _UPSERT.run_values(self.conn, self.rows)
        if self.resource == "atsCandidates":
            index_candidates(self.conn, [(r[3], r[2], r[6]) for r in self.rows])
        self.rows = []


def _upsert() -> BulkInsert:
    stmt = insert(records)
    return BulkInsert(stmt.on_conflict_do_update(
        index_elements=["resource", "parent", "key"],
        set_={"body": stmt.excluded.body, "updated_at": stmt.excluded.updated_at,
              "app_id": stmt.excluded.app_id, "candidate": stmt.excluded.candidate}))


_UPSERT = _upsert()
"""Built once: every accepted batch runs it."""
_COLUMNS = ("resource", "parent", "key", "org", "app_id", "key_fields", "body", "candidate",
            "created_at", "updated_at")
"""The order RecordWriter gives a record's values in: the upsert's parameters'."""
assert tuple(_UPSERT.names) == _COLUMNS, _UPSERT.names


def _delete(conn: Connection, resource: Resource, key: str) -> bool:
    gone = conn.execute(delete(records).where(
        records.c.resource == resource.name, records.c.parent == "", records.c.key == key)
    ).rowcount
    if gone and resource.name == "atsCandidates":
        unindex_candidate(conn, key)
    if gone:
        # Deleting an application cascades to its notes, feedback and stages (reference
        # §3.7); a candidate's notes go with it too (assumed: they have no other owner).
        for child in resource.children:
            conn.execute(delete(records).where(records.c.resource == f"{resource.name}/{child}",
                                               records.c.parent == key))
        if resource.name == "atsApplications":  # its files (attachments.py) go with it
            conn.execute(delete(records).where(records.c.resource == "attachments",
                                               records.c.parent == key))
    return bool(gone)


def _iter_key_fields(conn: Connection, resource: str, org: str) -> Iterator[dict[str, str]]:
    result = conn.execute(select(records.c.key_fields).where(
        records.c.resource == resource, records.c.org == org).order_by(records.c.key))
    for row in result:
        yield dict(row.key_fields)


def _extra_rules(conn: Connection, resource: str,
                 fields: dict[str, str]) -> tuple[int, str] | None:
    if resource != "atsEntityAclAssignees":
        return None
    existing = conn.execute(select(func.count()).select_from(records).where(
        records.c.resource == resource, records.c.org == fields["integrationContext"],
        func.json_extract(records.c.key_fields, "$.assignee") == fields["assignee"],
        records.c.key != canonical(fields))).scalar() or 0
    if existing >= MAX_ACLS_PER_ASSIGNEE:
        return 422, (f"ERROR :: /assignee :: {fields['assignee']} already holds "
                     f"{MAX_ACLS_PER_ASSIGNEE} ACLs, the most a user may have")
    return None


def _resume_rule(conn: Connection, app: App, resource: str,
                 body: dict[str, Any]) -> tuple[int, str] | None:
    """A CRM candidate's resume must be a media this app uploaded for resumes (media.py)."""
    if resource != "atsCandidates" or "resume" not in body:
        return None
    problem = media_problem(conn, app, body["resume"], usage="tcrmResumeParameters",
                            path="/resume")
    return None if problem is None else (422, f"ERROR :: {problem}")


def _require_known(conn: Connection, app: App, contexts: set[str]) -> None:
    """Deletes stay allowed after an integration is switched off (off-boarding and GDPR
    clean-up), but only for organizations this app has integrations with."""
    for context in contexts:
        known = conn.execute(select(integrations.c.context).where(
            integrations.c.app_id == app.id, integrations.c.context == context)).first()
        if known is None:
            raise ApiError(403, f"Not enough permissions to access this resource: this "
                                f"application has no integration with {context}")


def _present(sandbox: Sandbox, resource: str, body: dict[str, Any]) -> dict[str, Any]:
    """A stored record as LinkedIn answers it: candidates carry their member matches."""
    if resource == "atsCandidates":
        out = dict(body)
        out["matchedMembers"] = sandbox.matches(body)
        return out
    return body


def _projection(call: RestliCall) -> set[str] | None:
    value = call.param("fields")
    if value is None:
        return None
    names = {v.strip() for v in value.split(",") if v.strip()}
    if not names:
        raise ApiError(400, "fields= projection is empty")
    return names


def _project(body: dict[str, Any], names: set[str] | None) -> dict[str, Any]:
    if names is None:
        return body
    return {k: v for k, v in body.items() if k in names}


def _paging(call: RestliCall) -> tuple[int, int]:
    start, count = call.int_param("start", 0), call.int_param("count", 10)
    if count > 1000:
        raise ApiError(400, "count may be at most 1000")
    return start, count
