"""Pause stops all sends within one batch; resume finishes without re-sending synced records."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import schema
from recruitlink.sync import control
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.support.atsdata import write_ats_data

ORG = "urn:li:organization:5500"


def sent_requests(li, app_key: str) -> int:
    usage = li.control.get("/throttles", params={"app": app_key}).json()["usage"]
    return sum(u["requestsToday"] for u in usage.values())


def test_pause_mid_sync_then_resume(store, tenant, li):
    write_ats_data(store, tenant.id, 300)
    li.control.put("/faults/*", json={"latency_ms": 10})  # slow enough to pause mid-way
    engine = SyncEngine(store, SecretBox("k"), EngineSettings(
        api_url=li.url, oauth_url=li.url, ats_base_url="http://127.0.0.1:8000",
        job_task_poll_s=0.0, idle_sleep_s=0.02))
    runner: threading.Thread | None = None
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    try:
        result = connect(store, engine.box, engine, partner, tenant_slug=tenant.slug,
                         organization=ORG, contracts=[], public_url="http://127.0.0.1:9")
        li.control.post("/integrations/status", json={"integrationContext": ORG,
                                                      "status": "ENABLED"})
        refresh_status(store, engine.box, engine, tenant.id)

        committed_at_pause: list[int] = []
        stop = threading.Event()

        def committed() -> int:
            with store.reader() as conn:
                return int(conn.execute(select(func.count()).select_from(
                    schema.sync_batches).where(
                    schema.sync_batches.c.status == "committed")).scalar() or 0)

        def in_flight() -> int:
            with store.reader() as conn:
                return int(conn.execute(select(func.count()).select_from(
                    schema.sync_batches).where(
                    schema.sync_batches.c.status == "prepared")).scalar() or 0)

        steps: list[str] = []  # the kind of each step the runner reported
        runner = threading.Thread(target=engine.run, kwargs={
            "tenant_id": tenant.id, "stop": stop.is_set,
            "on_step": lambda report: steps.append(report.kind)})
        runner.start()
        deadline = time.monotonic() + 60
        while committed() < 3:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        control.set_paused(engine, tenant.id, True)
        committed_at_pause.append(committed())
        paused_from = len(steps)
        # Let the batch in flight (or being built when the pause came) finish: a batch of a
        # sub-resource is one call per parent, longer than a fixed sleep on a busy machine.
        # The runner says when it has seen the pause (a step that reports "paused").
        deadline = time.monotonic() + 60
        while "paused" not in steps[paused_from:] or in_flight():
            assert time.monotonic() < deadline, steps[paused_from:]
            time.sleep(0.05)
        requests_paused = sent_requests(li, result.app_key)
        batches_paused = committed()
        assert batches_paused - committed_at_pause[0] <= 1  # at most the batch in flight
        time.sleep(1.0)
        assert sent_requests(li, result.app_key) == requests_paused  # nothing more is sent
        assert committed() == batches_paused
        assert not engine.historical_done(tenant.id)

        control.set_paused(engine, tenant.id, False)
        deadline = time.monotonic() + 180
        while not engine.historical_done(tenant.id):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        stop.set()
        runner.join()
        with store.reader() as conn:
            twice = conn.execute(
                select(schema.sync_batch_items.c.entity, schema.sync_batch_items.c.entity_id,
                       func.count()).where(schema.sync_batch_items.c.outcome == "synced")
                .group_by(schema.sync_batch_items.c.entity,
                          schema.sync_batch_items.c.entity_id)
                .having(func.count() > 1)).all()
        assert twice == []  # no record was sent twice across the pause
    finally:
        stop.set()
        if runner is not None:
            runner.join(30)  # not left running into the next test (on a closed store)
        partner.close()
        engine.close()
