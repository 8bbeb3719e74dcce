import subprocess
import sys

import pytest
from sqlalchemy import update

from recruitlink import processes
from recruitlink.core.records import Candidate
from recruitlink.store import schema
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
    killed_holder(store, tenant.id)
    print("LinkedIn before disconnect:", list(records(li, "atsCandidates")))
    rep = control.disconnect(engine, tenant.id)
    print("report:", rep)
    print("LinkedIn after disconnect:", list(records(li, "atsCandidates")))
    assert records(li, "atsCandidates") == {}


def killed_holder(store, tenant_id: int) -> None:
    """What kill -9 leaves behind: the lease names a process that is gone, so the next sync
    (here: disconnect) takes over at once instead of waiting out the 75 s lease."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = processes.lookup(child.pid)
    child.kill()
    child.wait()
    assert gone is not None
    with store.db.write() as conn:
        held = conn.execute(update(schema.sync_leases).where(
            schema.sync_leases.c.tenant_id == tenant_id).values(
            holder_host=gone.host, holder_pid=gone.pid, holder_started=gone.started)).rowcount
    assert held == 1
