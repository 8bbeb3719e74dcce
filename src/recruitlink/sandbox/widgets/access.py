"""Who may show a widget: LinkedIn's `validJsSdkDomains` check, done on the server.

A widget page answers only when the host page's origin is one of the child app's
`validJsSdkDomains` (reference §1.2, §1.3, §6.1). The host origin arrives as the `origin`
query parameter (the SDK passes `location.origin`), but the parameter alone is not trusted:
when the request carries an `Origin` or `Referer` header, its origin must be that same host
(or the sandbox itself, for a navigation inside the widget), and every page is served with
`Content-Security-Policy: frame-ancestors <origin>`, so the browser refuses to frame it
anywhere else.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import Connection, select
from starlette.requests import Request

from ..store import apps

_HOST = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?|\[[0-9a-f:.]+\]", re.ASCII)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str | None) -> str | None:
    """`scheme://host[:port]` in lower case without a default port, or None when `value` is
    not an origin (a path, a query or a trailing "/" make it none: origins have none)."""
    if not value or len(value) > 300:
        return None
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS or parts.path or parts.query or parts.fragment:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    if ":" in host:
        host = f"[{host}]"
    if not _HOST.fullmatch(host):
        return None
    return f"{scheme}://{host}" if port in (None, _DEFAULT_PORTS[scheme]) \
        else f"{scheme}://{host}:{port}"


def origin_of_url(value: str | None) -> str | None:
    """The origin of a full URL (a `Referer`), or None."""
    if not value:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return normalize_origin(f"{parts.scheme}://{parts.netloc}") if parts.netloc else None


def own_origin(request: Request) -> str:
    """The sandbox's origin as the browser sees it."""
    return normalize_origin(f"{request.url.scheme}://{request.url.netloc}") or ""


@dataclass(frozen=True)
class WidgetApp:
    """The customer (child) application a widget works for."""

    id: int
    client_id: str
    name: str
    origin: str
    """The host page's origin, checked against the app's `validJsSdkDomains`."""


class Refused(Exception):
    """The widget does not initialize. The reason is for the sandbox's log and tests; the
    page itself shows no data (LinkedIn's only says it could not initialize)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_headers(request: Request, claimed: str) -> None:
    """`Origin` and `Referer`, when present, must name the host page (or the sandbox itself:
    a form inside the widget posts from the sandbox's own origin)."""
    allowed = {claimed, own_origin(request)}
    origin_header = request.headers.get("origin")
    if origin_header not in (None, "null") and normalize_origin(origin_header) not in allowed:
        raise Refused(f"Origin header {origin_header!r:.100} is not {claimed}")
    referer = request.headers.get("referer")
    if referer and origin_of_url(referer) not in allowed:
        raise Refused(f"Referer's origin is not {claimed}")


def authorize(conn: Connection, request: Request, api_key: str | None,
              origin: str | None) -> WidgetApp:
    """The child app whose `validJsSdkDomains` hold `origin`, else `Refused`."""
    claimed = normalize_origin(origin)
    if claimed is None:
        raise Refused("origin is missing or not a scheme://host[:port] origin")
    if not api_key or len(api_key) > 200:
        raise Refused("api_key is missing")
    row = conn.execute(select(apps).where(apps.c.client_id == api_key)).first()
    if row is None:
        raise Refused("api_key names no application")
    if row.parent_id is None:
        raise Refused("api_key is the partner (parent) application's: widgets need a "
                      "customer (child) application's client id")
    domains = {normalize_origin(d) for d in row.js_domains or [] if isinstance(d, str)}
    if claimed not in domains:
        raise Refused(f"{claimed} is not one of the application's validJsSdkDomains")
    check_headers(request, claimed)
    return WidgetApp(id=row.id, client_id=row.client_id, name=row.name, origin=claimed)


def page_headers(app: WidgetApp, nonce: str) -> dict[str, str]:
    """Headers of a widget page for an allowed host: framed only by it, its own scripts
    only (by nonce), forms posting only to the sandbox, never cached (it shows the
    signed-in member's data)."""
    return {
        "Content-Security-Policy": (
            f"frame-ancestors {app.origin}; default-src 'none'; "
            f"script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src 'self' data:; "
            "form-action 'self'; base-uri 'none'"),
        "Cache-Control": "no-store",
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }


REFUSED_HEADERS = {
    # No data on the page, so any host may frame the refusal; no script at all.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def new_nonce() -> str:
    return secrets.token_urlsafe(16)
