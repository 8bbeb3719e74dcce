"""Integrations -> LinkedIn -> Parity: does LinkedIn hold what it should (issue 19, part 1)?

    GET  /t/{slug}/integrations/linkedin/parity            the figure per entity, the drift
    POST /t/{slug}/integrations/linkedin/parity/check      run a parity round now
    POST /t/{slug}/integrations/linkedin/parity/reconcile  queue the drift for the sync

The rounds themselves run in the background every `parity_interval_seconds`
(sync/parity.py); the same operations as `recruitlink sync parity` and
`/api/v1/linkedin/parity`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from recruitlink.errors import ConfigurationError, RecruitlinkError, Stopped
from recruitlink.store import connections
from recruitlink.sync import parity

from .admin_setup import BASE, base_url, runtime_of, see_other
from .render import format_millis, render
from .security import PageError, PageUser, admin, company_admin, require_csrf
from .synclog_queries import now_ms

PARITY = BASE + "/parity"

KIND_LABELS = {"missing": "Missing on LinkedIn", "stale": "Older version on LinkedIn",
               "extra": "Still on LinkedIn (should have been deleted)"}
ENTITY_LABELS = {"candidates": "Candidates", "applications": "Applications",
                 "projects": "Projects", "interactions": "Interactions"}
UNREAD_LABELS = {"jobs": "jobs (LinkedIn offers no way to read job postings)",
                 "notes": "notes", "stage_transitions": "application stages",
                 "interview_feedback": "interview feedback", "files": "files",
                 "project_stages": "project stages", "project_memberships": "project members",
                 "job_acls": "job access lists", "users": "access list assignees"}

NOTICES = {
    "checked": "LinkedIn was read back just now; the figures below are up to date.",
    "busy": "Parity's share of LinkedIn's rate budget is used up for now (the sync keeps the "
            "rest): try again in a minute.",
}


def _connected(request: Request, user: PageUser) -> bool:
    with runtime_of(request).store.reader() as conn:
        row = connections.connection(conn, user.tenant_id)
    return row is not None and row.status == "ENABLED"


def build_parity_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(request: Request, user: PageUser, *, notice: str | None = None,
             error: str | None = None, status: int = 200) -> Response:
        runtime = runtime_of(request)
        state = parity.status(runtime.engine, user.tenant_id)
        interval = runtime.settings.parity_interval_seconds
        context: dict[str, Any] = {
            "title": "LinkedIn parity", "user": user, "base": base_url(user),
            "here": base_url(user) + "/parity", "state": state,
            "connected": _connected(request, user), "can_act": user.is_company_admin,
            "notice": notice, "error": error, "millis": format_millis,
            "kind_labels": KIND_LABELS, "entity_labels": ENTITY_LABELS,
            # Jobs first: the one a reader looks for.
            "not_readable": [UNREAD_LABELS.get(e, e) for e in sorted(
                state["notReadable"], key=lambda e: (e != "jobs", e))],
            "drifted": sum(e["missing"] + e["stale"] + e["extra"] for e in state["entities"]),
            "every": (f"every {round(interval / 60)} min" if interval >= 60 else
                      f"every {interval:g} s") if interval > 0 else "",
            "share": round(runtime.settings.parity_share * 100),
            "now": now_ms(),
        }
        return render(request, "admin_parity.html", context, status=status)

    @router.get(PARITY)
    def parity_page(request: Request, user: PageUser = Depends(admin),
                    done: str = "") -> Response:
        queued = request.query_params.get("queued")
        notice = NOTICES.get(done)
        if done == "reconciled" and queued is not None:
            notice = (f"{queued} record{'s' if queued != '1' else ''} queued for the sync: "
                      "missing and stale ones are sent again, extra ones deleted. Check "
                      "again once the sync has run.")
        return page(request, user, notice=notice)

    @router.post(PARITY + "/check")
    async def check(request: Request, user: PageUser = Depends(company_admin),
                    _: None = Depends(require_csrf)) -> Response:
        if not _connected(request, user):
            raise PageError(409, "Parity needs an active LinkedIn connection.", user=user)
        runtime = runtime_of(request)
        s = runtime.settings

        def work() -> None:
            deadline = now_ms() + int(s.parity_slice_seconds * 1000)
            parity.run_round(runtime.engine, user.tenant_id, share=s.parity_share,
                             max_records=s.parity_max_records,
                             should_stop=lambda: now_ms() > deadline)
        try:
            await run_in_threadpool(work)
        except Stopped:
            return see_other(base_url(user) + "/parity", done="busy")
        except ConfigurationError as exc:
            return page(request, user, status=409, error=exc.message)
        except RecruitlinkError as exc:
            return page(request, user, status=502,
                        error=f"LinkedIn could not be read back: {exc.message}")
        return see_other(base_url(user) + "/parity", done="checked")

    @router.post(PARITY + "/reconcile")
    async def reconcile(request: Request, user: PageUser = Depends(company_admin),
                        _: None = Depends(require_csrf)) -> Response:
        if not _connected(request, user):
            raise PageError(409, "Parity needs an active LinkedIn connection.", user=user)
        runtime = runtime_of(request)
        queued = await run_in_threadpool(parity.reconcile, runtime.engine, user.tenant_id)
        background = getattr(request.app.state, "background", None)
        if background is not None:
            background.notify()  # the sync sends the queued batch at its next step
        return see_other(base_url(user) + "/parity", done="reconciled",
                         queued=str(sum(queued.values())))

    return router
