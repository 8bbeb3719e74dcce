"""Real servers on loopback for tests: the sandbox under uvicorn, and a push receiver."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from recruitlink.runtime.servers import serve

__all__ = ["PushReceiver", "ReceivedPush", "serve"]


@dataclass
class ReceivedPush:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushReceiver:
    """A callback endpoint that records every push and answers with scripted statuses."""

    url: str = ""
    received: list[ReceivedPush] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    """Statuses to answer, in order; 200 once exhausted."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            body = await request.body()
            with self.lock:
                headers = {k.lower(): v for k, v in request.headers.items()}
                self.received.append(ReceivedPush(request.url.path, headers, body))
                status = self.script.pop(0) if self.script else 200
            return Response(status_code=status)

        return Starlette(routes=[Route("/{path:path}", receive, methods=["POST"])])

    def wait_for(self, n: int, timeout: float = 10.0) -> list[ReceivedPush]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= n:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"expected {n} pushes, got {len(self.received)}")
