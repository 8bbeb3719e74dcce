"""Compliance in the pages (issue 19, part 4):

    GET  /t/{slug}/integrations/linkedin/compliance        the Compliance tab: the task list
    POST /t/{slug}/integrations/linkedin/compliance/run    the scheduler's round, now
    POST /t/{slug}/candidates/{id}/erase                   erase both ways (the candidate page)
    GET  /t/{slug}/candidates/{id}/erasure                 the erasure's certificate
    GET  /t/{slug}/candidates/{id}/erasure.json            the same, to download
    POST /t/{slug}/candidates/{id}/erasure/verify          read LinkedIn back now
    GET  /t/{slug}/candidates/{id}/audit                   the record's journey

The same operations as `/api/v1/linkedin/compliance`, `/api/v1/candidates/{id}/erase|
erasure|audit` and `recruitlink compliance|candidates`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from recruitlink.core.policy import Policy
from recruitlink.errors import ConfigurationError, RecruitlinkError
from recruitlink.runtime import compliance
from recruitlink.runtime.audit import candidate_audit
from recruitlink.store import connections

from .admin_setup import BASE, base_url, runtime_of, see_other
from .render import format_millis, render
from .security import PageError, PageUser, admin, company_admin, page_user, require_csrf
from .synclog_queries import now_ms

COMPLIANCE = BASE + "/compliance"
CANDIDATE = "/t/{slug}/candidates/{external_id}"
KIND_LABELS = {"closure": "Member closed their LinkedIn account",
               "erasure": "Candidate erased", "retention": "Imported InMails and notes"}
STATES = ("due", "overdue", "done")
DIRECTION_LABELS = {"sent": "Sent to LinkedIn", "received": "Received from LinkedIn",
                    "event": "Change feed", "compliance": "Compliance"}


def _candidate_url(user: PageUser, external_id: str) -> str:
    return f"/t/{user.tenant_slug}/candidates/{quote(external_id, safe='')}"


def build_compliance_pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(COMPLIANCE)
    def tab(request: Request, user: PageUser = Depends(admin), state: str = "",
            ran: str = "") -> Response:
        if state and state not in STATES:
            raise PageError(400, "state: must be due, overdue or done.", user=user)
        runtime = runtime_of(request)
        now = now_ms()
        with runtime.store.reader() as conn:
            row = connections.connection(conn, user.tenant_id)
        policy = Policy.from_json(row.policy if row is not None else None)
        duties = compliance.task_list(runtime.store, user.tenant_id, now, state=state or None)
        counts = {s: sum(1 for d in duties if d["state"] == s) for s in STATES}
        return render(request, "admin_compliance.html", {
            "title": "LinkedIn compliance", "user": user, "base": base_url(user),
            "here": base_url(user) + "/compliance", "duties": duties, "state": state,
            "counts": counts, "policy": policy, "connected": row is not None,
            "kind_labels": KIND_LABELS, "millis": format_millis, "slug": user.tenant_slug,
            "can_act": user.is_company_admin,
            "every": runtime.settings.compliance_interval_seconds,
            "notice": f"Done just now: {ran}." if ran else None})

    @router.post(COMPLIANCE + "/run")
    async def run(request: Request, user: PageUser = Depends(company_admin),
                  _: None = Depends(require_csrf)) -> Response:
        scheduler = compliance.for_runtime(runtime_of(request))
        try:
            report = await run_in_threadpool(scheduler.run_tenant, user.tenant_id, None,
                                             "page")
        except ConfigurationError as exc:
            raise PageError(409, exc.message, user=user) from exc
        except RecruitlinkError as exc:
            raise PageError(502, f"LinkedIn could not be read back: {exc.message}",
                            user=user) from exc
        summary = ", ".join(f"{k} {v}" for k, v in report.acted.items()) or "nothing was due"
        return see_other(base_url(user) + "/compliance", ran=summary)

    @router.post(CANDIDATE + "/erase")
    async def erase(request: Request, external_id: str, user: PageUser = Depends(admin),
                    _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        if form.get("confirm") != "yes":
            raise PageError(400, "confirm: tick the box to confirm the erasure (it cannot be "
                                 "undone).", user=user)
        scheduler = compliance.for_runtime(runtime_of(request))
        try:
            await run_in_threadpool(lambda: scheduler.erase(user.tenant_id, external_id,
                                                            process="page"))
        except LookupError as exc:
            raise PageError(404, "There is no such candidate.", user=user) from exc
        background = getattr(request.app.state, "background", None)
        if background is not None:
            background.notify()  # the sync deletes it on LinkedIn at its next step
        return see_other(_candidate_url(user, external_id) + "/erasure", erased="1")

    def _certificate(request: Request, user: PageUser, external_id: str) -> dict[str, Any]:
        try:
            return compliance.for_runtime(runtime_of(request)).certificate(user.tenant_id,
                                                                           external_id)
        except LookupError as exc:
            raise PageError(404, "This candidate has not been erased.", user=user) from exc

    @router.get(CANDIDATE + "/erasure")
    def certificate(request: Request, external_id: str, user: PageUser = Depends(admin),
                    erased: str = "", verified: str = "") -> Response:
        cert = _certificate(request, user, external_id)
        notice = ("Erased. The sync deletes it on LinkedIn; the erasure is verified by reading "
                  "LinkedIn back." if erased else
                  "LinkedIn was read back just now." if verified else None)
        return render(request, "candidate_erasure.html", {
            "title": f"Erasure of {external_id}", "user": user, "cert": cert,
            "body": cert["certificate"], "external_id": external_id, "notice": notice,
            "here": _candidate_url(user, external_id), "millis": format_millis,
            "can_act": user.is_company_admin,
            "audit": _candidate_url(user, external_id) + "/audit"})

    @router.get(CANDIDATE + "/erasure.json")
    def certificate_json(request: Request, external_id: str,
                         user: PageUser = Depends(admin)) -> Response:
        cert = _certificate(request, user, external_id)
        return Response(json.dumps(cert, indent=2), media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="erasure-{quote(external_id)}.json"'})

    @router.post(CANDIDATE + "/erasure/verify")
    async def verify(request: Request, external_id: str,
                     user: PageUser = Depends(company_admin),
                     _: None = Depends(require_csrf)) -> Response:
        scheduler = compliance.for_runtime(runtime_of(request))
        try:
            await run_in_threadpool(scheduler.verify_now, user.tenant_id, external_id, "page")
        except LookupError as exc:
            raise PageError(404, "This candidate has not been erased.", user=user) from exc
        except ConfigurationError as exc:
            raise PageError(409, exc.message, user=user) from exc
        except RecruitlinkError as exc:
            raise PageError(502, f"LinkedIn could not be read back: {exc.message}",
                            user=user) from exc
        return see_other(_candidate_url(user, external_id) + "/erasure", verified="1")

    @router.get(CANDIDATE + "/audit")
    def audit(request: Request, external_id: str,
              user: PageUser = Depends(page_user)) -> Response:
        found = candidate_audit(runtime_of(request).store, user.tenant_id, external_id,
                                now=now_ms())
        if found is None:
            raise PageError(404, "There is no such candidate.", user=user)
        return render(request, "candidate_audit.html", {
            "title": f"Audit trail of {external_id}", "user": user, "audit": found,
            "external_id": external_id, "here": _candidate_url(user, external_id),
            "millis": format_millis, "labels": DIRECTION_LABELS,
            "can_see_erasure": user.is_admin})

    return router
