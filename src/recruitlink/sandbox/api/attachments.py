"""`attachments` (versioned `/rest` only): resumes and other files on applications
(reference §2.5, §3.8; shapes assumed, design16 §5).

batch_update attaches a file uploaded through hireMediaUrl (`rscAttachmentParameters`) to
an application the app synced: key (atsJobApplicationId, integrationContext,
externalAttachmentId), record {fileName, contentType, media, externalCreatedAt}. batch_delete
removes it; batch_get reads it back. Records live in the sandbox's `records` table under
their application (`parent`), so deleting the application removes them, and the Recruiter
indicator lists them by the application's candidate.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select
from starlette.responses import Response

from recruitlink.core.linkedin_schema import validate_record
from recruitlink.core.restli import canonical, make_key

from ..errors import ApiError
from ..state import Sandbox
from ..store import records
from .batch import (
    batch_response,
    compound_ids,
    entity_error,
    field_errors_to_entity,
    match_compound_entities,
    require_enabled,
    require_method,
    split_valid_keys,
)
from .media import media_problem
from .oauth import App
from .restli_http import RestliCall

RESOURCE = "attachments"


def application_key(fields: dict[str, str]) -> str:
    """The canonical key of the attachment's application, as `atsApplications` stores it."""
    return canonical({"atsJobApplicationId": fields["atsJobApplicationId"],
                      "dataProvider": "ATS",
                      "integrationContext": fields["integrationContext"]})


def _application(conn: Connection, fields: dict[str, str]) -> Any:
    return conn.execute(select(records.c.candidate).where(
        records.c.resource == "atsApplications", records.c.parent == "",
        records.c.key == application_key(fields))).first()


def handle(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    if app.is_parent:
        raise ApiError(403, "Not enough permissions to access: attachments needs the "
                            "customer (child) application's token")
    if len(call.segments) != 1:
        raise ApiError(404, "attachments has no single-entity or sub-resource paths: use the "
                            "batch methods")
    if call.method not in ("PUT", "DELETE", "GET"):
        raise ApiError(405, "attachments supports batch_update, batch_delete and batch_get")
    ids = compound_ids(call)
    valid, errors = split_valid_keys(RESOURCE, ids)
    results: dict[str, Any] = {}
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        require_enabled(conn, app.id, {f["integrationContext"] for f in valid})
        if call.method == "GET":
            statuses = {k: 400 for k in errors}
            for fields in valid:
                name = canonical(fields)
                body = conn.execute(select(records.c.body).where(
                    records.c.resource == RESOURCE, records.c.key == name)).scalar()
                if body is None:
                    errors[name], statuses[name] = entity_error(404, "attachment not found"), 404
                else:
                    results[name], statuses[name] = dict(body), 200
            return batch_response(results, errors, statuses)
        if call.method == "DELETE":
            for fields in valid:
                name = canonical(fields)
                gone = conn.execute(delete(records).where(
                    records.c.resource == RESOURCE, records.c.key == name)).rowcount
                if gone:
                    results[name] = {"status": 204}
                else:
                    errors[name] = entity_error(404, "attachment not found")
            return batch_response(results, errors)
        require_method(call, "batch_update")
        entities = match_compound_entities(call, ids)
        for fields in valid:
            name = canonical(fields)
            body = entities[make_key(fields)]
            problems = validate_record(RESOURCE, body, now_ms=now)
            if problems:
                errors[name] = field_errors_to_entity(problems)
                continue
            application = _application(conn, fields)
            if application is None:
                errors[name] = entity_error(404, f"ERROR :: /atsJobApplicationId :: application "
                                                 f"{fields['atsJobApplicationId']} is not synced "
                                                 "to this organization")
                continue
            problem = media_problem(conn, app, body, usage="rscAttachmentParameters", path="")
            if problem is not None:
                errors[name] = entity_error(422, f"ERROR :: {problem}")
                continue
            _write(conn, app, fields, body, application.candidate, now)
            results[name] = {"status": 204}
        return batch_response(results, errors)


def _write(conn: Connection, app: App, fields: dict[str, str], body: dict[str, Any],
           candidate: str | None, now: int) -> None:
    name = canonical(fields)
    conn.execute(delete(records).where(records.c.resource == RESOURCE,
                                       records.c.key == name))
    conn.execute(records.insert().values(
        resource=RESOURCE, parent=application_key(fields), key=name,
        org=fields["integrationContext"], app_id=app.id, key_fields=fields, body=body,
        candidate=candidate, created_at=now, updated_at=now))


def of_candidate(conn: Connection, org: str, candidate: str) -> list[dict[str, Any]]:
    """The attachments of a synced candidate's applications (the Recruiter indicator)."""
    rows = conn.execute(select(records.c.key_fields, records.c.body).where(
        records.c.org == org, records.c.resource == RESOURCE,
        records.c.candidate == candidate).order_by(records.c.key))
    return [{**dict(r.body), "atsJobApplicationId": r.key_fields["atsJobApplicationId"]}
            for r in rows]
