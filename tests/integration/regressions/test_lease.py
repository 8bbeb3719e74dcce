import time

from sqlalchemy import select

from recruitlink.core.records import Candidate
from recruitlink.crypto import SecretBox
from recruitlink.store import schema
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.integration.test_sync_engine import connected, records, run_until_idle


def test_lease_expiry_mid_batch_stale_overwrite(store, tenant, engine, li):
    with store.writer(tenant.id) as w:
        w.records(
            "candidates",
            [
                (
                    0,
                    Candidate(
                        id="C1",
                        first_name="Ada",
                        last_name="L",
                        current_title="v0",
                        emails=["ada@example.com"],
                    ),
                )
            ],
            mode="create",
        )
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    # engine A: short lease (the default 15 s is shorter than one 429 Retry-After of 60 s)
    engine.settings.lease_ttl_s = 0.2
    b = SyncEngine(
        store,
        SecretBox("test-key"),
        EngineSettings(
            api_url=li.url,
            oauth_url=li.url,
            ats_base_url="http://127.0.0.1:8000",
            job_task_poll_s=0.0,
            backoff_s=0.01,
            idle_sleep_s=0.01,
            lease_ttl_s=0.2,
        ),
        owner="B",
    )
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", current_title="v1"))], mode="update")
    info = engine._load(tenant.id)
    client = engine.client_for(info)
    real = client.upsert
    hooked = {"done": False}

    def slow_upsert(*a, **k):
        if not hooked["done"]:
            hooked["done"] = True
            # A is in flight with v1 (slow network / waiting on budget); its lease expires
            time.sleep(0.3)
            with store.writer(tenant.id) as w:
                w.records(
                    "candidates", [(0, Candidate(id="C1", current_title="v2"))], mode="update"
                )
            print("B step:", b.step(tenant.id).kind)  # takes the lease, recovers A's batch
            print("B step:", b.step(tenant.id).kind)  # continuous: v2 change
        return real(*a, **k)

    client.upsert = slow_upsert
    print("A step:", engine.step(tenant.id).kind)
    client.upsert = real
    run_until_idle(engine, tenant.id, 10) if False else None
    for _ in range(5):
        print("A later:", engine.step(tenant.id).kind, " B later:", b.step(tenant.id).kind)
    with store.reader() as conn:
        print(
            "batches:",
            conn.execute(
                select(
                    schema.sync_batches.c.id,
                    schema.sync_batches.c.status,
                    schema.sync_batches.c.synced,
                    schema.sync_batches.c.attempts,
                )
            ).all(),
        )
    held = records(li, "atsCandidates")["C1"]["currentJobTitle"]
    print("store: v2, LinkedIn:", held)
    b.close()
    assert held == "v2"
