"""The sandbox's embeddable widgets and the JS SDK that loads them, imitating LinkedIn's
(reference §1.3 onboarding widget, §6.1 profile plugin).

- `GET /sdk.js`: the loader a host page includes (LinkedIn's `in.js`), configured with the
  child app's client id and the extensions `ATSIntegrationWidget` and `HcmWidget`. It turns
  `.li-ats-integration-widget` and `.li-profile-widget` elements into iframes of the pages
  below, and calls the host's named callbacks with what the iframes post back.
- `GET /widgets/init`: the SDK's start-up check (CORS); refused, the SDK logs "Error trying to
  initialize the widget!" as LinkedIn's does.
- `/widgets/onboarding`: the admin approves one customer (contract + organization) and the
  integration types; the host's `data-onintegrate` callback receives the contexts.
- `/widgets/profile`: the synced candidate's matched member(s); Link and Unlink call the
  host's `data-onlink` / `data-onunlink` with the person URN.

Every widget page answers only for an origin in the child app's `validJsSdkDomains`
(`access.py`). The pages work without JavaScript (plain forms); only the callbacks into
the host page need it. Mount with `mount_widgets(api, sandbox)`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..recruiter.customers import contracts_of_org
from ..recruiter.directory import member
from ..recruiter.session import csrf_ok, csrf_token, sign_in, sign_out, signed_in_member
from ..state import Sandbox, sandbox_of
from . import onboarding as onboarding
from . import people as people
from . import profile as profile
from .access import (
    REFUSED_HEADERS,
    Refused,
    WidgetApp,
    authorize,
    new_nonce,
    normalize_origin,
    page_headers,
)

log = logging.getLogger("recruitlink.sandbox.widgets")

HERE = Path(__file__).parents[1]  # the sandbox package: its templates/ and static/
INIT_ERROR = "Error trying to initialize the widget!"
STALE = "This form has expired: try again."
_WIDGET_ID = re.compile(r"[A-Za-z0-9_-]{1,40}", re.ASCII)
_COMMON = ("api_key", "origin", "wid")
KEPT_PARAMS: dict[str, tuple[str, ...]] = {
    "onboarding": (*_COMMON, "types"),
    "profile": (*_COMMON, "widget_type", "candidate", "context", "show_unlink",
                "confirm_unlink"),
}
"""The query parameters that identify a widget instance, carried through its forms."""

templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                        autoescape=select_autoescape(["html"]), trim_blocks=True,
                        lstrip_blocks=True)


def mount_widgets(api: FastAPI, sandbox: Sandbox) -> None:
    """Serve `/sdk.js` and `/widgets/...` from the sandbox app (once, however often called).
    The widgets serve `sandbox`, kept as the app's `state.sandbox` (where the endpoints read
    it); an app that holds another one is refused."""
    if getattr(api.state, "widgets_mounted", False):
        return
    held = getattr(api.state, "sandbox", None)
    if held is not None and held is not sandbox:
        raise ValueError("the widgets serve the app's own sandbox (app.state.sandbox)")
    api.state.sandbox = sandbox
    api.state.widgets_mounted = True
    api.include_router(router)


def _text(value: Any) -> str | None:
    """A form field's text (an uploaded file is no text)."""
    return value if isinstance(value, str) else None


def _flag(value: str | None) -> bool:
    return value is not None and value.strip().lower() not in ("", "0", "false", "no", "off")


