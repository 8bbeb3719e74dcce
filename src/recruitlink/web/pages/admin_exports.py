"""LinkedIn's exports and pushes, seen by the people concerned (issue 15, point 5):

    GET  /t/{slug}/integrations/linkedin/exports                 every push: outcome, reason,
                                                                 filters, paging (admins)
    POST /t/{slug}/integrations/linkedin/exports/{id}/replay     queue a failed push again
    GET  /t/{slug}/linkedin-exports                              "My LinkedIn exports": the
                                                                 exports of the seats mapped
                                                                 to the signed-in user

LinkedIn answers an export push as soon as it is stored, and has no channel for our verdict
(core/assumed.EXPORT_OUTCOME_CHANNEL): the refusal and its reason are shown here.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from recruitlink.inbound import event_log
from recruitlink.store import inbound_inbox as inbox
from recruitlink.store import member_seats

from ..params import RowId, small_int
from .admin_setup import BASE, base_url, runtime_of, see_other
from .render import format_millis, render
from .security import (
    PageError,
    PageUser,
    admin,
    ask_company_admin,
    company_admin,
    page_user,
    require_csrf,
)
from .setup_flow import connection_kind
from .synclog_queries import latest_run, now_ms

EXPORTS = BASE + "/exports"
MINE = "/t/{slug}/linkedin-exports"

NOTICES = {"replayed": "The push was queued again; its new outcome appears below shortly."}


def mine_url(user: PageUser) -> str:
    return MINE.format(slug=user.tenant_slug)


def build_exports_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def listing(request: Request, user: PageUser, *, template: str, here: str,
                seat_user: int | None) -> Response:
        params = request.query_params
        types = event_log.TYPES if seat_user is None else event_log.MY_TYPES
        flt, errors = event_log.parse_filter(params, types)
        before, after = small_int(params.get("before")), small_int(params.get("after"))
        with runtime_of(request).store.reader() as conn:
            page = event_log.events(conn, user.tenant_id, flt, before=before, after=after,
                                    seat_user=seat_user)
            # The recruiter's own page says which Recruiter seat is theirs, or that none is
            # mapped to them yet (their InMails and notes then never come in).
            my_seats = ([] if seat_user is None
                        else member_seats.seats_of_user(conn, user.tenant_id, seat_user))
            any_seat = seat_user is not None and member_seats.has_seats(conn, user.tenant_id)
            run = latest_run(conn, user.tenant_id) if seat_user is not None else None
        ask_admin = (ask_company_admin(
            request, user, "to map your seat in Integrations → LinkedIn → Members")
            if any_seat and not my_seats else "")
        context: dict[str, Any] = {
            "title": "LinkedIn exports" if seat_user is None else "My LinkedIn exports",
            "user": user, "base": base_url(user), "here": here, "page": page,
            "filter": flt, "filter_query": flt.query(), "errors": errors,
            "types": types, "results": event_log.RESULTS,
            # A recruiter's own pushes are all exports: nothing to choose between.
            "push_filter": seat_user is None,
            "can_replay": seat_user is None and user.is_company_admin,
            "notice": NOTICES.get(params.get("done", "")), "millis": format_millis,
            "slug": user.tenant_slug, "my_seats": my_seats, "any_seat": any_seat,
            "ask_admin": ask_admin,
            # Exports work during the initial sync, but are better made once it is done.
            "initial_sync_running": run is not None and run.status == "running",
            # What LinkedIn Recruiter's button says for this workspace.
            "system": "CRM" if connection_kind(user.tenant_kind) == "CRM" else "ATS",
        }
        return render(request, template, context, status=400 if errors else 200)

    @router.get(EXPORTS)
    def exports(request: Request, user: PageUser = Depends(admin)) -> Response:
        return listing(request, user, template="admin_exports.html",
                       here=base_url(user) + "/exports", seat_user=None)

    @router.get(MINE)
    def my_exports(request: Request, user: PageUser = Depends(page_user)) -> Response:
        return listing(request, user, template="my_exports.html", here=mine_url(user),
                       seat_user=user.id)

    @router.post(EXPORTS + "/{event_id}/replay")
    def replay(request: Request, event_id: RowId, user: PageUser = Depends(company_admin),
               _: None = Depends(require_csrf)) -> Response:
        with runtime_of(request).store.db.write() as conn:
            replayed = inbox.replay_for(conn, user.tenant_id, event_id, now_ms())
        if replayed == "missing":
            raise PageError(404, "There is no such push.", user=user)
        if replayed == "not failed":
            raise PageError(409, "Only a failed push can be replayed; this one is not "
                                 "failed (it may have been replayed already).", user=user)
        worker = getattr(request.app.state, "inbound", None)
        if worker is not None:
            worker.notify()
        return see_other(base_url(user) + "/exports", done="replayed")

    return router
