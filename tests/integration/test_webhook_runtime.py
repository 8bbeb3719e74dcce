"""Where webhook deliveries run: a child process of the server (embedded mode), started once
an endpoint is enabled and stopped with the server, or a thread of the server if so set; the
workers in scale-out mode (none in the server); none when switched off (issue 18)."""

from __future__ import annotations

import os
import threading
import time

from standardwebhooks import Webhook

from recruitlink.hooks.worker import DeliveryWorker
from recruitlink.processes import lookup
from recruitlink.runtime.build import build_runtime
from recruitlink.runtime.deliveries import DeliveryProcess
from recruitlink.settings import Settings
from recruitlink.store import host_events, webhooks


def webhook_threads() -> set[str]:
    return {t.name for t in threading.enumerate()} & {"recruitlink-webhooks"}


def embedded(store, **more) -> Settings:
    return Settings(database_url=store.db.url, work_queue="in-process",
                    background_sync=False, pollers=False, inbound_worker=False, **more)


def subscribe_and_emit(store, services, tenant, url: str) -> tuple[str, int]:
    with store.db.write() as conn:
        _, secret = webhooks.create_endpoint(conn, services.runtime.box, tenant.id,
                                             url=url, types=[],
                                             now_ms=int(time.time() * 1000))
        seq = host_events.emit(conn, tenant.id, "candidate.created", "c-1",
                               {"candidate": "c-1"})
    return secret, seq


def test_the_server_delivers_from_a_child_process_in_embedded_mode(
        store, tenant, receiver) -> None:
    services = build_runtime(embedded(store), store)
    hooks = services.webhooks
    assert isinstance(hooks, DeliveryProcess)
    hooks.check_s = 0.2
    with services.running():
        time.sleep(1.0)
        assert hooks.pid is None  # no endpoint yet: no process
        secret, seq = subscribe_and_emit(store, services, tenant, receiver.url)
        [push] = receiver.wait_for(1, timeout=60)
        assert Webhook(secret).verify(push.body, push.headers)["id"] == f"evt_{seq}"
        child = hooks.pid
        assert child is not None and child != os.getpid() and lookup(child) is not None
        assert webhook_threads() == set()  # nothing of it in the server's process
    assert hooks.pid is None and lookup(child) is None  # stopped with the server


def test_the_server_delivers_from_a_thread_if_so_set(store, tenant, receiver) -> None:
    services = build_runtime(embedded(store, webhook_process=False), store)
    assert isinstance(services.webhooks, DeliveryWorker)
    with services.running():
        assert webhook_threads() == {"recruitlink-webhooks"}
        secret, seq = subscribe_and_emit(store, services, tenant, receiver.url)
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