class Widgets:
    """The widget pages: each request checked (`authorize`), then rendered from templates."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.store = sandbox.store

    # -- plumbing --------------------------------------------------------------------------
    def params(self, request: Request, kind: str) -> list[tuple[str, str]]:
        query = request.query_params
        kept = [(name, query[name][:500]) for name in KEPT_PARAMS[kind] if query.get(name)]
        return [(n, v) for n, v in kept if n != "wid" or _WIDGET_ID.fullmatch(v)]

    def guarded(self, request: Request,
                render: Callable[[Connection, WidgetApp], Response]) -> Response:
        query = request.query_params
        try:
            with self.store.tx() as conn:
                app = authorize(conn, request, query.get("api_key"), query.get("origin"))
                return render(conn, app)
        except Refused as exc:
            log.info("widget refused on %s: %s", request.url.path, exc.reason)
            html = templates.get_template("widgets/refused.html").render(state="refused")
            return HTMLResponse(html, status_code=403, headers=REFUSED_HEADERS)

    def page(self, request: Request, app: WidgetApp, kind: str, template: str, *,
             status: int = 200, message: Mapping[str, Any] | None = None,
             viewer: str | None = None, conn: Connection | None = None,
             **context: Any) -> HTMLResponse:
        nonce = new_nonce()
        params = self.params(request, kind)
        wid = dict(params).get("wid", "")
        viewer_body = member(conn, viewer) if conn is not None and viewer else None
        html = templates.get_template(template).render(
            base=request.scope.get("root_path", ""), kind=kind, app=app, params=params,
            query=urlencode(params), nonce=nonce,
            viewer=({"name": f"{viewer_body['firstName']} {viewer_body['lastName']}"}
                    if viewer_body else None),
            csrf=csrf_token(viewer) if viewer else "",
            config={"origin": app.origin, "wid": wid, "message": message}, **context)
        return HTMLResponse(html, status_code=status, headers=page_headers(app, nonce))

    def back_to(self, request: Request, kind: str) -> RedirectResponse:
        url = f"{request.scope.get('root_path', '')}/widgets/{kind}"
        params = self.params(request, kind)
        return RedirectResponse(f"{url}?{urlencode(params)}" if params else url,
                                status_code=303)

    def signin_page(self, request: Request, conn: Connection, app: WidgetApp, kind: str,
                    template: str, *, prefer: list[str], reason: str, viewer: str | None,
                    error: str | None = None, status: int = 200,
                    **context: Any) -> HTMLResponse:
        return self.page(request, app, kind, template, status=status, conn=conn,
                         viewer=viewer, state="signin", signin_reason=reason, error=error,
                         holders=people.seat_holders(conn, prefer), **context)

    # -- onboarding ------------------------------------------------------------------------
    def onboarding(self, request: Request, conn: Connection, app: WidgetApp, *,
                   form: FormData | None = None, error: str | None = None,
                   status: int = 200) -> HTMLResponse:
        person = signed_in_member(request)
        if person is None:
            contracts = onboarding.app_contracts(conn, app.id)
            return self.signin_page(
                request, conn, app, "onboarding", "widgets/onboarding.html", prefer=contracts,
                viewer=None, error=error, status=status,
                reason="Sign in as your company's LinkedIn Recruiter admin to approve the "
                       "integrations.")
        types, unknown = onboarding.offered_types(request.query_params.get("types"))
        options = onboarding.customer_options(conn, app.id, person)
        chosen = (_text(form.get("customer")) if form is not None else None) or next(
            (o.value for o in options if o.can_act), "")
        checked = set(form.getlist("type")) if form is not None else set(types)
        typed_value = (_text(form.get("organization")) if form is not None else None) or ""
        return self.page(
            request, app, "onboarding", "widgets/onboarding.html", status=status, conn=conn,
            viewer=person, state="choose", options=options, chosen=chosen,
            typed=any(o.organization is None for o in options),
            typed_value=typed_value, types=types, unknown=unknown,
            checked=checked, labels=onboarding.LABELS, error=error,
            organizations=onboarding.app_organizations(conn, app.id),
            foreign=onboarding.foreign_contracts(conn, app.id, person))

    def approve(self, request: Request, conn: Connection, app: WidgetApp,
                form: FormData) -> HTMLResponse:
        person = signed_in_member(request)
        if person is None:
            return self.onboarding(request, conn, app, error="Sign in first.", status=401)
        if not csrf_ok(person, _text(form.get("csrf"))):
            return self.onboarding(request, conn, app, error=STALE, status=403)
        types, _ = onboarding.offered_types(request.query_params.get("types"))
        options = onboarding.customer_options(conn, app.id, person)
        choice = onboarding.choose(options, _text(form.get("customer")),
                                   _text(form.get("organization")))
        approved = [t for t in types if t in set(form.getlist("type"))]
        if isinstance(choice, str) or not approved:
            error = choice if isinstance(choice, str) else "Choose at least one integration."
            return self.onboarding(request, conn, app, form=form, error=error, status=400)
        organization, contract = choice
        payload = onboarding.integrations_payload(organization, contract, approved)
        log.info("onboarding approved by %s for app %s: %s", person, app.client_id, payload)
        return self.page(request, app, "onboarding", "widgets/onboarding_done.html",
                         conn=conn, viewer=person, state="approved",
                         message={"event": "integrate", "data": payload}, payload=payload,
                         organization=organization, contract=contract,
                         labels=onboarding.LABELS)

    # -- profile plugin --------------------------------------------------------------------
    def profile_target(self, request: Request) -> tuple[str, str] | str:
        query = request.query_params
        context, candidate = query.get("context", ""), query.get("candidate", "")
        if query.get("widget_type", "ATS").upper() not in ("ATS", "CRM"):
            return "data-widget-type must be ATS."
        if not profile.ORG_URN.fullmatch(context):
            return "data-integration-context must be an urn:li:organization:<number> URN."
        if not profile.CANDIDATE_ID.fullmatch(candidate):
            return "data-ats-candidate-id is missing."
        return context, candidate

    def profile(self, request: Request, conn: Connection, app: WidgetApp, *,
                error: str | None = None, status: int = 200) -> HTMLResponse:
        target = self.profile_target(request)
        if isinstance(target, str):
            return self.page(request, app, "profile", "widgets/error.html", status=400,
                             state="error", error=target)
        context, candidate_id = target
        common: dict[str, Any] = {"context": context, "candidate_id": candidate_id}
        if not profile.plugin_enabled(conn, app.id, context):
            return self.page(request, app, "profile", "widgets/profile.html", state="disabled",
                             **common)
        person = signed_in_member(request)
        if not profile.viewer_can_see(conn, person, context):
            reason = ("Sign in with your LinkedIn Recruiter account to see this candidate's "
                      "LinkedIn profile." if person is None else
                      "You hold no Recruiter seat on this company's contract: sign in as a "
                      "recruiter of the company.")
            return self.signin_page(request, conn, app, "profile", "widgets/profile.html",
                                    prefer=contracts_of_org(conn, context), viewer=person,
                                    reason=reason, error=error, status=status, **common)
        candidate = profile.synced_candidate(conn, context, candidate_id)
        if candidate is None:
            return self.page(request, app, "profile", "widgets/profile.html", conn=conn,
                             viewer=person, state="not_synced", **common)
        urns, manual = profile.matched_people(self.sandbox, candidate)
        matches = people.cards(conn, urns)
        origin = profile.link_origin(conn, candidate, urns[0]) if manual and urns else None
        q = request.query_params.get("q", "").strip()[:200]
        shown = {m.person for m in matches}
        results = [m for m in people.search(conn, q) if m.person not in shown] if q else []
        query = request.query_params
        return self.page(request, app, "profile", "widgets/profile.html", status=status,
                         conn=conn, viewer=person, state="ready", matches=matches,
                         manual=manual, origin=origin, q=q, results=results, error=error,
                         show_unlink=_flag(query.get("show_unlink")),
                         confirm_unlink=_flag(query.get("confirm_unlink")), **common)

    def link(self, request: Request, conn: Connection, app: WidgetApp, form: FormData,
             action: str) -> HTMLResponse:
        """Link or unlink: checks as for showing the profile, then only calls the host."""
        target = self.profile_target(request)
        person = signed_in_member(request)
        if isinstance(target, str) or not profile.plugin_enabled(conn, app.id, target[0]) \
                or not profile.viewer_can_see(conn, person, target[0]):
            return self.profile(request, conn, app, error="Sign in first.", status=401)
        if person is None or not csrf_ok(person, _text(form.get("csrf"))):
            return self.profile(request, conn, app, error=STALE, status=403)
        context, candidate_id = target
        candidate = profile.synced_candidate(conn, context, candidate_id)
        if candidate is None:
            return self.profile(request, conn, app, status=409)
        chosen = _text(form.get("person")) or ""
        found = people.cards(conn, [chosen]) if chosen.startswith("urn:li:person:") else []
        if not found:
            return self.profile(request, conn, app, error="No such member.", status=400)
        query = request.query_params
        if action == "unlink":
            current, _ = profile.matched_people(self.sandbox, candidate)
            if chosen not in current:
                return self.profile(request, conn, app, status=409,
                                    error="That member is not linked to this candidate.")
            if _flag(query.get("confirm_unlink")) and not _flag(_text(form.get("confirmed"))):
                return self.page(request, app, "profile", "widgets/profile_confirm.html",
                                 conn=conn, viewer=person, state="confirm", person=found[0])
        if action == "link":
            profile.record_link(conn, context, candidate_id, chosen,
                                self.sandbox.clock.now_ms())
        data = {"person": chosen, "atsCandidateId": candidate_id,
                "integrationContext": context}
        return self.page(request, app, "profile", "widgets/profile_done.html", conn=conn,
                         viewer=person, state=f"{action}ed", action=action, person=found[0],
                         message={"event": action, "data": data})

    # -- signing in and out ----------------------------------------------------------------
    def sign_in(self, request: Request, conn: Connection, app: WidgetApp, kind: str,
                form: FormData) -> Response:
        person = _text(form.get("person")) or ""
        if not people.holds_a_seat(conn, person):
            error = "Choose a member who holds an active Recruiter seat."
            if kind == "onboarding":
                return self.onboarding(request, conn, app, error=error, status=400)
            return self.profile(request, conn, app, error=error, status=400)
        response = self.back_to(request, kind)
        sign_in(response, person)
        return response

    def sign_out(self, request: Request, kind: str, form: FormData) -> Response:
        person = signed_in_member(request)
        response = self.back_to(request, kind)
        if person is not None and csrf_ok(person, _text(form.get("csrf"))):
            sign_out(response)
        return response


router = APIRouter(include_in_schema=False)
SDK_SOURCE = (HERE / "static" / "sdk.js").read_text(encoding="utf-8")


@router.get("/sdk.js")
async def sdk() -> Response:
    return Response(SDK_SOURCE, media_type="application/javascript; charset=utf-8",
                    headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"})


@router.get("/widgets/init")
async def init(request: Request) -> Response:
    """The SDK's start-up call: may this page (its `Origin`) use this api_key?"""
    widgets = Widgets(sandbox_of(request))
    origin = normalize_origin(request.headers.get("origin"))
    headers = {"Cache-Control": "no-store", "Vary": "Origin"}
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
    query = request.query_params
    try:
        with widgets.store.tx() as conn:
            app = authorize(conn, request, query.get("api_key"), query.get("origin"))
    except Refused as exc:
        log.info("widget init refused: %s", exc.reason)
        return JSONResponse({"status": 403, "message": INIT_ERROR}, status_code=403,
                            headers=headers)
    return JSONResponse({"status": 200, "origin": app.origin,
                         "extensions": ["ATSIntegrationWidget", "HcmWidget"]},
                        headers=headers)


