"""Fixtures for the sync-gap tests: an engine whose HTTP goes through `Tamper`, so a test can
watch every request and rewrite LinkedIn's answers (a per-entity 429 or 503, a FAILED job
task) where the sandbox has no fault for it. Requests are named with v2's resource names in
either family of LinkedIn's API (the engine speaks `linkedin_api_version`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from recruitlink.core.api_families import v2_name
from recruitlink.core.policy import Policy
from recruitlink.core.restli import parse_key
from recruitlink.crypto import SecretBox
from recruitlink.store import connections, schema
from recruitlink.sync.engine import EngineSettings, SyncEngine


@dataclass
class Seen:
    verb: str
    resource: str
    request: httpx.Request
    body: Any = None
    answer: Any = None


Before = Callable[[Seen], None]
After = Callable[[Seen], "httpx.Response | None"]


@dataclass
class Tamper(httpx.BaseTransport):
    """Forwards to the sandbox; `before` sees each request, `after` may replace the answer."""

    inner: httpx.BaseTransport = field(default_factory=httpx.HTTPTransport)
    before: list[Before] = field(default_factory=list)
    after: list[After] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        verb = request.headers.get("X-HTTP-Method-Override", request.method)
        path = request.url.path
        resource = _v2_resource(path)
        body = None
        if request.headers.get("Content-Type") == "application/json":
            body = json.loads(request.read() or b"null")
        seen = Seen(verb, resource, request, body)
        self.seen.append(seen)
        for hook in self.before:
            hook(seen)
        response = self.inner.handle_request(request)
        response.read()
        if response.headers.get("Content-Type", "").startswith("application/json"):
            seen.answer = json.loads(response.content or b"null")
        for hook in self.after:
            replaced = hook(seen)
            if replaced is not None:
                return replaced
        return httpx.Response(response.status_code, headers=_plain(response.headers),
                              content=response.content)

    def close(self) -> None:
        self.inner.close()

    def calls(self, *resources: str, verb: str | None = None) -> list[Seen]:
        return [s for s in self.seen if s.resource in resources
                and (verb is None or s.verb == verb)]


def _v2_resource(path: str) -> str:
    """`resource` or `resource/child` as v2 names it, for a /v2 or a /rest path."""
    for family in ("/v2/", "/rest/"):
        if family in path:
            parts = path.split(family, 1)[1].split("/")
            child = parts[2] if len(parts) > 2 else None
            resource, child = (parts[0], child) if family == "/v2/" else v2_name(parts[0],
                                                                                   child)
            return resource if child is None else f"{resource}/{child}"
    return path


def _plain(headers: httpx.Headers) -> dict[str, str]:
    return {k: v for k, v in headers.items()
            if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")}


def answer(seen: Seen, body: Any, *, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(200, headers={"Content-Type": "application/json", **(headers or {})},
                          content=json.dumps(body).encode())


def candidate_id(key_text: str) -> str:
    """The candidate id in an answer's key, in either family's syntax and names."""
    fields = parse_key(key_text)
    return fields.get("atsCandidateId") or fields.get("externalCandidateId") or ""


@pytest.fixture
def tamper() -> Tamper:
    return Tamper()


@pytest.fixture
def make_engine(store, li, tamper, linkedin_api_version) -> Iterator[Callable[..., SyncEngine]]:
    made: list[SyncEngine] = []

    def make(**overrides: Any) -> SyncEngine:
        values: dict[str, Any] = {"job_task_poll_s": 0.0, "backoff_s": 0.01,
                                  "idle_sleep_s": 0.01}
        values.update(overrides)
        settings = EngineSettings(api_url=li.url, oauth_url=li.url,
                                  api_version=linkedin_api_version,
                                  ats_base_url="http://127.0.0.1:8000", **values)
        http = httpx.Client(transport=tamper, timeout=httpx.Timeout(60.0, connect=10.0))
        engine = SyncEngine(store, SecretBox("test-key"), settings, http=http)
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.close()


def set_policy(store, tenant_id: int, policy: Policy) -> None:
    with store.db.write() as conn:
        connections.set_policy(conn, tenant_id, policy)


def ledger_row(store, entity: str, external_id: str) -> Any:
    with store.reader() as conn:
        return conn.execute(select(schema.sync_ledger).where(
            schema.sync_ledger.c.entity == entity,
            schema.sync_ledger.c.external_id == external_id)).one()


def open_errors(store, external_id: str | None = None) -> list[Any]:
    query = select(schema.sync_errors).where(schema.sync_errors.c.status == "open")
    if external_id is not None:
        query = query.where(schema.sync_errors.c.external_id == external_id)
    with store.reader() as conn:
        return conn.execute(query).all()
