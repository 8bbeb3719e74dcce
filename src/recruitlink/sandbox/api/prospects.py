"""The `/v2` finders that bring Recruiter activity back to the ATS: `exportedCandidates`
(1-Click Export), `conversationEvents` (InMail), `mailStubs` (contact info shared in a
reply), `prospectNotes` (with `active=false` tombstones) and `closedMemberProfiles`.

InMail, stub and note finders take windows of at most 12 hours (reference §5.5-5.7); they
share one daily budget ("prospectInteractions", see core.limits).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select
from starlette.responses import JSONResponse, Response

from recruitlink.core.assumed import finder_page

from ..errors import ApiError
from ..recruiter.actions import export_json, note_json, thread_urn
from ..recruiter.customers import customers_of_contract
from ..recruiter.links import candidates_for_member
from ..state import Sandbox
from ..store import closures, exports, mail_stubs, messages, prospect_notes, seats, threads
from .oauth import App
from .restli_http import RestliCall
from .seats import require_csa

WINDOW_MS = 12 * 3600 * 1000
RESOURCES = ("exportedCandidates", "conversationEvents", "mailStubs", "prospectNotes",
             "closedMemberProfiles")
FINDERS = {"exportedCandidates": "request", "conversationEvents": "criteria",
           "mailStubs": "contract", "prospectNotes": "criteria",
           "closedMemberProfiles": "contract"}


def handle(sandbox: Sandbox, app: App, call: RestliCall) -> Response:
    resource = call.segments[0]
    if app.is_parent:
        raise ApiError(403, f"Not enough permissions to access: {resource} needs the customer "
                            "(child) application's token")
    if call.method != "GET" or len(call.segments) != 1:
        raise ApiError(405, f"{resource} supports only its finder (GET ?q=...)")
    if call.param("q") != FINDERS[resource]:
        raise ApiError(400, f"{resource} needs q={FINDERS[resource]}")
    start, count = call.int_param("start", 0), call.int_param("count", 10)
    if count > 100:
        raise ApiError(400, "count may be at most 100")
    with sandbox.store.tx() as conn:
        elements, total = FIND[resource](conn, app, call, start, count)
    return JSONResponse(finder_page(elements, start=start, count=len(elements), total=total))


# -- parameters --------------------------------------------------------------------------------

def _required(call: RestliCall, name: str) -> str:
    value = call.param(name)
    if not value:
        raise ApiError(400, f"{name} is required")
    return value


def _epoch(call: RestliCall, name: str, *, required: bool = True) -> int | None:
    raw = call.param(name)
    if raw is None:
        if required:
            raise ApiError(400, f"{name} is required (epoch milliseconds)")
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 15:
        raise ApiError(400, f"{name} must be epoch milliseconds")
    return int(raw)


def _window(call: RestliCall, start_name: str, end_name: str) -> tuple[int, int]:
    start, end = _epoch(call, start_name), _epoch(call, end_name)
    assert start is not None and end is not None
    if end <= start:
        raise ApiError(400, f"{end_name} must be after {start_name}")
    if end - start > WINDOW_MS:
        raise ApiError(400, f"the window {start_name}..{end_name} may span at most 12 hours "
                            f"({WINDOW_MS} ms); this one spans {end - start} ms")
    return start, end


def _seat_id(urn: str, name: str) -> int:
    prefix = "urn:li:seat:"
    tail = urn[len(prefix):]
    if not urn.startswith(prefix) or not (tail.isascii() and tail.isdigit()) or len(tail) > 12:
        raise ApiError(400, f"{name} must be urn:li:seat:<id>")
    return int(tail)


def _contract(conn: Connection, app: App, call: RestliCall) -> str:
    contract = _required(call, "contract")
    if not contract.startswith("urn:li:contract:"):
        raise ApiError(400, "contract must be urn:li:contract:<id>")
    require_csa(conn, app, [contract])
    return contract


def _owners(conn: Connection, call: RestliCall, contract: str) -> list[int]:
    owners = call.params.get("owners") or []
    if not owners:
        raise ApiError(400, "owners is required (one or more urn:li:seat:<id>)")
    ids = [_seat_id(o, "owners") for o in owners]
    known = {r.id for r in conn.execute(select(seats.c.id).where(
        seats.c.id.in_(ids), seats.c.contract == contract))}
    unknown = [f"urn:li:seat:{i}" for i in ids if i not in known]
    if unknown:
        raise ApiError(400, f"owners not on {contract}: {', '.join(unknown)}")
    return ids


# -- finders -----------------------------------------------------------------------------------

Found = tuple[list[dict[str, Any]], int]


def _exported(conn: Connection, app: App, call: RestliCall, start: int, count: int) -> Found:
    request_id = _required(call, "requestId")
    row = conn.execute(select(exports).where(exports.c.request_id == request_id,
                                             exports.c.app_id == app.id)).first()
    if row is None:
        raise ApiError(404, f"no export with requestId {request_id[:64]} for this application")
    return [export_json(conn, row)][start:start + count], 1


def _conversations(conn: Connection, app: App, call: RestliCall, start: int,
                   count: int) -> Found:
    viewer = _seat_id(_required(call, "viewer"), "viewer")
    begin, end = _window(call, "timeRange.start", "timeRange.end")
    holder = conn.execute(select(seats).where(seats.c.id == viewer)).first()
    if holder is None:
        raise ApiError(404, f"no seat urn:li:seat:{viewer}")
    require_csa(conn, app, [holder.contract])
    query = (select(messages, threads.c.person, threads.c.subject, threads.c.visibility,
                    threads.c.seat_id)
             .join(threads, threads.c.id == messages.c.thread_id)
             .where(threads.c.seat_id == viewer, messages.c.occurred_at >= begin,
                    messages.c.occurred_at < end))
    thread = call.param("threadUrn")
    if thread is not None:
        if not thread.startswith("urn:li:messagingThread:"):
            raise ApiError(400, "threadUrn must be urn:li:messagingThread:<id>")
        query = query.where(threads.c.id == _digits(thread.rsplit(":", 1)[1], "threadUrn"))
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
    rows = conn.execute(query.order_by(messages.c.occurred_at, messages.c.id)
                        .offset(start).limit(count))
    return [_event_json(r, holder.person) for r in rows], int(total)


def _digits(raw: str, name: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise ApiError(400, f"{name} must end in a numeric id")
    return int(raw)


def _event_json(row: Any, seat_person: str) -> dict[str, Any]:
    """A `conversationEvents` element."""
    outbound = row.direction == "OUTBOUND"
    sender, recipient = (seat_person, row.person) if outbound else (row.person, seat_person)
    return {"id": str(row.id), "thread": thread_urn(row.thread_id),
            "seat": f"urn:li:seat:{row.seat_id}", "sender": sender, "recipients": [recipient],
            "subject": row.subject, "body": row.body, "occurredAt": row.occurred_at,
            "visibility": row.visibility, "direction": row.direction}


def _stubs(conn: Connection, app: App, call: RestliCall, start: int, count: int) -> Found:
    contract = _contract(conn, app, call)
    owners = _owners(conn, call, contract)
    begin, end = _window(call, "createdDateStart", "createdDateEnd")
    query = select(mail_stubs).where(mail_stubs.c.contract == contract,
                                     mail_stubs.c.seat_id.in_(owners),
                                     mail_stubs.c.created_at >= begin,
                                     mail_stubs.c.created_at < end)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
    rows = conn.execute(query.order_by(mail_stubs.c.created_at, mail_stubs.c.id)
                        .offset(start).limit(count))
    return [{"id": r.id, "owner": f"urn:li:seat:{r.seat_id}", "person": r.person,
             **r.body, "createdAt": r.created_at} for r in rows], int(total)


def _notes(conn: Connection, app: App, call: RestliCall, start: int, count: int) -> Found:
    contract = _contract(conn, app, call)
    owners = _owners(conn, call, contract)
    begin, end = _window(call, "cutoffDate", "beforeDate")
    query = select(prospect_notes).where(prospect_notes.c.contract == contract,
                                         prospect_notes.c.seat_id.in_(owners),
                                         prospect_notes.c.last_modified_at >= begin,
                                         prospect_notes.c.last_modified_at < end)
    total = conn.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
    rows = conn.execute(query.order_by(prospect_notes.c.last_modified_at,
                                       prospect_notes.c.id).offset(start).limit(count))
    return [note_json(r) for r in rows], int(total)


def _closed(conn: Connection, app: App, call: RestliCall, start: int, count: int) -> Found:
    """Members who closed their account and whom this customer knows: exported, messaged,
    noted or stubbed under the contract, or matched to one of its synced candidates."""
    contract = _contract(conn, app, call)
    since = _epoch(call, "since", required=False) or 0
    orgs = [c.organization for c in customers_of_contract(conn, contract)
            if c.app_id == app.id]
    known: list[dict[str, Any]] = []
    for row in conn.execute(select(closures).where(closures.c.closed_at >= since)
                            .order_by(closures.c.closed_at, closures.c.person)):
        if _touched(conn, contract, row.person) or candidates_for_member(conn, row.person, orgs):
            known.append({"person": row.person, "closedAt": row.closed_at})
    return known[start:start + count], len(known)


def _touched(conn: Connection, contract: str, person: str) -> bool:
    for table in (exports, threads, prospect_notes, mail_stubs):
        if conn.execute(select(table.c.person).where(table.c.contract == contract,
                                                     table.c.person == person)).first():
            return True
    return False


FIND = {"exportedCandidates": _exported, "conversationEvents": _conversations,
        "mailStubs": _stubs, "prospectNotes": _notes, "closedMemberProfiles": _closed}