@router.get("/widgets/onboarding")
async def onboarding_page(request: Request) -> Response:
    widgets = Widgets(sandbox_of(request))
    return widgets.guarded(request, lambda conn, app: widgets.onboarding(request, conn, app))


@router.post("/widgets/onboarding")
async def onboarding_approve(request: Request) -> Response:
    widgets = Widgets(sandbox_of(request))
    form = await request.form()
    return widgets.guarded(request,
                           lambda conn, app: widgets.approve(request, conn, app, form))


@router.get("/widgets/profile")
async def profile_page(request: Request) -> Response:
    widgets = Widgets(sandbox_of(request))
    return widgets.guarded(request, lambda conn, app: widgets.profile(request, conn, app))


@router.post("/widgets/profile/link")
async def profile_link(request: Request) -> Response:
    widgets = Widgets(sandbox_of(request))
    form = await request.form()
    return widgets.guarded(
        request, lambda conn, app: widgets.link(request, conn, app, form, "link"))


@router.post("/widgets/profile/unlink")
async def profile_unlink(request: Request) -> Response:
    widgets = Widgets(sandbox_of(request))
    form = await request.form()
    return widgets.guarded(
        request, lambda conn, app: widgets.link(request, conn, app, form, "unlink"))


@router.post("/widgets/{kind}/signin")
async def signin(request: Request, kind: str) -> Response:
    widgets = Widgets(sandbox_of(request))
    if kind not in KEPT_PARAMS:
        return Response(status_code=404)
    form = await request.form()
    return widgets.guarded(
        request, lambda conn, app: widgets.sign_in(request, conn, app, kind, form))


@router.post("/widgets/{kind}/signout")
async def signout(request: Request, kind: str) -> Response:
    widgets = Widgets(sandbox_of(request))
    if kind not in KEPT_PARAMS:
        return Response(status_code=404)
    form = await request.form()
    return widgets.guarded(request,
                           lambda conn, app: widgets.sign_out(request, kind, form))

