"""Who is signed into "LinkedIn" in this browser: the sandbox's member session.

LinkedIn's pages and widgets act for the signed-in member (a Recruiter seat holder). The
sandbox keeps that as a signed cookie holding the person URN; the key lives in memory, so a
restarted sandbox signs everyone out, as a new LinkedIn session would.

Host pages and the sandbox are usually on the same host with different ports: the same
*site* for the browser, so a `SameSite=Lax` cookie reaches the widget iframes too.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import Connection, select
from starlette.requests import Request
from starlette.responses import Response

from ..store import seats

COOKIE = "li_session"
_KEY = secrets.token_bytes(32)


def _sign(person: str) -> str:
    return hmac.new(_KEY, person.encode(), hashlib.sha256).hexdigest()


def signed_in_member(request: Request) -> str | None:
    """The person URN of the signed-in member, or None."""
    value = request.cookies.get(COOKIE, "")
    person, _, signature = value.rpartition(".")
    if not person or not signature.isascii() or not hmac.compare_digest(signature,
                                                                         _sign(person)):
        return None
    return person


def sign_in(response: Response, person: str) -> None:
    response.set_cookie(COOKIE, f"{person}.{_sign(person)}", httponly=True, samesite="lax",
                        path="/")


def sign_out(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/")


def active_seats(conn: Connection, person: str,
                 contracts: list[str] | None = None) -> list[Any]:
    """The member's active Recruiter seats (on these contracts, when given)."""
    query = select(seats).where(seats.c.person == person, seats.c.active.is_(True))
    if contracts is not None:
        query = query.where(seats.c.contract.in_(contracts))
    return list(conn.execute(query.order_by(seats.c.id)))


def csrf_token(person: str) -> str:
    """A per-session token for the Recruiter pages' forms."""
    return hmac.new(_KEY, f"csrf:{person}".encode(), hashlib.sha256).hexdigest()[:32]


def csrf_ok(person: str, token: str | None) -> bool:
    return bool(token) and (token or "").isascii() and hmac.compare_digest(
        token or "", csrf_token(person))
