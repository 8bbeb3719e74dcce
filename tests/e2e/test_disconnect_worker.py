"""Scale-out (PostgreSQL, `recruitlink serve` and a `recruitlink worker`): `recruitlink
disconnect` while the worker is in the middle of the tenant's historical sync (issue 15,
point 3). The worker's slice stops before its next call and lets go of the lease, the
disconnect deletes everything (read back through the sandbox's inspection API), and after
`recruitlink connect` the worker carries a new full historical run to the end.

Run on /v2 only: test_disconnect_cli runs the same story on /rest."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from recruitlink.runtime.context import Runtime
from recruitlink.store import schema
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from tests.e2e.test_scale_out import PARTNER, env_for, processes, settings_of
from tests.e2e.test_sync_crash import run_cli
from tests.e2e.test_sync_lease import eventually
from tests.support.atsdata import write_ats_data
from tests.support.postgres import free_port
from tests.support.process import Command, sandbox_process

pytestmark = pytest.mark.timeout(600)

CANDIDATES = 120  # enough that the disconnect lands mid-backfill (150 ms a call)
ORG = "urn:li:organization:8951"


def summary(url: str) -> dict[str, Any]:
    r = httpx.get(f"{url}/sandbox/organizations/{ORG}/summary", timeout=30)
    assert r.status_code == 200, r.text
    found = r.json()
    return {"records": {k: v for k, v in found["records"].items() if v},
            "listed": found["jobs"]["LISTED"]}


@pytest.mark.parametrize("linkedin_api_version", ["v2"], indirect=True)
def test_disconnect_while_a_worker_syncs_then_connect_again(tmp_path: Path,
                                                            postgres_template: Any,
                                                            linkedin_api_version: str) -> None:
    port = free_port()
    with postgres_template.store() as store, sandbox_process(
            "--partner-client-id", PARTNER[0], "--partner-client-secret", PARTNER[1],
            "--auto-enable", "--job-task-delay", "0.05", "--records-per-minute", "100000",
            "--no-demo", "--db", str(tmp_path / "linkedin.db")) as (url, _):
        env = env_for(store.db.url, url, port, RECRUITLINK_SYNC_LEASE_SECONDS="300",
                      RECRUITLINK_RATE_RECORDS_PER_MINUTE="100000")
        rt = Runtime.from_settings(settings_of(env))
        try:
            with rt.store.db.write() as conn:
                tenant = create_tenant(conn, ChangeSet, slug="acme", name="Acme", kind="ATS",
                                       now_ms=1_700_000_000_000)
            write_ats_data(rt.store, tenant.id, CANDIDATES)
            with rt.store.reader() as conn:
                applications = conn.execute(select(func.count()).select_from(
                    schema.applications)).scalar()
            connect = ("connect", "--tenant", "acme", "--organization", ORG,
                       "--contract", "urn:li:contract:8952", "--wait", "10")
            httpx.put(f"{url}/sandbox/faults/*", json={"latency_ms": 150}, timeout=30)
            with processes(env, port, 1) as pool:
                assert "ENABLED" in run_cli(env, *connect)
                assert eventually(lambda: bool(summary(url)["records"]), 120), "".join(
                    pool[0].lines)
                started = time.monotonic()
                disconnect = Command(["disconnect", "--yes", "--tenant", "acme"], env)
                try:
                    # Well under the lease's 300 s: the process syncing let go of it and the
                    # disconnect holds it (between two jobs a worker lets go for a moment too).
                    taken: list[float] = []

                    def disconnect_holds() -> bool:
                        if not taken and holder(rt, tenant.id) == disconnect.proc.pid:
                            taken.append(time.monotonic() - started)
                        return bool(taken)

                    assert eventually(lambda: disconnect_holds()
                                      or disconnect.proc.poll() is not None, 150)
                    assert taken and taken[0] < 60, (taken, "".join(disconnect.lines))
                    # Then it deletes, once it has finished the batch left half sent.
                    assert eventually(lambda: deleting(rt, tenant.id)
                                      or disconnect.proc.poll() is not None, 150)
                    assert deleting(rt, tenant.id), "".join(disconnect.lines)
                    httpx.delete(f"{url}/sandbox/faults", timeout=30)
                    assert disconnect.proc.wait(timeout=120) == 0, "".join(disconnect.lines)
                finally:
                    disconnect.stop()
                assert "0 still present" in "".join(disconnect.lines)
                assert summary(url) == {"records": {}, "listed": 0}
                time.sleep(3)  # a few ticks: the worker does not sync it again
                assert summary(url) == {"records": {}, "listed": 0}

                assert "ENABLED" in run_cli(env, *connect)
                assert eventually(lambda: summary(url)["records"].get("atsCandidates")
                                  == CANDIDATES and summary(url)["records"].get(
                                      "atsApplications") == applications, 180), (
                    summary(url), "".join(pool[0].lines))
        finally:
            rt.close()


def holder(rt: Runtime, tenant_id: int) -> int | None:
    """The pid of the process holding the tenant's sync lease (None: nobody)."""
    with rt.store.reader() as conn:
        return conn.execute(select(schema.sync_leases.c.holder_pid).where(
            schema.sync_leases.c.tenant_id == tenant_id)).scalar()


def deleting(rt: Runtime, tenant_id: int) -> bool:
    """The disconnect has the lease and deletes (its run exists)."""
    with rt.store.reader() as conn:
        return conn.execute(select(schema.sync_runs.c.id).where(
            schema.sync_runs.c.tenant_id == tenant_id,
            schema.sync_runs.c.kind == "disconnect")).first() is not None
