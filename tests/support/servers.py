"""Real servers on loopback for tests: the sandbox under uvicorn, and a push receiver."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from recruitlink.runtime.servers import serve

__all__ = ["PushReceiver", "ReceivedPush", "listening", "refused", "refused_socket", "serve"]


def refused_socket(host: str = "127.0.0.1") -> socket.socket:
    """A socket bound to a free loopback port, not listening: connections to it are refused
    until `sock.listen()` (then `serve(app, sock=sock)` answers there). Held meanwhile, the
    port cannot be taken by an outgoing connection or another server, as a port picked by
    bind(0) and let go can (it is in the kernel's ephemeral range)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:  # (no SO_REUSEADDR: no other socket may bind the port while it is held)
        sock.bind((host, 0))
    except OSError:
        sock.close()
        raise
    return sock


@pytest.fixture
def refused() -> Iterator[socket.socket]:
    """A `refused_socket` for the test (a port nothing listens on yet), closed after it."""
    sock = refused_socket()
    try:
        yield sock
    finally:
        sock.close()


def listening(sock: socket.socket) -> socket.socket:
    """`sock` (a `refused_socket`) listening from now on, for `serve(app, sock=...)`."""
    sock.listen(2048)
    return sock


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
