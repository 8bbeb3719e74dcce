"""The product's push receiver for the run's throwaway store, served on a free loopback port,
so that LinkedIn's signed pushes (One-Click Exports, the admin's switch) reach the product as
they do under `recruitlink serve`: `POST /linkedin/push/{token}` checks the signature and keeps
the event in the inbox; the inbound worker (`InboundWorker.run_once`, called by the run so its
calls are recorded under the case) takes it from there."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from fastapi import FastAPI

from recruitlink.crypto import SecretBox
from recruitlink.inbound.worker import InboundWorker
from recruitlink.runtime.servers import serve
from recruitlink.store import Store
from recruitlink.store import inbound_inbox as inbox
from recruitlink.sync.connect import refresh_status
from recruitlink.sync.engine import SyncEngine
from recruitlink.web.push import build_push_router


@dataclass(frozen=True)
class Processed:
    """A push the receiver kept and the inbound worker processed."""

    request_id: str
    status: str  # done | failed
    outcome: str | None
    reason: str | None
    candidate_id: str | None  # the candidate's external id


class PushReceiver:
    def __init__(self, store: Store, box: SecretBox, engine: SyncEngine, url: str) -> None:
        self.store, self.url = store, url
        self.worker = InboundWorker(store, box, engine.pool, on_status_change=partial(
            refresh_status, store, box, engine))

    def processed(self, tenant_id: int, request_id: str, *,
                  timeout_s: float = 30.0) -> Processed | None:
        """Wait for LinkedIn's push of `request_id` to arrive, processing the inbox as the
        server's worker does; None when it never arrived (or never settled) in time."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.worker.run_once()
            found = self._event(tenant_id, request_id)
            if found is not None or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    def _event(self, tenant_id: int, request_id: str) -> Processed | None:
        with self.store.reader() as conn:
            row = inbox.by_request(conn, tenant_id, request_id)
        if row is None or row.status not in ("done", "failed"):
            return None
        return Processed(request_id, row.status, row.outcome, row.reason, row.external_id)


@contextmanager
def push_receiver(store: Store, box: SecretBox, engine: SyncEngine, *,
                  port: int = 0) -> Iterator[PushReceiver]:
    """The receiver, listening on 127.0.0.1 at `port` (0: a free one), for the block."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(build_push_router(store, box))
    with serve(app, port=port) as url:
        yield PushReceiver(store, box, engine, url)
