"""Sign-in and sign-out: `GET/POST /login`, `POST /logout`, and `/` to the user's start page.

A failed sign-in says only "email or password is wrong" (no user enumeration, and a wrong
email costs the same scrypt time as a wrong password). Failures are throttled per process by
workspace and email: after `MAX_FAILURES` in `WINDOW_SECONDS`, sign-in is refused for that
pair until the window passes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from recruitlink.store import Store
from recruitlink.store.accounts import verify

from .render import render
from .security import (
    SAFE_METHODS,
    PageError,
    clear_session_cookie,
    current_session,
    new_session,
    require_csrf,
    set_session_cookie,
    signed_in_user,
)

WRONG = "email or password is wrong"
MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60
_MAX_KEYS = 10_000


class Throttle:
    """Failed sign-ins per key in a sliding window, in this process's memory."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked_for(self, key: str, now: float | None = None) -> float:
        """Seconds until `key` may try again (0: it may)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._recent(key, now)
            if len(times) < self.limit:
                return 0.0
            return times[0] + self.window - now

    def failed(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._failures) > _MAX_KEYS:
                self._failures.clear()
            self._recent(key, now).append(now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (no scheme, no host), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _same_origin(request: Request) -> bool:
    """False if the browser says the form came from another site (login CSRF)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return (parts.netloc or "").lower() == (request.headers.get("host") or "").lower()


def build_signin_router(store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    throttle = Throttle()

    def login_page(request: Request, *, next_url: str, workspace: str = "", email: str = "",
                   errors: dict[str, str] | None = None, status: int = 200) -> Response:
        return render(request, "login.html", {
            "user": None, "title": "Sign in", "next": next_url, "workspace": workspace,
            "email": email, "errors": errors or {}}, status=status)

    @router.get("/")
    def home(request: Request) -> Response:
        user = signed_in_user(request)
        if user is None:
            return RedirectResponse("/login", status_code=303)
        return RedirectResponse(f"/t/{user.tenant_slug}/candidates", status_code=303)

    @router.get("/login")
    def login_form(request: Request, next: str | None = None) -> Response:
        target = safe_next(next) or ""
        user = signed_in_user(request)
        if user is not None:
            return RedirectResponse(target or f"/t/{user.tenant_slug}/candidates",
                                    status_code=303)
        return login_page(request, next_url=target)

    @router.post("/login")
    def login(request: Request, workspace: str = Form(""), email: str = Form(""),
              password: str = Form(""), next: str = Form("")) -> Response:
        target = safe_next(next) or ""
        workspace = workspace.strip().lower()
        email = email.strip()
        errors: dict[str, str] = {}
        if not _same_origin(request):
            raise PageError(403, "This sign-in form did not come from this site.")
        if not workspace:
            errors["workspace"] = "Enter your workspace."
        if not email:
            errors["email"] = "Enter your email address."
        if not password:
            errors["password"] = "Enter your password."
        if errors:
            return login_page(request, next_url=target, workspace=workspace, email=email,
                              errors=errors, status=422)
        key = f"{workspace}\x00{email.lower()}"
        wait = throttle.blocked_for(key)
        if wait > 0:
            minutes = max(1, round(wait / 60))
            return login_page(request, next_url=target, workspace=workspace, email=email,
                              errors={"password": f"Too many failed attempts: try again in "
                                                  f"{minutes} minute(s)."}, status=429)
        with store.reader() as conn:
            row = verify(conn, workspace, email, password)
        if row is None:
            throttle.failed(key)
            return login_page(request, next_url=target, workspace=workspace, email=email,
                              errors={"password": WRONG}, status=401)
        throttle.succeeded(key)
        tenant_home = f"/t/{row.slug}/"
        if not (target.startswith(tenant_home) or target == tenant_home.rstrip("/")):
            target = f"/t/{row.slug}/candidates"
        response = RedirectResponse(target, status_code=303)
        settings = request.app.state.settings
        set_session_cookie(response, request, new_session(
            settings, user_id=row.id, tenant_id=row.tenant_id,
            password_hash=row.password_hash))
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        if current_session(request) is not None and request.method not in SAFE_METHODS:
            await require_csrf(request)
        response = RedirectResponse("/login", status_code=303)
        clear_session_cookie(response)
        return response

    return router
