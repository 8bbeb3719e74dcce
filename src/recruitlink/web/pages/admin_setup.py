"""Integrations -> LinkedIn: the setup page (seeds: PageUp "Setup", SmartRecruiters, Tracker).

    GET  /t/{slug}/integrations/linkedin              the page, in the state the tenant is in
    GET  /t/{slug}/integrations/linkedin/status.json  status and sync progress (live.js polls)
    POST .../activate     acknowledge what is shared, provision the child app
    POST .../integrate    what the onboarding widget approved: connect, or add a contract
    POST .../refresh      ask LinkedIn for the integration status now
    POST .../pause        Pause Sync          POST .../resume   Resume Sync
    POST .../policy       the sync settings (history window, job availability, ...)
    POST .../visibility   who sees which job in Recruiter (kept for later when not connected)
    GET  .../disconnect   the confirmation    POST .../disconnect   delete and disconnect
    GET  .../disconnect/report                the deletion report (live while it runs)

Admins see the pages; only company admins act (403 for anyone else); every page belongs to
the signed-in user's tenant (404 for another's).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from recruitlink.core.environment import kept_refusal
from recruitlink.core.integration_status import STATUS_WORDS, STUB_PROFILES, ContractState
from recruitlink.core.limits import EXPORTS_PER_SEAT_PER_MONTH
from recruitlink.core.policy import DENIABLE_CANDIDATE_FIELDS, Policy
from recruitlink.core.quotas import Quota
from recruitlink.errors import ConfigurationError, RecruitlinkError
from recruitlink.linkedin.versions import describe_api
from recruitlink.runtime.context import Runtime
from recruitlink.runtime.quotas import Quotas, tenant_quotas
from recruitlink.store import connections, member_seats
from recruitlink.sync import control, parity
from recruitlink.sync.connect import refresh_status
from recruitlink.sync.visibility import (
    CHOICES,
    current_visibility,
    parse_visibility,
    set_visibility,
)

from . import setup_flow, synclog_queries, tasks
from .render import format_millis, render
from .security import PageUser, admin, company_admin, cookie_secure, require_csrf

BASE = "/t/{slug}/integrations/linkedin"

STATUS_LABELS = {"NOT_CONNECTED": "Not connected", "PENDING": "Activation pending",
                 "ENABLED": "Active", "DISABLED": "Turned off in LinkedIn Recruiter",
                 "DISCONNECTING": "Disconnecting…", "DISCONNECTED": "Disconnected"}

NOTICES = {
    # Nothing is active yet (the status still says so): LinkedIn's approval comes next.
    "activated": "Thank you. Now choose your LinkedIn Recruiter contract in LinkedIn's widget "
                 "below: the integration is active once LinkedIn has approved it.",
    "connected": "Saved: the integrations LinkedIn approved are registered for this "
                 "workspace.",
    "added": "The contract has been added.",
    # SmartRecruiters: "make sure to log out of LinkedIn Recruiter before attempting to add
    # another contract. Otherwise, LinkedIn won't allow you to choose a contract."
    "known": "That contract is already connected: nothing was added. To add another one, "
             "choose it in LinkedIn's widget under + Add contract; if LinkedIn offers no "
             "other contract, sign out of LinkedIn Recruiter first.",
    "checked": "The integration status has been checked with LinkedIn.",
    "paused": "The sync is paused: nothing is sent to LinkedIn until you resume it.",
    "resumed": "The sync has resumed.",
    # One contract's pause stops its Recruiter data pulls only; the sync goes on.
    "contract_paused": "This contract's Recruiter data (InMails, notes, seats) is no longer "
                       "imported until you resume it. The sync to LinkedIn goes on.",
    "contract_resumed": "This contract's Recruiter data (InMails, notes, seats) is imported "
                        "again.",
    # The same two while the whole sync is paused: nothing is imported until Resume Sync.
    "contract_paused_sync_paused": "This contract's Recruiter data (InMails, notes, seats) "
                                   "stays paused when you resume the sync. The whole sync is "
                                   "paused meanwhile: nothing is sent to LinkedIn or imported "
                                   "from it until you select Resume Sync.",
    "contract_resumed_sync_paused": "This contract's Recruiter data (InMails, notes, seats) is "
                                    "imported again once you resume the sync: the whole sync "
                                    "is still paused (Resume Sync).",
    "policy": "Sync settings saved.",
    # The window only filters the historical sync: once it has run, a new window changes
    # nothing on LinkedIn (sync/items.py `_window`), and the admin who widened it expects it to.
    "policy_window": "Sync settings saved. The history window applies to the initial "
                     "(historical) sync, which has already run and does not run again: "
                     "records last changed before the old window reach LinkedIn only when "
                     "they next change, and records already on LinkedIn stay there. "
                     "Disconnecting and connecting again runs the initial sync anew.",
    "visibility": "Saved: LinkedIn Recruiter is being told who sees which job.",
    "visibility_kept": "Saved: it applies when this workspace is connected to LinkedIn.",
    "activation_cancelled": "Activation cancelled: nothing was connected to LinkedIn. "
                            "Choose what to share and activate again when you are ready.",
}


ACTIVATION_COOKIE = "recruitlink_activation"
ACTIVATION_SECONDS = 24 * 3600
IN_PROGRESS = "Activation in progress: waiting for your approval in LinkedIn"
"""The status line between Activate and the widget's approval. LinkedIn has no integration
yet (it is not "pending" in LinkedIn's sense): the admin has to approve it in the widget."""


def remember_activation(request: Request, response: Response, user: PageUser, *,
                        window: str, visibility: str | None) -> None:
    """After Activate: the admin's choices (history window, who sees jobs, the
    acknowledgement) ride along in a cookie sealed with the server's key, for this user and
    workspace, until the widget's approval or Cancel: leaving the page for another tab and
    coming back finds the activation in progress, not the start again."""
    runtime = runtime_of(request)
    sealed = runtime.box.seal(json.dumps({
        "user": user.id, "tenant": user.tenant_id, "window": window,
        "visibility": visibility, "acknowledged": True, "at": synclog_queries.now_ms()}))
    response.set_cookie(ACTIVATION_COOKIE, sealed, max_age=ACTIVATION_SECONDS,
                        path=base_url(user), httponly=True, samesite="lax",
                        secure=cookie_secure(runtime.settings))


def forget_activation(response: Response, user: PageUser) -> None:
    response.delete_cookie(ACTIVATION_COOKIE, path=base_url(user))


def activation_in_progress(request: Request, user: PageUser) -> dict[str, Any] | None:
    """The choices `remember_activation` kept, if they are this user's, this workspace's and
    fresh; None otherwise (a forged or stale cookie counts for nothing)."""
    sealed = request.cookies.get(ACTIVATION_COOKIE)
    if not sealed:
        return None
    try:
        found = json.loads(runtime_of(request).box.open(sealed))
        fresh = synclog_queries.now_ms() - int(found["at"]) <= ACTIVATION_SECONDS * 1000
        if found["user"] == user.id and found["tenant"] == user.tenant_id and fresh:
            return {"window": setup_flow.parse_window(found.get("window")) or "all",
                    "visibility": found.get("visibility")
                    if found.get("visibility") in CHOICES else None}
    except (ConfigurationError, ValueError, KeyError, TypeError):
        pass
    return None


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def base_url(user: PageUser) -> str:
    return BASE.format(slug=user.tenant_slug)


def see_other(url: str, **query: str) -> RedirectResponse:
    return RedirectResponse(f"{url}?{urlencode(query)}" if query else url, status_code=303)


def duration(seconds: int | None) -> str:
    """`about 3 min` for an ETA."""
    if seconds is None:
        return ""
    if seconds < 60:
        return "less than a minute"
    if seconds < 3600:
        return f"about {round(seconds / 60)} min"
    if seconds < 86_400:
        return f"about {seconds / 3600:.1f} h"
    return f"about {seconds / 86_400:.1f} days"


CONTRACT_LABELS = STATUS_WORDS


def contract_seats(runtime: Runtime, tenant_id: int) -> dict[str, tuple[int, int]]:
    with runtime.store.reader() as conn:
        return member_seats.seat_counts_by_contract(conn, tenant_id)


def contract_states(runtime: Runtime, tenant_id: int) -> list[ContractState]:
    """Each connected contract: may it sync, and if not, why (core.integration_status)."""
    with runtime.store.reader() as conn:
        info = connections.load(conn, tenant_id, runtime.box)
    if info is None or info.status in ("DISCONNECTING", "DISCONNECTED"):
        return []
    return info.contract_states()


def status_text(status: str, states: list[ContractState]) -> str:
    text = STATUS_LABELS.get(status, status)
    waiting = sum(not s.may_sync for s in states)
    if status == "ENABLED" and waiting:
        text += f" for {len(states) - waiting} of {len(states)} contracts"
    return text


def live_status(runtime: Runtime, tenant_id: int) -> dict[str, Any]:
    """status.json: the progress plus display texts, so live.js formats nothing itself."""
    with runtime.store.reader() as conn:
        state = synclog_queries.progress(conn, tenant_id,
                                         limits=runtime.engine_settings().limits)
    states = contract_states(runtime, tenant_id)
    state["statusText"] = status_text(state["status"], states)
    # The page reloads when any contract's status changes, not only the tenant's, and when
    # an optional integration is switched (only its feature is off: the page says so).
    state["statusKey"] = " ".join([state["status"], *(
        f"{s.contract}={s.status}/{s.company}/{s.contract_access}"
        + "".join(f"/{i.type}:{i.status}" for i in s.integrations) for s in states)])
    state["lastSyncText"] = format_millis(state.get("lastSyncAt")) or "not yet"
    state["etaText"] = duration(state.get("etaSeconds"))
    task = tasks.get(tenant_id, "disconnect")
    state["disconnectTask"] = (None if task is None else "running" if task.running else
                               "failed" if task.error else "done")
    state["disconnectStage"] = task.stage if task is not None and task.running else None
    if state.get("connected"):
        state["quotas"] = quota_texts(tenant_quotas(runtime, tenant_id,
                                                    synclog_queries.now_ms()))
    return state


def _of(q: Quota) -> str:
    return f"{q.used:,} of {q.limit:,}"


def quota_texts(quotas: Quotas) -> dict[str, Any]:
    """The Setup page's Quotas section as live.js fills it in ([data-live="quotas:…"]): the
    seats LinkedIn maps and the budgets move while the page is open (the first seats arrive
    after activation), so the section follows the status instead of staying as loaded."""
    seats = len(quotas.seats)
    texts: dict[str, Any] = {
        "asOf": format_millis(quotas.at),
        "exportsUsed": f"{sum(s.exports.used for s in quotas.seats):,}",
        "seats": f"{seats} seat{'' if seats == 1 else 's'}",
        "warnings": quotas.warnings(),
    }
    for b in quotas.budgets:
        if b.today is not None:
            texts[f"{b.family}:used"] = f"{b.today.used:,}"
            texts[f"{b.family}:today"] = _of(b.today)
            texts[f"{b.family}:leftToday"] = f"{b.today.left:,}"
        if b.minute is not None:
            texts[f"{b.family}:minute"] = _of(b.minute)
            texts[f"{b.family}:leftMinute"] = f"{b.minute.left:,}"
    return texts


def parity_line(runtime: Runtime, tenant_id: int) -> str:
    """The Setup page's one line of live parity: the figure per entity read back, and how
    many records drifted (the Parity tab has the rest)."""
    state = parity.status(runtime.engine, tenant_id, drift_limit=0)
    figures = [f"{e['entity'].replace('_', ' ').capitalize()} {e['parityPercent']}%"
               for e in state["entities"] if e["parityPercent"] is not None]
    if not figures:
        return "not checked yet"
    drifted = sum(e["missing"] + e["stale"] + e["extra"] for e in state["entities"])
    return ", ".join(figures) + (f" ({drifted} record{'s' if drifted != 1 else ''} drifted)"
                                 if drifted else "")


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _chosen_visibility(form: Any) -> dict[str, str]:
    """The visibility a not-yet-connected admin chose, carried through the onboarding."""
    value = _form_text(form, "visibility")
    return {"visibility": value} if value in CHOICES else {}


def _candidates(n: str) -> str:
    return f"{n} candidate" if n == "1" else f"{n} candidates"


def build_setup_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(request: Request, user: PageUser, *, step: str = "", errors: dict[str, str] |
             None = None, notice: str | None = None, error: str | None = None,
             policy_form: dict[str, Any] | None = None, window: str | None = None,
             visibility: str | None = None, status: int = 200) -> Response:
        runtime = runtime_of(request)
        settings = runtime.settings
        progress = live_status(runtime, user.tenant_id)
        with runtime.store.reader() as conn:
            info = synclog_queries.connection(conn, user.tenant_id)
            last_disconnect = synclog_queries.latest_run(conn, user.tenant_id, "disconnect")
        kind = setup_flow.connection_kind(user.tenant_kind)
        connected = info is not None and info.status != "DISCONNECTED"
        state = info.status.lower() if connected and info is not None else "start"
        child_client_id = None
        if connected and step in ("add", "choose") and info is not None:
            child_client_id = info.client_id
            state = "add"
        elif not connected and step == "choose":
            try:
                app = setup_flow.child_app(runtime.partner(), user.tenant_slug)
            except RecruitlinkError as exc:
                app, error = None, f"LinkedIn could not be reached: {exc.message}"
            if app is not None:
                child_client_id, state = app.client_id, "choose"
        if not connected and (state == "choose" or activation_in_progress(request, user)):
            # Activated, not yet approved in LinkedIn's widget: the status says so (the
            # connection, if any, is still the disconnected one), as status.json does.
            progress["statusText"] = IN_PROGRESS
        policy = Policy.from_json(info.policy if info is not None else None)
        form = policy_form or setup_flow.policy_form(policy)
        context = {
            "title": f"Integrations: {setup_flow.PRODUCT[kind]}", "user": user,
            "base": base_url(user), "state": state, "info": info, "progress": progress,
            "product": setup_flow.PRODUCT[kind], "kind": kind,
            "shared": setup_flow.shared_data(user.tenant_kind, policy),
            "excluded": setup_flow.EXCLUDED, "policy": policy, "policy_form": form,
            "windows": setup_flow.WINDOWS, "availability": setup_flow.AVAILABILITY,
            "closed_members": setup_flow.CLOSED_MEMBERS,
            "deniable": list(DENIABLE_CANDIDATE_FIELDS.items()),
            # The history window shared, chosen with the acknowledgement before activation.
            "window": window or policy.history_window,
            "shared_window": setup_flow.SHARED_WINDOW,
            # Who sees which job: chosen before connecting (carried through the onboarding
            # like the window), or the connection's, with whether LinkedIn has it yet.
            "visibility": visibility or policy.visibility,
            "visibility_choices": list(CHOICES.items()),
            "visibility_state": current_visibility(runtime.store, runtime.box, user.tenant_id)
            if connected else None,
            "errors": errors or {}, "notice": notice, "error": error,
            "api_family": describe_api(settings.linkedin_api_version),
            # The environment guard's refusal, if LinkedIn's last word on the app refuses it.
            "environment_refusal": kept_refusal(settings.environment, info.app_environment,
                                                info.client_id) if connected and info else None,
            "child_client_id": child_client_id,
            "sdk_url": f"{settings.linkedin_api_url.rstrip('/')}/sdk.js",
            "bundles": setup_flow.BUNDLES[kind],
            "can_act": user.is_company_admin, "last_disconnect": last_disconnect,
            "last_sync": format_millis(info.last_sync_at) if info else "",
            "eta": duration(progress.get("etaSeconds")),
            "contract_states": {s.contract: s for s in contract_states(runtime, user.tenant_id)},
            "contract_labels": CONTRACT_LABELS, "stub_profiles": STUB_PROFILES,
            # Each contract's seats and how many are not mapped to a user yet, beside the
            # way to connect them (Members).
            "contract_seats": contract_seats(runtime, user.tenant_id) if connected else {},
            "enable_url": lambda contract: setup_flow.recruiter_admin_url(settings, contract),
            "recruiter_url": setup_flow.recruiter_home_url(settings),
            "quotas": tenant_quotas(runtime, user.tenant_id, synclog_queries.now_ms())
            if connected else None,
            "exports_per_seat": EXPORTS_PER_SEAT_PER_MONTH, "millis": format_millis,
            "parity_line": parity_line(runtime, user.tenant_id) if state == "enabled" else "",
        }
        return render(request, "admin_setup.html", context, status=status)

    @router.get(BASE)
    def setup_page(request: Request, user: PageUser = Depends(admin),
                   step: str = "", done: str = "", window: str = "",
                   visibility: str = "") -> Response:
        notice = NOTICES.get(done)
        if done in ("contract_paused", "contract_resumed"):
            # A contract's pause or resume while the whole sync is paused: nothing is
            # imported either way until Resume Sync, and the notice must not say otherwise.
            with runtime_of(request).store.reader() as conn:
                info = synclog_queries.connection(conn, user.tenant_id)
            if info is not None and info.paused:
                notice = NOTICES[f"{done}_sync_paused"]
        numbers = [request.query_params.get(k, "") for k in ("excluded", "shared", "queued")]
        if done == "policy_sharing" and all(n.isdigit() for n in numbers):
            excluded, shared, queued = numbers
            notice = (f"Sync settings saved. What is shared changed: {_candidates(excluded)} "
                      f"no longer shared (deleted from LinkedIn by the sync), "
                      f"{_candidates(shared)} shared again; {_candidates(queued)} queued for "
                      f"the sync.")
            if request.query_params.get("history") == "ran":
                notice += NOTICES["policy_window"].removeprefix("Sync settings saved.")
        chosen_window = setup_flow.parse_window(window)
        chosen_visibility = visibility if visibility in CHOICES else None
        kept = activation_in_progress(request, user)
        if kept is not None and step in ("", "change"):
            with runtime_of(request).store.reader() as conn:
                info = synclog_queries.connection(conn, user.tenant_id)
            if info is None or info.status == "DISCONNECTED":
                # Back from another tab mid-activation: the widget again, with the choices
                # made before Activate (or back to them, to change them: "change").
                step = step or "choose"
                chosen_window = chosen_window or kept["window"]
                chosen_visibility = chosen_visibility or kept["visibility"]
        return page(request, user, step=step, notice=notice, window=chosen_window,
                    visibility=chosen_visibility)

    @router.get(BASE + "/status.json")
    def status_json(request: Request, user: PageUser = Depends(admin)) -> JSONResponse:
        state = live_status(runtime_of(request), user.tenant_id)
        if state["status"] in ("NOT_CONNECTED", "DISCONNECTED") and \
                activation_in_progress(request, user) is not None:
            state["statusText"] = IN_PROGRESS
        return JSONResponse(state, headers={"Cache-Control": "no-store"})

    @router.post(BASE + "/activate")
    async def activate(request: Request, user: PageUser = Depends(company_admin),
                       _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        window = setup_flow.parse_window(_form_text(form, "history_window") or "all")
        if window is None:
            return page(request, user, status=400, errors={
                "history_window": "Choose the history to share: all history, 2 years or "
                                  "12 months."})
        if form.get("acknowledge") != "on":
            return page(request, user, status=400, window=window, errors={
                "acknowledge": "Tick the box to acknowledge what will be shared with "
                               "LinkedIn before activating."})
        runtime = runtime_of(request)
        with runtime.store.reader() as conn:
            info = synclog_queries.connection(conn, user.tenant_id)
        if info is not None and info.status != "DISCONNECTED":
            return see_other(base_url(user))  # already connected: nothing to activate
        try:
            await run_in_threadpool(
                lambda: setup_flow.provision(runtime.partner(), slug=user.tenant_slug,
                                             tenant_name=user.tenant_name,
                                             public_url=runtime.settings.public_url))
        except RecruitlinkError as exc:
            return page(request, user, status=502, window=window,
                        error=f"Activation failed: {exc.message}")
        response = see_other(base_url(user), step="choose", window=window, done="activated",
                             **_chosen_visibility(form))
        remember_activation(request, response, user, window=window,
                            visibility=_chosen_visibility(form).get("visibility"))
        return response

    @router.post(BASE + "/activate/cancel")
    async def cancel_activation(request: Request, user: PageUser = Depends(company_admin),
                                _: None = Depends(require_csrf)) -> Response:
        response = see_other(base_url(user), done="activation_cancelled")
        forget_activation(response, user)
        return response

    @router.post(BASE + "/integrate")
    async def integrate(request: Request, user: PageUser = Depends(company_admin),
                        _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        approved = setup_flow.parse_approved(_form_text(form, "integrations"))
        window = setup_flow.parse_window(_form_text(form, "history_window"))
        chosen = _chosen_visibility(form).get("visibility")
        if isinstance(approved, dict):
            return page(request, user, step="choose", status=400, errors=approved,
                        window=window)
        runtime = runtime_of(request)
        try:
            outcome, result = await run_in_threadpool(
                lambda: setup_flow.integrate(runtime, slug=user.tenant_slug,
                                             tenant_id=user.tenant_id,
                                             tenant_name=user.tenant_name, approved=approved,
                                             history_window=window, visibility=chosen))
        except RecruitlinkError as exc:
            return page(request, user, step="choose", status=400 if exc.status is None
                        else 502, errors={"integrations": exc.message}, window=window)
        if outcome == "added":
            return see_other(base_url(user), done="added" if result else "known")
        response = see_other(base_url(user), done="connected")
        forget_activation(response, user)
        return response

    @router.post(BASE + "/refresh")
    async def refresh(request: Request, user: PageUser = Depends(company_admin),
                      _: None = Depends(require_csrf)) -> Response:
        runtime = runtime_of(request)
        try:
            await run_in_threadpool(refresh_status, runtime.store, runtime.box,
                                    runtime.engine, user.tenant_id)
        except RecruitlinkError as exc:
            return page(request, user, status=502,
                        error=f"Could not check the status: {exc.message}")
        return see_other(base_url(user), done="checked")

    async def set_paused(request: Request, user: PageUser, paused: bool) -> Response:
        runtime = runtime_of(request)
        form = await request.form()
        contract = _form_text(form, "contract") or None
        try:
            await run_in_threadpool(control.set_paused, runtime.engine, user.tenant_id,
                                    paused, contract)
        except RecruitlinkError as exc:
            return page(request, user, status=400, error=exc.message)
        back = _form_text(form, "back")
        target = back if back.startswith(base_url(user)) else base_url(user)
        done = "paused" if paused else "resumed"
        return see_other(target, done=f"contract_{done}" if contract else done)

    @router.post(BASE + "/pause")
    async def pause(request: Request, user: PageUser = Depends(company_admin),
                    _: None = Depends(require_csrf)) -> Response:
        return await set_paused(request, user, True)

    @router.post(BASE + "/resume")
    async def resume(request: Request, user: PageUser = Depends(company_admin),
                     _: None = Depends(require_csrf)) -> Response:
        return await set_paused(request, user, False)

    @router.post(BASE + "/policy")
    async def policy(request: Request, user: PageUser = Depends(company_admin),
                     _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        values: dict[str, Any] = {name: _form_text(form, name) for name in (
            "history_window", "default_availability", "phone_region", "batch_size",
            "excluded_tags", "required_consent")}
        # The compliance fields (issue 19, part 4): absent from a form, kept as they are.
        values.update({name: _form_text(form, name) for name in (
            "closed_members", "closure_window_days", "history_retention_days")
            if name in form})
        values["never_shared"] = [str(v) for v in form.getlist("never_shared")]
        runtime = runtime_of(request)
        with runtime.store.reader() as conn:
            info = synclog_queries.connection(conn, user.tenant_id)
        if info is None or info.status == "DISCONNECTED":
            return page(request, user, status=400,
                        error="Connect to LinkedIn before changing the sync settings.")
        parsed = setup_flow.parse_policy(values, Policy.from_json(info.policy))
        if isinstance(parsed, dict):
            return page(request, user, status=400, errors=parsed, policy_form=values)
        change = await run_in_threadpool(setup_flow.save_policy, runtime, user.tenant_id,
                                         parsed)
        window_after_run = False
        if parsed.history_window != Policy.from_json(info.policy).history_window:
            with runtime.store.reader() as conn:
                run = synclog_queries.progress(conn, user.tenant_id).get("run")
            window_after_run = run is not None and run.get("status") == "done"
        if change.queued:
            return see_other(base_url(user), done="policy_sharing",
                             excluded=str(change.now_excluded), shared=str(change.now_shared),
                             queued=str(change.queued),
                             **({"history": "ran"} if window_after_run else {}))
        return see_other(base_url(user), done="policy_window" if window_after_run else "policy")

    @router.post(BASE + "/visibility")
    async def visibility(request: Request, user: PageUser = Depends(company_admin),
                         _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        try:
            choice = parse_visibility(_form_text(form, "visibility"))
        except RecruitlinkError:
            return page(request, user, status=400, errors={
                "visibility": "Choose who sees jobs in LinkedIn Recruiter: all Recruiter "
                              "users, or only the job's hiring team."})
        runtime = runtime_of(request)
        with runtime.store.reader() as conn:
            info = synclog_queries.connection(conn, user.tenant_id)
        if info is None:
            # Not connected yet: the choice goes along with the onboarding, like the window.
            window = setup_flow.parse_window(_form_text(form, "history_window")) or "all"
            response = see_other(base_url(user), window=window, visibility=choice,
                                 done="visibility_kept")
            kept = activation_in_progress(request, user)
            if kept is not None:  # mid-activation: the kept choice changes too
                remember_activation(request, response, user, window=window,
                                    visibility=choice)
            return response
        try:
            change = await run_in_threadpool(set_visibility, runtime.engine, user.tenant_id,
                                             choice)
        except RecruitlinkError as exc:
            return page(request, user, status=400 if exc.status is None else 502,
                        visibility=choice,
                        error=f"Who sees jobs was not changed: {exc.message}")
        response = see_other(base_url(user), done="visibility" if change.applied_on_linkedin
                             else "visibility_kept")
        kept = activation_in_progress(request, user)
        if kept is not None and info.status == "DISCONNECTED":
            # Activating again after a disconnect: the kept choice changes too.
            remember_activation(request, response, user, visibility=choice, window=(
                setup_flow.parse_window(_form_text(form, "history_window")) or kept["window"]))
        return response

    # -- disconnect ----------------------------------------------------------------------------

    def counts_on_linkedin(runtime: Runtime, tenant_id: int) -> dict[str, int]:
        """What LinkedIn holds for the tenant by resource, by recruitlink's records of what it
        sent (the initial sync's, live changes', every run's): what the disconnect deletes."""
        return runtime.engine.state.live_counts(tenant_id)

    def disconnect_page(request: Request, user: PageUser, *, mode: str,
                        errors: dict[str, str] | None = None, status: int = 200) -> Response:
        runtime = runtime_of(request)
        with runtime.store.reader() as conn:
            info = synclog_queries.connection(conn, user.tenant_id)
            run = synclog_queries.latest_run(conn, user.tenant_id, "disconnect")
        task = tasks.get(user.tenant_id, "disconnect")
        # This process knows its own task; another process's shows as DISCONNECTING.
        running = task.running if task is not None else (
            info is not None and info.status == "DISCONNECTING")
        report = run.report if run is not None and run.report else None
        context = {
            "title": "Disconnect LinkedIn" if mode == "confirm" else "Deletion report",
            "user": user, "base": base_url(user), "mode": mode, "info": info,
            "product": setup_flow.PRODUCT[setup_flow.connection_kind(user.tenant_kind)],
            "errors": errors or {}, "counts": counts_on_linkedin(runtime, user.tenant_id)
            if mode == "confirm" else {},
            "running": running, "failure": task.error if task and not task.running else None,
            "stage": task.stage if task is not None and task.running else None,
            "run": run, "report": report,
            "status_text": STATUS_LABELS.get(info.status, info.status) if info else "",
            "resources": sorted(set((report or {}).get("deleted", {})) |
                                set((report or {}).get("failed", {}))),
            "started": format_millis(run.started_at) if run is not None else "",
            "finished": format_millis(run.finished_at) if run is not None else "",
        }
        return render(request, "admin_disconnect_report.html", context, status=status)

    @router.get(BASE + "/disconnect")
    def disconnect_confirm(request: Request,
                           user: PageUser = Depends(company_admin)) -> Response:
        with runtime_of(request).store.reader() as conn:
            info = synclog_queries.connection(conn, user.tenant_id)
        if info is None or info.status == "DISCONNECTED":
            return see_other(base_url(user) + "/disconnect/report")
        return disconnect_page(request, user, mode="confirm")

    @router.post(BASE + "/disconnect")
    async def disconnect(request: Request, user: PageUser = Depends(company_admin),
                         _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        if form.get("confirm") != "on":
            return disconnect_page(request, user, mode="confirm", status=400, errors={
                "confirm": "Tick the box to confirm that everything synced to LinkedIn "
                           "will be deleted."})
        runtime = runtime_of(request)
        with runtime.store.reader() as conn:
            info = synclog_queries.connection(conn, user.tenant_id)
        if info is None or info.status == "DISCONNECTED":
            return see_other(base_url(user) + "/disconnect/report")
        tenant_id = user.tenant_id

        def work() -> dict[str, Any]:
            task = tasks.get(tenant_id, "disconnect")

            def stage(message: str) -> None:
                if task is not None:
                    task.stage = message

            # The server's runner may be syncing this tenant: the disconnect asks it to stop.
            return control.disconnect(runtime.engine, tenant_id, progress=stage)

        tasks.start(tenant_id, "disconnect", work)
        return see_other(base_url(user) + "/disconnect/report")

    @router.get(BASE + "/disconnect/report")
    def disconnect_report(request: Request, user: PageUser = Depends(admin)) -> Response:
        return disconnect_page(request, user, mode="report")

    return router
