"""What recruiters and members do on LinkedIn: One-Click Export, InMails and replies, stub
profiles, Recruiter notes, account closures. The control API and the Recruiter pages both
call these; the partner reads the results through the `/v2` finders (`prospects.py`).

Each action checks what LinkedIn would check and refuses with a `RecruiterError` carrying
an HTTP status and a sentence a recruiter can act on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.sqlite import insert

from recruitlink.core.limits import EXPORTS_PER_SEAT_PER_MONTH

from .. import pushes as push_outbox
from ..api import evaluations
from ..api.integrations import callback_urls
from ..state import Sandbox
from ..store import (
    closures,
    exports,
    mail_stubs,
    messages,
    prospect_notes,
    recruiter_settings,
    seats,
    threads,
)
from .customers import Customer, customers_of_contract, integration_status
from .directory import member as member_of
from .visibility import export_targets

Visibility = Literal["ORGANIZATION", "PROJECT", "PRIVATE"]
STUB_SETTING = "INMAIL_STUB_PROFILE"


class RecruiterError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Seat:
    id: int
    contract: str
    person: str
    email: str
    first_name: str
    last_name: str
    active: bool

    @property
    def urn(self) -> str:
        return f"urn:li:seat:{self.id}"


def seat(conn: Connection, seat_id: int, *, must_be_active: bool = True) -> Seat:
    row = conn.execute(select(seats).where(seats.c.id == seat_id)).first()
    if row is None:
        raise RecruiterError(404, f"no seat {seat_id}")
    found = Seat(row.id, row.contract, row.person, row.email, row.first_name, row.last_name,
                 row.active)
    if must_be_active and not found.active:
        raise RecruiterError(403, f"seat {seat_id} is no longer active on {found.contract}")
    return found


def live_member(conn: Connection, person: str) -> dict[str, Any]:
    found = member_of(conn, person)
    if found is None:
        raise RecruiterError(404, f"no member {person}")
    if is_closed(conn, person):
        raise RecruiterError(410, "this member closed their LinkedIn account")
    return found


def is_closed(conn: Connection, person: str) -> bool:
    return conn.execute(select(closures.c.person).where(closures.c.person == person)
                        ).first() is not None


def month_of(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m")


def exports_this_month(conn: Connection, seat_id: int, now: int) -> int:
    return int(conn.execute(select(func.count()).select_from(exports).where(
        exports.c.seat_id == seat_id, exports.c.month == month_of(now))).scalar() or 0)


# -- One-Click Export --------------------------------------------------------------------------

def export_customer(conn: Connection, holder: Seat) -> tuple[Customer, str]:
    """The customer this seat exports to, and its export integration type. Refuses when no
    organization of the contract has 1-Click Export ENABLED."""
    customers = customers_of_contract(conn, holder.contract)
    for customer in customers:
        for itype in ("ONE_CLICK_EXPORT", "CRM_ONE_CLICK_EXPORT"):
            if integration_status(conn, customer.app_id, customer.organization,
                                  itype) == "ENABLED":
                return customer, itype
    if not customers:
        raise RecruiterError(409, f"{holder.contract} has no ATS or CRM integration")
    raise RecruiterError(409, "1-Click Export is not enabled for this company: a Recruiter "
                              "admin must turn it on")


def export_refusal(profile: dict[str, Any]) -> str | None:
    """Why LinkedIn greys out Export for this member, or None (Beamery's seed: opted out of
    sharing with third parties, or a private profile)."""
    if profile.get("exportBlocked"):
        return "this member does not allow their profile to be exported"
    if profile.get("privateProfile"):
        return "this member's profile is private: LinkedIn does not share it with the ATS"
    return None


def export_member(sandbox: Sandbox, *, seat_id: int, person: str, job: str | None = None,
                  pipeline: str | None = None, note: str | None = None) -> dict[str, Any]:
    """A recruiter clicks "Export to ATS/CRM": checks, records the export, queues the signed
    EXPORT_CANDIDATE_PROFILE push. Returns the export as `exportedCandidates` shows it."""
    if job and pipeline:
        raise RecruiterError(422, "choose a job or a pipeline, not both")
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        holder = seat(conn, seat_id)
        profile = live_member(conn, person)
        customer, itype = export_customer(conn, holder)
        crm = itype == "CRM_ONE_CLICK_EXPORT"
        if crm and job:
            raise RecruiterError(422, "this is a CRM integration: export into a pipeline, "
                                      "not a job")
        if not crm and pipeline:
            raise RecruiterError(422, "this is an ATS integration: export into a job, "
                                      "not a pipeline")
        urls = callback_urls(conn, customer.app_id, customer.organization)
        if not urls:
            raise RecruiterError(409, "the ATS has no CALLBACK_URL configured, so it cannot "
                                      "receive exports")
        refusal = export_refusal(profile)
        if refusal is not None:
            raise RecruiterError(403, refusal)
        used = exports_this_month(conn, seat_id, now)
        if used >= EXPORTS_PER_SEAT_PER_MONTH:
            raise RecruiterError(429, f"monthly export limit reached: {used} of "
                                      f"{EXPORTS_PER_SEAT_PER_MONTH} exports used by this seat "
                                      f"in {month_of(now)}")
        target = job or pipeline
        if target is not None:
            kind_wanted = "PIPELINE" if crm else "JOB"
            allowed = {t["id"] for t in export_targets(conn, customer, holder.person, now)
                       if t["type"] == kind_wanted}
            if target not in allowed:
                kind = "pipeline" if crm else "job"
                raise RecruiterError(403, f"{kind} {target} is not one this seat may export "
                                          "into (not synced, closed, or restricted by ACLs)")
        request_id = str(uuid.uuid4())
        candidate = {k: profile.get(k) for k in (
            "firstName", "lastName", "headline", "currentJobTitle", "currentCompanyName",
            "location", "publicProfileUrl")}
        conn.execute(exports.insert().values(
            request_id=request_id, app_id=customer.app_id, org=customer.organization,
            contract=holder.contract, seat_id=holder.id, person=person, job=job,
            pipeline=pipeline, note=note, month=month_of(now), candidate=candidate,
            exported_at=now))
        if job is not None:  # Hiring Assistant evaluates the application in the job
            evaluations.create_for_export(conn, seed=sandbox.config.seed, request_id=request_id,
                                          app_id=customer.app_id, org=customer.organization,
                                          person=person, profile=profile, job=job, now=now)
        for url in urls:
            push_outbox.enqueue(conn, sandbox.clock, app_id=customer.app_id, url=url,
                                push_type="EXPORT_CANDIDATE_PROFILE", request_id=request_id,
                                integration_context=customer.organization)
        row = conn.execute(select(exports).where(exports.c.request_id == request_id)).one()
        element = export_json(conn, row)
    sandbox.pushes.notify()
    return element


def export_json(conn: Connection, row: Any) -> dict[str, Any]:
    """An `exportedCandidates` element (ARCHITECTURE.md, 'Where the docs are silent')."""
    holder = seat(conn, row.seat_id, must_be_active=False)
    out: dict[str, Any] = {
        "requestId": row.request_id, "integrationContext": row.org, "contract": row.contract,
        "exporter": {"seat": holder.urn, "person": holder.person,
                     "emailAddress": holder.email, "firstName": holder.first_name,
                     "lastName": holder.last_name},
        "person": row.person, "candidate": dict(row.candidate), "note": row.note,
        "exportedAt": row.exported_at}
    if row.job is not None:
        out["externalJobPostingId"] = row.job
    if row.pipeline is not None:
        out["externalPipelineId"] = row.pipeline
    return out


# -- InMail ----------------------------------------------------------------------------------

def send_inmail(sandbox: Sandbox, *, seat_id: int, person: str, subject: str, body: str,
                visibility: Visibility = "ORGANIZATION") -> dict[str, Any]:
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        holder = seat(conn, seat_id)
        live_member(conn, person)
        if person == holder.person:
            raise RecruiterError(422, "a recruiter cannot InMail themselves")
        thread_id = conn.execute(threads.insert().values(
            contract=holder.contract, seat_id=holder.id, person=person, subject=subject,
            visibility=visibility, created_at=now)).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(messages.insert().values(thread_id=thread_id, direction="OUTBOUND",
                                              body=body, occurred_at=now))
        return thread_json(conn, int(thread_id))


def reply(sandbox: Sandbox, *, thread_id: int, body: str,
          share_contact_info: bool = False) -> dict[str, Any]:
    """The member answers an InMail; sharing contact info creates a stub profile for the
    seat (unless the contract's admin turned InMail stub profiles off)."""
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        thread = conn.execute(select(threads).where(threads.c.id == thread_id)).first()
        if thread is None:
            raise RecruiterError(404, f"no InMail thread {thread_id}")
        profile = live_member(conn, thread.person)
        conn.execute(messages.insert().values(thread_id=thread_id, direction="INBOUND",
                                              body=body, occurred_at=now))
        if share_contact_info and setting(conn, thread.contract, STUB_SETTING) == "ON":
            emails, phones = profile.get("emailAddresses") or [], profile.get("phoneNumbers") or []
            conn.execute(mail_stubs.insert().values(
                contract=thread.contract, seat_id=thread.seat_id, person=thread.person,
                created_at=now, body={
                    "firstName": profile["firstName"], "lastName": profile["lastName"],
                    "emailAddress": emails[0] if emails else None,
                    "phoneNumber": phones[0] if phones else None,
                    "headline": profile.get("headline"),
                    "publicProfileUrl": profile.get("publicProfileUrl")}))
        return thread_json(conn, thread_id)


def thread_json(conn: Connection, thread_id: int) -> dict[str, Any]:
    thread = conn.execute(select(threads).where(threads.c.id == thread_id)).one()
    rows = conn.execute(select(messages).where(messages.c.thread_id == thread_id)
                        .order_by(messages.c.id)).all()
    return {"thread": thread_urn(thread_id), "id": thread_id,
            "seat": f"urn:li:seat:{thread.seat_id}", "person": thread.person,
            "subject": thread.subject, "visibility": thread.visibility,
            "messages": [{"id": m.id, "direction": m.direction, "body": m.body,
                          "occurredAt": m.occurred_at} for m in rows]}


def thread_urn(thread_id: int) -> str:
    return f"urn:li:messagingThread:{thread_id}"


# -- Recruiter notes ---------------------------------------------------------------------------

def write_note(sandbox: Sandbox, *, seat_id: int, person: str, note: str,
               visibility: Visibility = "ORGANIZATION") -> dict[str, Any]:
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        holder = seat(conn, seat_id)
        live_member(conn, person)
        note_id = conn.execute(prospect_notes.insert().values(
            contract=holder.contract, seat_id=holder.id, person=person, note=note,
            visibility=visibility, active=True, created_at=now,
            last_modified_at=now)).inserted_primary_key[0]  # type: ignore[index]
        return note_json(_note_row(conn, int(note_id)))


def edit_note(sandbox: Sandbox, note_id: int, *, note: str | None = None,
              visibility: Visibility | None = None) -> dict[str, Any]:
    with sandbox.store.tx() as conn:
        row = _note_row(conn, note_id)
        if not row.active:
            raise RecruiterError(410, f"note {note_id} was deleted")
        values: dict[str, Any] = {"last_modified_at": sandbox.clock.now_ms()}
        if note is not None:
            values["note"] = note
        if visibility is not None:
            values["visibility"] = visibility
        conn.execute(update(prospect_notes).where(prospect_notes.c.id == note_id)
                     .values(**values))
        return note_json(_note_row(conn, note_id))


def delete_note(sandbox: Sandbox, note_id: int) -> dict[str, Any]:
    """Deleting leaves a tombstone (`active: false`) so partners learn of it."""
    with sandbox.store.tx() as conn:
        row = _note_row(conn, note_id)
        if row.active:
            conn.execute(update(prospect_notes).where(prospect_notes.c.id == note_id)
                         .values(active=False, last_modified_at=sandbox.clock.now_ms()))
        return note_json(_note_row(conn, note_id))


def _note_row(conn: Connection, note_id: int) -> Any:
    row = conn.execute(select(prospect_notes).where(prospect_notes.c.id == note_id)).first()
    if row is None:
        raise RecruiterError(404, f"no note {note_id}")
    return row


def note_json(row: Any) -> dict[str, Any]:
    """A `prospectNotes` element."""
    return {"id": row.id, "owner": f"urn:li:seat:{row.seat_id}", "contract": row.contract,
            "person": row.person, "note": row.note, "active": bool(row.active),
            "visibility": row.visibility, "created": row.created_at,
            "lastModifiedAt": row.last_modified_at}


# -- members closing their account -------------------------------------------------------------

def close_account(sandbox: Sandbox, person: str) -> dict[str, Any]:
    now = sandbox.clock.now_ms()
    with sandbox.store.tx() as conn:
        if member_of(conn, person) is None:
            raise RecruiterError(404, f"no member {person}")
        conn.execute(insert(closures).values(person=person, closed_at=now)
                     .on_conflict_do_nothing())
        closed_at = conn.execute(select(closures.c.closed_at)
                                 .where(closures.c.person == person)).scalar_one()
    return {"person": person, "closedAt": closed_at}


# -- Recruiter admin settings that are not integrations --------------------------------------

SETTING_DEFAULTS = {STUB_SETTING: "ON"}


def setting(conn: Connection, context: str, name: str) -> str:
    value = conn.execute(select(recruiter_settings.c.value).where(
        recruiter_settings.c.context == context, recruiter_settings.c.name == name)).scalar()
    return str(value) if value is not None else SETTING_DEFAULTS[name]


def set_setting(sandbox: Sandbox, context: str, name: str, value: str) -> None:
    if name not in SETTING_DEFAULTS:
        raise RecruiterError(422, f"unknown setting {name}")
    if value not in ("ON", "OFF"):
        raise RecruiterError(422, f"{name} is ON or OFF")
    with sandbox.store.tx() as conn:
        conn.execute(insert(recruiter_settings).values(context=context, name=name, value=value)
                     .on_conflict_do_update(index_elements=["context", "name"],
                                            set_={"value": value}))

