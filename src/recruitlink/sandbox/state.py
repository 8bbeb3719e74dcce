"""Everything a sandbox request handler needs, in one object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from .api.faults import Faults
from .api.throttle import Throttles
from .clock import Clock
from .config import SandboxConfig
from .pushes import PushSender
from .store import Store


@dataclass
class Sandbox:
    config: SandboxConfig
    store: Store
    clock: Clock
    throttles: Throttles
    faults: Faults
    pushes: PushSender

    def matches(self, candidate: dict[str, Any]) -> list[str]:
        """LinkedIn's algorithmic member matches for a synced candidate."""
        from .recruiter.directory import matches

        with self.store.tx() as conn:
            return matches(conn, candidate)


def sandbox_of(request: Request) -> Sandbox:
    """The sandbox the app serving this request holds (`app.state.sandbox`)."""
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox
