"""`/v2/simpleJobPostings` (batch_create of CREATE/UPDATE/RENEW/CLOSE operations) and
`/v2/simpleJobPostingTasks` (their asynchronous outcome).

The outcome of each operation is decided when it is submitted, so operations on one job apply
in order; the task reports IN_PROGRESS until `job_task_delay` has passed, then SUCCEEDED or
FAILED. Each successful task carries the job as it leaves it, and Recruiter (the inspection
API, later the export picker) shows the latest one that is done: until then, the previous
version.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select, update
from starlette.responses import JSONResponse, Response

from recruitlink.core.assumed import error_body
from recruitlink.core.linkedin_schema import validate_record

from ..errors import ApiError
from ..state import Sandbox
from ..store import job_tasks, jobs
from .batch import (
    MAX_BATCH,
    batch_response,
    entity_error,
    field_errors_to_entity,
    require_enabled,
    simple_ids,
)
from .oauth import App
from .restli_http import RestliCall

# Fields that describe the posting itself (kept on the job); the rest steer the operation.
_OPERATION_FIELDS = {"jobPostingOperationType"}


def handle_postings(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    if app.is_parent:
        raise ApiError(403, "Not enough permissions to access: simpleJobPostings needs the "
                            "customer (child) application's token")
    if len(call.segments) != 1:
        raise ApiError(404, "simpleJobPostings has no sub-resources")
    if call.method != "POST":
        raise ApiError(405, f"{call.method} is not supported on simpleJobPostings; use POST "
                            "with X-RestLi-Method: batch_create")
    if call.restli_method != "batch_create":
        # The reference documents 403 for a missing batch_create header on this endpoint.
        raise ApiError(403, "X-RestLi-Method: batch_create header is required")
    body = call.body
    if not isinstance(body, dict) or set(body) != {"elements"} or not isinstance(
            body["elements"], list):
        raise ApiError(400, 'the body must be {"elements": [jobPosting, ...]}')
    elements: list[Any] = body["elements"]
    if not elements:
        raise ApiError(400, "elements is empty")
    if len(elements) > MAX_BATCH:
        raise ApiError(400, f"at most {MAX_BATCH} job postings per request; got {len(elements)}")

    now = sandbox.clock.now_ms()
    ids = Counter(e.get("externalJobPostingId") for e in elements
                  if isinstance(e, dict) and isinstance(e.get("externalJobPostingId"), str))
    contexts = {e["integrationContext"] for e in elements if isinstance(e, dict)
                and isinstance(e.get("integrationContext"), str)
                and e["integrationContext"].startswith("urn:li:organization:")}
    out: list[dict[str, Any]] = []
    with sandbox.store.tx() as conn:
        require_enabled(conn, app.id, contexts)
        for element in elements:
            if not isinstance(element, dict):
                out.append(_element_error(400, "ERROR :: / :: a job posting must be an object"))
                continue
            external_id = element.get("externalJobPostingId")
            if isinstance(external_id, str) and ids[external_id] > 1:
                out.append(_element_error(
                    422, f"ERROR :: /externalJobPostingId :: {external_id!r} appears more than "
                         "once in this request"))
                continue
            operation = element.get("jobPostingOperationType")
            problems = validate_record("simpleJobPostings", element, now_ms=now,
                                       operation=operation if isinstance(operation, str)
                                       else None)
            if problems:
                entity = field_errors_to_entity(problems)
                out.append({"error": entity, "status": entity["status"]})
                continue
            out.append(_apply(conn, sandbox, app, element, now))
    return JSONResponse({"elements": out})


def _element_error(status: int, message: str) -> dict[str, Any]:
    return {"error": error_body(status, message), "status": status}


def _apply(conn: Connection, sandbox: Sandbox, app: App, element: dict[str, Any],
           now: int) -> dict[str, Any]:
    org = element["integrationContext"]
    external_id = element["externalJobPostingId"]
    operation = element["jobPostingOperationType"]
    due = now + int(sandbox.config.job_task_delay * 1000)
    job = conn.execute(select(jobs).where(jobs.c.org == org, jobs.c.external_id == external_id)
                       ).first()
    posting = {k: v for k, v in element.items() if k not in _OPERATION_FIELDS}
    outcome, error, job_urn = "SUCCEEDED", None, None
    after: tuple[str, dict[str, Any]] | None = None

    if operation == "CLOSE":
        if job is None:
            return _element_error(404, f"ERROR :: /externalJobPostingId :: no job posting "
                                       f"{external_id!r} to close")
        if job.state == "CLOSED":
            return _element_error(409, f"job posting {external_id!r} is already closed")
        conn.execute(update(jobs).where(jobs.c.urn == job.urn).values(
            state="CLOSED", updated_at=now))
        job_urn, after = job.urn, ("CLOSED", dict(job.body))
    elif operation == "CREATE":
        if job is None:
            number = 3_000_000 + sandbox.store.next_value(conn, "jobPosting")
            job_urn = f"urn:li:jobPosting:{number}"
            conn.execute(jobs.insert().values(org=org, external_id=external_id, urn=job_urn,
                                              app_id=app.id, state="LISTED", body=posting,
                                              created_at=now, updated_at=now))
        else:
            # assumed: CREATE of a known job re-lists it with the new content (a reopened
            # requisition), rather than failing a replay after a lost response.
            job_urn = job.urn
            conn.execute(update(jobs).where(jobs.c.urn == job.urn).values(
                state="LISTED", body=posting, updated_at=now))
        after = ("LISTED", posting)
    elif operation in ("UPDATE", "RENEW"):
        if job is None:
            outcome, error = "FAILED", (f"job posting {external_id!r} does not exist; send "
                                        "CREATE first")
        elif job.state == "CLOSED":
            outcome, error = "FAILED", (f"job posting {external_id!r} is closed; send CREATE "
                                        "to reopen it")
            job_urn = job.urn
        else:
            job_urn = job.urn
            merged = dict(job.body) if operation == "RENEW" else posting
            if operation == "RENEW":
                merged.update(posting)
                merged["listedAt"] = now
            elif "listedAt" not in merged and "listedAt" in job.body:
                merged["listedAt"] = job.body["listedAt"]
            conn.execute(update(jobs).where(jobs.c.urn == job.urn).values(
                body=merged, updated_at=now))
            after = ("LISTED", merged)

    task_urn = f"urn:li:simpleJobPostingTask:{uuid.uuid4()}"
    conn.execute(job_tasks.insert().values(
        urn=task_urn, seq=sandbox.store.next_value(conn, "jobTask"), app_id=app.id, org=org,
        external_id=external_id, operation=operation, outcome=outcome, error=error,
        job_urn=job_urn, state_after=after[0] if after else None,
        body_after=after[1] if after else None, due_at=due, created_at=now))
    return {"id": task_urn, "status": 202}


def visible_jobs(conn: Connection, org: str, now: int) -> Iterator[dict[str, Any]]:
    """The organization's jobs as Recruiter shows them now, by externalJobPostingId: each as
    its latest finished successful task left it, flagged `processing` while a later task is
    still in progress. A job whose first task is not done yet is only `processing`."""
    rows = conn.execute(select(job_tasks).where(job_tasks.c.org == org)
                        .order_by(job_tasks.c.external_id, job_tasks.c.seq))
    current: dict[str, Any] | None = None
    for task in rows:
        if current is not None and current["externalJobPostingId"] != task.external_id:
            if current["state"] is not None or current["processing"]:
                yield current
            current = None
        if current is None:
            current = {"externalJobPostingId": task.external_id, "jobPosting": None,
                       "state": None, "posting": None, "processing": False,
                       "lastModifiedAt": None}
        if task.due_at > now:
            current["processing"] = True
        elif task.outcome == "SUCCEEDED" and task.state_after is not None:
            current.update(jobPosting=task.job_urn, state=task.state_after,
                           posting=task.body_after, lastModifiedAt=task.due_at)
    if current is not None and (current["state"] is not None or current["processing"]):
        yield current


def handle_tasks(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    if app.is_parent:
        raise ApiError(403, "Not enough permissions to access: simpleJobPostingTasks needs the "
                            "customer (child) application's token")
    if call.method != "GET" or len(call.segments) != 1:
        raise ApiError(405, "simpleJobPostingTasks supports only BATCH_GET with ids=")
    ids = simple_ids(call)
    now = sandbox.clock.now_ms()
    results: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    statuses: dict[str, int] = {}
    with sandbox.store.tx() as conn:
        for urn in ids:
            task = conn.execute(select(job_tasks).where(job_tasks.c.urn == urn,
                                                        job_tasks.c.app_id == app.id)).first()
            if task is None:
                errors[urn] = entity_error(404, f"task {urn} not found")
                statuses[urn] = 404
                continue
            status = task.outcome if now >= task.due_at else "IN_PROGRESS"
            entry: dict[str, Any] = {"id": urn, "externalJobPostingId": task.external_id,
                                     "status": status}
            if task.job_urn:
                entry["jobPosting"] = task.job_urn
            if status == "FAILED" and task.error:
                entry["errorMessage"] = task.error
            results[urn] = entry
            statuses[urn] = 200
    return batch_response(results, errors, statuses, protocol=call.protocol, simple_keys=True)
