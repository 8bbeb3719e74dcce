"""The webhook receiver: recruitlink POSTs each event here, signed per Standard Webhooks.

Every delivery is verified with the `standardwebhooks` library before anything else: a body
or header that does not match the signature (forged, altered, wrong secret) and a timestamp more
than five minutes away (an old delivery captured and sent again) are refused with 401. A
verified delivery whose `webhook-id` was applied before (recruitlink retrying, or someone
replaying it from the delivery log) is acknowledged and not applied again.

Several secrets may be given (the old and the new one while you rotate yours); recruitlink signs
with both of its own during its rotation overlap, so one matching signature is enough.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from .apply import BadEvent, apply_event
from .db import Database
from .recruitlink_api import Recruitlink, RecruitlinkError

PATH = "/webhooks/recruitlink"
MAX_BODY = 1 << 20
"""recruitlink's events are small (ids and what changed): anything bigger is not one."""
log = logging.getLogger("host_ats.receiver")


def verified(verifiers: Sequence[Webhook], body: bytes, headers: dict[str, str]) -> bool:
    for verifier in verifiers:
        try:
            verifier.verify(body, headers, json_parse=False)
            return True
        except WebhookVerificationError:
            continue
    return False


def create_receiver(db: Database, api: Recruitlink | None, secrets: Sequence[str]) -> Starlette:
    if not secrets:
        raise ValueError("the receiver needs the endpoint's signing secret (whsec_...)")
    verifiers = [Webhook(secret) for secret in secrets]

    async def receive(request: Request) -> JSONResponse:
        received = bytearray()
        async for chunk in request.stream():
            received += chunk
            if len(received) > MAX_BODY:
                return JSONResponse({"error": "the body is too large"}, status_code=413)
        body = bytes(received)
        headers = dict(request.headers)
        if not verified(verifiers, body, headers):
            log.warning("refused a delivery: signature or timestamp does not verify")
            return JSONResponse({"error": "the signature does not verify"}, status_code=401)
        try:
            envelope = json.loads(body)
            if not isinstance(envelope, dict) or envelope.get("id") != headers["webhook-id"]:
                raise BadEvent("the body's id is not the webhook-id header")
            outcome = await run_in_threadpool(apply_event, db, api, envelope, via="webhook")
        except (BadEvent, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except RecruitlinkError as exc:
            # Could not read the record back: not recorded, so recruitlink retries later.
            log.warning("recruitlink unreachable while applying %s: %s",
                        headers["webhook-id"], exc)
            return JSONResponse({"error": "try again later"}, status_code=503,
                                headers={"Retry-After": "30"})
        return JSONResponse({"outcome": outcome})

    async def health(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route(PATH, receive, methods=["POST"]),
                             Route("/health", health, methods=["GET"])])
