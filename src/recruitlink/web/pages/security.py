"""Who is looking at a page: the signed session cookie, roles, CSRF.

The session is a cookie `rl_session` = `<payload>.<mac>`: the payload (url-safe base64 JSON)
holds the user id, the tenant id, the expiry and a random nonce; the mac is HMAC-SHA256 with a
key derived from `settings.secret_key`. The session also lives on the server (a
`page_sessions` row keyed by a hash of the nonce, store/page_sessions.py), read with the user
on every request: signing out, `session_idle_seconds` without a request,
`session_lifetime_seconds` after sign-in, or a password change end it, so a copied cookie
stops working. The cookie is HttpOnly, SameSite=Lax, and Secure when `public_url` is https
(or as `session_cookie_secure` says). The CSRF token is an HMAC of the session's nonce: a form
or a fetch sends it back (`csrf_token` form field or `X-CSRF-Token` header) on every POST, PUT
and DELETE (`require_csrf`).

Page errors are `PageError`s (an HTTPException) and answer HTML (see `render.page_error`):
303 to the sign-in page for a signed-out GET, 401 for other methods, 404 for another tenant's
pages (never revealing they exist), 403 for a role that may not see the page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import Response

from recruitlink.keys import signing_key
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, page_sessions

ROLES = ("recruiter", "admin", "company_admin")
COOKIE = "rl_session"
# A page view records activity at most this often (and at most every tenth of the idle
# timeout): reading pages stays reads, and the idle timeout is exact to within this.
TOUCH_SECONDS = 60.0
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class PageUser:
    id: int
    external_id: str
    tenant_id: int
    tenant_slug: str
    tenant_name: str
    tenant_kind: str
    name: str
    email: str
    role: str

    @property
    def is_company_admin(self) -> bool:
        return self.role == "company_admin"

    @property
    def is_admin(self) -> bool:
        """An admin or a company admin (sees the integration pages in the navigation)."""
        return self.role in ("admin", "company_admin")

    @property
    def has_crm(self) -> bool:
        return self.tenant_kind in ("CRM", "BOTH")


class PageError(HTTPException):
    """An error answered with a page: `message` is shown; `location` makes it a redirect."""

    def __init__(self, status_code: int, message: str, *, location: str | None = None,
                 user: PageUser | None = None) -> None:
        super().__init__(status_code, message,
                         {"Location": location} if location is not None else None)
        self.message = message
        self.location = location
        self.user = user


# -- the session cookie ----------------------------------------------------------------------

@dataclass(frozen=True)
class Session:
    user_id: int
    tenant_id: int
    expires: int
    nonce: str


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _key(settings: Settings, purpose: str) -> bytes:
    return signing_key(settings, f"pages:{purpose}")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def keyed_hash(settings: Settings, purpose: str, text: str) -> str:
    """A MAC of `text` under a key of its own: stores a lookup key, not what it names."""
    return hmac.new(_key(settings, purpose), text.encode(), hashlib.sha256).hexdigest()


def sign_session(settings: Settings, session: Session) -> str:
    payload = _b64(json.dumps({"u": session.user_id, "t": session.tenant_id,
                               "e": session.expires, "n": session.nonce},
                              separators=(",", ":")).encode())
    mac = hmac.new(_key(settings, "session"), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{mac}"


def read_session(settings: Settings, value: str | None, now: float | None = None
                 ) -> Session | None:
    """The session in a cookie value if its MAC is good and it has not expired. A value we
    never made (non-ASCII bytes, which compare_digest refuses with an error) is no session."""
    if not value or not value.isascii() or value.count(".") != 1 or len(value) > 1000:
        return None
    payload, mac = value.split(".")
    expected = hmac.new(_key(settings, "session"), payload.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = Session(int(data["u"]), int(data["t"]), int(data["e"]), str(data["n"]))
    except (ValueError, KeyError, TypeError):
        return None
    if session.expires <= (time.time() if now is None else now):
        return None
    return session


def _now_ms() -> int:
    return int(time.time() * 1000)


def start_session(request: Request, *, user_id: int, tenant_id: int) -> Session:
    """A new session for a user who just signed in, recorded on the server."""
    settings = _settings(request)
    now = _now_ms()
    expires_ms = now + int(settings.session_lifetime_seconds * 1000)
    session = Session(user_id, tenant_id, expires_ms // 1000, secrets.token_urlsafe(32))
    with _store(request).db.write() as conn:
        page_sessions.start(conn, nonce=session.nonce, user_id=user_id, tenant_id=tenant_id,
                            now_ms=now, expires_ms=expires_ms)
    return session


def end_session(request: Request, session: Session) -> None:
    """Sign out: the session's cookie (and every copy of it) stops working."""
    with _store(request).db.write() as conn:
        page_sessions.end(conn, session.nonce, _now_ms())


def cookie_secure(settings: Settings) -> bool:
    """The setting if given, else whether users reach the server over https (by `public_url`,
    not the request's scheme: TLS often ends at a proxy that talks http to us)."""
    if settings.session_cookie_secure is not None:
        return settings.session_cookie_secure
    return urlsplit(settings.public_url).scheme.lower() == "https"


