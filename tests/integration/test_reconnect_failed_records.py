"""Reconnecting starts the failed records from zero too (Beamery seed: "in order to
reconnect, you will need to perform the initial sync again"; issue 15 point 3): the errors
of records sent before the disconnect are closed, not counted in the new run's milestones
and "failed records" before it has sent anything; they stay in the logs. Found walking the
seed (tests/e2e/journeys/test_beamery.py): right after reconnecting, Sync logs said "5 failed
records" and "Failed 2" beside "0 / 17" candidates."""

from __future__ import annotations

from sqlalchemy import select

from recruitlink.store import schema
from recruitlink.sync import ledger
from recruitlink.sync.progress import failed_by_milestone, failed_records
from tests.conftest import make_tenant


def test_reconnecting_closes_the_errors_of_the_previous_connection(store):
    acme = make_tenant(store, "acme", kind="CRM")
    with store.db.write() as conn:
        conn.execute(schema.sync_errors.insert(), [
            {"tenant_id": acme.id, "batch_id": None, "entity": "candidates", "entity_id": n,
             "external_id": f"C{n}", "field": "emailAddresses", "reason": "invalid email",
             "source": "validation", "status": "open", "created_at": 1_700_000_000_000}
            for n in (1, 2)])
    with store.reader() as conn:
        assert failed_records(conn, acme.id) == 2

    with store.db.write() as conn:
        ledger.forget_tenant_sync(conn, acme.id)

    with store.reader() as conn:
        assert failed_records(conn, acme.id) == 0
        assert failed_by_milestone(conn, acme.id) == {}
        kept = conn.execute(select(schema.sync_errors.c.status).where(
            schema.sync_errors.c.tenant_id == acme.id)).scalars().all()
    assert kept == ["resolved", "resolved"]  # still in the logs, no longer open
