"""`/sandbox/`: the control API (what LinkedIn staff or a Recruiter admin would do) and the
read-only inspection API (what Recruiter would show), with its own OpenAPI page at
`/sandbox/docs`. Tests and the product's pages use it; LinkedIn has nothing like it."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, update

from recruitlink.core.limits import LINKEDIN_LIMITS
from recruitlink.core.restli import canonical

from ..api.faults import FaultSpec
from ..api.integrations import key_of, set_status
from ..api.jobs import visible_jobs
from ..api.seats import add_seat, change_seat, seat_json
from ..recruiter.customers import Customer
from ..recruiter.directory import member as member_of
from ..recruiter.indicator import candidate_view as indicator_view
from ..recruiter.links import unindex_candidate
from ..state import Sandbox, sandbox_of
from ..store import apps, integrations, members, pushes, records, seats, tokens
from .errors import documented, install, invalid
from .models import MAX_ID, ApiVersion, Contract, Id, Integer, Number, Positive, StrictBool
from .recruiter import router as recruiter_router

Page = Query(0, ge=0, le=MAX_ID)
Count = Query(50, ge=1, le=1000)


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    integrationContext: str = Field(pattern=r"^urn:li:(organization|contract):\d+$")
    status: Literal["ENABLED", "DISABLED"]
    integrationTypes: list[str] | None = None


class AppAccess(BaseModel):
    model_config = ConfigDict(extra="forbid")
    canMintTokens: StrictBool | None = None
    environment: Literal["PRODUCTION", "DEVELOPMENT"] | None = Field(
        None, description="Register the app as production or development (dev/test); its "
                          "token answers say so (core/assumed.py). Child apps provisioned "
                          "later get their partner app's.")


class ThrottleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    family: str | None = Field(None, description="A resource family; all when omitted",
                               json_schema_extra={"enum": [*LINKEDIN_LIMITS, None]})
    perDay: Positive | None = None
    perMinute: Positive | None = None
    enabled: StrictBool | None = None


class FaultChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    error_rate: Number = Field(0.0, ge=0, le=1)
    latency_ms: Integer = Field(0, ge=0, le=60_000)
    latency_jitter_ms: Integer = Field(0, ge=0, le=60_000)
    drop_rate: Number = Field(0.0, ge=0, le=1)
    ignore_deletes: StrictBool = Field(False, description="A LinkedIn bug: batch_delete "
                                                          "answers 204 but keeps the records")


class SeatAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    person: str = Field(pattern=r"^urn:li:person:[A-Za-z0-9_-]+$")
    emailAddress: str | None = Field(None, max_length=320)
    organization: str | None = Field(None, pattern=r"^urn:li:organization:\d{1,19}$",
                                     description="The company the contract belongs to "
                                                 "(default: urn:li:organization:<contract "
                                                 "number>)")


class SeatChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: StrictBool | None = None
    person: str | None = Field(None, pattern=r"^urn:li:person:[A-Za-z0-9_-]+$")
    emailAddress: str | None = Field(None, max_length=320)


class ClockAdvance(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: Number = Field(gt=0, le=400 * 86400)


class SettingsChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    jobTaskDelay: Number | None = Field(None, ge=0)
    tokenTtl: Positive | None = None
    autoEnable: StrictBool | None = None
    liveApiVersions: list[ApiVersion] | None = Field(None, max_length=100)
    """`LinkedIn-Version`s `/rest` serves."""
    sunsetApiVersions: list[ApiVersion] | None = Field(None, max_length=100)
    """`LinkedIn-Version`s `/rest` answers 426 (no longer served)."""


def _app_json(row: Any) -> dict[str, Any]:
    return {"key": row.urn, "clientId": row.client_id, "parent": row.parent_id is None,
            "uniqueForeignId": row.unique_foreign_id, "name": row.name,
            "validJsSdkDomains": row.js_domains,
            "oauth2AuthorizedCallbackUrls": row.callback_urls,
            "tokensMinted": row.tokens_minted, "canMintTokens": row.can_mint,
            "environment": row.environment}


router = APIRouter()


def build_control_app(sandbox: Sandbox, *, partner_client_id: str) -> FastAPI:
    control = FastAPI(title="recruitlink sandbox: control and inspection",
                      description="Drive the sandbox (Recruiter admin switches, throttles, "
                                  "faults, clock) and see what LinkedIn Recruiter would hold.",
                      docs_url="/docs", redoc_url=None)
    control.state.sandbox = sandbox  # the endpoints read it from their app's state
    control.state.partner_client_id = partner_client_id
    control.include_router(router)
    control.include_router(recruiter_router)
    install(control)
    return control


def app_row(request: Request, key: str) -> Any:
    store = sandbox_of(request).store
    with store.tx() as conn:
        row = conn.execute(select(apps).where(apps.c.urn == key)).first()
    if row is None:
        raise HTTPException(404, f"no application {key}")
    return row


@router.get("/", summary="What this sandbox is and where to look")
async def index(request: Request) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    clock = sandbox.clock
    partner_client_id = request.app.state.partner_client_id
    return {"sandbox": "recruitlink LinkedIn sandbox", "api": "/v2",
            "versionedApi": "/rest", "apiVersions": list(sandbox.config.live_api_versions),
            "token": "/oauth/v2/accessToken", "docs": "/sandbox/docs",
            "partnerClientId": partner_client_id, "nowMs": clock.now_ms()}


# -- applications and tokens --------------------------------------------------------------
@router.get("/apps", summary="Every application, with tokens minted")
async def list_apps(request: Request) -> list[dict[str, Any]]:
    store = sandbox_of(request).store
    with store.tx() as conn:
        return [_app_json(r) for r in conn.execute(select(apps).order_by(apps.c.id))]


@router.get("/apps/{key}", summary="One application", responses=documented(404))
async def get_app(request: Request, key: str) -> dict[str, Any]:
    return _app_json(app_row(request, key))


@router.patch("/apps/{key}", summary="Allow or refuse 2-legged tokens for an app; register "
                                    "it as production or development",
              responses=documented(404))
async def patch_app(request: Request, key: str, change: AppAccess) -> dict[str, Any]:
    store = sandbox_of(request).store
    row = app_row(request, key)
    values: dict[str, Any] = {}
    if change.canMintTokens is not None:
        values["can_mint"] = change.canMintTokens
    if change.environment is not None:
        values["environment"] = change.environment
    if values:
        with store.tx() as conn:
            conn.execute(update(apps).where(apps.c.id == row.id).values(**values))
    return _app_json(app_row(request, key))


@router.post("/apps/{key}/tokens/expire",
             summary="End the life of an app's tokens now (the clock is not moved)",
             responses=documented(404))
async def expire_tokens(request: Request, key: str) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    store, clock = sandbox.store, sandbox.clock
    row = app_row(request, key)
    with store.tx() as conn:
        expired = conn.execute(update(tokens).where(tokens.c.app_id == row.id).values(
            expires_at=clock.now_ms())).rowcount
    return {"expired": expired}


# -- integrations (the Recruiter admin's switches) -------------------------------------------
@router.get("/integrations", summary="Integration records and their status")
async def list_integrations(request: Request, context: str | None = None) -> list[dict[str, Any]]:
    store = sandbox_of(request).store
    with store.tx() as conn:
        query = select(integrations, apps.c.urn.label("app")).join(
            apps, apps.c.id == integrations.c.app_id)
        if context:
            query = query.where(integrations.c.context == context)
        return [{**key_of(r), "app": r.app, "integrationName": r.name, "status": r.status,
                 "lastModifiedAt": r.last_modified_at} for r in conn.execute(query)]


@router.post("/integrations/status",
             summary="Recruiter admin turns integrations on or off (sends the push)",
             responses=documented(404))
async def change_status(request: Request, change: StatusChange) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    try:
        changes = set_status(sandbox, context=change.integrationContext,
                             status=change.status, types=change.integrationTypes)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    return {"changes": changes}


@router.get("/pushes", summary="Push deliveries and their attempts")
async def list_pushes(request: Request, status: str | None = None, start: int = Page,
                      count: int = Count) -> dict[str, Any]:
    store = sandbox_of(request).store
    with store.tx() as conn:
        query = select(pushes).order_by(pushes.c.id)
        if status:
            query = query.where(pushes.c.status == status)
        rows = conn.execute(query.offset(start).limit(count)).all()
    return {"elements": [{"id": r.id, "url": r.url, "type": r.type,
                          "requestId": r.request_id, "status": r.status,
                          "attempts": r.attempts, "lastStatus": r.last_status,
                          "lastError": r.last_error, "createdAt": r.created_at,
                          "deliveredAt": r.delivered_at} for r in rows]}


# -- throttles, faults, clock, settings ------------------------------------------------
@router.get("/throttles", summary="Limits, and an app's usage when `app` is given",
            responses=documented(404))
async def get_throttles(request: Request, app: str | None = None) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    store, clock = sandbox.store, sandbox.clock
    out: dict[str, Any] = {"enabled": sandbox.throttles.enabled,
                           "limits": {f: {"perDay": lim.per_day, "perMinute": lim.per_minute}
                                      for f, lim in sandbox.throttles.limits.items()}}
    if app:
        row = app_row(request, app)
        with store.tx() as conn:
            out["usage"] = sandbox.throttles.usage(conn, row.id, clock.now_ms())
    return out


@router.put("/throttles", summary="Change limits (one family or all)")
async def put_throttles(request: Request, change: ThrottleChange) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    if change.family is not None and change.family not in sandbox.throttles.limits:
        raise invalid(("body", "family"), f"unknown family {change.family}")
    targets = ([sandbox.throttles.limits[change.family]] if change.family
               else list(sandbox.throttles.limits.values()))
    for limit in targets:
        if change.perDay is not None:
            limit.per_day = change.perDay
        if change.perMinute is not None:
            limit.per_minute = change.perMinute
    if change.enabled is not None:
        sandbox.throttles.enabled = change.enabled
    return await get_throttles(request)


@router.get("/faults", summary="Injected faults and how many were injected")
async def get_faults(request: Request) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    return sandbox.faults.snapshot()


@router.put("/faults/{endpoint}",
            summary="Inject faults on one endpoint (a /v2 resource name, which covers its "
                    "/rest form too, a /rest resource name, 'oauth' or '*')")
async def put_fault(request: Request, endpoint: str, change: FaultChange) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    try:
        sandbox.faults.set(endpoint, FaultSpec(**change.model_dump()))
    except ValueError as exc:
        raise invalid(("body",), str(exc)) from exc
    return sandbox.faults.snapshot()


@router.delete("/faults", summary="Stop injecting faults")
async def clear_faults(request: Request) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    sandbox.faults.clear()
    return sandbox.faults.snapshot()


@router.get("/clock", summary="The sandbox's time")
async def get_clock(request: Request) -> dict[str, Any]:
    clock = sandbox_of(request).clock
    return {"nowMs": clock.now_ms(), "offsetMs": clock.offset_ms}


@router.post("/clock/advance", summary="Move the sandbox's time forward")
async def advance_clock(request: Request, change: ClockAdvance) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    clock = sandbox.clock
    clock.advance(change.seconds)
    sandbox.pushes.notify()
    return await get_clock(request)


@router.put("/settings", summary="Change the job task delay, token TTL, auto-enable, or "
                                 "which API versions /rest serves")
async def put_settings(request: Request, change: SettingsChange) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    cfg = sandbox.config
    if change.jobTaskDelay is not None:
        cfg.job_task_delay = change.jobTaskDelay
    if change.tokenTtl is not None:
        cfg.token_ttl = change.tokenTtl
    if change.autoEnable is not None:
        cfg.auto_enable = change.autoEnable
    if change.liveApiVersions is not None:
        cfg.live_api_versions = tuple(change.liveApiVersions)
    if change.sunsetApiVersions is not None:
        cfg.sunset_api_versions = tuple(change.sunsetApiVersions)
    return {"jobTaskDelay": cfg.job_task_delay, "tokenTtl": cfg.token_ttl,
            "autoEnable": cfg.auto_enable, "liveApiVersions": list(cfg.live_api_versions),
            "sunsetApiVersions": list(cfg.sunset_api_versions)}


# -- Recruiter seats (the customer's Recruiter admin) -------------------------------------
@router.post("/contracts/{contract}/seats", summary="Add a seat held by a member",
             responses=documented(404))
async def post_seat(request: Request, contract: Contract, body: SeatAdd) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    try:
        return add_seat(sandbox, contract, body.person, body.emailAddress,
                        body.organization)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


@router.get("/seats", summary="Recruiter seats on every contract (a member's, with "
                              "`person`; only active ones, with `active=true`)")
async def list_seats(request: Request, person: str | None = None, active: bool | None = None,
                     start: int = Page, count: int = Count) -> dict[str, Any]:
    store = sandbox_of(request).store
    with store.tx() as conn:
        query = select(seats).order_by(seats.c.id)
        if person:
            query = query.where(seats.c.person == person)
        if active is not None:
            query = query.where(seats.c.active.is_(active))
        rows = conn.execute(query.offset(start).limit(count)).all()
    return {"elements": [seat_json(r) for r in rows]}


@router.patch("/seats/{seat_id}", summary="Remove (active=false), restore or reassign a seat",
              responses=documented(404))
async def patch_seat(request: Request, seat_id: Id, body: SeatChange) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    try:
        return change_seat(sandbox, seat_id, active=body.active, person=body.person,
                           email=body.emailAddress)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc


# -- the member directory ---------------------------------------------------------------------
@router.get("/members", summary="LinkedIn members (the synthetic directory)")
async def list_members(request: Request, name: str | None = None, start: int = Page,
                       count: int = Count) -> dict[str, Any]:
    store = sandbox_of(request).store
    with store.tx() as conn:
        query = select(members.c.body).order_by(members.c.urn)
        if name:
            # Names live in the JSON body; filtering here keeps the directory portable.
            wanted = name.lower()
            rows = [r.body for r in conn.execute(query)
                    if wanted in f"{r.body['firstName']} {r.body['lastName']}".lower()]
        else:
            rows = [r.body for r in conn.execute(query.offset(start).limit(count))]
            total = conn.execute(select(func.count()).select_from(members)).scalar()
            return {"elements": rows, "paging": {"start": start, "count": len(rows),
                                                 "total": total}}
    page = rows[start:start + count]
    return {"elements": page, "paging": {"start": start, "count": len(page),
                                         "total": len(rows)}}


@router.get("/members/{urn}", summary="One member", responses=documented(404))
async def get_member(request: Request, urn: str) -> dict[str, Any]:
    store = sandbox_of(request).store
    with store.tx() as conn:
        found = member_of(conn, urn)
    if found is None:
        raise HTTPException(404, f"no member {urn}")
    return found


# -- inspection: what Recruiter holds for an organization ---------------------------------
@router.get("/organizations/{org}/summary", summary="Counts of what an org has synced")
async def summary(request: Request, org: str) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    store, clock = sandbox.store, sandbox.clock
    now = clock.now_ms()
    job_counts = {"LISTED": 0, "CLOSED": 0, "processing": 0}
    with store.tx() as conn:
        by_resource = select(records.c.resource, func.count()).where(
            records.c.org == org).group_by(records.c.resource)
        counts: dict[str, int] = {r[0]: r[1] for r in conn.execute(by_resource)}
        for job in visible_jobs(conn, org, now):
            if job["state"] is not None:
                job_counts[job["state"]] += 1
            if job["processing"]:
                job_counts["processing"] += 1
    return {"organization": org, "records": counts, "jobs": job_counts}


@router.get("/organizations/{org}/jobs", summary="Job postings as Recruiter lists them")
async def list_jobs(request: Request, org: str, state: Literal["LISTED", "CLOSED"] | None = None,
                    start: int = Page, count: int = Count) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    store, clock = sandbox.store, sandbox.clock
    now = clock.now_ms()
    with store.tx() as conn:
        # Jobs whose first task is still running are listed with state null.
        shown = [job for job in visible_jobs(conn, org, now)
                 if state is None or job["state"] == state]
    elements = shown[start:start + count]
    return {"elements": elements, "paging": {"start": start, "count": len(elements),
                                             "total": len(shown)}}


@router.get("/organizations/{org}/records/{resource:path}",
            summary="Synced records of one resource (e.g. atsCandidates, "
                    "atsApplications/stages)")
async def list_records(request: Request, org: str, resource: str, parent: str | None = None,
                       start: int = Page, count: int = Count) -> dict[str, Any]:
    store = sandbox_of(request).store
    with store.tx() as conn:
        query = select(records).where(records.c.org == org, records.c.resource == resource)
        if parent is not None:
            query = query.where(records.c.parent == parent)
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar()
        rows = conn.execute(query.order_by(records.c.parent, records.c.key)
                            .offset(start).limit(count))
        elements = [{"key": r.key_fields, "record": r.body, "lastModifiedAt": r.updated_at}
                    for r in rows]
    return {"elements": elements, "paging": {"start": start, "count": len(elements),
                                             "total": total}}


class RecordRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: dict[str, str] | str = Field(description="The record's key as the listing shows it "
                                                  "(`key`), or a sub-resource's simple id")
    parent: dict[str, str] | None = Field(None, description="A sub-resource's parent key")


class RecordAlter(RecordRef):
    set: dict[str, Any] = Field(min_length=1, description="Top-level fields to replace in "
                                                          "the stored record (null removes "
                                                          "one)")


def _stored(conn: Any, org: str, resource: str, ref: RecordRef) -> Any:
    key = canonical(ref.key) if isinstance(ref.key, dict) else ref.key
    parent = canonical(ref.parent) if ref.parent is not None else ""
    row = conn.execute(select(records).where(
        records.c.org == org, records.c.resource == resource, records.c.parent == parent,
        records.c.key == key)).first()
    if row is None:
        raise HTTPException(404, f"no {resource} record {key} for {org}")
    return row


@router.patch("/organizations/{org}/records/{resource:path}",
              summary="Alter a synced record behind the integration's back (as a LinkedIn "
                      "bug or a Recruiter user might): its fields in `set` are replaced",
              responses=documented(404))
async def alter_record(request: Request, org: str, resource: str,
                       change: RecordAlter) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    with sandbox.store.tx() as conn:
        row = _stored(conn, org, resource, change)
        body = {**row.body, **change.set}
        body = {k: v for k, v in body.items() if v is not None}
        conn.execute(update(records).where(
            records.c.resource == row.resource, records.c.parent == row.parent,
            records.c.key == row.key).values(body=body, updated_at=sandbox.clock.now_ms()))
    return {"key": row.key_fields, "record": body}


@router.delete("/organizations/{org}/records/{resource:path}",
               summary="Delete a synced record behind the integration's back (its "
                       "sub-resources stay): the body names it like `PATCH` does",
               responses=documented(404))
async def remove_record(request: Request, org: str, resource: str,
                        ref: RecordRef) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    with sandbox.store.tx() as conn:
        row = _stored(conn, org, resource, ref)
        conn.execute(records.delete().where(
            records.c.resource == row.resource, records.c.parent == row.parent,
            records.c.key == row.key))
        if resource == "atsCandidates":
            unindex_candidate(conn, row.key)
    return {"deleted": row.key_fields}


@router.get("/organizations/{org}/candidates/{candidate_id}",
            summary="A candidate as the In-ATS indicator shows it: notes, applications "
                    "with stages, notes and feedback", responses=documented(404))
async def candidate_view(request: Request, org: str, candidate_id: str) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    store = sandbox.store
    key = canonical({"atsCandidateId": candidate_id, "dataProvider": "ATS",
                     "integrationContext": org})
    with store.tx() as conn:
        found = conn.execute(select(records).where(
            records.c.resource == "atsCandidates", records.c.parent == "",
            records.c.key == key)).first()
        if found is None:
            raise HTTPException(404, f"candidate {candidate_id} is not synced for {org}")
        view = indicator_view(conn, Customer(0, org, ""), {
            "key": found.key, "keyFields": found.key_fields, "record": found.body}, None)
    view["matchedMembers"] = sandbox.matches(found.body)
    return view

