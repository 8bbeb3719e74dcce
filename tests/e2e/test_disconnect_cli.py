"""`recruitlink disconnect` while `recruitlink sync start --follow` syncs the same tenant in
another process (issue 15, point 3): the follow is asked to stop and lets go of the lease,
the disconnect deletes everything (read back through the sandbox's inspection API) without
waiting for the lease to expire, the follow does not take the sync up again, and
`recruitlink connect` afterwards starts a new full historical run that the same follow
carries to the end.

Run once, on the default family (/rest); test_disconnect_worker runs the same story on /v2,
and tests/integration/test_sync_engine runs disconnect on both families."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store import schema
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from tests.e2e.test_sync_crash import run_cli
from tests.e2e.test_sync_lease import eventually
from tests.support.atsdata import write_ats_data
from tests.support.process import Command, sandbox_process

CANDIDATES = 120  # enough that the disconnect lands mid-backfill (150 ms a call)
ORG = "urn:li:organization:8901"
CONTRACT = "urn:li:contract:9002"


class Ats:
    """The tenant `acme` in its own SQLite file, connected to the sandbox through the CLI."""

    def __init__(self, tmp: Path, url: str) -> None:
        self.url = url
        self.env = dict(os.environ, RECRUITLINK_DATABASE_URL=f"sqlite:///{tmp / 'ats.db'}",
                        RECRUITLINK_LINKEDIN_API_URL=url, RECRUITLINK_LINKEDIN_OAUTH_URL=url,
                        RECRUITLINK_PARTNER_CLIENT_ID="lease-partner",
                        RECRUITLINK_PARTNER_CLIENT_SECRET="lease-secret",
                        RECRUITLINK_SECRET_KEY="disconnect-test-key-at-least-32-characters",
                        RECRUITLINK_JOB_TASK_POLL_SECONDS="0", COLUMNS="200", NO_COLOR="1",
                        # A lease far longer than letting go may take on a loaded machine.
                        RECRUITLINK_SYNC_LEASE_SECONDS="300")
        settings = Settings(**{k[len("RECRUITLINK_"):].lower(): v for k, v in self.env.items()
                               if k.startswith("RECRUITLINK_")})
        self.rt = Runtime.from_settings(settings)
        with self.rt.store.db.write() as conn:
            self.tenant = create_tenant(conn, ChangeSet, slug="acme", name="Acme",
                                        kind="ATS", now_ms=1_700_000_000_000)
        write_ats_data(self.rt.store, self.tenant.id, CANDIDATES)

    def connect(self) -> str:
        return run_cli(self.env, "connect", "--tenant", "acme", "--organization", ORG,
                       "--contract", CONTRACT, "--wait", "10")

    def deleting(self) -> bool:
        """A disconnect has started deleting (its run exists)."""
        with self.rt.store.reader() as conn:
            return conn.execute(select(schema.sync_runs.c.id).where(
                schema.sync_runs.c.kind == "disconnect")).first() is not None

    def lease(self):
        with self.rt.store.reader() as conn:
            return conn.execute(select(schema.sync_leases).where(
                schema.sync_leases.c.tenant_id == self.tenant.id)).first()


@pytest.fixture
def linkedin(tmp_path: Path) -> Iterator[str]:
    with sandbox_process("--partner-client-id", "lease-partner", "--partner-client-secret",
                         "lease-secret", "--auto-enable", "--job-task-delay", "0.05",
                         "--records-per-minute", "100000", "--no-demo",
                         "--db", str(tmp_path / "linkedin.db")) as (url, _):
        yield url


def summary(url: str) -> dict:
    r = httpx.get(f"{url}/sandbox/organizations/{ORG}/summary", timeout=30)
    assert r.status_code == 200, r.text
    found = r.json()
    return {"records": {k: v for k, v in found["records"].items() if v},
            "listed": found["jobs"]["LISTED"]}


def test_disconnect_while_a_follow_syncs_then_connect_again(tmp_path, linkedin,
                                                        linkedin_api_version):
    tenant = Ats(tmp_path, linkedin)
    assert "ENABLED" in tenant.connect()
    with tenant.rt.store.reader() as conn:
        applications = conn.execute(select(func.count()).select_from(
            schema.applications)).scalar()
    # Slow calls: the disconnect comes in the middle of the historical sync.
    httpx.put(f"{linkedin}/sandbox/faults/*", json={"latency_ms": 150}, timeout=30)
    follow = Command(["sync", "start", "--tenant", "acme", "--follow"], tenant.env)
    try:
        assert eventually(lambda: bool(summary(linkedin)["records"]), 120), "".join(
            follow.lines)
        assert tenant.lease() is not None and tenant.lease().holder_pid == follow.proc.pid
        started = time.monotonic()
        disconnect = Command(["disconnect", "--yes", "--tenant", "acme"], tenant.env)
        try:
            # The follow lets go of the lease at its next call and the disconnect takes it
            # (the old behaviour held it: the disconnect waited 120 s, then failed).
            taken: list[float] = []

            def disconnect_holds() -> bool:
                lease = tenant.lease()
                if not taken and lease is not None and lease.holder_pid == disconnect.proc.pid:
                    taken.append(time.monotonic() - started)
                return bool(taken)

            assert eventually(lambda: disconnect_holds() or disconnect.proc.poll() is not None,
                              150)
            assert taken and taken[0] < 60, (taken, "".join(disconnect.lines))
            # It deletes once it has finished the batch the follow left half sent (every
            # call of it again, at the sandbox's 150 ms each: its length varies with load).
            assert eventually(lambda: tenant.deleting() or disconnect.proc.poll() is not None,
                              150)
            assert tenant.deleting(), "".join(disconnect.lines)
            httpx.delete(f"{linkedin}/sandbox/faults", timeout=30)  # the deletes go fast
            assert disconnect.proc.wait(timeout=120) == 0, "".join(disconnect.lines)
        finally:
            disconnect.stop()
        out = "".join(disconnect.lines)
        assert "Asking the running sync to stop" in out
        assert "Deleting from LinkedIn everything" in out
        assert "Deletion report" in out and "0 still present" in out
        assert summary(linkedin) == {"records": {}, "listed": 0}
        # The follow keeps running, says why it stopped, and does not sync again.
        follow.wait_for_line("being disconnected")
        assert follow.proc.poll() is None
        time.sleep(2)
        assert summary(linkedin) == {"records": {}, "listed": 0}

        # Connect again: a new historical run from zero, carried out by the same follow.
        assert "ENABLED" in tenant.connect()
        assert eventually(lambda: summary(linkedin)["records"].get("atsCandidates")
                          == CANDIDATES and summary(linkedin)["records"].get(
                              "atsApplications") == applications, 180), (
            summary(linkedin), "".join(follow.lines))
        status = run_cli(tenant.env, "sync", "status", "--tenant", "acme")
        assert "Historical sync (run" in status  # the newest run: the re-sync
    finally:
        follow.stop()
        tenant.rt.close()
