"""The sync lease records its holder (host, pid, start time): a holder gone from this host is
taken over at once; a live one, or one on another host, keeps it until it expires (issue 14,
point 10). On SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from recruitlink import processes
from recruitlink.processes import ProcessId
from recruitlink.runtime.background import BackgroundRunner
from recruitlink.runtime.context import Runtime
from recruitlink.runtime.work import sync_slice
from recruitlink.settings import Settings
from recruitlink.store import schema
from recruitlink.sync import control
from recruitlink.sync.ledger import acquire_lease, release_lease
from tests.integration.test_sync_engine import connected
from tests.support.atsdata import write_ats_data

NOW = 1_700_000_000_000
TTL = 75_000


@contextmanager
def other_process() -> Iterator[subprocess.Popen[bytes]]:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield child
    finally:
        child.kill()
        child.wait()


def take(store, tenant_id: int, owner: str, holder: ProcessId | None = None,
         now: int = NOW) -> bool:
    with store.db.write() as conn:
        return acquire_lease(conn, tenant_id, owner, now, TTL, holder)


def lease_row(store, tenant_id: int):
    with store.reader() as conn:
        return conn.execute(select(schema.sync_leases).where(
            schema.sync_leases.c.tenant_id == tenant_id)).first()


def test_a_holder_gone_from_this_host_is_taken_over_at_once(store, tenant):
    with other_process() as child:
        holder = processes.lookup(child.pid)
        assert holder is not None and holder.started is not None
        assert take(store, tenant.id, "cli-sync", holder)
        row = lease_row(store, tenant.id)
        assert (row.owner, row.holder_pid, row.holder_host) == ("cli-sync", child.pid,
                                                                processes.current().host)
        # Alive: respected, by this process's engines too, until it expires.
        assert not take(store, tenant.id, "server", now=NOW + 1000)
        child.kill()
        child.wait()
        # Gone (SIGKILL): taken at once, long before it would have expired.
        assert take(store, tenant.id, "server", now=NOW + 1000)
    assert lease_row(store, tenant.id).holder_pid == processes.current().pid


def test_a_reused_pid_is_not_taken_for_the_holder(store, tenant):
    with other_process() as child:
        alive = processes.lookup(child.pid)
        assert alive is not None
        # The lease names a process that had this pid before (another start time).
        earlier = ProcessId(alive.host, child.pid, f"{alive.started}0")
        assert take(store, tenant.id, "killed-long-ago", earlier)
        assert take(store, tenant.id, "server", now=NOW + 1000)


def test_other_hosts_and_live_holders_keep_the_lease_until_it_expires(store, tenant):
    with other_process() as child:
        gone_pid = child.pid
    elsewhere = ProcessId("another-host pid:[1]", gone_pid, "boot:1")
    assert take(store, tenant.id, "worker-elsewhere", elsewhere)
    assert not take(store, tenant.id, "server", now=NOW + TTL - 1)
    assert take(store, tenant.id, "server", now=NOW + TTL + 1)
    # A row written before holders were recorded: expiry only.
    with store.db.write() as conn:
        conn.execute(schema.sync_leases.update().values(
            owner="old", holder_host=None, holder_pid=None, holder_started=None))
    assert not take(store, tenant.id, "server", now=NOW + 2000)


def test_release_leaves_no_holder(store, tenant):
    assert take(store, tenant.id, "cli-sync")
    with store.db.write() as conn:
        release_lease(conn, tenant.id, "someone-else")
    assert lease_row(store, tenant.id).owner == "cli-sync"
    with store.db.write() as conn:
        release_lease(conn, tenant.id, "cli-sync")
    assert lease_row(store, tenant.id) is None
    assert take(store, tenant.id, "server")


def test_a_sync_slice_lets_go_however_it_ends(store, tenant, engine, li):
    """A procrastinate job's slice ends paused: the next job need not wait for the lease."""
    connected(store, engine, li, tenant)
    control.set_paused(engine, tenant.id, True)
    part = sync_slice(engine, tenant.id, seconds=5)
    assert part.last.kind == "paused"
    assert lease_row(store, tenant.id) is None


def test_the_servers_runner_lets_go_when_it_stops(store, tenant, engine, li):
    write_ats_data(store, tenant.id, 600)
    connected(store, engine, li, tenant)
    runtime = Runtime(Settings(secret_key="lease-test-key-at-least-32-characters-long"), store,
                      engine.box, _engine=engine)
    runner = BackgroundRunner(runtime, pollers=False)
    runner.start()
    try:
        deadline = time.monotonic() + 60
        while (row := lease_row(store, tenant.id)) is None or row.owner != engine.owner:
            assert time.monotonic() < deadline, "the runner never took the lease"
            time.sleep(0.05)
    finally:
        runner.stop()  # the server shutting down, mid-backfill
    assert lease_row(store, tenant.id) is None
