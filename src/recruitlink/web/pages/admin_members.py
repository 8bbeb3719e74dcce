"""Integrations -> LinkedIn -> Members: Recruiter seat holders and the ATS users they map to
(seeds: PageUp "Members" with "Edit", SmartRecruiters "Connect users", Comeet).

    GET  /t/{slug}/integrations/linkedin/members             the seats (?edit=SEAT: its form)
    POST /t/{slug}/integrations/linkedin/members/refresh     pull the seats from LinkedIn
    POST /t/{slug}/integrations/linkedin/members/map         Save: seat -> ATS user
    POST /t/{slug}/integrations/linkedin/members/unmap       Unmap (stays unmapped)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from recruitlink.core.quotas import month_label
from recruitlink.errors import RecruitlinkError
from recruitlink.inbound.seats import SeatReport, map_seat, pull_seats, refresh_seats
from recruitlink.runtime.context import Runtime
from recruitlink.runtime.quotas import seat_exports
from recruitlink.store import connections, member_seats

from . import setup_flow
from .admin_setup import BASE, base_url, runtime_of, see_other
from .render import format_millis, render
from .security import PageUser, admin, company_admin, require_csrf
from .synclog_queries import now_ms

MEMBERS = BASE + "/members"
USER_CHOICES = 2000
"""Most ATS users offered in the Edit list (active ones, by name)."""

NOTICES = {"mapped": "The member has been mapped.",
           "nothing_ready": "Nothing was read from LinkedIn: it gives the seats of no contract "
                            "yet. Enable the integration in LinkedIn Recruiter (see above), "
                            "then refresh.",
           "unmapped": "The member has been unmapped; it stays unmapped until you map it."}


def seats(conn: Connection, tenant_id: int) -> list[dict[str, Any]]:
    """The tenant's seats with their mapped users: active first, then by name."""
    rows = member_seats.active_first(conn, tenant_id)
    out = []
    for r in rows:
        row = dict(r._mapping)
        row["name"] = " ".join(p for p in (r.first_name, r.last_name) if p) or "(no name)"
        row["status"] = r.mapping if r.user_id is not None else (
            "unmapped (by an admin)" if r.mapping == "manual" else "unmapped")
        row["mapped"] = r.user_id is not None
        row["changed_at"] = r.mapped_at if r.change in ("mapped by an admin",
                                                        "unmapped by an admin") else r.updated_at
        out.append(row)
    return out


def active_users(conn: Connection, tenant_id: int) -> list[tuple[str, str]]:
    return [(r.external_id, f"{r.name} <{r.email}>")
            for r in member_seats.mappable_users(conn, tenant_id, USER_CHOICES)]


def refresh(runtime: Runtime, tenant_id: int) -> SeatReport | None:
    """"Refresh from LinkedIn": pull every seat of the tenant's contracts LinkedIn has
    enabled (the others answer 403, and are shown waiting) and re-map; None when LinkedIn
    has enabled none of them yet (nothing was read)."""
    info = connections.load_required(runtime.store, tenant_id, runtime.box)
    client = runtime.engine.client_for(info)
    ready = [s.contract for s in info.contract_states() if s.may_sync]
    if not ready:
        return None
    pulled = pull_seats(client, ready)
    return refresh_seats(runtime.store, tenant_id, pulled, now_ms(), contracts=ready)


def waiting_contracts(runtime: Runtime, tenant_id: int) -> list[dict[str, Any]]:
    """The tenant's contracts whose seats LinkedIn does not give yet, with why and where to
    enable them."""
    with runtime.store.reader() as conn:
        info = connections.load(conn, tenant_id, runtime.box)
    if info is None or info.status in ("DISCONNECTING", "DISCONNECTED"):
        return []
    return [{"contract": s.contract, "status": s.status, "reason": s.reason,
             "action": s.action,
             "enable_url": setup_flow.recruiter_admin_url(runtime.settings, s.contract)}
            for s in info.contract_states() if not s.may_sync]


