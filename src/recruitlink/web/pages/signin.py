"""Sign-in and sign-out: `GET/POST /login`, `POST /logout`, and `/` to the user's start page.

A failed sign-in says only "email or password is wrong" (no user enumeration, and a wrong
email costs the same scrypt time as a wrong password). Failures are counted in the database
per account, per client address and overall (`signin_budget.py`); a spent budget answers 429
with Retry-After and says when to come back. A hash made with older scrypt parameters is
replaced at sign-in. Signing out ends the session on the server.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from recruitlink.settings import Settings
from recruitlink.store import Store
from recruitlink.store.accounts import hash_password, needs_rehash, upgrade_hash, verify
from recruitlink.store.tenants import SLUG

from .render import render
from .security import (
    SAFE_METHODS,
    PageError,
    clear_session_cookie,
    current_session,
    end_session,
    require_csrf,
    set_session_cookie,
    signed_in_user,
    start_session,
)
from .signin_budget import SignInBudgets

WRONG = "email or password is wrong"


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (no scheme, no host), else None."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def workspace_of(target: str) -> str:
    """The workspace a `/t/<workspace>/…` path is in ("" for other paths): a person sent to
    sign in on their way to a page (a link from LinkedIn Recruiter's "View in ATS", a
    bookmark) finds the workspace filled in."""
    parts = target.split("/", 3)
    if len(parts) >= 3 and parts[1] == "t" and SLUG.match(parts[2]):
        return parts[2]
    return ""


def _same_origin(request: Request) -> bool:
    """False if the browser says the form came from another site (login CSRF)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return (parts.netloc or "").lower() == (request.headers.get("host") or "").lower()


def build_signin_router(settings: Settings, store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    budgets = SignInBudgets(store, settings)

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
        return login_page(request, next_url=target, workspace=workspace_of(target))

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
        address = request.client.host if request.client else None
        refusal, attempt = budgets.attempt(workspace, email, address)
        if refusal is not None:
            page = login_page(request, next_url=target, workspace=workspace, email=email,
                              errors={"password": refusal.message()}, status=429)
            page.headers["Retry-After"] = str(refusal.retry_after)
            return page
        with store.reader() as conn:
            row = verify(conn, workspace, email, password)
        if row is None:  # already counted by budgets.attempt
            return login_page(request, next_url=target, workspace=workspace, email=email,
                              errors={"password": WRONG}, status=401)
        budgets.succeeded(attempt)
        if needs_rehash(row.password_hash):  # made with older parameters: today's now
            new_hash = hash_password(password)
            with store.db.write() as conn:
                upgrade_hash(conn, row.id, row.password_hash, new_hash)
        tenant_home = f"/t/{row.slug}/"
        if not (target.startswith(tenant_home) or target == tenant_home.rstrip("/")):
            target = f"/t/{row.slug}/candidates"
        response = RedirectResponse(target, status_code=303)
        set_session_cookie(response, request, start_session(
            request, user_id=row.id, tenant_id=row.tenant_id))
        return response

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        session = current_session(request)
        # A live session is ended (with its CSRF token: no signing out from another site); a
        # dead one (ended, idle, expired) has nothing left to protect: just drop the cookie.
        user = await run_in_threadpool(signed_in_user, request)  # a database read
        if session is not None and user is not None:
            if request.method not in SAFE_METHODS:
                await require_csrf(request)
            await run_in_threadpool(end_session, request, session)
        response = RedirectResponse("/login", status_code=303)
        clear_session_cookie(response, request)
        return response

    return router
