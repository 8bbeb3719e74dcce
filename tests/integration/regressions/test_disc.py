import pytest

from recruitlink.core.records import Candidate
from recruitlink.sync import control
from recruitlink.sync import engine as engmod
from tests.integration.test_sync_engine import connected, records


def test_disconnect_after_crash_mid_batch(store, tenant, engine, li, monkeypatch):
    with store.writer(tenant.id) as w:
        w.records(
            "candidates",
            [(0, Candidate(id="C1", first_name="Ada", last_name="L", emails=["ada@example.com"]))],
            mode="create",
        )
    connected(store, engine, li, tenant)

    def crash(*a, **k):
        raise SystemExit("kill -9 between send and commit")

    monkeypatch.setattr(engmod.ledger, "commit_batch", crash)
    with pytest.raises(SystemExit):
        for _ in range(10):
            engine.step(tenant.id)
    monkeypatch.undo()
    print("LinkedIn before disconnect:", list(records(li, "atsCandidates")))
    rep = control.disconnect(engine, tenant.id)
    print("report:", rep)
    print("LinkedIn after disconnect:", list(records(li, "atsCandidates")))
    assert records(li, "atsCandidates") == {}
