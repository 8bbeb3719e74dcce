"""Integrations -> LinkedIn -> Webhooks: where recruitlink sends the host ATS its events
(core/host_events.py) as signed Standard Webhooks deliveries, and what became of each.

    GET  /t/{slug}/integrations/linkedin/webhooks                  the endpoints; add one
    POST .../webhooks                                              add (the secret shown once)
    GET  .../webhooks/{id}                                         settings, delivery log
    POST .../webhooks/{id}                                         save the settings
    POST .../webhooks/{id}/enable    POST .../webhooks/{id}/disable
    POST .../webhooks/{id}/rotate                                  new secret (shown once)
    GET  .../webhooks/{id}/delete    POST .../webhooks/{id}/delete the confirmation; delete
    GET  .../webhooks/{id}/deliveries/{d}                          one delivery's attempts
    POST .../webhooks/{id}/deliveries/{d}/replay                   send it again now
    POST .../webhooks/{id}/replay                                  send a time range again

Admins see the pages; only company admins act (as on the other integration pages). The same
operations as `/api/v1/webhooks` and `recruitlink webhooks …`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from recruitlink.core.host_events import EVENT_TYPES
from recruitlink.core.webhook_endpoints import ROTATION_OVERLAP_MS, problems, types_label
from recruitlink.errors import ConfigurationError
from recruitlink.store import webhooks

from ..params import RowId, small_int
from .admin_setup import BASE, base_url, runtime_of, see_other
from .render import format_millis, render
from .security import (
    PageError,
    PageUser,
    admin,
    company_admin,
    cookie_secure,
    require_csrf,
)
from .synclog_queries import now_ms

WEBHOOKS = BASE + "/webhooks"
ENDPOINT = WEBHOOKS + "/{endpoint_id}"
PAGE_SIZE = 50
STATUSES = ("pending", "delivered", "failed")

NOTICES = {
    "saved": "Saved.",
    "enabled": "The endpoint is enabled: its pending deliveries are sent again.",
    "disabled": "The endpoint is disabled: nothing is sent to it until you enable it; its "
                "events wait as pending deliveries.",
    "deleted": "The endpoint and its delivery log have been deleted.",
    "replayed": "The delivery will be sent again in a moment.",
    "added": "The endpoint has been added: it gets the events written from now on.",
}
SECRET_HINT = ("Copy this signing secret now and keep it with your receiver: it is shown "
               "only once. Verify each delivery's webhook-signature with it (Standard "
               "Webhooks libraries do).")


def to_the_second(value: int | None) -> str:
    """Epoch milliseconds as `2024-05-01 13:45:07 UTC`: attempts are seconds apart."""
    if value is None:
        return ""
    return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


SECRET_COOKIE = "rl_webhook_secret"
SECRET_COOKIE_SECONDS = 120


def with_secret_once(request: Request, user: PageUser, endpoint_id: int, secret: str,
                     done: str) -> Response:
    """Post/redirect/get with the new secret: it rides to the endpoint's page in a cookie
    sealed with the server's key (only that page, two minutes, this user), which the page
    shows once and clears. Reloading the page shows it no more, and never adds a second
    endpoint as re-sending the form would."""
    here = f"{webhooks_url(user)}/{endpoint_id}"
    runtime = runtime_of(request)
    sealed = runtime.box.seal(json.dumps({"user": user.id, "endpoint": endpoint_id,
                                          "secret": secret, "at": now_ms()}))
    response = see_other(here, done=done)
    response.set_cookie(SECRET_COOKIE, sealed, max_age=SECRET_COOKIE_SECONDS, path=here,
                        httponly=True, samesite="strict",
                        secure=cookie_secure(runtime.settings))
    return response


def secret_shown_once(request: Request, user: PageUser, endpoint_id: int) -> str | None:
    """The secret `with_secret_once` sent along, if it is this user's, this endpoint's and
    fresh; None otherwise (a forged or stale cookie shows nothing)."""
    sealed = request.cookies.get(SECRET_COOKIE)
    if not sealed:
        return None
    try:
        found = json.loads(runtime_of(request).box.open(sealed))
        fresh = now_ms() - int(found["at"]) <= SECRET_COOKIE_SECONDS * 1000
        if found["user"] == user.id and found["endpoint"] == endpoint_id and fresh:
            return str(found["secret"])
    except (ConfigurationError, ValueError, KeyError, TypeError):
        pass
    return None


def webhooks_url(user: PageUser) -> str:
    return base_url(user) + "/webhooks"


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@dataclass(frozen=True)
class EndpointForm:
    """The settings form: URL, description, the ticked event types."""

    url: str = ""
    description: str = ""
    types: tuple[str, ...] = ()

    @classmethod
    def read(cls, form: Any) -> EndpointForm:
        return cls(url=_form_text(form, "url"), description=_form_text(form, "description"),
                   types=tuple(dict.fromkeys(v for v in form.getlist("types")
                                             if isinstance(v, str))))

    @classmethod
    def of(cls, endpoint: webhooks.Endpoint) -> EndpointForm:
        return cls(endpoint.url, endpoint.description, endpoint.types)

    def problems(self, allow_http: bool) -> dict[str, str]:
        return problems(url=self.url, types=self.types, description=self.description,
                        allow_http=allow_http)


def type_choices() -> list[dict[str, Any]]:
    """The catalogue for the checkboxes; a description's `names` are shown as code (its
    parts alternate: text, code, text, ...)."""
    return [{"name": t.name, "parts": t.description.split("`")} for t in EVENT_TYPES.values()]


def _local(ms: int) -> str:
    """Epoch milliseconds as a datetime-local input's value (UTC, to the minute)."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M")


