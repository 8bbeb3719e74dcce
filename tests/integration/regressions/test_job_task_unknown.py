"""A job task LinkedIn no longer knows fails with a reason instead of waiting forever."""

from __future__ import annotations

from sqlalchemy import select, update

from recruitlink.store import schema
from tests.integration.test_sync_engine import connected, run_until_idle, seed_small


def test_forgotten_job_task_fails_with_a_reason(store, tenant, engine, li):
    seed_small(store, tenant.id)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    with store.db.write() as conn:
        conn.execute(update(schema.sync_ledger).where(
            schema.sync_ledger.c.entity == "jobs",
            schema.sync_ledger.c.external_id == "J1").values(
            state="submitted", job_task="urn:li:simpleJobPostingTask:forgotten"))
    run_until_idle(engine, tenant.id)
    with store.reader() as conn:
        row = conn.execute(select(schema.sync_ledger).where(
            schema.sync_ledger.c.entity == "jobs",
            schema.sync_ledger.c.external_id == "J1")).one()
        errors = conn.execute(select(schema.sync_errors.c.reason).where(
            schema.sync_errors.c.external_id == "J1")).scalars().all()
    assert row.state == "rejected"
    assert any("no longer knows" in e for e in errors)
