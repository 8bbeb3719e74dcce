"""Unexpected errors: a 500 in the API's error shape, logged without the request's values.

A route's exception can carry what the client sent (an email typed at sign-in in an SQL
error, a token in a path), so the log holds the exception's type, the route's template (not
the path), a request id (also answered in `X-Request-ID` and the message) and where in the
code it happened (file, line and function of recruitlink's frames and of the innermost one),
never the exception's message or any variable. The exception is handled here, inside the
server's own error middleware, so that the server neither logs it again in full nor drops
the keep-alive connection.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from pathlib import Path

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api import JSONResponse
from .auth import error_body

log = logging.getLogger("recruitlink.web.errors")
REQUEST_ID_HEADER = "X-Request-ID"
PACKAGE = str(Path(__file__).resolve().parents[1])


def route_of(scope: Scope) -> str:
    """The matched route's template (`/t/{slug}/candidates/{external_id}`), never the path."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    return template if isinstance(template, str) else "(no route matched)"


def _where(exc: BaseException) -> str:
    """recruitlink's own frames and the innermost one (where it was raised)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames[:-1] if PACKAGE in f.filename] + frames[-1:]
    return "".join(f"\n  {f.filename}:{f.lineno} in {f.name}" for f in ours)


def log_unexpected(scope: Scope, exc: BaseException, request_id: str) -> None:
    frames = _where(exc)
    log.error("unexpected %s on %s %s (request %s); where:%s", type(exc).__name__,
              scope.get("method", "?"), route_of(scope), request_id, frames)


def internal_error(request_id: str) -> JSONResponse:
    body = error_body(500, f"internal error; it has been logged as request {request_id}")
    return JSONResponse(body, 500, headers={REQUEST_ID_HEADER: request_id})


class CatchUnexpected:
    """Answers 500 for any exception a route lets through, and logs it safely."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            request_id = secrets.token_hex(8)
            log_unexpected(scope, exc, request_id)
            if not started:
                await internal_error(request_id)(scope, receive, send)
