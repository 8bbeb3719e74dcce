"""The API's LinkedIn namespace (`/api/v1/linkedin/…`): Recruiter seats and their mapping,
quotas, polling LinkedIn now, the push inbox with replay, the polled items not kept (with replay),
purging closed members, the sync's failed records and their support bundles, who sees which
job in Recruiter, what the policy never shares, and live parity (what LinkedIn holds against
the ledger, and reconcile). The same operations as `recruitlink inbound …`, `recruitlink sync
errors`, `recruitlink sync parity`, `recruitlink policy …`, the Members, Sync logs, Setup and
candidate pages."""

from __future__ import annotations

import time
from functools import partial
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from recruitlink.core.assumed import Assessment, OverallFit
from recruitlink.core.policy import DENIABLE_CANDIDATE_FIELDS, Policy
from recruitlink.core.records import ExternalId
from recruitlink.core.support_bundle import Subject
from recruitlink.errors import (
    ConfigurationError,
    IdentityRequestInvalid,
    NotReplayable,
    PollBusy,
    PollDeferred,
    RecruitlinkError,
    Stopped,
)
from recruitlink.inbound import evaluations as li_evaluations
from recruitlink.inbound import identity, items
from recruitlink.inbound.closures import purge_closed
from recruitlink.inbound.pollers import KINDS, NO_EVALUATIONS_ON_V2
from recruitlink.inbound.replays import replay_item
from recruitlink.inbound.seats import map_seat
from recruitlink.linkedin.versions import is_versioned
from recruitlink.runtime.context import Runtime
from recruitlink.runtime.quotas import tenant_quotas
from recruitlink.store import connections, member_seats
from recruitlink.store import inbound_inbox as inbox
from recruitlink.store.entities import entity
from recruitlink.store.records import ids_by_external
from recruitlink.store.tenants import Tenant
from recruitlink.sync import failures, parity, progress
from recruitlink.sync.sharing import set_sharing
from recruitlink.sync.support import support_bundle
from recruitlink.sync.visibility import current_visibility, set_visibility

from .api import ErrorBody
from .auth import ApiError, current_tenant
from .params import RowId
from .wake import WAKE_SYNC

TenantDep = Annotated[Tenant, Depends(current_tenant)]
Kind = Literal["seats", "inmails", "notes", "stubs", "closures", "evaluations"]
ALL_KINDS: tuple[Kind, ...] = ("seats", "inmails", "notes", "stubs", "closures", "evaluations")
assert ALL_KINDS == KINDS


def now_ms() -> int:
    return int(time.time() * 1000)


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


class SeatMapping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: ExternalId | None = Field(..., description="The ATS user's id; null unmaps (and "
                                                     "keeps it so).")


class PollRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kinds: list[Kind] = Field(default_factory=lambda: list(ALL_KINDS), min_length=1)


ItemKind = Literal["stub", "inmail", "note", "closure", "evaluation"]
assert set(get_args(ItemKind)) == set(items.KIND_LABELS)