def parse_utc(text: str) -> int | None:
    """A datetime-local value (or any ISO 8601 time; without an offset: UTC) as epoch
    milliseconds; None when it is not one."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return int(moment.timestamp() * 1000)
    except (OverflowError, OSError, ValueError):
        return None


def endpoint_row(conn: Connection, tenant_id: int, e: webhooks.Endpoint) -> dict[str, Any]:
    newest = webhooks.list_deliveries(conn, tenant_id, e.id, limit=1)
    return {"endpoint": e, "types": types_label(e.types), "last": newest[0] if newest else None,
            "by_admin": e.disabled_reason == webhooks.DISABLED_BY_ADMIN,
            "hold": connection_hold(conn, tenant_id, e)}


def connection_hold(conn: Connection, tenant_id: int,
                    e: webhooks.Endpoint) -> dict[str, Any] | None:
    """After a delivery failed to connect: whether the next try is ahead (paused) or under way,
    when, and the failure; None when the endpoint is not held."""
    if e.held_until is None or not e.enabled:
        return None
    probe = webhooks.get_delivery(conn, tenant_id, e.held_by) if e.held_by else None
    return {"paused": e.held(now_ms()), "until": e.held_until,
            "error": probe.last_error if probe is not None else None,
            "delivery": probe.id if probe is not None else None}


def build_webhooks_page_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def common(user: PageUser) -> dict[str, Any]:
        return {"user": user, "base": base_url(user), "webhooks": webhooks_url(user),
                "can_act": user.is_company_admin, "millis": format_millis,
                "seconds": to_the_second,
                "event_types": type_choices()}

    def list_page(request: Request, user: PageUser, *, form: EndpointForm | None = None,
                  errors: dict[str, str] | None = None, notice: str | None = None,
                  status: int = 200) -> Response:
        with runtime_of(request).store.reader() as conn:
            rows = [endpoint_row(conn, user.tenant_id, e)
                    for e in webhooks.list_endpoints(conn, user.tenant_id)]
        context = {**common(user), "title": "Webhooks", "rows": rows,
                   "form": form or EndpointForm(),
                   "errors": errors or {}, "notice": notice,
                   "retries_disabled": [r for r in rows if not r["endpoint"].enabled
                                        and not r["by_admin"]]}
        return render(request, "admin_webhooks.html", context, status=status)

    def endpoint_or_404(conn: Connection, user: PageUser,
                        endpoint_id: int) -> webhooks.Endpoint:
        found = webhooks.get_endpoint(conn, user.tenant_id, endpoint_id)
        if found is None:
            raise PageError(404, "There is no such webhook endpoint.", user=user)
        return found

    def delivery_or_404(conn: Connection, user: PageUser, endpoint_id: int,
                        delivery_id: int) -> webhooks.Delivery:
        found = webhooks.get_delivery(conn, user.tenant_id, delivery_id)
        if found is None or found.endpoint_id != endpoint_id:
            raise PageError(404, "There is no such delivery.", user=user)
        return found

    def endpoint_page(request: Request, user: PageUser, endpoint_id: int, *,
                      form: EndpointForm | None = None,
                      errors: dict[str, str] | None = None,
                      replay: dict[str, str] | None = None,
                      replay_errors: dict[str, str] | None = None,
                      notice: str | None = None, secret: str | None = None,
                      status: int = 200) -> Response:
        params = request.query_params
        wanted = params.get("status", "")
        chosen = wanted if wanted in STATUSES else None
        before = small_int(params.get("before"))
        with runtime_of(request).store.reader() as conn:
            endpoint = endpoint_or_404(conn, user, endpoint_id)
            row = endpoint_row(conn, user.tenant_id, endpoint)
            deliveries = webhooks.list_deliveries(conn, user.tenant_id, endpoint_id,
                                                  before_id=before or None, limit=PAGE_SIZE,
                                                  status=chosen)
        here = f"{webhooks_url(user)}/{endpoint_id}"
        now = now_ms()
        context = {
            **common(user), "title": "Webhook endpoint", "row": row, "endpoint": endpoint,
            "here": here, "deliveries": deliveries, "status": chosen or "",
            "statuses": [("", "Any status"), *((s, s) for s in STATUSES)],
            "older": deliveries[-1].id if len(deliveries) == PAGE_SIZE else None,
            "paged": before is not None,
            "form": form or EndpointForm.of(endpoint),
            "errors": errors or {}, "notice": notice, "secret": secret,
            "secret_hint": SECRET_HINT,
            "replay": replay or {"since": _local(now - 24 * 3600 * 1000), "until": _local(now)},
            "replay_errors": replay_errors or {},
            "keep_days": f"{runtime_of(request).settings.webhook_keep_days:g}",
        }
        return render(request, "admin_webhook.html", context, status=status)

    @router.get(WEBHOOKS)
    def list_endpoints(request: Request, user: PageUser = Depends(admin),
                       done: str = "") -> Response:
        return list_page(request, user, notice=NOTICES.get(done))

    @router.post(WEBHOOKS)
    async def add(request: Request, user: PageUser = Depends(company_admin),
                  _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        runtime = runtime_of(request)
        given = EndpointForm.read(form)
        found = given.problems(runtime.settings.webhook_allow_http)
        if found:
            return list_page(request, user, form=given, errors=found, status=400)
        with runtime.store.db.write() as conn:
            endpoint, secret = webhooks.create_endpoint(
                conn, runtime.box, user.tenant_id, url=given.url, types=given.types,
                description=given.description, now_ms=now_ms())
        return with_secret_once(request, user, endpoint.id, secret, done="added")

    @router.get(ENDPOINT)
    def show(request: Request, endpoint_id: RowId, user: PageUser = Depends(admin),
             done: str = "") -> Response:
        notice = NOTICES.get(done)
        with runtime_of(request).store.reader() as conn:
            endpoint = webhooks.get_endpoint(conn, user.tenant_id, endpoint_id)
        if done == "replayed" and endpoint is not None and not endpoint.enabled:
            notice = "The delivery will be sent again once the endpoint is enabled."
        if done == "rotated" and endpoint is not None and endpoint.rotating_until:
            notice = (f"A new signing secret: deliveries carry signatures by both the new "
                      f"and the previous secret until {format_millis(endpoint.rotating_until)},"
                      f" so switch your receiver to the new one before then.")
        secret = secret_shown_once(request, user, endpoint_id)
        page = endpoint_page(request, user, endpoint_id, notice=notice, secret=secret)
        if SECRET_COOKIE in request.cookies:
            page.delete_cookie(SECRET_COOKIE, path=request.url.path, httponly=True,
                               samesite="strict", secure=cookie_secure(runtime_of(request)
                                                                       .settings))
        return page

    @router.post(ENDPOINT)
    async def save(request: Request, endpoint_id: RowId,
                   user: PageUser = Depends(company_admin),
                   _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        runtime = runtime_of(request)
        given = EndpointForm.read(form)
        found = given.problems(runtime.settings.webhook_allow_http)
        if found:
            return endpoint_page(request, user, endpoint_id, form=given, errors=found,
                                 status=400)
        with runtime.store.db.write() as conn:
            if webhooks.update_endpoint(conn, user.tenant_id, endpoint_id, now_ms=now_ms(),
                                        url=given.url, types=given.types,
                                        description=given.description) is None:
                raise PageError(404, "There is no such webhook endpoint.", user=user)
        return see_other(f"{webhooks_url(user)}/{endpoint_id}", done="saved")

    def switch(request: Request, user: PageUser, endpoint_id: int, enabled: bool) -> Response:
        with runtime_of(request).store.db.write() as conn:
            if webhooks.update_endpoint(conn, user.tenant_id, endpoint_id, now_ms=now_ms(),
                                        enabled=enabled) is None:
                raise PageError(404, "There is no such webhook endpoint.", user=user)
        return see_other(f"{webhooks_url(user)}/{endpoint_id}",
                         done="enabled" if enabled else "disabled")

    @router.post(ENDPOINT + "/enable")
    def enable(request: Request, endpoint_id: RowId, user: PageUser = Depends(company_admin),
               _: None = Depends(require_csrf)) -> Response:
        return switch(request, user, endpoint_id, True)

    @router.post(ENDPOINT + "/disable")
    def disable(request: Request, endpoint_id: RowId, user: PageUser = Depends(company_admin),
                _: None = Depends(require_csrf)) -> Response:
        return switch(request, user, endpoint_id, False)

    @router.post(ENDPOINT + "/rotate")
    def rotate(request: Request, endpoint_id: RowId, user: PageUser = Depends(company_admin),
               _: None = Depends(require_csrf)) -> Response:
        runtime = runtime_of(request)
        now = now_ms()
        with runtime.store.db.write() as conn:
            secret = webhooks.rotate_secret(conn, runtime.box, user.tenant_id, endpoint_id,
                                            now_ms=now, overlap_ms=ROTATION_OVERLAP_MS)
        if secret is None:
            raise PageError(404, "There is no such webhook endpoint.", user=user)
        return with_secret_once(request, user, endpoint_id, secret, done="rotated")

    @router.get(ENDPOINT + "/delete")
    def confirm_delete(request: Request, endpoint_id: RowId,
                       user: PageUser = Depends(company_admin)) -> Response:
        with runtime_of(request).store.reader() as conn:
            row = endpoint_row(conn, user.tenant_id, endpoint_or_404(conn, user, endpoint_id))
        return render(request, "admin_webhook_delete.html",
                      {**common(user), "title": "Delete the webhook endpoint", "row": row,
                       "here": f"{webhooks_url(user)}/{endpoint_id}"})

    @router.post(ENDPOINT + "/delete")
    def delete(request: Request, endpoint_id: RowId, user: PageUser = Depends(company_admin),
               _: None = Depends(require_csrf)) -> Response:
        with runtime_of(request).store.db.write() as conn:
            if not webhooks.delete_endpoint(conn, user.tenant_id, endpoint_id):
                raise PageError(404, "There is no such webhook endpoint.", user=user)
        return see_other(webhooks_url(user), done="deleted")

    @router.get(ENDPOINT + "/deliveries/{delivery_id}")
    def delivery(request: Request, endpoint_id: RowId, delivery_id: RowId,
                 user: PageUser = Depends(admin)) -> Response:
        with runtime_of(request).store.reader() as conn:
            endpoint = endpoint_or_404(conn, user, endpoint_id)
            found = delivery_or_404(conn, user, endpoint_id, delivery_id)
            attempts = webhooks.list_attempts(conn, user.tenant_id, delivery_id)
        return render(request, "admin_webhook_delivery.html",
                      {**common(user), "title": f"Delivery of {found.event_id}",
                       "endpoint": endpoint, "delivery": found, "attempts": attempts,
                       "here": f"{webhooks_url(user)}/{endpoint_id}"})

    @router.post(ENDPOINT + "/deliveries/{delivery_id}/replay")
    def replay(request: Request, endpoint_id: RowId, delivery_id: RowId,
               user: PageUser = Depends(company_admin),
               _: None = Depends(require_csrf)) -> Response:
        with runtime_of(request).store.db.write() as conn:
            endpoint_or_404(conn, user, endpoint_id)
            delivery_or_404(conn, user, endpoint_id, delivery_id)
            webhooks.replay_delivery(conn, user.tenant_id, delivery_id, now_ms=now_ms())
        return see_other(f"{webhooks_url(user)}/{endpoint_id}", done="replayed")

    @router.post(ENDPOINT + "/replay")
    async def replay_range(request: Request, endpoint_id: RowId,
                           user: PageUser = Depends(company_admin),
                           _: None = Depends(require_csrf)) -> Response:
        form = await request.form()
        given = {"since": _form_text(form, "since"), "until": _form_text(form, "until")}
        since, until = parse_utc(given["since"]), parse_utc(given["until"])
        found: dict[str, str] = {}
        if since is None:
            found["since"] = "Give the start as a date and time (UTC)."
        if until is None:
            found["until"] = "Give the end as a date and time (UTC)."
        elif since is not None and until < since:
            found["until"] = "The end must not be before the start."
        if found:
            return endpoint_page(request, user, endpoint_id, replay=given,
                                 replay_errors=found, status=400)
        assert since is not None and until is not None
        # A datetime-local input says minutes: the end takes the whole of its minute.
        if len(given["until"]) == len("2026-01-01T00:00"):
            until += int(timedelta(minutes=1).total_seconds() * 1000) - 1
        with runtime_of(request).store.db.write() as conn:
            endpoint_or_404(conn, user, endpoint_id)
            count = webhooks.replay_range(conn, user.tenant_id, endpoint_id, since_ms=since,
                                          until_ms=until, now_ms=now_ms())
        notice = (f"{count} deliver{'y' if count == 1 else 'ies'} from {format_millis(since)} "
                  f"to {format_millis(until)} will be sent again."
                  if count else f"No delivery was created from {format_millis(since)} to "
                                f"{format_millis(until)}: nothing to send again.")
        return endpoint_page(request, user, endpoint_id, notice=notice,
                             replay=given)

    return router
