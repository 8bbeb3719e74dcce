"""Where webhook deliveries run: a thread in the server (embedded mode), the workers in
scale-out mode (none in the server), none when switched off (issue 18)."""

from __future__ import annotations

import threading
import time

from standardwebhooks import Webhook

from recruitlink.runtime.build import build_runtime
from recruitlink.settings import Settings
from recruitlink.store import host_events, webhooks


def webhook_threads() -> set[str]:
    return {t.name for t in threading.enumerate()} & {"recruitlink-webhooks"}


def test_the_server_delivers_in_embedded_mode(store, tenant, receiver) -> None:
    settings = Settings(database_url=store.db.url, work_queue="in-process",
                        background_sync=False, pollers=False, inbound_worker=False)
    services = build_runtime(settings, store)
    assert services.webhooks is not None
    with services.running():
        assert webhook_threads() == {"recruitlink-webhooks"}
        with store.db.write() as conn:
            _, secret = webhooks.create_endpoint(conn, services.runtime.box, tenant.id,
                                                 url=receiver.url, types=[],
                                                 now_ms=int(time.time() * 1000))
            seq = host_events.emit(conn, tenant.id, "candidate.created", "c-1",
                                   {"candidate": "c-1"})
        [push] = receiver.wait_for(1)
        assert Webhook(secret).verify(push.body, push.headers)["id"] == f"evt_{seq}"
    assert webhook_threads() == set()


def test_scale_out_leaves_deliveries_to_the_workers_and_they_can_be_switched_off(
        store) -> None:
    scale_out = store.db.url.startswith("postgresql")
    services = build_runtime(Settings(database_url=store.db.url), store)
    assert (services.webhooks is None) is scale_out
    off = build_runtime(Settings(database_url=store.db.url, work_queue="in-process",
                                 webhooks=False), store)
    assert off.webhooks is None
