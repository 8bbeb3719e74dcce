"""One Jinja2 environment for recruitlink's pages (autoescaped), and `render`.

Every page gets `user` (the signed-in `PageUser` or None), `csrf_token`, `nav` (the links of
the top bar for that user) and `path` (to mark the current link). Forms use the macros of
`templates/_forms.html`; errors are `PageError`s, answered by `page_error`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from recruitlink.core.linkedin_schema import http_url_problem
from recruitlink.core.quotas import resource_label
from recruitlink.core.validation import email_problem

from .security import PageError, PageUser, csrf_token, signed_in_user

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def http_url(value: str | None) -> str | None:
    """`value` when it is an absolute http(s) URL, else None: the one way a template puts a
    stored URL in an href or src. The store refuses other schemes; one that slipped in
    earlier (`javascript:`, `data:`) is shown as text, never linked."""
    if value is None or http_url_problem(value) is not None:
        return None
    return value


def mail_href(value: str | None) -> str | None:
    """`mailto:value` when `value` is an email address, else None: an ATS's stored address
    such as "mark at example dot com" or "mailto:ivan@example.com;" is shown as text, not
    as a link a mail program cannot use."""
    if not isinstance(value, str) or email_problem(value) is not None:
        return None
    return f"mailto:{value}"


def format_millis(value: int | None, with_time: bool = True) -> str:
    """Epoch milliseconds as `2024-05-01 13:45 UTC` (or just the date)."""
    if value is None:
        return ""
    moment = datetime.fromtimestamp(value / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC" if with_time else "%Y-%m-%d")


env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(
    enabled_extensions=("html",), default_for_string=True, default=True),
    trim_blocks=True, lstrip_blocks=True)
env.filters["millis"] = format_millis
env.filters["http_url"] = http_url
env.filters["mail_href"] = mail_href
env.filters["resource_label"] = resource_label


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str

    def current(self, path: str) -> bool:
        return path == self.href or path.startswith(self.href + "/")


def nav_links(user: PageUser | None) -> list[NavLink]:
    if user is None:
        return []
    base = f"/t/{user.tenant_slug}"
    links = [NavLink("Candidates", f"{base}/candidates"), NavLink("Jobs", f"{base}/jobs")]
    if user.has_crm:
        links.append(NavLink("Projects", f"{base}/projects"))
    # Every user: their own LinkedIn exports, refused ones with the reason (issue 15).
    links.append(NavLink("My LinkedIn exports", f"{base}/linkedin-exports"))
    if user.is_admin:
        links += [NavLink("Integrations → LinkedIn", f"{base}/integrations/linkedin"),
                  NavLink("Sync logs", f"{base}/integrations/linkedin/sync-logs"),
                  NavLink("Members", f"{base}/integrations/linkedin/members")]
    return links


def render(request: Request, template: str, context: dict[str, Any],
           status: int = 200) -> HTMLResponse:
    """The page `template` with `context`, plus user, csrf_token, nav and path."""
    user = context.get("user", signed_in_user(request))
    full = {"user": user, "csrf_token": csrf_token(request) if user is not None else "",
            "nav": nav_links(user), "path": request.url.path, "request": request, **context}
    html = env.get_template(template).render(full)
    # Security headers (CSP, Referrer-Policy, ...) are added to every answer by web/headers.py.
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


async def page_error(request: Request, exc: Exception) -> Response:
    """The exception handler for `PageError`: a redirect or a short error page."""
    assert isinstance(exc, PageError)
    if exc.location is not None:
        return RedirectResponse(exc.location, status_code=exc.status_code)
    titles = {401: "Signed out", 403: "Not allowed", 404: "Not found"}
    return render(request, "forbidden.html",
                  {"user": exc.user if exc.user is not None else signed_in_user(request),
                   "title": titles.get(exc.status_code, "Error"),
                   "message": exc.message, "status": exc.status_code},
                  status=exc.status_code)
