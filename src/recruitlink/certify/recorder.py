"""Every HTTP call of a certification run, as the report shows it: method, path, status,
`x-li-uuid`, and the request and answer trimmed, with anything secret taken out.

The recorder sits on the run's one httpx.Client as event hooks, so it sees exactly what the
product's LinkedIn client sends (tokens, sync, inbound) and what LinkedIn answers. Secrets never
reach the report: token requests and answers are not kept at all, `Authorization` is never
read, and any value under a key that names a secret is replaced, as is any string known to be
a secret of the run (the client secrets and tokens it handled).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx

from recruitlink.core.redaction import REDACTED, scrub

TRIM = 600
"""Characters of a request or answer body kept in the report."""
TOKEN_PATH = "/oauth/"


@dataclass
class Call:
    method: str
    path: str
    status: int | None
    li_uuid: str | None
    request: str | None
    answer: str | None


@dataclass
class Recorder:
    """Collects calls under the case being run (`case`); calls outside any case go to
    "setup"."""

    calls: dict[str, list[Call]] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)
    current: str = "setup"
    sent: list[tuple[str, str, Any]] = field(default_factory=list)
    """Every JSON request body in full (method, path, body), for checks of what was sent."""
    urls: list[str] = field(default_factory=list)
    """Every URL called, as sent (CRM-005 looks for secrets in them)."""
    token_requests: list[tuple[str, str]] = field(default_factory=list)
    """(method, content type) of each token request (CRM-001)."""

    def hooks(self) -> dict[str, list[Any]]:
        return {"response": [self._on_response]}

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0),
                            event_hooks=self.hooks())

    def forget(self, *values: str | None) -> None:
        """Strings that must never appear in the report (client secrets, tokens)."""
        self.secrets.update(v for v in values if v)

    @contextmanager
    def case(self, case_id: str) -> Iterator[list[Call]]:
        before = self.current
        self.current = case_id
        try:
            yield self.calls.setdefault(case_id, [])
        finally:
            self.current = before

    def _on_response(self, response: httpx.Response) -> None:
        request = response.request
        path = unquote(request.url.raw_path.decode("ascii", "replace"))
        self.urls.append(str(request.url))
        if TOKEN_PATH in request.url.path:
            self.token_requests.append((request.method,
                                        request.headers.get("content-type", "")))
            # The token call's body holds the client secret, its answer the token.
            response.read()
            token = _token_of(response)
            self.forget(token)
            call = Call(request.method, request.url.path, response.status_code,
                        response.headers.get("x-li-uuid"), "(credentials withheld)",
                        "(token withheld)")
        else:
            response.read()
            self._keep_sent(request)
            call = Call(request.method, self._clean(path)[:TRIM], response.status_code,
                        response.headers.get("x-li-uuid"),
                        self._body(_method_note(request), request.content),
                        self._body(None, response.content))
        self.calls.setdefault(self.current, []).append(call)

    def redact_all(self) -> None:
        """Take out of every call kept the secrets learnt since it was recorded (a push URL's
        token is only known once `connect` returns, after its calls)."""
        for calls in self.calls.values():
            for call in calls:
                call.path = self._clean(call.path)
                call.request = None if call.request is None else self._clean(call.request)
                call.answer = None if call.answer is None else self._clean(call.answer)

    def _keep_sent(self, request: httpx.Request) -> None:
        if not request.content.startswith((b"{", b"[")):
            return
        try:
            self.sent.append((request.method, request.url.path, json.loads(request.content)))
        except ValueError:
            return

    def _body(self, note: str | None, raw: bytes) -> str | None:
        if not raw:
            return note
        try:
            text = json.dumps(scrub(json.loads(raw)), separators=(",", ":"))
        except ValueError:
            text = raw[:TRIM * 2].decode("utf-8", "replace")
        text = self._clean(text)
        if len(text) > TRIM:
            text = text[:TRIM] + f"... ({len(raw)} bytes)"
        return f"{note} {text}" if note else text

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            if secret and secret in text:
                text = text.replace(secret, REDACTED)
        return text


def _method_note(request: httpx.Request) -> str | None:
    method = request.headers.get("X-RestLi-Method")
    return f"[{method}]" if method else None


def _token_of(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    token = body.get("access_token") if isinstance(body, dict) else None
    return str(token) if token else None
