import time

from sqlalchemy import select

from recruitlink.core.records import Job
from recruitlink.store import schema
from tests.integration.test_sync_engine import DESCRIPTION, ORG, connected, run_until_idle


def jobs(li):
    return {
        j["externalJobPostingId"]: j.get("state") or j.get("status")
        for j in li.control.get(f"/organizations/{ORG}/jobs").json()["elements"]
    }


def test_rowid_reuse(store, tenant, engine, li):
    with store.writer(tenant.id) as w:
        w.records(
            "jobs",
            [(0, Job(id="J1", title="Engineer", description=DESCRIPTION, location="Paris, FR"))],
            mode="create",
        )
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    time.sleep(0.5)
    run_until_idle(engine, tenant.id)
    print(
        "LinkedIn jobs:", li.control.get(f"/organizations/{ORG}/jobs").json()["elements"][0].keys()
    )
    print("LinkedIn jobs:", jobs(li))
    with store.writer(tenant.id) as w:  # one transaction, or two while the sync is behind/paused
        assert w.delete("jobs", "J1")
    with store.writer(tenant.id) as w:
        w.records(
            "jobs",
            [(0, Job(id="J9", title="Other", description=DESCRIPTION, location="Lyon, FR"))],
            mode="create",
        )
    with store.reader() as conn:
        print("job ids:", conn.execute(select(schema.jobs.c.id, schema.jobs.c.external_id)).all())
        print(
            "changelog:",
            conn.execute(
                select(
                    schema.changelog.c.seq,
                    schema.changelog.c.entity,
                    schema.changelog.c.entity_id,
                    schema.changelog.c.op,
                ).where(schema.changelog.c.entity == "jobs")
            ).all(),
        )
    run_until_idle(engine, tenant.id)
    time.sleep(0.5)
    run_until_idle(engine, tenant.id)
    with store.reader() as conn:
        print(
            "ledger:",
            conn.execute(
                select(
                    schema.sync_ledger.c.entity_id,
                    schema.sync_ledger.c.external_id,
                    schema.sync_ledger.c.state,
                    schema.sync_ledger.c.reason,
                )
            ).all(),
        )
    print("LinkedIn jobs:", jobs(li))
