"""`/sandbox/recruiter/...`: Recruiter actions through the control API, for tests and
scripts (the Recruiter pages call the same functions): export, InMail, reply, notes, account
closure, the export picker and the admin settings."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from recruitlink.core.limits import EXPORTS_PER_SEAT_PER_MONTH

from ..recruiter import actions as recruiter
from ..recruiter.actions import RecruiterError
from ..recruiter.customers import customers_of_contract
from ..recruiter.visibility import export_targets, matching
from ..state import sandbox_of
from ..store import exports
from .errors import documented, invalid
from .models import MAX_ID, Contract, Id, Integer, StrictBool

PERSON = r"^urn:li:person:[A-Za-z0-9_-]+$"
SettingName = Annotated[str, Path(pattern="^(" + "|".join(
    re.escape(name) for name in recruiter.SETTING_DEFAULTS) + ")$")]
ACTION_ERRORS = documented(403, 404, 409, 410, 429)
T = TypeVar("T")


class ExportRequest(BaseModel):
    # A job or a pipeline, not both: the schema says so too.
    model_config = ConfigDict(extra="forbid", json_schema_extra={"not": {
        "required": ["externalJobPostingId", "externalPipelineId"],
        "properties": {"externalJobPostingId": {"type": "string"},
                       "externalPipelineId": {"type": "string"}}}})
    seat: Integer = Field(ge=1, le=MAX_ID, description="The exporting seat's id")
    person: str = Field(pattern=PERSON)
    externalJobPostingId: str | None = Field(None, min_length=1, max_length=200)
    externalPipelineId: str | None = Field(None, min_length=1, max_length=200)
    note: str | None = Field(None, max_length=2000)


class InMailRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seat: Integer = Field(ge=1, le=MAX_ID)
    person: str = Field(pattern=PERSON)
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=8000)
    visibility: recruiter.Visibility = "ORGANIZATION"


class ReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=8000)
    shareContactInfo: StrictBool = False


class NoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seat: Integer = Field(ge=1, le=MAX_ID)
    person: str = Field(pattern=PERSON)
    note: str = Field(min_length=1, max_length=8000)
    visibility: recruiter.Visibility = "ORGANIZATION"


class NoteChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, min_length=1, max_length=8000)
    visibility: recruiter.Visibility | None = None


class SettingChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Literal["ON", "OFF"]


def _act(action: Callable[[], T]) -> T:
    try:
        return action()
    except RecruiterError as exc:
        if exc.status == 422:
            raise invalid(("body",), exc.message) from exc
        raise HTTPException(exc.status, exc.message) from exc


router = APIRouter(prefix="/recruiter", tags=["Recruiter actions"])


@router.get("/seats/{seat_id}/export-targets",
            summary="The 1-Click Export picker: jobs or pipelines this seat may choose",
            responses=ACTION_ERRORS)
async def targets(request: Request, seat_id: Id, q: Annotated[str, Query(
                  max_length=200,
                  description="Only those whose name, id or requisition code contains this")] = ""
                  ) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    def pick() -> dict[str, Any]:
        with sandbox.store.tx() as conn:
            holder = recruiter.seat(conn, seat_id)
            customer, itype = recruiter.export_customer(conn, holder)
            found = export_targets(conn, customer, holder.person,
                                   sandbox.clock.now_ms())
            kind = "PIPELINE" if itype == "CRM_ONE_CLICK_EXPORT" else "JOB"
            used = recruiter.exports_this_month(conn, seat_id, sandbox.clock.now_ms())
        return {"integrationContext": customer.organization, "integrationType": itype,
                "elements": matching([t for t in found if t["type"] == kind], q),
                "exportsThisMonth": used,
                "exportsLeft": max(0, EXPORTS_PER_SEAT_PER_MONTH - used)}
    return _act(pick)


@router.post("/exports", status_code=201,
             summary="A recruiter exports a member to the ATS/CRM (sends the push)",
             responses=ACTION_ERRORS)
async def export(request: Request, body: ExportRequest) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    return _act(lambda: recruiter.export_member(
        sandbox, seat_id=body.seat, person=body.person, job=body.externalJobPostingId,
        pipeline=body.externalPipelineId, note=body.note))


@router.get("/exports", summary="Exports made (inspection)")
async def list_exports(request: Request, seat: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
                       ) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    with sandbox.store.tx() as conn:
        query = select(exports).order_by(exports.c.exported_at, exports.c.request_id)
        if seat is not None:
            query = query.where(exports.c.seat_id == seat)
        return {"elements": [recruiter.export_json(conn, r) for r in conn.execute(query)]}


@router.post("/inmails", status_code=201, summary="A recruiter sends an InMail",
             responses=ACTION_ERRORS)
async def inmail(request: Request, body: InMailRequest) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    return _act(lambda: recruiter.send_inmail(
        sandbox, seat_id=body.seat, person=body.person, subject=body.subject,
        body=body.body, visibility=body.visibility))


@router.post("/threads/{thread_id}/replies", status_code=201,
             summary="The member replies, optionally sharing contact info (stub profile)",
             responses=ACTION_ERRORS)
async def reply(request: Request, thread_id: Id, body: ReplyRequest) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    return _act(lambda: recruiter.reply(sandbox, thread_id=thread_id, body=body.body,
                                        share_contact_info=body.shareContactInfo))


@router.post("/notes", status_code=201, summary="A recruiter writes a note on a profile",
             responses=ACTION_ERRORS)
async def write_note(request: Request, body: NoteRequest) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    return _act(lambda: recruiter.write_note(sandbox, seat_id=body.seat,
                                             person=body.person, note=body.note,
                                             visibility=body.visibility))


@router.patch("/notes/{note_id}", summary="Edit a note", responses=ACTION_ERRORS)
async def edit_note(request: Request, note_id: Id, body: NoteChange) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    return _act(lambda: recruiter.edit_note(sandbox, note_id, note=body.note,
                                            visibility=body.visibility))


@router.delete("/notes/{note_id}", summary="Delete a note (leaves an active=false tombstone)",
               responses=ACTION_ERRORS)
async def delete_note(request: Request, note_id: Id) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    return _act(lambda: recruiter.delete_note(sandbox, note_id))


@router.post("/members/{person}/close", summary="The member closes their LinkedIn account",
             responses=ACTION_ERRORS)
async def close(request: Request, person: str) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    return _act(lambda: recruiter.close_account(sandbox, person))


@router.get("/settings/{contract}", summary="A contract's Recruiter admin settings")
async def get_settings(request: Request, contract: Contract) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    with sandbox.store.tx() as conn:
        return {"contract": contract,
                "organizations": [c.organization
                                  for c in customers_of_contract(conn, contract)],
                "settings": {name: recruiter.setting(conn, contract, name)
                             for name in recruiter.SETTING_DEFAULTS}}


@router.put("/settings/{contract}/{name}", summary="Turn a contract setting ON or OFF",
            responses=ACTION_ERRORS)
async def put_setting(request: Request, contract: Contract, name: SettingName,
                      body: SettingChange) -> dict[str, Any]:
    sandbox = sandbox_of(request)
    _act(lambda: recruiter.set_setting(sandbox, contract, name, body.value))
    return await get_settings(request, contract)

