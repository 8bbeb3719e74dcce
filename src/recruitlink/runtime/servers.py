"""Serving ASGI apps on loopback from inside one process (the demo, tests, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def bound_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket; port 0 picks a free one (read it back with getsockname)."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only then (proto 0 left every
    # kept-alive answer waiting ~40 ms for Nagle's algorithm).
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                         socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()  # a port taken meanwhile: no socket left for the collector to warn of
        raise
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextmanager
def serve(app: Any, host: str = "127.0.0.1", port: int = 0,
          sock: socket.socket | None = None) -> Iterator[str]:
    """Run an ASGI app under uvicorn in a thread; yield its base URL; stop it afterwards.
    `sock`: a socket bound beforehand (`bound_socket`), when the app must know its own URL
    before it is built (the demo's public URL on port 0)."""
    sock = sock if sock is not None else bound_socket(host, port)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on",
                                           access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("server did not start")
        time.sleep(0.01)
    try:
        yield url_of(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
