"""Fault injection for a bad day at LinkedIn, configurable per endpoint.

Faults apply to `/v2/<resource>` (keyed by the resource name), the versioned
`/rest/<resource>` (keyed by its own name or the v2 resource it stands for, so one setting
covers both families) and `/oauth` (key "oauth"); key "*" applies everywhere not named. 500
and 503 are answered before the request is processed; 504 and dropped connections happen
*after* it was processed, as a gateway timeout or a lost response would: the client cannot
tell whether its write took effect, and must be idempotent.

`ignore_deletes` is a LinkedIn bug of another kind: batch_delete answers 204 for every key but
keeps the records, so only a client that reads back what it deleted notices (the
certification run, `recruitlink certify`, must fail RSC-501/502 then). The record handlers
ask `ignores_deletes(resource)` with the v2 resource (a /rest call reaches them translated).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from dataclasses import asdict, dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from recruitlink.core.api_families import v2_name
from recruitlink.core.assumed import error_body


@dataclass
class FaultSpec:
    error_rate: float = 0.0
    """Share of requests answered 500, 503 or 504."""
    latency_ms: int = 0
    """Added to every request."""
    latency_jitter_ms: int = 0
    drop_rate: float = 0.0
    """Share of the requests not answered with an error whose connection is closed before
    the response is complete (so any two rates from 0 to 1 go together)."""
    ignore_deletes: bool = False
    """batch_delete answers 204 for every key and deletes nothing (see above)."""

    def validate(self) -> None:
        for name in ("error_rate", "drop_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            raise ValueError("latency must not be negative")


class InjectedDrop(Exception):
    """Raised mid-response to make the server close the connection."""


class Faults:
    def __init__(self, seed: int = 0) -> None:
        self.specs: dict[str, FaultSpec] = {}
        self.rng = random.Random(seed)
        self.injected: dict[str, int] = {"500": 0, "503": 0, "504": 0, "drop": 0}

    def set(self, endpoint: str, spec: FaultSpec) -> None:
        spec.validate()
        self.specs[endpoint] = spec

    def clear(self) -> None:
        self.specs.clear()

    def snapshot(self) -> dict[str, Any]:
        return {"endpoints": {k: asdict(v) for k, v in self.specs.items()},
                "injected": dict(self.injected)}

    def ignores_deletes(self, resource: str) -> bool:
        """Whether batch_delete on this v2 resource answers 204 and deletes nothing (set on
        the v2 resource name, whichever family calls, or on "*")."""
        spec = self.specs.get(resource) or self.specs.get("*")
        return spec is not None and spec.ignore_deletes

    def spec_for(self, path: str) -> FaultSpec | None:
        if not self.specs:
            return None
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["oauth"]:
            names = ["oauth"]
        elif parts[:1] == ["v2"] and len(parts) > 1:
            names = [parts[1]]
        elif parts[:1] == ["rest"] and len(parts) > 1:
            names = [parts[1], v2_name(parts[1])[0]]
        else:
            return None
        for name in names:
            if name in self.specs:
                return self.specs[name]
        return self.specs.get("*")


class FaultMiddleware:
    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults
        logging.getLogger("uvicorn.error").addFilter(_hide_injected_drops)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        spec = self.faults.spec_for(scope.get("path", "")) if scope["type"] == "http" else None
        if spec is None:
            await self.app(scope, receive, send)
            return
        rng = self.faults.rng
        delay = spec.latency_ms + (rng.randint(0, spec.latency_jitter_ms)
                                   if spec.latency_jitter_ms else 0)
        if delay:
            await asyncio.sleep(delay / 1000)
        roll = rng.random()
        if roll < spec.error_rate:
            status = rng.choice((500, 503, 504))
            self.faults.injected[str(status)] += 1
            if status == 504:
                await self.app(scope, receive, _discard)
            await _send_error(send, status)
            return
        if roll < spec.error_rate + spec.drop_rate * (1.0 - spec.error_rate):
            self.faults.injected["drop"] += 1
            captured: list[Message] = []

            async def capture(message: Message) -> None:
                captured.append(message)

            await self.app(scope, receive, capture)
            start = next((m for m in captured if m["type"] == "http.response.start"), None)
            if start is not None:
                await send(start)
                await send({"type": "http.response.body", "body": b"{", "more_body": True})
            raise InjectedDrop("injected dropped connection")
        await self.app(scope, receive, send)


async def _discard(message: Message) -> None:
    return None


async def _send_error(send: Send, status: int) -> None:
    messages = {500: "Internal Server Error (injected)", 503: "Service Unavailable (injected)",
                504: "Gateway Timeout (injected)"}
    body = json.dumps(error_body(status, messages[status])).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _hide_injected_drops(record: logging.LogRecord) -> bool:
    exc = record.exc_info[1] if record.exc_info else None
    return not isinstance(exc, InjectedDrop)
