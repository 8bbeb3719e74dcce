"""LinkedIn Recruiter's pages, as the sandbox imitates them (server-rendered, no scripts
needed): sign in as a seat holder, search members, a member's profile with the In-ATS /
In-CRM indicator and its tab, "Export to ATS/CRM" with the job or pipeline picker, InMail and
notes; a member's inbox (reply, share contact info, close the account); and the Recruiter
admin settings. Every action calls the same functions as the control API."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection, func, or_, select
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from recruitlink.core.assumed import EXPORT_SENT_MESSAGE
from recruitlink.core.export_rules import named_target
from recruitlink.core.limits import EXPORTS_PER_SEAT_PER_MONTH

from ..api.integrations import callback_urls, set_status
from ..state import sandbox_of
from ..store import exports, integrations, members, prospect_notes, seats, threads
from . import actions as recruiter
from .actions import RecruiterError, Seat
from .customers import customers_of_contract
from .directory import member as member_of
from .indicator import member_indicator
from .session import active_seats, csrf_ok, csrf_token, sign_in, sign_out, signed_in_member
from .visibility import export_targets, matching

HERE = Path(__file__).parents[1]  # the sandbox package: its templates/ and static/
env = Environment(loader=FileSystemLoader(HERE / "templates"),
                  autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
SEARCH_LIMIT = 50


def _day(ms: int) -> str:
    """A LinkedIn time (epoch milliseconds) as the day it fell on, UTC."""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d")


env.filters["day"] = _day


def mount_pages(api: FastAPI) -> None:
    api.include_router(router)


def _render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(env.get_template(f"recruiter/{name}").render(**context),
                        status_code=status)


def _back(path: str, *, notice: str | None = None, error: str | None = None) -> Response:
    query = urlencode({k: v for k, v in (("notice", notice), ("error", error)) if v})
    return RedirectResponse(f"{path}?{query}" if query else path, status_code=303)


def _seat_for(conn: Connection, person: str, wanted: str | None) -> Seat | None:
    """The seat the member acts with: the one asked for, else their first active seat."""
    mine = active_seats(conn, person)
    if not mine:
        return None
    row = next((s for s in mine if str(s.id) == wanted), mine[0])
    return recruiter.seat(conn, row.id)


router = APIRouter(prefix="/recruiter", include_in_schema=False)


def context(request: Request, conn: Connection, **extra: Any) -> dict[str, Any]:
    person = signed_in_member(request)
    me = member_of(conn, person) if person else None
    seat = _seat_for(conn, person, request.query_params.get("seat")) if person else None
    return {"me": me, "person": person, "seat": seat,
            "seats": active_seats(conn, person) if person else [],
            "csrf": csrf_token(person) if person else "",
            "notice": request.query_params.get("notice"),
            "error": request.query_params.get("error"), **extra}


async def form_of(request: Request) -> tuple[str, dict[str, str]] | Response:
    """The signed-in member and the posted form, or a refusal."""
    person = signed_in_member(request)
    if person is None:
        return RedirectResponse("/recruiter/login", status_code=303)
    form = {k: str(v) for k, v in (await request.form()).items()}
    if not csrf_ok(person, form.get("csrf")):
        return HTMLResponse("This form has expired; go back and try again.",
                            status_code=403)
    return person, form


async def acting(request: Request,
                 person: str) -> tuple[Seat | None, dict[str, str], str] | Response:
    """For an action on a profile: the seat acting, the posted form and the profile's
    path, or a refusal."""
    store = sandbox_of(request).store
    got = await form_of(request)
    if isinstance(got, Response):
        return got
    me, form = got
    with store.tx() as conn:
        seat = _seat_for(conn, me, form.get("seat"))
    return seat, form, f"/recruiter/profile/{person}"


# The pages' icon (base.html links it): without one the browser asks for /favicon.ico, which
# the sandbox does not serve, and every page logs a 404 in the console.
ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        '<rect width="32" height="32" rx="5" fill="#0a66c2"/>'
        '<text x="16" y="23" font-family="Arial,sans-serif" font-size="18" font-weight="700" '
        'fill="#fff" text-anchor="middle">in</text></svg>')


@router.get("/icon.svg")
def icon() -> Response:
    return Response(ICON, media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})


# -- sign in ---------------------------------------------------------------------------------
@router.get("/login")
async def login_page(request: Request) -> Response:
    store = sandbox_of(request).store
    with store.tx() as conn:
        holders = conn.execute(select(seats).where(seats.c.active.is_(True))
                               .order_by(seats.c.contract, seats.c.id)).all()
        return _render("login.html", **context(request, conn, holders=holders,
                                               next=request.query_params.get("next", "")))


@router.post("/login")
async def login(request: Request) -> Response:
    store = sandbox_of(request).store
    form = await request.form()
    person = str(form.get("person") or "")
    nxt = str(form.get("next") or "")
    with store.tx() as conn:
        if not person or member_of(conn, person) is None:
            return _back("/recruiter/login", error=f"No member {person or '(empty)'}")
    # Only local paths: the sandbox never redirects a session elsewhere.
    target = nxt if nxt.startswith("/") and not nxt.startswith("//") else "/recruiter/"
    response = RedirectResponse(target, status_code=303)
    sign_in(response, person)
    return response


@router.post("/logout")
async def logout() -> Response:
    response = RedirectResponse("/recruiter/login", status_code=303)
    sign_out(response)
    return response


# -- search ----------------------------------------------------------------------------------
@router.get("/")
async def home(request: Request, q: str = "") -> Response:
    store = sandbox_of(request).store
    if signed_in_member(request) is None:
        return RedirectResponse("/recruiter/login", status_code=303)
    with store.tx() as conn:
        found = _search(conn, q) if q.strip() else []
        return _render("home.html", **context(request, conn, q=q, found=found))


# -- a member's profile ------------------------------------------------------------------------
@router.get("/profile/{person}")
async def profile(request: Request, person: str) -> Response:
    sandbox = sandbox_of(request)
    store, clock = sandbox.store, sandbox.clock
    me = signed_in_member(request)
    if me is None:
        return RedirectResponse(f"/recruiter/login?{urlencode({'next': request.url.path})}",
                                status_code=303)
    with store.tx() as conn:
        ctx = context(request, conn)
        shown = member_of(conn, person)
        if shown is None:
            return _render("missing.html", 404, **ctx, subject=person)
        ctx.update(member=shown, closed=recruiter.is_closed(conn, person))
        seat: Seat | None = ctx["seat"]
        if seat is None or ctx["closed"]:
            return _render("profile.html", **ctx, views=[], targets=None, threads=[],
                           notes=[], sent=[])
        ctx["views"] = member_indicator(conn, seat.contract, person, seat.person,
                                        clock.now_ms())
        ctx["targets"] = _targets(conn, seat, clock.now_ms(), shown,
                                  request.query_params.get("find", ""))
        ctx["sent"] = _sent(conn, seat, person, clock.now_ms())
        ctx["threads"] = _threads(conn, seat, person)
        ctx["notes"] = _notes(conn, seat, person)
        return _render("profile.html", **ctx)


@router.post("/profile/{person}/export")
async def export(request: Request, person: str) -> Response:
    sandbox = sandbox_of(request)
    store = sandbox.store
    got = await acting(request, person)
    if isinstance(got, Response):
        return got
    seat, form, here = got
    if seat is None:
        return _back(here, error="You need a Recruiter seat to export")
    target = form.get("target", "")
    kind, _, ident = target.partition(":")
    try:
        done = recruiter.export_member(
            sandbox, seat_id=seat.id, person=person,
            job=ident if kind == "JOB" and ident else None,
            pipeline=ident if kind == "PIPELINE" and ident else None,
            note=form.get("note") or None)
    except RecruiterError as exc:
        return _back(here, error=f"Export failed: {exc.message}")
    # LinkedIn learns nothing of the ATS's verdict: "sent", never "exported" (assumed.py).
    with store.tx() as conn:
        sent = EXPORT_SENT_MESSAGE.format(system=_system(conn, seat))
        into = _named(_titles(conn, seat, sandbox.clock.now_ms()),
                      done.get("externalJobPostingId"), done.get("externalPipelineId"))
    where = f" into {into}" if ident and into else ""
    return _back(here, notice=f"{sent}{where} (request {done['requestId']})")


@router.post("/profile/{person}/inmail")
async def inmail(request: Request, person: str) -> Response:
    sandbox = sandbox_of(request)
    got = await acting(request, person)
    if isinstance(got, Response):
        return got
    seat, form, here = got
    subject, body = form.get("subject", "").strip(), form.get("body", "").strip()
    if seat is None:
        return _back(here, error="You need a Recruiter seat to send InMails")
    if not subject or not body:
        return _back(here, error="InMail: subject and message are both required")
    try:
        recruiter.send_inmail(sandbox, seat_id=seat.id, person=person, subject=subject,
                              body=body, visibility=_visibility(form))
    except RecruiterError as exc:
        return _back(here, error=f"InMail not sent: {exc.message}")
    return _back(here, notice="InMail sent")


@router.post("/profile/{person}/notes")
async def add_note(request: Request, person: str) -> Response:
    sandbox = sandbox_of(request)
    got = await acting(request, person)
    if isinstance(got, Response):
        return got
    seat, form, here = got
    text = form.get("note", "").strip()
    if seat is None or not text:
        return _back(here, error="Note: write something first (and hold a seat)")
    try:
        recruiter.write_note(sandbox, seat_id=seat.id, person=person, note=text,
                             visibility=_visibility(form))
    except RecruiterError as exc:
        return _back(here, error=f"Note not saved: {exc.message}")
    return _back(here, notice="Note saved")


@router.post("/notes/{note_id}/{action}")
async def change_note(request: Request, note_id: int, action: str) -> Response:
    sandbox = sandbox_of(request)
    store = sandbox.store
    got = await form_of(request)
    if isinstance(got, Response):
        return got
    me, form = got
    with store.tx() as conn:
        row = conn.execute(select(prospect_notes).where(prospect_notes.c.id == note_id)
                           ).first()
        mine = {s.id for s in active_seats(conn, me)}
    if row is None or row.seat_id not in mine:
        return HTMLResponse("Only the note's author can change it.", status_code=403)
    here = f"/recruiter/profile/{row.person}"
    try:
        if action == "delete":
            recruiter.delete_note(sandbox, note_id)
            return _back(here, notice="Note deleted")
        if action == "edit" and form.get("note", "").strip():
            recruiter.edit_note(sandbox, note_id, note=form["note"].strip())
            return _back(here, notice="Note updated")
    except RecruiterError as exc:
        return _back(here, error=exc.message)
    return _back(here, error="Note: nothing to change")


# -- the member's side -----------------------------------------------------------------------
@router.get("/inbox")
async def inbox(request: Request) -> Response:
    store = sandbox_of(request).store
    me = signed_in_member(request)
    if me is None:
        return RedirectResponse("/recruiter/login?next=/recruiter/inbox", status_code=303)
    with store.tx() as conn:
        mine = [recruiter.thread_json(conn, r.id) for r in conn.execute(
            select(threads.c.id).where(threads.c.person == me).order_by(threads.c.id))]
        return _render("inbox.html", **context(request, conn, threads=mine,
                                               closed=recruiter.is_closed(conn, me)))


@router.post("/inbox/{thread_id}/reply")
async def reply(request: Request, thread_id: int) -> Response:
    sandbox = sandbox_of(request)
    store = sandbox.store
    got = await form_of(request)
    if isinstance(got, Response):
        return got
    me, form = got
    with store.tx() as conn:
        owner = conn.execute(select(threads.c.person).where(threads.c.id == thread_id)
                             ).scalar()
    if owner != me:
        return HTMLResponse("Not your conversation.", status_code=403)
    body = form.get("body", "").strip()
    if not body:
        return _back("/recruiter/inbox", error="Write a reply first")
    try:
        recruiter.reply(sandbox, thread_id=thread_id, body=body,
                        share_contact_info=form.get("share") == "on")
    except RecruiterError as exc:
        return _back("/recruiter/inbox", error=exc.message)
    return _back("/recruiter/inbox", notice="Reply sent")


@router.post("/account/close")
async def close_account(request: Request) -> Response:
    sandbox = sandbox_of(request)
    got = await form_of(request)
    if isinstance(got, Response):
        return got
    me, form = got
    if form.get("confirm") != "CLOSE":
        return _back("/recruiter/inbox", error="Type CLOSE to confirm")
    recruiter.close_account(sandbox, me)
    return _back("/recruiter/inbox", notice="Your LinkedIn account is closed")


# -- Recruiter admin -------------------------------------------------------------------------
@router.get("/admin")
async def admin(request: Request) -> Response:
    store = sandbox_of(request).store
    me = signed_in_member(request)
    # A partner's "Enable in LinkedIn" link names the contract (?contract=): it is shown
    # first, marked, after signing in if need be.
    focus = request.query_params.get("contract", "")
    here = "/recruiter/admin" + (f"?{urlencode({'contract': focus})}" if focus else "")
    if me is None:
        return RedirectResponse(f"/recruiter/login?{urlencode({'next': here})}",
                                status_code=303)
    with store.tx() as conn:
        ctx = context(request, conn)
        held = sorted({s.contract for s in ctx["seats"]}, key=lambda c: (c != focus, c))
        ctx["contracts"] = [_admin_view(conn, c) for c in held]
        ctx["focus"] = focus
        return _render("admin.html", **ctx)


@router.post("/admin/integration")
async def toggle_integration(request: Request) -> Response:
    sandbox = sandbox_of(request)
    store = sandbox.store
    got = await form_of(request)
    if isinstance(got, Response):
        return got
    me, form = got
    context_urn, itype = form.get("context", ""), form.get("type", "")
    status = form.get("status", "")
    with store.tx() as conn:
        allowed = _admin_contexts(conn, me)
    if context_urn not in allowed or status not in ("ENABLED", "DISABLED"):
        return HTMLResponse("You are not an admin of this company or contract.",
                            status_code=403)
    try:
        set_status(sandbox, context=context_urn, status=status,  # type: ignore[arg-type]
                   types=[itype])
    except LookupError as exc:
        return _back("/recruiter/admin", error=str(exc))
    return _back("/recruiter/admin", notice=f"{itype} is now {status} for {context_urn}")


@router.post("/admin/setting")
async def toggle_setting(request: Request) -> Response:
    sandbox = sandbox_of(request)
    store = sandbox.store
    got = await form_of(request)
    if isinstance(got, Response):
        return got
    me, form = got
    contract = form.get("contract", "")
    with store.tx() as conn:
        if contract not in {s.contract for s in active_seats(conn, me)}:
            return HTMLResponse("You are not an admin of this contract.", status_code=403)
    try:
        recruiter.set_setting(sandbox, contract, form.get("name", ""), form.get("value", ""))
    except RecruiterError as exc:
        return _back("/recruiter/admin", error=exc.message)
    return _back("/recruiter/admin", notice=f"{form.get('name')} is now {form.get('value')}")


# -- page data ---------------------------------------------------------------------------------

def _search(conn: Connection, q: str) -> list[dict[str, Any]]:
    """Members whose name or headline contains the words (case-insensitive)."""
    name = func.lower(func.json_extract(members.c.body, "$.firstName") + " "
                      + func.json_extract(members.c.body, "$.lastName"))
    headline = func.lower(func.json_extract(members.c.body, "$.headline"))
    query = select(members.c.body)
    for word in q.lower().split()[:5]:
        pattern = f"%{word}%"
        query = query.where(or_(name.like(pattern), headline.like(pattern),
                                members.c.urn == word))
    return [dict(r.body) for r in conn.execute(query.order_by(members.c.urn)
                                               .limit(SEARCH_LIMIT))]


def _targets(conn: Connection, seat: Seat, now: int, shown: dict[str, Any],
             find: str = "") -> dict[str, Any] | None:
    """The Export picker: the seat's jobs (ATS) or pipelines (CRM) matching `find`."""
    try:
        customer, itype = recruiter.export_customer(conn, seat)
    except RecruiterError as exc:
        return {"disabled": exc.message}
    kind = "PIPELINE" if itype == "CRM_ONE_CLICK_EXPORT" else "JOB"
    if not callback_urls(conn, customer.app_id, customer.organization):
        # Disconnected (or never set up): no export could reach it, so none is offered.
        system = "CRM" if kind == "PIPELINE" else "ATS"
        return {"disabled": f"your {system} is not connected to receive exports (it has no "
                            "callback URL configured): ask your admin"}
    used = recruiter.exports_this_month(conn, seat.id, now)
    left = max(0, EXPORTS_PER_SEAT_PER_MONTH - used)
    options = matching([t for t in export_targets(conn, customer, seat.person, now)
                        if t["type"] == kind], find)
    spent = None if left else (f"you have used all {EXPORTS_PER_SEAT_PER_MONTH} of this "
                               "month's exports; more on the 1st of next month")
    return {"kind": kind, "label": "CRM" if kind == "PIPELINE" else "ATS", "find": find,
            "options": options, "left": left,
            # As LinkedIn does: the button is there, greyed out, with the reason.
            "refused": recruiter.export_refusal(shown) or spent}