class ItemReplay(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: ItemKind = Field(..., description="The item's kind (stub: shared contact info).")
    id: str = Field(..., min_length=1, max_length=200, description="LinkedIn's id of it.")


class ReviewResolution(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Literal["link", "create", "merge"] = Field(..., description=(
        "link: apply the item to `candidate`; create: a new candidate from it; merge: merge "
        "the candidates `merge` into `candidate`, then link"))
    candidate: ExternalId | None = Field(None, description="The candidate to link (or keep).")
    merge: list[ExternalId] | None = Field(None, max_length=20, description=(
        "merge: the candidates merged into `candidate` (deleted; their records move)."))


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kept: ExternalId = Field(..., description="The candidate kept (updated on LinkedIn).")
    merged: ExternalId = Field(..., description=(
        "The candidate merged into it: its applications, notes, InMails and files move to "
        "`kept`; it is deleted (on LinkedIn too)."))


def _identity_error(exc: Exception, default_field: str) -> ApiError:
    """LookupError -> 404, IdentityRequestInvalid -> 422, another ValueError (what the
    records' state refuses) -> 409; naming the field the message starts with."""
    text = str(exc)
    field, _, reason = text.partition(": ")
    if not reason or " " in field:
        field, reason = default_field, text
    status = (404 if isinstance(exc, LookupError) else
              422 if isinstance(exc, IdentityRequestInvalid) else 409)
    return ApiError(status, text, [{"field": field, "reason": reason}])


def _problem_json(p: items.Problem) -> dict[str, Any]:
    return {"kind": p.kind, "kindLabel": p.label, "id": p.li_id, "outcome": p.outcome,
            "reason": p.reason, "candidate": p.candidate_id, "updatedAt": p.updated_at,
            "replayable": p.replayable,
            "rejected": [{"field": r.field, "fieldLabel": r.label, "value": r.value,
                          "reason": r.reason} for r in p.rejected]}


class PurgeRequest(BaseModel):
    # One member, or all of them: the schema says so too, so that clients can check it.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": [
        {"required": ["person"], "properties": {"person": {"type": "string"},
                                                "all": {"const": False}}},
        {"required": ["all"], "properties": {"person": {"type": "null"},
                                             "all": {"const": True}}}]})
    person: str | None = Field(None, pattern=r"^urn:li:person:[A-Za-z0-9_-]{1,80}$")
    all: bool = False


class VisibilityChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")
    visibility: Literal["all_product_users", "acls"] = Field(
        ..., description="all_product_users: every Recruiter user sees every job; acls: only "
                         "the job's hiring team (its users, mapped to Recruiter seats).")


class VisibilityAnswer(BaseModel):
    visibility: Literal["all_product_users", "acls"]
    label: str
    pending: bool = Field(..., description="true until the sync has sent (or deleted) the "
                                           "hiring teams on LinkedIn.")
    aclRecords: int = Field(..., description="ACL and assignee records LinkedIn holds.")
    queued: int = Field(..., description="Jobs and users the sync has still to look at.")


DeniableField = Literal["phones", "addresses", "headline", "current_title",
                       "current_company", "location", "linkedin_url"]
assert set(get_args(DeniableField)) == set(DENIABLE_CANDIDATE_FIELDS)
Tag = Annotated[str, Field(min_length=1, max_length=200)]
Purpose = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class SharingRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    neverShared: list[DeniableField] | None = Field(
        None, max_length=8, description="Candidate fields never sent to LinkedIn (replaces "
                                        "the list; omitted: kept).")
    excludedTags: list[Tag] | None = Field(
        None, max_length=50, description="Candidates with any of these tags (case ignored) are "
                                         "not shared, nor their applications, notes and files "
                                         "(replaces the list; omitted: kept).")
    requiredConsent: Purpose | None = Field(
        None, description="Only candidates whose consents include this purpose are shared "
                          "(omitted: kept; see clearConsent).")
    clearConsent: bool = Field(False, description="true: no consent rule any more.")


class SharingAnswer(BaseModel):
    neverShared: list[str]
    excludedTags: list[str]
    requiredConsent: str | None
    queued: int = Field(0, description="Candidates queued for the sync by this change (those "
                                       "no longer shared are deleted from LinkedIn).")
    nowExcluded: int = 0
    nowShared: int = 0


ErrorEntity = Literal["jobs", "job_acls", "users", "candidates", "applications",
                     "stage_transitions", "notes", "interview_feedback", "projects",
                     "project_stages", "project_memberships", "interactions", "files"]


class FailedCheck(BaseModel):
    """One failed check of one record the sync could not send (a record failing two
    checks is listed twice, and counted once in `failedRecords`)."""
    errorId: int = Field(..., description="Page with `after`.")
    batchId: int | None = Field(..., description="The sync batch it failed in.")
    entity: str = Field(..., description="The kind of record: candidates, jobs, notes, …")
    id: str = Field(..., description="The record's id in the ATS.")
    field: str | None = Field(..., description="LinkedIn's field, e.g. emailAddresses.0.")
    fieldLabel: str = Field(..., description="The field as people know it: Email address 1.")
    reason: str = Field(..., description="Why, in plain words, with the field's label.")
    rawMessage: str = Field(..., description="LinkedIn's (or recruitlink's checks') message.")
    foundBy: str = Field(..., description="recruitlink's checks, LinkedIn, or policy.")
    createdAt: int = Field(..., description="Epoch milliseconds.")


