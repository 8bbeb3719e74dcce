"""A `recruitlink worker` SIGKILLed in the middle of a webhook delivery loses nothing: its
claim runs out, another worker sends the delivery again (at least once; the receiver
deduplicates by `webhook-id`), and every event reaches the receiver (issue 18, PostgreSQL).
The same for the server's delivery process in embedded mode (SQLite and PostgreSQL): the
server starts another, which sends the killed one's claim again once it has run out."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from recruitlink.crypto import SecretBox
from recruitlink.runtime.build import build_runtime
from recruitlink.runtime.deliveries import DeliveryProcess
from recruitlink.settings import Settings
from recruitlink.store import host_events, webhooks
from tests.conftest import make_tenant
from tests.support.keys import TEST_SECRET_KEY
from tests.support.process import Command
from tests.support.servers import serve

pytestmark = pytest.mark.timeout(180)

EVENTS = 6


class HangingReceiver:
    """Answers 200 after verifying, except the very first delivery, which it holds until
    released (the worker sending it is killed meanwhile)."""

    def __init__(self) -> None:
        self.secret = ""
        self.ids: list[tuple[str, int]] = []  # (webhook-id, status answered)
        self.hanging = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()

    def app(self) -> Starlette:
        async def receive(request: Request) -> Response:
            body = await request.body()
            Webhook(self.secret).verify(body, dict(request.headers))
            msg_id = request.headers["webhook-id"]
            with self.lock:
                first = not self.hanging.is_set()
                self.hanging.set()
            if first:
                while not self.release.is_set():
                    await asyncio.sleep(0.05)
                return Response(status_code=503)
            with self.lock:
                self.ids.append((msg_id, 200))
            return Response(status_code=200)

        return Starlette(routes=[Route("/hook", receive, methods=["POST"])])


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def test_a_worker_killed_mid_delivery_loses_nothing(postgres_template) -> None:
    receiver = HangingReceiver()
    with postgres_template.store() as store, serve(receiver.app()) as base:
        tenant = make_tenant(store)
        with store.db.write() as conn:
            endpoint, receiver.secret = webhooks.create_endpoint(
                conn, SecretBox(TEST_SECRET_KEY), tenant.id, url=f"{base}/hook", types=[],
                now_ms=int(time.time() * 1000))
            seqs = [host_events.emit(conn, tenant.id, "candidate.updated", f"c-{n}",
                                     {"candidate": f"c-{n}"}) for n in range(EVENTS)]
        env = dict(os.environ, RECRUITLINK_DATABASE_URL=store.db.url,
                   RECRUITLINK_SECRET_KEY=TEST_SECRET_KEY, RECRUITLINK_TICK_SECONDS="1",
                   RECRUITLINK_WORKER_HEARTBEAT_SECONDS="1",
                   RECRUITLINK_WORKER_STALLED_SECONDS="4",
                   RECRUITLINK_WEBHOOK_TIMEOUT_SECONDS="2",
                   RECRUITLINK_WEBHOOK_CLAIM_SECONDS="4",
                   RECRUITLINK_POLL_INTERVAL_SECONDS="3600")
        first = Command(["worker", "--name", "w1"], env)
        second = None
        try:
            first.wait_for_line(r"Worker w1 on postgresql")
            wait_until(receiver.hanging.is_set, 60, "the first delivery to reach the receiver")
            first.kill()  # mid-delivery: the receiver holds that POST open
            second = Command(["worker", "--name", "w2"], env)
            second.wait_for_line(r"Worker w2 on postgresql")
            wanted = {f"evt_{seq}" for seq in seqs}
            wait_until(lambda: {i for i, _ in receiver.ids} >= wanted, 90,
                       "every event to be delivered")
            wait_until(lambda: all(d.status == "delivered" for d in _deliveries(
                store, tenant.id, endpoint.id)), 30, "every delivery to be marked delivered")
        finally:
            receiver.release.set()
            if second is not None:
                second.stop()
            first.stop()
        assert len(_deliveries(store, tenant.id, endpoint.id)) == EVENTS


def _deliveries(store, tenant_id, endpoint_id):
    with store.reader() as conn:
        return webhooks.list_deliveries(conn, tenant_id, endpoint_id)


def test_a_delivery_process_killed_mid_delivery_loses_nothing(store, tenant) -> None:
    receiver = HangingReceiver()
    settings = Settings(database_url=store.db.url, work_queue="in-process",
                        background_sync=False, pollers=False, inbound_worker=False,
                        webhook_timeout_seconds=3, webhook_claim_seconds=2)
    services = build_runtime(settings, store)
    hooks = services.webhooks
    assert isinstance(hooks, DeliveryProcess)
    hooks.check_s = 0.2
    with serve(receiver.app()) as base, services.running():
        with store.db.write() as conn:
            endpoint, receiver.secret = webhooks.create_endpoint(
                conn, services.runtime.box, tenant.id, url=f"{base}/hook", types=[],
                now_ms=int(time.time() * 1000))
            seqs = [host_events.emit(conn, tenant.id, "candidate.updated", f"c-{n}",
                                     {"candidate": f"c-{n}"}) for n in range(EVENTS)]
        try:
            wait_until(receiver.hanging.is_set, 60, "the first delivery to reach the receiver")
            killed = hooks.pid
            assert killed is not None
            os.kill(killed, 9)  # mid-delivery: the receiver holds that POST open
            wait_until(lambda: hooks.pid not in (None, killed), 30, "another process")
            wanted = {f"evt_{seq}" for seq in seqs}
            wait_until(lambda: {i for i, _ in receiver.ids} >= wanted, 90,
                       "every event to be delivered")
            wait_until(lambda: all(d.status == "delivered" for d in _deliveries(
                store, tenant.id, endpoint.id)), 30, "every delivery to be marked delivered")
        finally:
            receiver.release.set()
    assert len(_deliveries(store, tenant.id, endpoint.id)) == EVENTS
