from sqlalchemy import select

from recruitlink.core.records import Candidate
from recruitlink.store import schema
from tests.integration.test_sync_engine import connected, records, run_until_idle


def test_rejected_update_then_confidential_leaves_candidate_on_linkedin(store, tenant, engine, li):
    with store.writer(tenant.id) as w:
        w.records(
            "candidates",
            [(0, Candidate(id="C1", first_name="Ada", last_name="L", emails=["ada@example.com"]))],
            mode="create",
        )
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    assert set(records(li, "atsCandidates")) == {"C1"}
    # an update our validation rejects: LinkedIn still holds the old version
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", emails=["bad@"]))], mode="update")
    run_until_idle(engine, tenant.id)
    with store.reader() as conn:
        print(
            "ledger after reject:",
            conn.execute(select(schema.sync_ledger.c.state, schema.sync_ledger.c.reason)).all(),
        )
    # now the candidate turns confidential
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", confidential=True))], mode="update")
    run_until_idle(engine, tenant.id)
    with store.reader() as conn:
        print(
            "ledger after confidential:",
            conn.execute(select(schema.sync_ledger.c.state, schema.sync_ledger.c.reason)).all(),
        )
    print("LinkedIn holds:", records(li, "atsCandidates"))
    assert records(li, "atsCandidates") == {}, "confidential candidate still on LinkedIn"


def test_rejected_update_then_delete(store, tenant, engine, li):
    with store.writer(tenant.id) as w:
        w.records(
            "candidates",
            [(0, Candidate(id="C1", first_name="Ada", last_name="L", emails=["ada@example.com"]))],
            mode="create",
        )
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", emails=["bad@"]))], mode="update")
    run_until_idle(engine, tenant.id)
    with store.writer(tenant.id) as w:
        assert w.delete("candidates", "C1")
    run_until_idle(engine, tenant.id)
    print("LinkedIn holds:", list(records(li, "atsCandidates")))
    from recruitlink.sync import control

    rep = control.disconnect(engine, tenant.id)
    print("disconnect:", rep, "LinkedIn holds:", list(records(li, "atsCandidates")))
    assert records(li, "atsCandidates") == {}
