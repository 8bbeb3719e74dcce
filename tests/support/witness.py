"""A witness in front of the sandbox: every HTTP request it received and what it answered, so
a test states LinkedIn's side of the story, not the client's."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.conftest import start_sandbox
from tests.support.servers import serve


@dataclass
class Exchange:
    method: str
    path: str
    authorization: str | None
    status: int | None = None
    li_uuid: str | None = None


@dataclass
class Witness:
    """An ASGI wrapper around the sandbox keeping each exchange."""

    app: Any
    exchanges: list[Exchange] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        seen = Exchange(scope["method"], scope["path"],
                        headers.get(b"authorization", b"").decode() or None)
        self.exchanges.append(seen)

        async def watch(message: Any) -> None:
            if message["type"] == "http.response.start":
                seen.status = message["status"]
                answered = dict(message.get("headers") or [])
                uuid = answered.get(b"x-li-uuid")
                seen.li_uuid = uuid.decode() if uuid else None
            await send(message)

        await self.app(scope, receive, watch)

    @property
    def calls(self) -> list[tuple[str, str]]:
        return [(e.method, e.path) for e in self.exchanges]

    def api_calls(self, since: int = 0) -> list[tuple[str, str]]:
        """LinkedIn API calls (not the token endpoint, not the sandbox's control API)."""
        return [c for c in self.calls[since:] if c[1].startswith(("/v2/", "/rest/"))]

    def bearer_tokens(self) -> set[str]:
        return {e.authorization.split(" ", 1)[1] for e in self.exchanges
                if e.authorization and e.authorization.startswith("Bearer ")}


@dataclass
class WatchedSandbox:
    url: str
    app: Any
    witness: Witness
    control: httpx.Client

    def register(self, key: str, environment: str) -> None:
        r = self.control.patch(f"/apps/{key}", json={"environment": environment})
        assert r.status_code == 200 and r.json()["environment"] == environment, r.text

    def partner_key(self) -> str:
        return str(next(a["key"] for a in self.control.get("/apps").json()
                        if a["clientId"] == self.app.state.partner.client_id))

    def child(self, slug: str = "acme") -> dict[str, Any] | None:
        return next((a for a in self.control.get("/apps").json()
                     if a.get("uniqueForeignId") == f"recruitlink-{slug}"), None)


@contextmanager
def watched_sandbox(**config: Any) -> Iterator[WatchedSandbox]:
    app = start_sandbox(**config)
    witness = Witness(app)
    with serve(witness) as url, httpx.Client(base_url=f"{url}/sandbox", timeout=30) as c:
        yield WatchedSandbox(url, app, witness, c)
