"""`POST /linkedin/push/{token}`: LinkedIn's push notifications for one tenant.

The unguessable token in the URL names the tenant (one callback URL per customer, as LinkedIn
requires); `X-LI-Signature` is checked in constant time against that tenant's client secret;
the event is stored in the inbox and answered 200 at once. Workers do the rest.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from recruitlink.core.assumed import PUSH_TYPES, SIGNATURE_HEADER
from recruitlink.core.signing import verify
from recruitlink.crypto import SecretBox
from recruitlink.errors import JsonRefused
from recruitlink.store import Store
from recruitlink.store import inbound_inbox as inbox

from . import json_input
from .api import ErrorBody
from .auth import error_body

MAX_PUSH_BYTES = 64 * 1024
REFUSALS = {400: "Not a push (not a JSON object with a known type and a requestId)",
            401: "Unknown callback URL or bad signature", 413: "Larger than a push can be"}
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _refuse(status: int, reason: str, field: str = "push") -> JSONResponse:
    message = reason if field == "push" else f"{field}: {reason}"
    return JSONResponse(error_body(status, message, [{"field": field, "reason": reason}]),
                        status_code=status)


def _parse(raw: bytes) -> dict[str, Any] | tuple[str, str]:
    """The push body, or (field, why) it is not one. It is stored as JSON: only text a
    database can store (json_input), and a requestId without control characters."""
    try:
        body = json_input.loads(raw)
    except JsonRefused as exc:
        return (exc.field, exc.reason) if exc.field else ("push", f"the body {exc.reason}")
    if not isinstance(body, dict):
        return "push", "the body is not a JSON object"
    if body.get("type") not in PUSH_TYPES:
        return "type", f"must be one of {', '.join(PUSH_TYPES)}"
    request_id = body.get("requestId")
    if not isinstance(request_id, str) or not 0 < len(request_id) <= 200 \
            or CONTROL.search(request_id):
        return "requestId", "must be a string of 1 to 200 characters, without control " \
                            "characters"
    return body


def build_push_router(store: Store, box: SecretBox,
                      notify: Callable[[], None] = lambda: None) -> APIRouter:
    router = APIRouter(tags=["LinkedIn push"])

    @router.post("/linkedin/push/{token}", summary="LinkedIn push notifications (signed)",
                 responses={status: {"model": ErrorBody, "description": description}
                            for status, description in REFUSALS.items()})
    async def receive(token: str, request: Request) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_PUSH_BYTES:
            return _refuse(413, "a push body is small; this one is too large")
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_PUSH_BYTES:
                return _refuse(413, "a push body is small; this one is too large")
        signature = request.headers.get(SIGNATURE_HEADER)

        def keep() -> JSONResponse:
            with store.db.read() as conn:
                owner = inbox.tenant_for_token(conn, token)
            # Unknown URL and bad signature answer alike: the URL is the only hint given.
            if owner is None or owner[1] is None:
                return _refuse(401, "unknown callback URL or bad signature")
            tenant_id, sealed = owner[0], owner[1]
            if not verify(box.open(sealed), raw, signature):
                return _refuse(401, "unknown callback URL or bad signature")
            body = _parse(raw)
            if isinstance(body, tuple):
                return _refuse(400, body[1], field=body[0])
            with store.db.write() as conn:
                fresh = inbox.store_event(conn, tenant_id=tenant_id, body=body,
                                          now_ms=int(time.time() * 1000))
            if fresh:
                notify()
            return JSONResponse({"received": True, "duplicate": not fresh})

        return await run_in_threadpool(keep)

    return router
