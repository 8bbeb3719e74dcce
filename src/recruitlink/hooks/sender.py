"""One POST of a signed delivery to an endpoint: short timeouts, redirects never followed,
an answer's body read only when it is empty or announced short (at most ANSWER_READ_MAX bytes,
read to its end so the connection is kept for the next POST; a receiver cannot make us
download anything), and no connection to a host that resolves to a link-local, multicast or
unspecified address (egress.py). 2xx is delivered; anything else (another status, a timeout, a
refused connection or address) is a failed attempt that is tried again later."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from recruitlink.errors import RefusedAddress

from .egress import guarded_client_transports

USER_AGENT = "recruitlink-webhooks/1"
ANSWER_READ_MAX = 4096  # an answer announced longer is not read: its connection is closed


@dataclass(frozen=True)
class Outcome:
    code: int | None  # the endpoint's HTTP status; None: no answer
    latency_ms: int
    error: str | None  # why it failed; None when delivered
    retry_after_s: float | None = None  # the endpoint's Retry-After (seconds), if it sent one

    @property
    def delivered(self) -> bool:
        return self.error is None


def new_client(timeout_s: float, connections: int) -> httpx.Client:
    """The HTTP client deliveries share (connections kept alive per endpoint), connecting
    only to checked addresses. Like the LinkedIn client it honours HTTPS_PROXY / NO_PROXY,
    for servers whose egress goes through a proxy."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    direct, proxies = guarded_client_transports(limits)
    return httpx.Client(
        follow_redirects=False,
        timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 5.0)),
        transport=direct, mounts=proxies,
        headers={"user-agent": USER_AGENT})


def post(client: httpx.Client, url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        with client.stream("POST", url, content=body,
                           headers={"content-type": "application/json", **headers}) as answer:
            code = answer.status_code
            retry_after = _seconds(answer.headers.get("retry-after"))
            _finish_short(answer)
    except RefusedAddress as exc:
        return Outcome(None, took(), str(exc))
    except httpx.TimeoutException:
        return Outcome(None, took(), "timed out")
    except httpx.HTTPError as exc:
        return Outcome(None, took(), f"{type(exc).__name__}: {exc}"[:500] or "no answer")
    if 200 <= code < 300:
        return Outcome(code, took(), None)
    if 300 <= code < 400:
        return Outcome(code, took(), f"HTTP {code}: redirects are not followed")
    return Outcome(code, took(), f"HTTP {code}", retry_after)


def _finish_short(answer: httpx.Response) -> None:
    """Read an empty or announced-short answer to its end, so its connection goes back to the
    pool (closing a response before its end closes the connection: a new TCP connection per
    POST). A failure here changes nothing: the status has been received."""
    length = answer.headers.get("content-length", "")
    if answer.status_code not in (204, 304) and not (
            length.isdigit() and int(length) <= ANSWER_READ_MAX):
        return
    try:
        for _ in answer.iter_raw():
            pass
    except httpx.HTTPError:
        pass


def _seconds(value: str | None) -> float | None:
    """Retry-After in delta-seconds (the HTTP-date form is ignored: the policy's wait it is).
    ASCII digits only: str.isdigit also takes `²`, which float() refuses."""
    text = (value or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    return float(text)
