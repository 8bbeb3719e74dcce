"""Webhook deliveries in `GET /metrics` (read from the database, so any server shows every
worker's): deliveries per status, the oldest pending one's age, each endpoint's latency and
whether it is enabled (issue 18)."""

from __future__ import annotations

import time

from recruitlink.core.backoff import Backoff
from recruitlink.crypto import SecretBox
from recruitlink.hooks.engine import DeliveryEngine, DeliveryPolicy
from recruitlink.settings import Settings
from recruitlink.store import host_events, webhooks
from recruitlink.web import create_app
from tests.integration.test_metrics import TOKEN, scrape
from tests.support.keys import TEST_SECRET_KEY
from tests.support.servers import serve


def test_deliveries_latency_and_disabled_endpoints_are_scraped(store, tenant, receiver):
    box = SecretBox(TEST_SECRET_KEY)
    now = int(time.time() * 1000)
    with store.db.write() as conn:
        good, _ = webhooks.create_endpoint(conn, box, tenant.id, url=receiver.url, types=[],
                                           now_ms=now)
        dead, _ = webhooks.create_endpoint(conn, box, tenant.id, url="http://127.0.0.1:9/x",
                                           types=[], now_ms=now)
        for n in range(3):
            host_events.emit(conn, tenant.id, "candidate.updated", f"c-{n}", {})
    engine = DeliveryEngine(store, box, DeliveryPolicy(retry=Backoff(60.0, 2.0, None, 2),
                                                       timeout_s=2.0))
    engine.dispatch()
    for claim in engine.claim(50):
        engine.deliver(claim)
    engine.close()
    with store.db.write() as conn:
        webhooks.update_endpoint(conn, tenant.id, dead.id, now_ms=now, enabled=False)
    settings = Settings(database_url=store.db.url, work_queue="in-process",
                        inbound_worker=False, background_sync=False, pollers=False,
                        webhooks=False, metrics_token=TOKEN)
    with serve(create_app(settings, store)) as url:
        got = scrape(url)
    assert got.value("recruitlink_webhook_deliveries", tenant="acme", status="delivered") == 3
    assert got.value("recruitlink_webhook_deliveries", tenant="acme", status="pending") == 3
    age = got.value("recruitlink_webhook_oldest_pending_seconds", tenant="acme")
    assert age is not None and 0 <= age < 60
    latency = got.value("recruitlink_webhook_latency_seconds", tenant="acme",
                        endpoint=str(good.id))
    assert latency is not None and 0 <= latency < 2
    assert got.value("recruitlink_webhook_endpoint_enabled", tenant="acme",
                     endpoint=str(good.id)) == 1
    assert got.value("recruitlink_webhook_endpoint_enabled", tenant="acme",
                     endpoint=str(dead.id)) == 0