class FailedRecords(BaseModel):
    failedRecords: int = Field(..., description="Records with an open error: the figure "
                                                "the sync logs page and the CLI show.")
    errors: list[FailedCheck]
    next: int | None = Field(..., description="`after` for the next page; null: the last.")


class Qualification(BaseModel):
    requirement: str = Field(..., description="What the job asks for.")
    assessment: Assessment
    evidence: str = Field(..., description="What in the profile the assessment rests on.")


class HiringAssistantEvaluation(BaseModel):
    """LinkedIn Hiring Assistant's evaluation of an application a One-Click Export created
    (LinkedIn's versioned API only; the shape is assumed: core/assumed.py)."""
    id: str = Field(..., description="LinkedIn's id: urn:li:hiringAssistantEvaluation:N.")
    application: str | None = Field(..., description="The application's id in the ATS; null "
                                                     "once that application is deleted.")
    job: str | None = Field(..., description="The evaluated job's id (externalJobPostingId).")
    jobTitle: str | None
    overallFit: OverallFit
    summary: str
    qualifications: list[Qualification]
    evaluatedAt: int = Field(..., description="When LinkedIn made it, epoch milliseconds.")


class CandidateEvaluations(BaseModel):
    candidate: str
    evaluations: list[HiringAssistantEvaluation] = Field(..., description="Newest first.")
    unavailable: str | None = Field(..., description="Why there can be none (LinkedIn's "
                                                     "unversioned API has no evaluations); "
                                                     "null when they are read.")


def _connected(request: Request, tenant: Tenant) -> None:
    with _runtime(request).store.reader() as conn:
        if connections.connection(conn, tenant.id) is None:
            raise ApiError(409, "this tenant is not connected to LinkedIn",
                           [{"field": "tenant", "reason": "not connected to LinkedIn"}])