def _titles(conn: Connection, seat: Seat, now: int) -> dict[tuple[str, str], str]:
    """The titles of the jobs and pipelines the seat may export into, synced by the ATS."""
    try:
        customer, _ = recruiter.export_customer(conn, seat)
    except RecruiterError:
        return {}
    return {(t["type"], t["id"]): t["title"]
            for t in export_targets(conn, customer, seat.person, now) if t["title"] != t["id"]}


def _named(titles: dict[tuple[str, str], str], job: str | None,
           pipeline: str | None) -> str | None:
    """An export's job or pipeline as the product's pages name it (core.export_rules):
    "Lead UX Designer (job J0005)" by the title synced to LinkedIn, "job J0005" without one
    (a job closed since); None when exported into neither.
    ASSUMED: Recruiter names the job or project a member was exported into."""
    what, ident = ("job", job) if job else ("pipeline", pipeline) if pipeline else ("", None)
    if ident is None:
        return None
    return named_target(what, ident, titles.get((what.upper(), ident)))


def _system(conn: Connection, seat: Seat) -> str:
    """What the seat exports to: "CRM" or "ATS"."""
    try:
        _, itype = recruiter.export_customer(conn, seat)
    except RecruiterError:
        return "ATS"
    return "CRM" if itype == "CRM_ONE_CLICK_EXPORT" else "ATS"


