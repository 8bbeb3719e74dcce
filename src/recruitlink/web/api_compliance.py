"""Compliance in the API (issue 19, part 4): the duties' task list and the policy fields that
drive them, a per-candidate erasure with its certificate, and a candidate's audit journey.
The same operations as `recruitlink compliance …`, `recruitlink candidates erase`, the
Compliance tab and the candidate page.

    GET  /api/v1/linkedin/compliance                 the task list (state=due|overdue|done)
    PUT  /api/v1/linkedin/compliance/policy          closure action and window, retention
    POST /api/v1/linkedin/compliance/run             a scheduler round for the tenant now
    POST /api/v1/candidates/{id}/erase               erase both ways; the certificate so far
    GET  /api/v1/candidates/{id}/erasure             the erasure's certificate
    POST /api/v1/candidates/{id}/erasure/verify      read LinkedIn back now
    GET  /api/v1/candidates/{id}/audit               the record's journey
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from recruitlink.core.policy import Policy
from recruitlink.errors import ConfigurationError, RecruitlinkError
from recruitlink.runtime import compliance
from recruitlink.runtime.audit import candidate_audit
from recruitlink.runtime.context import Runtime
from recruitlink.store import connections
from recruitlink.store.tenants import Tenant

from .api import PREFIX
from .api_files import not_allowed
from .api_linkedin import errors, now_ms
from .auth import ApiError, current_tenant
from .wake import WAKE_SYNC

TenantDep = Annotated[Tenant, Depends(current_tenant)]


class CompliancePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    closedMembers: Literal["notify", "purge"] | None = Field(
        None, description="A member who closed their LinkedIn account: an activity on the "
                          "candidate (notify) or the candidate deleted (purge).")
    closureWindowDays: int | None = Field(
        None, ge=0, le=30, description="Days after the closure by which it is acted on.")
    historyRetentionDays: int | None = Field(
        None, ge=1, le=36_500, description="Imported InMails and notes are purged this many "
                                           "days after LinkedIn dated them; null: kept.")


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _not_found(exc: LookupError) -> ApiError:
    field, _, reason = str(exc).partition(": ")
    return ApiError(404, str(exc), [{"field": field, "reason": reason}])


def build_compliance_router() -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["compliance"], responses=errors(401, 422))

    @router.get("/linkedin/compliance", summary="LinkedIn's duties as a task list: member "
                                                "closures, erasures, retention; due, overdue, "
                                                "done")
    def task_list(request: Request, tenant: TenantDep,
                  state: Literal["due", "overdue", "done"] | None = None,
                  limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
        runtime = _runtime(request)
        with runtime.store.reader() as conn:
            row = connections.connection(conn, tenant.id)
        policy = Policy.from_json(row.policy if row is not None else None)
        return {"duties": compliance.task_list(runtime.store, tenant.id, now_ms(),
                                               state=state, limit=limit),
                "policy": compliance.policy_json(policy)}

    @router.put("/linkedin/compliance/policy", summary="Set the closure action and window "
                                                       "and the retention of imported history",
                responses=errors(409, 422))
    def put_policy(body: CompliancePolicy, request: Request,
                   tenant: TenantDep) -> dict[str, Any]:
        given = body.model_fields_set
        try:
            policy = compliance.set_policy(
                _runtime(request).store, tenant.id, closed_members=body.closedMembers,
                closure_window_days=body.closureWindowDays,
                history_retention_days=(body.historyRetentionDays
                                        if "historyRetentionDays" in given else compliance.KEEP))
        except LookupError as exc:
            raise ApiError(409, "this tenant is not connected to LinkedIn",
                           [{"field": "tenant", "reason": "not connected to LinkedIn"}]
                           ) from exc
        except ValueError as exc:
            field, _, reason = str(exc).partition(": ")
            raise ApiError(422, str(exc), [{"field": field, "reason": reason}]) from exc
        return compliance.policy_json(policy)

    @router.post("/linkedin/compliance/run", summary="Run the compliance scheduler's round "
                                                     "for this tenant now",
                 responses=errors(409, 502))
    async def run(request: Request, tenant: TenantDep) -> dict[str, Any]:
        scheduler = compliance.for_runtime(_runtime(request))
        try:
            report = await run_in_threadpool(scheduler.run_tenant, tenant.id, None, "api")
        except ConfigurationError as exc:
            raise ApiError(409, exc.message, [{"field": "tenant", "reason": exc.message}]
                           ) from exc
        except RecruitlinkError as exc:
            raise ApiError(502, f"LinkedIn: {exc.message}") from exc
        return {"acted": report.acted}

    @router.post("/candidates/{item_id:record_id}/erase", status_code=202,
                 dependencies=[WAKE_SYNC],
                 summary="Erase a candidate both ways: it and what hangs on it are deleted "
                         "(and on LinkedIn by the sync), what came from LinkedIn for it is "
                         "purged; the erasure is verified by reading LinkedIn back",
                 responses=errors(404))
    def erase(item_id: str, request: Request, tenant: TenantDep) -> dict[str, Any]:
        scheduler = compliance.for_runtime(_runtime(request))
        try:
            scheduler.erase(tenant.id, item_id, process="api")
        except LookupError as exc:
            raise _not_found(exc) from exc
        return scheduler.certificate(tenant.id, item_id)

    @router.get("/candidates/{item_id:record_id}/erasure",
                summary="A candidate's erasure certificate: what was erased, when, and what "
                        "the read-back found (ids only)", responses=errors(404))
    def certificate(item_id: str, request: Request, tenant: TenantDep) -> dict[str, Any]:
        try:
            return compliance.for_runtime(_runtime(request)).certificate(tenant.id, item_id)
        except LookupError as exc:
            raise _not_found(exc) from exc

    @router.post("/candidates/{item_id:record_id}/erasure/verify",
                 summary="Read the erasure back from LinkedIn now",
                 responses=errors(404, 409, 502))
    async def verify(item_id: str, request: Request, tenant: TenantDep) -> dict[str, Any]:
        scheduler = compliance.for_runtime(_runtime(request))
        try:
            return await run_in_threadpool(scheduler.verify_now, tenant.id, item_id, "api")
        except LookupError as exc:
            raise _not_found(exc) from exc
        except ConfigurationError as exc:
            raise ApiError(409, exc.message, [{"field": "tenant", "reason": exc.message}]
                           ) from exc
        except RecruitlinkError as exc:
            raise ApiError(502, f"LinkedIn: {exc.message}") from exc

    @router.get("/candidates/{item_id:record_id}/audit",
                summary="A candidate's journey: what was sent to LinkedIn and received from "
                        "it, the change feed's events, closures and erasures",
                responses=errors(404))
    def audit(item_id: str, request: Request, tenant: TenantDep,
              limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
        found = candidate_audit(_runtime(request).store, tenant.id, item_id, now=now_ms(),
                                limit=limit)
        if found is None:
            raise ApiError(404, f"no candidate {item_id}",
                           [{"field": "id", "reason": "not found"}])
        return found

    # The record routes take any text as an id, slashes included: without these, PUT on an
    # erasure would be read as a PUT of candidate "C1/erasure". Other methods are a 405.
    for path, allowed in (("/candidates/{item_id:record_id}/erase", ("POST",)),
                          ("/candidates/{item_id:record_id}/erasure", ("GET",)),
                          ("/candidates/{item_id:record_id}/erasure/verify", ("POST",)),
                          ("/candidates/{item_id:record_id}/audit", ("GET",))):
        others = [m for m in ("GET", "PUT", "POST", "PATCH", "DELETE", "OPTIONS", "TRACE")
                  if m not in allowed]
        router.add_api_route(path, not_allowed(allowed), methods=others,
                             include_in_schema=False)
    return router