def run_parity_round(runtime: Runtime, tenant_id: int) -> dict[str, Any]:
    """A parity round on demand (the API's and the Setup page's), giving way after the
    parity slice if its share of LinkedIn's budget is spent; the status after it."""
    s = runtime.settings
    deadline = time.monotonic() + s.parity_slice_seconds
    try:
        parity.run_round(runtime.engine, tenant_id, share=s.parity_share,
                         max_records=s.parity_max_records,
                         should_stop=lambda: time.monotonic() > deadline)
    except Stopped as exc:
        raise ApiError(429, "parity's share of LinkedIn's budget is spent for now; the sync "
                            "keeps the rest", [{"field": "tenant", "reason": str(exc)}],
                       headers={"Retry-After": "60"}) from exc
    except ConfigurationError as exc:
        raise ApiError(409, exc.message, [{"field": "tenant", "reason": exc.message}]) from exc
    except RecruitlinkError as exc:
        raise ApiError(502, f"LinkedIn: {exc.message}") from exc
    return parity.status(runtime.engine, tenant_id)


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=`: the error answers an operation can give, in the API's one error shape."""
    return {status: {"model": ErrorBody, "description": ERRORS[status]} for status in statuses}


ERRORS = {401: "No API key, or an unknown or revoked one", 404: "Not found",
          409: "Not possible in the tenant's state (not connected, a poll running, …)",
          422: "Invalid parameters or body", 429: "Polled too recently; see Retry-After",
          502: "LinkedIn answered with an error"}


def build_linkedin_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1/linkedin", tags=["linkedin"],
                       responses=errors(401, 422))

    @router.get("/seats", summary="Recruiter seats and the ATS user each maps to")
    def list_seats(request: Request, tenant: TenantDep) -> dict[str, Any]:
        with _runtime(request).store.reader() as conn:
            rows = member_seats.by_seat(conn, tenant.id)
        return {"seats": [{
            "seat": r.seat, "contract": r.contract, "person": r.person, "email": r.email,
            "firstName": r.first_name, "lastName": r.last_name, "active": r.active,
            "user": r.user, "mapping": r.mapping, "change": r.change,
            "warning": ("unmapped: its InMails and notes will not be synced"
                        if r.active and r.user is None else None)} for r in rows]}

    @router.get("/quotas", summary="LinkedIn quotas: exports left per seat this month, "
                                    "budgets left today and this minute")
    def get_quotas(request: Request, tenant: TenantDep) -> dict[str, Any]:
        """One-Click Exports used and left this month per Recruiter seat (300 per seat), and
        the LinkedIn app's requests today and records this minute per resource family (the
        InMail, stub profile and note reads share one daily cap, `prospectInteractions`),
        each flagged `warning` at 80% of its limit; `warnings` says them in words."""
        return tenant_quotas(_runtime(request), tenant.id, now_ms()).as_json()

    @router.put("/seats/{seat}/user", summary="Map a seat to an ATS user (or unmap it)",
                responses=errors(404))
    def put_mapping(seat: str, body: SeatMapping, request: Request,
                    tenant: TenantDep) -> dict[str, Any]:
        try:
            map_seat(_runtime(request).store, tenant.id, seat, body.user, now_ms())
        except LookupError as exc:
            field = str(exc).split(":", 1)[0]
            raise ApiError(404 if field == "seat" else 422, str(exc),
                           [{"field": field, "reason": str(exc).split(": ", 1)[-1]}]) from exc
        return {"seat": seat, "user": body.user}

    @router.post("/poll", summary="Read LinkedIn now (seats, InMails, notes, stubs, closures, "
                                  "evaluations)",
                 responses=errors(409, 429, 502))
    async def poll(request: Request, tenant: TenantDep,
                   body: PollRequest | None = None) -> dict[str, Any]:
        _connected(request, tenant)
        kinds = tuple((body or PollRequest()).kinds)
        try:
            report = await run_in_threadpool(_runtime(request).poller().poll, tenant.id, kinds)
        except PollBusy as exc:
            raise ApiError(409, str(exc), [{"field": "tenant", "reason": str(exc)}]) from exc
        except PollDeferred as exc:
            raise ApiError(429, str(exc), [{"field": "tenant", "reason": str(exc)}],
                           headers={"Retry-After": str(max(1, round(exc.wait_s)))}) from exc
        except ConfigurationError as exc:
            raise ApiError(409, exc.message, [{"field": "tenant", "reason": exc.message}]
                           ) from exc
        except RecruitlinkError as exc:
            raise ApiError(502, f"LinkedIn: {exc.message}") from exc
        return report.as_json()

    @router.get("/sync/errors", summary="The records the sync could not send, and why",
                response_model=FailedRecords)
    def list_failed(request: Request, tenant: TenantDep,
                    entity: ErrorEntity | None = None,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                    after: RowId | None = None) -> FailedRecords:
        with _runtime(request).store.reader() as conn:
            rows, next_after = failures.open_failures(conn, tenant.id, after=after,
                                                      limit=limit, entity=entity)
            failed = progress.failed_records(conn, tenant.id)
        return FailedRecords(failedRecords=failed,
                             errors=[FailedCheck(**failures.as_json(r)) for r in rows],
                             next=next_after)

    def bundle_answer(request: Request, tenant: Tenant, subject: Subject,
                      subject_id: int) -> Response:
        runtime = _runtime(request)
        try:
            bundle = support_bundle(runtime.store, runtime.box, tenant.id, tenant.slug,
                                    subject, subject_id,
                                    api_version=runtime.settings.linkedin_api_version)
        except LookupError as exc:
            field, _, reason = str(exc).partition(": ")
            raise ApiError(404, str(exc), [{"field": field, "reason": reason}]) from exc
        return Response(bundle.content, media_type="application/zip", headers={
            "Content-Disposition": f'attachment; filename="{bundle.filename}"',
            "Cache-Control": "no-store"})

    bundle_doc: dict[str, Any] = {
        "description": "What LinkedIn support asks for, as a zip (README.md, calls.har in "
                       "HAR 1.2, bundle.json): each failed call's request and response "
                       "(headers without secrets, bodies) and x-li-uuid, the client id, "
                       "timestamps and recruitlink's version.",
        "response_class": Response,
        "responses": {200: {"content": {"application/zip": {}}, "description": "The zip"},
                      **errors(404)}}

    @router.get("/sync/errors/{error}/support-bundle",
                summary="A support bundle for a failed record (its errorId in /sync/errors)",
                **bundle_doc)
    def record_bundle(error: RowId, request: Request, tenant: TenantDep) -> Response:
        return bundle_answer(request, tenant, "record", error)

    @router.get("/sync/batches/{batch}/support-bundle",
                summary="A support bundle for a sync batch: its failed calls and records",
                **bundle_doc)
    def batch_bundle(batch: RowId, request: Request, tenant: TenantDep) -> Response:
        return bundle_answer(request, tenant, "batch", batch)

    @router.get("/sync/calls/{call}/support-bundle",
                summary="A support bundle for one failed call to LinkedIn", **bundle_doc)
    def call_bundle(call: RowId, request: Request, tenant: TenantDep) -> Response:
        return bundle_answer(request, tenant, "call", call)

    @router.get("/parity", summary="Live parity: per entity, records read back and how many "
                                   "LinkedIn holds missing, stale or extra; and the drift",
                responses=errors(409))
    def get_parity(request: Request, tenant: TenantDep) -> dict[str, Any]:
        _connected(request, tenant)
        return parity.status(_runtime(request).engine, tenant.id)

    @router.post("/parity/check", summary="Run a parity round now (within parity's share of "
                                          "LinkedIn's budget)",
                 responses=errors(409, 429, 502))
    async def check_parity(request: Request, tenant: TenantDep) -> dict[str, Any]:
        _connected(request, tenant)
        return await run_in_threadpool(run_parity_round, _runtime(request), tenant.id)

    @router.post("/parity/reconcile", summary="Queue every drifted record for the sync: "
                                              "missing and stale ones sent again, extra ones "
                                              "deleted", responses=errors(409))
    def reconcile_parity(request: Request, tenant: TenantDep) -> dict[str, Any]:
        _connected(request, tenant)
        return {"queued": parity.reconcile(_runtime(request).engine, tenant.id)}

    @router.get("/visibility", summary="Who sees which job in LinkedIn Recruiter",
                response_model=VisibilityAnswer, responses=errors(409))
    def get_visibility(request: Request, tenant: TenantDep) -> VisibilityAnswer:
        runtime = _runtime(request)
        state = current_visibility(runtime.store, runtime.box, tenant.id)
        if state is None:
            raise ApiError(409, "this tenant is not connected to LinkedIn",
                           [{"field": "tenant", "reason": "not connected to LinkedIn"}])
        return VisibilityAnswer(**state.as_json())

    @router.put("/visibility", summary="Choose who sees which job in LinkedIn Recruiter",
                response_model=VisibilityAnswer, responses=errors(409, 502))
    async def put_visibility(body: VisibilityChoice, request: Request,
                             tenant: TenantDep) -> VisibilityAnswer:
        runtime = _runtime(request)
        try:
            await run_in_threadpool(set_visibility, runtime.engine, tenant.id, body.visibility)
        except ConfigurationError as exc:
            field, _, reason = exc.message.partition(": ")
            raise ApiError(409, exc.message, [{"field": field, "reason": reason}]) from exc
        except RecruitlinkError as exc:
            raise ApiError(502, f"LinkedIn: {exc.message}") from exc
        state = current_visibility(runtime.store, runtime.box, tenant.id)
        assert state is not None  # set_visibility refuses a tenant never connected
        return VisibilityAnswer(**state.as_json())

    @router.get("/sharing", summary="What the policy keeps from LinkedIn: fields, tags, "
                                     "consent", response_model=SharingAnswer,
                responses=errors(409))
    def get_sharing(request: Request, tenant: TenantDep) -> SharingAnswer:
        with _runtime(request).store.reader() as conn:
            state = connections.connection(conn, tenant.id)
        if state is None:
            raise ApiError(409, "this tenant is not connected to LinkedIn",
                           [{"field": "tenant", "reason": "not connected to LinkedIn"}])
        policy = Policy.from_json(state.policy)
        return SharingAnswer(neverShared=list(policy.never_shared),
                             excludedTags=list(policy.excluded_tags),
                             requiredConsent=policy.required_consent)

    @router.put("/sharing", summary="Change what the policy keeps from LinkedIn (applied to "
                                     "what LinkedIn holds)", response_model=SharingAnswer,
                responses=errors(409), dependencies=[WAKE_SYNC])
    async def put_sharing(body: SharingRules, request: Request,
                          tenant: TenantDep) -> SharingAnswer:
        runtime = _runtime(request)
        try:
            policy, change = await run_in_threadpool(partial(
                set_sharing, runtime.store.db, tenant.id, never_shared=body.neverShared,
                excluded_tags=body.excludedTags, required_consent=body.requiredConsent,
                clear_consent=body.clearConsent, at=now_ms()))
        except ConfigurationError as exc:
            field, _, reason = exc.message.partition(": ")
            raise ApiError(409, exc.message, [{"field": field, "reason": reason}]) from exc
        return SharingAnswer(neverShared=list(policy.never_shared),
                             excludedTags=list(policy.excluded_tags),
                             requiredConsent=policy.required_consent, queued=change.queued,
                             nowExcluded=change.now_excluded, nowShared=change.now_shared)

    @router.get("/events", summary="LinkedIn's pushes and what each became")
    def list_events(request: Request, tenant: TenantDep,
                    status: Literal["pending", "processing", "done", "failed"] | None = None,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                    before: RowId | None = None) -> dict[str, Any]:
        with _runtime(request).store.reader() as conn:
            rows = inbox.newest(conn, tenant.id, status=status, before=before,
                                       limit=limit)
        return {"events": [{
            "id": r.id, "type": r.type, "requestId": r.request_id, "status": r.status,
            "outcome": r.outcome, "reason": r.reason, "attempts": r.attempts,
            "receivedAt": r.received_at, "processedAt": r.processed_at,
            "seat": r.seat, "export": r.details} for r in rows],
            "next": rows[-1].id if len(rows) == limit else None}

    @router.post("/events/{event_id}/replay", summary="Queue a failed push again",
                 responses=errors(404, 409))
    def replay(event_id: RowId, request: Request, tenant: TenantDep) -> dict[str, Any]:
        runtime = _runtime(request)
        with runtime.store.db.write() as conn:
            replayed = inbox.replay_for(conn, tenant.id, event_id, now_ms())
        if replayed == "missing":
            raise ApiError(404, f"no push {event_id}", [{"field": "event_id",
                                                          "reason": "not found"}])
        if replayed == "not failed":
            raise ApiError(409, "only a failed push can be replayed",
                           [{"field": "event_id", "reason": "not failed"}])
        worker = getattr(request.app.state, "inbound", None)
        if worker is not None:
            worker.notify()
        return {"id": event_id, "status": "pending"}

    @router.get("/items", summary="What LinkedIn sent that was refused, failed or had values "
                                  "rejected, and why")
    def list_items(request: Request, tenant: TenantDep,
                   candidate: ExternalId | None = None,
                   limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
        with _runtime(request).store.reader() as conn:
            found = items.problems(conn, tenant.id, candidate_external_id=candidate,
                                   limit=limit)
        return {"items": [_problem_json(p) for p in found]}

    @router.get("/evaluations", summary="LinkedIn Hiring Assistant's evaluations of a "
                                        "candidate's exported applications",
                response_model=CandidateEvaluations, responses=errors(404))
    def list_evaluations(request: Request, tenant: TenantDep,
                         candidate: ExternalId) -> dict[str, Any]:
        runtime = _runtime(request)
        with runtime.store.reader() as conn:
            found = ids_by_external(conn, entity("candidates"), tenant.id,
                                    [candidate]).get(candidate)
            if found is None:
                raise ApiError(404, f"no candidate {candidate}",
                               [{"field": "candidate", "reason": "not found"}])
            evaluations = li_evaluations.for_candidate(conn, tenant.id, found)
        versioned = is_versioned(runtime.settings.linkedin_api_version)
        return {"candidate": candidate, "evaluations": evaluations,
                "unavailable": None if versioned else NO_EVALUATIONS_ON_V2}

    @router.post("/items/replay", summary="Apply one such item again, once its cause is fixed",
                 responses=errors(404, 409))
    def replay_one(body: ItemReplay, request: Request, tenant: TenantDep) -> dict[str, Any]:
        try:
            result = replay_item(_runtime(request).store, tenant.id, body.kind, body.id)
        except LookupError as exc:
            raise ApiError(404, str(exc), [{"field": "id", "reason": "not found"}]) from exc
        except NotReplayable as exc:
            reason = str(exc).split(": ", 1)[-1]
            raise ApiError(409, f"nothing to replay: {reason}",
                           [{"field": "id", "reason": reason}]) from exc
        return result.as_json()

    @router.get("/review", summary="LinkedIn items that could be several candidates, kept "
                                   "for an admin instead of guessed")
    def list_review(request: Request, tenant: TenantDep,
                    status: Literal["open", "resolved", "all"] = "open") -> dict[str, Any]:
        return {"items": identity.list_reviews(
            _runtime(request).store, tenant.id, status=None if status == "all" else status)}

    @router.post("/review/{item}/resolve", summary="Resolve a review item: link it to a "
                                                   "candidate, create one, or merge and link",
                 responses=errors(404, 409), dependencies=[WAKE_SYNC])
    def resolve_review(item: RowId, body: ReviewResolution, request: Request,
                       tenant: TenantDep) -> dict[str, Any]:
        try:
            return identity.resolve(_runtime(request).store, tenant.id, item, body.action,
                                    body.candidate, body.merge)
        except LookupError as exc:
            raise _identity_error(exc, "review") from exc
        except ValueError as exc:
            raise _identity_error(exc, "review") from exc

    @router.get("/merges", summary="The merges into a candidate that can be undone")
    def list_merges(request: Request, tenant: TenantDep,
                    candidate: ExternalId) -> dict[str, Any]:
        return {"merges": identity.merges_into(_runtime(request).store, tenant.id, candidate)}

    @router.post("/merges", summary="Merge one candidate into another (synced: the merged one "
                                    "is deleted on LinkedIn, the kept one updated)",
                 responses=errors(404, 409), dependencies=[WAKE_SYNC])
    def merge(body: MergeRequest, request: Request, tenant: TenantDep) -> dict[str, Any]:
        try:
            result = identity.merge(_runtime(request).store, tenant.id, body.kept, body.merged)
        except (LookupError, ValueError) as exc:
            raise _identity_error(exc, "merged") from exc
        return identity.result_json(result)

    @router.post("/merges/{merge}/unmerge", summary="Undo a merge: the merged candidate again, "
                                                   "with the records that moved",
                 responses=errors(404, 409), dependencies=[WAKE_SYNC])
    def unmerge(merge: RowId, request: Request, tenant: TenantDep) -> dict[str, Any]:
        try:
            result = identity.undo_merge(_runtime(request).store, tenant.id, merge)
        except (LookupError, ValueError) as exc:
            raise _identity_error(exc, "merge") from exc
        return identity.result_json(result)

    @router.post("/closed-members/purge",
                 summary="Delete the candidates of members who closed their LinkedIn account",
                 responses=errors(404))
    def purge(body: PurgeRequest, request: Request, tenant: TenantDep) -> dict[str, Any]:
        if (body.person is None) == (not body.all):
            raise ApiError(422, "give person or all=true",
                           [{"field": "person", "reason": "give person or all=true"}])
        try:
            deleted = purge_closed(_runtime(request).store, tenant.id, body.person)
        except LookupError as exc:
            raise ApiError(404, str(exc), [{"field": "person",
                                            "reason": "not a closed member we know of"}]) from exc
        return {"deleted": deleted}

    return router
