"""Keeping the calls to LinkedIn that fail, for support bundles (issue 19.6).

Whoever wants them opens `capturing()` around its calls (the sync, around each call of a
batch); `RestliHttp` hands every failed call made inside it, already redacted
(core/failed_calls.py), to the innermost open capture of the same thread or task. Outside any
capture nothing is kept, and nothing is parsed twice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

from recruitlink.core.failed_calls import FailedCall, redacted, refused_entities
from recruitlink.core.json_text import loads as json_loads

_OPEN: ContextVar[list[FailedCall] | None] = ContextVar("recruitlink_failed_calls",
                                                        default=None)


@contextmanager
def capturing() -> Iterator[list[FailedCall]]:
    """The failed calls made inside the block, in order."""
    calls: list[FailedCall] = []
    token = _OPEN.set(calls)
    try:
        yield calls
    finally:
        _OPEN.reset(token)


def active() -> bool:
    return _OPEN.get() is not None


def _refused(response: httpx.Response) -> bool:
    if response.status_code >= 400:
        return True
    content = response.content
    if b'"errors"' not in content and b'"status"' not in content:
        return False  # the common 2xx: no need to parse it again
    try:
        # Read by orjson (json's value: core/json_text.py): most batch answers hold "status".
        return refused_entities(response.status_code, json_loads(content))
    except ValueError:
        return False


def note(request: httpx.Request, response: httpx.Response | None, *, started: float,
         error: str | None, secrets: Sequence[str]) -> None:
    """Keep this call in the open capture if it failed (`response` None: no answer)."""
    calls = _OPEN.get()
    if calls is None or (response is not None and not _refused(response)):
        return
    started_ms = int(started * 1000)
    calls.append(redacted(
        request.method, str(request.url), request.headers.multi_items(), request.content,
        None if response is None else response.status_code,
        [] if response is None else response.headers.multi_items(),
        b"" if response is None else response.content,
        started_at_ms=started_ms, duration_ms=int(time.time() * 1000) - started_ms,
        error=error, secrets=secrets))
