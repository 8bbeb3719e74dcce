"""`Idempotency-Key` on the data API's writes: a client that did not get an answer (a timeout,
a dropped connection) sends the same request again with the same key and gets the first
answer back, instead of a second write.

    same key, same method, path, query and body   -> the stored answer (status, body, content
      (byte for byte)                                type) with `Idempotent-Replayed: true`
    same key, another request                     -> 409 naming the key
    same key while the first is still running     -> 409 "in progress": retry later
    a 5xx, a crash, or an answer that asks to be  -> nothing kept: the key is free again
      sent again (408, 429, Retry-After)

A process killed mid-request leaves its claim, which runs out after `LEASE_MS`. The answer is
kept in its own transaction just after the write's: if that fails, the client still gets
the answer, and the key stays claimed until the lease runs out.

Keys are per tenant (the API key's), 1 to 255 printable ASCII characters, kept 24 hours
(store/idempotency.py). `IdempotentRoute` is the route class of the data API's routers: it
claims the key after routing and authentication, hashes the body as the handler streams it
(an upload is never buffered for this), holds the answer back until it is stored, then sends
it. Expired keys are purged in small batches now and then, by the requests themselves.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send

from recruitlink.store import Store, now_ms
from recruitlink.store import idempotency as stored
from recruitlink.store.tenants import tenant_for_key

from .auth import error_body

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_KEY = 255
# Printable ASCII; no space at either end (HTTP would strip it, so two keys would collide).
KEY_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]{0,253}[\x21-\x7e])?$"
_KEY = re.compile(KEY_PATTERN)
PURGE_EVERY_S = 60.0
"""A purge batch a minute per app (more while full batches come back): cheap, and the table
stays small. Until purged, an expired key already counts as absent."""

_ERROR_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
OPENAPI: dict[str, Any] = {
    "parameters": [{
        "name": HEADER, "in": "header", "required": False,
        "description": "Makes the write safe to send again: the same key with the same "
                       "request (method, path, query and body, byte for byte) within 24 "
                       "hours answers the first answer again (with "
                       f"`{REPLAYED}: true`) instead of writing twice. Your own unique value "
                       "(a UUID), 1 to 255 printable ASCII characters, per tenant. Answers "
                       "with a 5xx status are not kept, so the key can be sent again.",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY,
                   "pattern": KEY_PATTERN}}],
    "responses": {"409": {
        "description": f"Conflict. With an `{HEADER}`: the key was used for another request, "
                       "or its first request is still in progress (send it again later).",
        "content": _ERROR_BODY}},
}


def key_problem(value: str) -> str | None:
    """Why a header value is not a usable key, or None."""
    if not value:
        return "is empty: send 1 to 255 printable ASCII characters"
    if len(value) > MAX_KEY:
        return f"is longer than {MAX_KEY} characters"
    if not _KEY.match(value):
        return "must be printable ASCII characters (no control characters, no space at " \
               "either end)"
    return None


def request_hasher(scope: Scope) -> Any:
    """sha256 over what makes two requests the same: method, path, query, body (fed later)."""
    digest = hashlib.sha256()
    for part in (scope["method"], scope.get("raw_path") or scope["path"].encode(),
                 scope.get("query_string", b"")):
        data = part.encode() if isinstance(part, str) else bytes(part)
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest


def error(status: int, field_reason: str, message: str,
          headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = error_body(status, message, [{"field": HEADER, "reason": field_reason}])
    return JSONResponse(body, status, headers=dict(headers or {}))


def keeps(status: int, headers: Headers) -> bool:
    """Only answers that say what the request did or why it is wrong are kept. A 5xx (ours,
    or a busy database) frees the key so the client may send the request again; so does an
    answer that asks for exactly that (408, 429, or any with `Retry-After`: a write that lost
    a race to a concurrent one), which replayed would say "send it again" for a day."""
    if status in (408, 429) or "retry-after" in headers:
        return False
    return 200 <= status < 300 or 400 <= status < 500


class IdempotentRoute(APIRoute):
    """A data API route whose writes honour `Idempotency-Key` (and document it)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        self.idempotent = bool(methods & WRITES) and kwargs.get("include_in_schema", True)
        if self.idempotent:
            extra = dict(kwargs.get("openapi_extra") or {})
            extra["parameters"] = [*extra.get("parameters", ()), *OPENAPI["parameters"]]
            extra["responses"] = {**OPENAPI["responses"], **extra.get("responses", {})}
            kwargs["openapi_extra"] = extra
        super().__init__(path, endpoint, **kwargs)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        key = headers.get(HEADER)
        if key is None or not self.idempotent or scope["method"] not in WRITES:
            await super().handle(scope, receive, send)
            return
        app_state = scope["app"].state
        store: Store = app_state.store
        tenant_id = await run_in_threadpool(_tenant_of, store, headers)
        if tenant_id is None:  # the handler answers the 401
            await super().handle(scope, receive, send)
            return
        problem = key_problem(key)
        if problem is not None:
            await error(422, problem, f"{HEADER}: {problem}")(scope, receive, send)
            return
        await IdempotentCall(self, store, tenant_id, key, scope, receive, send).run()
        await _purge_now_and_then(app_state, store)

    async def run_handler(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().handle(scope, receive, send)


class IdempotentCall:
    """One write with a key: claim, run (hashing the body as it streams), keep, answer."""

    def __init__(self, route: IdempotentRoute, store: Store, tenant_id: int, key: str,
                 scope: Scope, receive: Receive, send: Send) -> None:
        self.route, self.store, self.tenant_id, self.key = route, store, tenant_id, key
        self.scope, self.receive, self.send = scope, receive, send
        self.hasher = request_hasher(scope)
        self.body_done = False

    async def run(self) -> None:
        claim = await run_in_threadpool(self._claim)
        if isinstance(claim, stored.Busy):
            reason = "a request with this key is still in progress; send it again later"
            await error(409, reason, f"{HEADER} {self.key!r}: {reason}",
                        {"Retry-After": "1"})(self.scope, self.receive, self.send)
            return
        if isinstance(claim, stored.Stored):
            if not await self._drain():
                return  # the client went away
            if claim.request_hash != self.hasher.hexdigest():
                reason = "was used for another request (method, path or body differ) in " \
                         "the last 24 hours; use a new key for a new request"
                await error(409, reason, f"{HEADER} {self.key!r} {reason}")(
                    self.scope, self.receive, self.send)
                return
            await self._replay(claim)
            return
        await self._first(claim.token)

    async def _first(self, token: str) -> None:
        answer: list[Message] = []

        async def hold(message: Message) -> None:
            answer.append(message)

        try:
            await self.route.run_handler(self.scope, self._hashed, hold)
            # A refusal sent before the body was read: hash the rest, to keep it.
            whole = await self._drain()
        except BaseException:
            await run_in_threadpool(self._release, token)
            raise
        status = int(answer[0]["status"]) if answer else 500
        if not whole:  # the client went away mid-body: nothing to answer or keep
            await run_in_threadpool(self._release, token)
            return
        head = Headers(raw=answer[0].get("headers", [])) if answer else Headers()
        if keeps(status, head):
            body = b"".join(m.get("body", b"") for m in answer[1:]
                            if m["type"] == "http.response.body")
            try:
                await run_in_threadpool(self._complete, token, status, body,
                                        head.get("content-type"))
            except Exception:  # the write is done: the client still gets its answer
                log.exception("could not keep the answer of an idempotent request; its key "
                              "stays claimed until its lease runs out")
        else:
            await run_in_threadpool(self._release, token)
        for message in answer:
            await self.send(message)

    async def _hashed(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.hasher.update(message.get("body", b""))
            if not message.get("more_body", False):
                self.body_done = True
        return message

    async def _drain(self) -> bool:
        """Read (and hash) what the handler left of the body; False if the client left."""
        while not self.body_done:
            message = await self._hashed()
            if message["type"] == "http.disconnect":
                return False
        return True

    async def _replay(self, claim: stored.Stored) -> None:
        answer = Response(claim.body, claim.status_code, headers={REPLAYED: "true"},
                          media_type=claim.content_type)
        await answer(self.scope, self.receive, self.send)

    def _claim(self) -> stored.Claim:
        with self.store.db.write() as conn:
            return stored.claim(conn, self.tenant_id, self.key, now_ms=now_ms())

    def _complete(self, token: str, status: int, body: bytes, content_type: str | None) -> None:
        with self.store.db.write() as conn:
            stored.complete(conn, self.tenant_id, self.key, token,
                            request_hash=self.hasher.hexdigest(), status_code=status,
                            body=body, content_type=content_type, now_ms=now_ms())

    def _release(self, token: str) -> None:
        with self.store.db.write() as conn:
            stored.release(conn, self.tenant_id, self.key, token)


def _tenant_of(store: Store, headers: Headers) -> int | None:
    scheme, _, credentials = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    with store.reader() as conn:
        tenant = tenant_for_key(conn, credentials.strip())
    return tenant.id if tenant is not None else None


async def _purge_now_and_then(app_state: Any, store: Store) -> None:
    now = time.monotonic()
    if now < getattr(app_state, "idempotency_purge_at", 0.0):
        return
    app_state.idempotency_purge_at = now + PURGE_EVERY_S

    def purge() -> int:
        with store.db.write() as conn:
            return stored.purge_expired(conn, now_ms=now_ms())

    if await run_in_threadpool(purge) == stored.PURGE_BATCH:
        app_state.idempotency_purge_at = now  # more are due: the next keyed write goes on