def _sent(conn: Connection, seat: Seat, person: str, now: int) -> list[dict[str, Any]]:
    """This seat's exports of the member, as Recruiter shows them: sent, nothing more."""
    status = EXPORT_SENT_MESSAGE.format(system=_system(conn, seat))
    rows = conn.execute(select(exports).where(exports.c.seat_id == seat.id,
                                              exports.c.person == person)
                        .order_by(exports.c.exported_at.desc())).all()
    titles = _titles(conn, seat, now) if rows else {}
    return [{"request_id": r.request_id, "at": r.exported_at, "job": r.job,
             "pipeline": r.pipeline, "status": status,
             "target": _named(titles, r.job, r.pipeline)}
            for r in rows]


def _threads(conn: Connection, seat: Seat, person: str) -> list[dict[str, Any]]:
    ids = conn.execute(select(threads.c.id).where(threads.c.seat_id == seat.id,
                                                  threads.c.person == person)
                       .order_by(threads.c.id)).scalars().all()
    return [recruiter.thread_json(conn, i) for i in ids]


def _notes(conn: Connection, seat: Seat, person: str) -> list[dict[str, Any]]:
    """The contract's live notes on this member that this seat may read."""
    rows = conn.execute(select(prospect_notes).where(
        prospect_notes.c.contract == seat.contract, prospect_notes.c.person == person,
        prospect_notes.c.active.is_(True)).order_by(prospect_notes.c.id)).all()
    return [dict(recruiter.note_json(r), mine=r.seat_id == seat.id) for r in rows
            if r.visibility == "ORGANIZATION" or r.seat_id == seat.id]