def not_read(runtime: Runtime, tenant_id: int,
             seat_contracts: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Why the pollers do not read the seats (InMails, notes) of a contract LinkedIn has
    not refused: (gone, held). `gone`: contracts the workspace is no longer connected to
    (their seats stay listed as they were: after a disconnect, and after connecting again
    without them);
    `held`: contracts paused, each or by the whole sync's pause."""
    with runtime.store.reader() as conn:
        info = connections.load(conn, tenant_id, runtime.box)
    if info is None or info.status in ("DISCONNECTING", "DISCONNECTED"):
        # The seats kept from before a disconnect: nothing of theirs is read any more.
        return {urn: "this workspace is not connected to LinkedIn (Setup connects it)"
                for urn in seat_contracts}, {}
    connected = {str(c["urn"]): bool(c.get("paused")) for c in info.contracts}
    gone = {urn: f"{urn} is not connected to this workspace (+ Add contract on Setup "
                 "connects it again)" for urn in seat_contracts if urn not in connected}
    held = {urn: "the sync is paused (Resume Sync on Setup)" if info.paused else
            "this contract is paused (Resume this contract on Setup)"
            for urn, paused in connected.items() if paused or info.paused}
    return gone, held


def build_members_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(request: Request, user: PageUser, *, edit: str | None = None,
             errors: dict[str, str] | None = None, chosen: str = "",
             notice: str | None = None, error: str | None = None,
             status: int = 200) -> Response:
        runtime = runtime_of(request)
        with runtime.store.reader() as conn:
            rows = seats(conn, user.tenant_id)
            state = connections.connection(conn, user.tenant_id)
            connected = state.status if state is not None else None
            choices = active_users(conn, user.tenant_id) if edit and user.is_company_admin \
                else []
        editing = next((r for r in rows if r["seat"] == edit), None)
        if editing is not None and not chosen:
            chosen = editing["user_external_id"] or ""
        waiting = waiting_contracts(runtime, user.tenant_id)
        waiting_reason = {w["contract"]: w["reason"] for w in waiting}
        gone, held = not_read(runtime, user.tenant_id, {r["contract"] for r in rows})
        for r in rows:
            r["waiting"] = waiting_reason.get(r["contract"]) or gone.get(r["contract"])
            r["held"] = held.get(r["contract"])
        unmapped_active = [r for r in rows if r["active"] and not r["mapped"]
                           and not r["waiting"]]
        at = now_ms()
        with runtime.store.reader() as conn:  # the exports quota only: no LinkedIn budgets here
            exported = seat_exports(conn, user.tenant_id, at)
        exports = {s.seat: s.exports for s in exported}
        for r in rows:
            r["exports"] = exports.get(r["seat"])
        context = {
            "title": "Members", "user": user, "base": base_url(user),
            "members": base_url(user) + "/members", "rows": rows, "editing": editing,
            "choices": [("", "Choose a user…"), *choices], "chosen": chosen,
            "errors": errors or {}, "unmapped_active": len(unmapped_active),
            "connected": connected not in (None, "DISCONNECTED"),
            "can_act": user.is_company_admin, "notice": notice, "error": error,
            "millis": format_millis, "waiting": waiting, "month": month_label(at),
            "export_warnings": [s for s in exported if s.exports.warning],
        }
        return render(request, "admin_members.html", context, status=status)

    @router.get(MEMBERS)
    def members(request: Request, user: PageUser = Depends(admin), edit: str = "",
                done: str = "") -> Response:
        notice = NOTICES.get(done)
        params = request.query_params
        if done == "refreshed":
            numbers = {k: params.get(k, "0") for k in ("seen", "added", "removed",
                                                         "unmapped")}
            if all(v.isdigit() for v in numbers.values()):
                seats = "seat" if numbers["seen"] == "1" else "seats"
                unmapped = "seat" if numbers["unmapped"] == "1" else "seats"
                notice = (f"Refreshed from LinkedIn: {numbers['seen']} {seats}, "
                          f"{numbers['added']} new, {numbers['removed']} removed; "
                          f"{numbers['unmapped']} active {unmapped} unmapped.")
        return page(request, user, edit=edit if user.is_company_admin else None,
                    notice=notice)

    @router.post(MEMBERS + "/refresh")
    async def refresh_members(request: Request, user: PageUser = Depends(company_admin),
                              _: None = Depends(require_csrf)) -> Response:
        runtime = runtime_of(request)
        try:
            report = await run_in_threadpool(refresh, runtime, user.tenant_id)
        except RecruitlinkError as exc:
            return page(request, user, status=502,
                        error=f"Could not refresh from LinkedIn: {exc.message}")
        if report is None:
            return see_other(base_url(user) + "/members", done="nothing_ready")
        return see_other(base_url(user) + "/members", done="refreshed",
                         seen=str(report.seen), added=str(report.added),
                         removed=str(report.removed), unmapped=str(report.unmapped))

    @router.post(MEMBERS + "/map")
    async def map_member(request: Request, user: PageUser = Depends(company_admin),
                         _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        seat = str(form.get("seat") or "")
        chosen = str(form.get("user") or "").strip()
        runtime = runtime_of(request)
        if not chosen:
            return page(request, user, edit=seat, status=400,
                        errors={"user": "Choose the recruitlink user to map this member to."})
        try:
            await run_in_threadpool(map_seat, runtime.store, user.tenant_id, seat, chosen,
                                    now_ms())
        except LookupError as exc:
            message = str(exc)
            field = "user" if message.startswith("user") else "seat"
            reason = ("That user does not exist or is deactivated: choose another."
                      if field == "user" else "That seat is not one of this workspace's.")
            return page(request, user, edit=seat, status=400, chosen=chosen,
                        errors={field: reason}, error=reason if field == "seat" else None)
        return see_other(base_url(user) + "/members", done="mapped")

    @router.post(MEMBERS + "/unmap")
    async def unmap_member(request: Request, user: PageUser = Depends(company_admin),
                           _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        seat = str(form.get("seat") or "")
        runtime = runtime_of(request)
        try:
            await run_in_threadpool(map_seat, runtime.store, user.tenant_id, seat, None,
                                    now_ms())
        except LookupError:
            return page(request, user, status=400,
                        error="That seat is not one of this workspace's.")
        return see_other(base_url(user) + "/members", done="unmapped")

    return router