def set_session_cookie(response: Response, request: Request, session: Session) -> None:
    settings = _settings(request)
    response.set_cookie(COOKIE, sign_session(settings, session),
                        max_age=int(settings.session_lifetime_seconds), path="/",
                        httponly=True, samesite="lax", secure=cookie_secure(settings))


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=cookie_secure(_settings(request)))


def current_session(request: Request) -> Session | None:
    """The request's signed session (not yet checked against the user's current state)."""
    return read_session(_settings(request), request.cookies.get(COOKIE))


def _load_user(request: Request, session: Session) -> PageUser | None:
    """The session's user if the session is live on the server (not ended, not idle too long,
    not expired) and the user active: one read by the session's primary key. Records the
    activity (a write) at most every `TOUCH_SECONDS`."""
    settings = _settings(request)
    with _store(request).reader() as conn:
        row = page_sessions.with_user(conn, session.nonce, session.user_id,
                                      session.tenant_id)
    now = _now_ms()
    idle_ms = int(settings.session_idle_seconds * 1000)
    if (row is None or not row.active or row.password_hash is None
            or row.ended_at is not None or row.expires_at <= now
            or row.last_seen_at + idle_ms <= now):
        return None
    if now - row.last_seen_at >= min(TOUCH_SECONDS * 1000, idle_ms / 10):
        with _store(request).db.write() as conn:
            page_sessions.touch(conn, session.nonce, now)
    return PageUser(id=row.id, external_id=row.external_id, tenant_id=row.tenant_id,
                    tenant_slug=row.slug, tenant_name=row.tenant_name,
                    tenant_kind=row.tenant_kind, name=row.name, email=row.email,
                    role=row.role)


def signed_in_user(request: Request) -> PageUser | None:
    """The signed-in user of any tenant, or None (signed out, idle, expired, password
    changed, deactivated). Cached on the request."""
    if hasattr(request.state, "page_user"):
        cached: PageUser | None = request.state.page_user
        return cached
    session = current_session(request)
    user = _load_user(request, session) if session is not None else None
    request.state.page_user = user
    return user


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="/")


def page_user(request: Request, slug: str) -> PageUser:
    """FastAPI dependency of every `/t/{slug}/...` page: the signed-in user of that tenant."""
    user = signed_in_user(request)
    if user is None:
        if request.method in SAFE_METHODS:
            raise PageError(303, "Please sign in.", location=login_url(request))
        raise PageError(401, "Your session has ended: sign in again.")
    if user.tenant_slug != slug:
        # Another tenant's pages do not exist for this user.
        raise PageError(404, "This page does not exist.", user=user)
    return user


ASKED_ADMINS = 3
"""Most company admins a refusal names."""


def ask_company_admin(request: Request, user: PageUser, for_what: str = "for access") -> str:
    """What a refused user does next: ask one of the workspace's company admins, by name
    (`for_what`: what to ask them for)."""
    with _store(request).reader() as conn:
        found = accounts.active_with_role(conn, user.tenant_id, "company_admin",
                                          ASKED_ADMINS + 1)
    named = [f"{r.name} ({r.email})" if r.email else str(r.name) for r in found]
    if not named:
        return f"Ask your company admin {for_what}."
    more = ", or another" if len(named) > ASKED_ADMINS else ""
    return (f"Ask a company admin of {user.tenant_name} {for_what}: "
            f"{', '.join(named[:ASKED_ADMINS])}{more}.")


def company_admin(request: Request, user: PageUser = Depends(page_user)) -> PageUser:
    """Dependency: the user, if a company admin; a 403 page otherwise."""
    if not user.is_company_admin:
        raise PageError(403, "Only a company admin can open this page. "
                        + ask_company_admin(request, user), user=user)
    return user


def admin(request: Request, user: PageUser = Depends(page_user)) -> PageUser:
    """Dependency: the user, if an admin or a company admin; a 403 page otherwise."""
    if not user.is_admin:
        raise PageError(403, "Only an admin can open this page. "
                        + ask_company_admin(request, user), user=user)
    return user


# -- CSRF ------------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    """The CSRF token bound to the request's session ('' when signed out)."""
    session = current_session(request)
    if session is None:
        return ""
    return hmac.new(_key(_settings(request), "csrf"), session.nonce.encode(),
                    hashlib.sha256).hexdigest()


async def require_csrf(request: Request) -> None:
    """Dependency of every POST/PUT/DELETE page route: the session's CSRF token must come
    back in the `X-CSRF-Token` header or the `csrf_token` form field; 403 otherwise."""
    if request.method in SAFE_METHODS:
        return
    user = await run_in_threadpool(signed_in_user, request)  # a database read
    if user is None:  # whatever order the dependencies run in
        raise PageError(401, "Your session has ended: sign in again.")
    expected = csrf_token(request)
    given: Any = request.headers.get(CSRF_HEADER)
    if not given:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded",
                                    "multipart/form-data")):
            form = await request.form()
            given = form.get(CSRF_FIELD)
    if not expected or not isinstance(given, str) or not hmac.compare_digest(
            given.encode(), expected.encode()):
        raise PageError(403, "This form has expired or did not come from this site (bad "
                             "CSRF token): reload the page and try again.",
                        user=user)
