"""The boundary for text a request carries outside JSON: the path, the query string and form
fields. A NUL character in any of them is refused before a route sees it (PostgreSQL text
cannot hold one, and no valid value has one): 404 for a path, 400 naming the parameter or
field otherwise, in the API's one error shape.

JSON bodies have their own reader (json_input.py) and the data API's records their own check
(core/records.py), which name the field by its path inside the body.
"""

from __future__ import annotations

from starlette.datastructures import FormData, Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .api import JSONResponse
from .auth import ApiError

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_REASON = "must not contain a NUL character"


def _named(name: str) -> str:
    return name.replace("\x00", "\\u0000")


def nul_in_path(path: str) -> ApiError | None:
    if "\x00" not in path:
        return None
    reason = f"no such endpoint: the path {NUL_REASON}"
    return ApiError(404, reason, [{"field": "path", "reason": reason}])


def nul_in_query(query_string: bytes) -> ApiError | None:
    if b"%00" not in query_string and b"\x00" not in query_string:
        return None  # the common case, without parsing
    for name, value in QueryParams(query_string).multi_items():
        if "\x00" in name or "\x00" in value:
            return ApiError(400, f"{_named(name)}: {NUL_REASON}",
                            [{"field": _named(name), "reason": NUL_REASON}])
    return None


def nul_in_form(form: FormData) -> ApiError | None:
    for name, value in form.multi_items():
        if "\x00" in name or (isinstance(value, str) and "\x00" in value):
            return ApiError(400, f"{_named(name)}: {NUL_REASON}",
                            [{"field": _named(name), "reason": NUL_REASON}])
    return None


class InputGuard:
    """Refuses NUL in the path, query and form fields of every request. Form bodies are read
    here (they are small; the body limit, outside this middleware, caps them) and handed on
    unchanged; other bodies pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = nul_in_path(scope["path"]) or nul_in_query(scope.get("query_string", b""))
        if refused is None and _is_form(scope):
            try:
                body = await _read_all(receive)
            except HTTPException as exc:  # the body limit's 413, raised while reading
                refused = exc if isinstance(exc, ApiError) else ApiError(exc.status_code,
                                                                         str(exc.detail))
            else:
                if body is None:
                    return  # the client went away
                receive = _replay(body)
                if b"\x00" in body or b"%00" in body:
                    refused = await _check_form(scope, body)
        if refused is not None:
            await JSONResponse(refused.body(), refused.status_code)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _is_form(scope: Scope) -> bool:
    media = (Headers(scope=scope).get("content-type") or "").split(";", 1)[0].strip().lower()
    return media in FORM_TYPES


async def _read_all(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _check_form(scope: Scope, body: bytes) -> ApiError | None:
    request = Request(scope, _replay(body))
    try:
        form = await request.form()
    except HTTPException:
        return None  # a malformed form: the route reports it as it always has
    try:
        return nul_in_form(form)
    finally:
        await form.close()