def _visibility(form: dict[str, str]) -> recruiter.Visibility:
    value = form.get("visibility", "ORGANIZATION")
    return value if value in ("ORGANIZATION", "PROJECT", "PRIVATE") else "ORGANIZATION"  # type: ignore[return-value]


def _admin_contexts(conn: Connection, person: str) -> set[str]:
    contracts = {s.contract for s in active_seats(conn, person)}
    orgs = {c.organization for contract in contracts
            for c in customers_of_contract(conn, contract)}
    return contracts | orgs


def _admin_view(conn: Connection, contract: str) -> dict[str, Any]:
    companies = []
    for customer in customers_of_contract(conn, contract):
        rows = conn.execute(select(integrations.c.type, integrations.c.status).where(
            integrations.c.app_id == customer.app_id,
            integrations.c.context == customer.organization).order_by(integrations.c.type))
        companies.append({"organization": customer.organization,
                          "integrations": [dict(r._mapping) for r in rows]})
    contract_rows = conn.execute(select(integrations.c.type, integrations.c.status).where(
        integrations.c.context == contract).order_by(integrations.c.type)).all()
    return {"contract": contract, "companies": companies,
            "integrations": [dict(r._mapping) for r in contract_rows],
            "settings": {name: recruiter.setting(conn, contract, name)
                         for name in recruiter.SETTING_DEFAULTS}}
