"""Scale-out acceptance (issue 8): Debian's PostgreSQL, `recruitlink serve` and 4 `recruitlink
worker` processes, 20 tenants, and a sandbox process whose throttles are low. LinkedIn's status
pushes reach the server, which hands them to the workers; the workers run every tenant's
historical and continuous sync while the ATS keeps writing, and some are killed with SIGKILL
mid-run and started again.

At the end every tenant's LinkedIn equals its store, the sandbox never answered 429 (the one
rate budget in the database held across processes), every record of a historical run is in
exactly one committed batch, and no batch is left half done."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from recruitlink.core.records import Candidate
from recruitlink.runtime.context import Runtime
from recruitlink.runtime.work import caught_up
from recruitlink.settings import Settings
from recruitlink.store import Store, schema
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from recruitlink.sync.connect import connect as connect_tenant
from tests.support.atsdata import write_ats_data
from tests.support.postgres import free_port
from tests.support.process import Command, sandbox_process

pytestmark = pytest.mark.timeout(600)

LIMIT = 300  # records per minute per app and family: the sandbox's throttle and our budget
TENANTS = 20
WORKERS = 4
PARTNER = ("scale-partner", "scale-secret")


def env_for(db_url: str, sandbox_url: str, port: int, **extra: str) -> dict[str, str]:
    import os

    env = dict(os.environ,
               RECRUITLINK_DATABASE_URL=db_url,
               RECRUITLINK_LINKEDIN_API_URL=sandbox_url,
               RECRUITLINK_LINKEDIN_OAUTH_URL=sandbox_url,
               RECRUITLINK_PARTNER_CLIENT_ID=PARTNER[0],
               RECRUITLINK_PARTNER_CLIENT_SECRET=PARTNER[1],
               RECRUITLINK_SECRET_KEY="scale-test-key-at-least-32-characters-long",
               RECRUITLINK_PUBLIC_URL=f"http://127.0.0.1:{port}",
               RECRUITLINK_SYNC_LEASE_SECONDS="3",
               RECRUITLINK_JOB_TASK_POLL_SECONDS="0",
               RECRUITLINK_TICK_SECONDS="1",
               RECRUITLINK_SYNC_SLICE_SECONDS="1",
               RECRUITLINK_WORKER_HEARTBEAT_SECONDS="1",
               RECRUITLINK_WORKER_STALLED_SECONDS="4",
               RECRUITLINK_POLL_INTERVAL_SECONDS="5")
    env.update(extra)
    return env


def settings_of(env: dict[str, str]) -> Settings:
    return Settings(**{k[len("RECRUITLINK_"):].lower(): v for k, v in env.items()
                       if k.startswith("RECRUITLINK_")})


@contextmanager
def processes(env: dict[str, str], port: int, workers: int) -> Iterator[list[Command]]:
    server = Command(["serve", "--port", str(port)], env)
    pool = [Command(["worker", "--name", f"w{i}"], env) for i in range(workers)]
    try:
        server.wait_for_line(r"recruitlink listening on")
        server.wait_for_line(r"Work queue: procrastinate")
        for worker in pool:
            worker.wait_for_line(r"Worker w\d+ on postgresql")
        yield pool
    finally:
        for worker in pool:
            worker.stop()
        server.stop()


def connect_all(rt: Runtime, slugs: list[str]) -> dict[str, int]:
    """Connect each tenant (its own LinkedIn organization and child app)."""
    ids = {}
    partner = rt.partner()
    for n, slug in enumerate(slugs):
        result = connect_tenant(rt.store, rt.box, rt.engine, partner, tenant_slug=slug,
                                organization=f"urn:li:organization:{7000 + n}",
                                contracts=[f"urn:li:contract:{8000 + n}"],
                                public_url=rt.settings.public_url)
        ids[slug] = result.tenant_id
    return ids


def pushes_done(store: Store) -> int:
    """Status pushes processed by the workers; -1 while any is not done."""
    with store.reader() as conn:
        rows = conn.execute(select(schema.inbox_events.c.status, func.count()).group_by(
            schema.inbox_events.c.status)).all()
    counts = dict(rows)
    return -1 if set(counts) - {"done"} else counts.get("done", 0)


def wait_until(check: Any, timeout: float, what: str, interval: float = 1.0,
               explain: Any = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{explain()}")
        time.sleep(interval)


def state_of(store: Store, pool: list[Command]) -> str:
    """What is where, for a failure message."""
    with store.reader() as conn:
        runs = conn.execute(text(
            "SELECT t.slug, r.status, c.status AS conn, c.paused, "
            "(SELECT max(seq) FROM changelog WHERE tenant_id = t.id) AS head, "
            "(SELECT position FROM sync_cursors WHERE tenant_id = t.id AND name = 'changelog') "
            "AS cursor, (SELECT count(*) FROM sync_batches WHERE tenant_id = t.id AND "
            "status = 'prepared') AS prepared FROM tenants t "
            "LEFT JOIN connections c ON c.tenant_id = t.id "
            "LEFT JOIN sync_runs r ON r.tenant_id = t.id ORDER BY t.id")).all()
        jobs = conn.execute(text(
            "SELECT task_name, status, count(*) FROM procrastinate_jobs "
            "GROUP BY 1, 2 ORDER BY 1, 2")).all()
    logs = "".join(line for w in pool for line in w.lines[-15:])
    return "\n".join([*map(str, runs), *map(str, jobs), logs])


def linkedin_records(url: str, org: str, resource: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    start = 0
    while True:
        page = httpx.get(f"{url}/sandbox/organizations/{org}/records/{resource}",
                         params={"start": start, "count": 1000}, timeout=30).json()
        for e in page["elements"]:
            out[e["key"].get("atsCandidateId") or e["key"].get("atsJobApplicationId")] = e[
                "record"]
        start += 1000
        if start >= page["paging"]["total"]:
            return out


def test_four_workers_twenty_tenants_low_throttles_sigkill(tmp_path: Path,
                                                          postgres_template: Any) -> None:
    port = free_port()
    with postgres_template.store() as store, sandbox_process(
            "--partner-client-id", PARTNER[0], "--partner-client-secret", PARTNER[1],
            "--auto-enable", "--job-task-delay", "0.05", "--no-demo",
            "--records-per-minute", str(LIMIT), "--db", str(tmp_path / "linkedin.db")) as (
            url, _):
        env = env_for(store.db.url, url, port, RECRUITLINK_RATE_RECORDS_PER_MINUTE=str(LIMIT))
        rt = Runtime.from_settings(settings_of(env))
        try:
            run_scenario(rt, env, url, port)
        finally:
            rt.close()


def run_scenario(rt: Runtime, env: dict[str, str], url: str, port: int) -> None:
    rng = random.Random(8)
    slugs = [f"t{n:02d}" for n in range(TENANTS)]
    for n, slug in enumerate(slugs):
        with rt.store.db.write() as conn:
            tenant = create_tenant(conn, ChangeSet, slug=slug, name=slug.upper(),
                                   kind="ATS", now_ms=1_700_000_000_000)
        # One tenant's backfill is bigger than a minute of its budget.
        write_ats_data(rt.store, tenant.id, 110 if n == 0 else 30, seed=n)
    ids: dict[str, int] = {}
    stop_writing = threading.Event()
    writes = {"updated": 0}

    def ats_writer() -> None:
        n = 0
        while not stop_writing.is_set():
            n += 1
            slug = rng.choice(slugs)
            size = 110 if slug == "t00" else 30
            with rt.store.writer(ids[slug]) as w:
                w.records("candidates", [(0, Candidate(
                    id=f"C{rng.randrange(size)}", current_title=f"Title {n}"))],
                    mode="update")
            writes["updated"] += 1
            time.sleep(0.05)

    writer = threading.Thread(target=ats_writer)
    kills = 0
    with processes(env, port, WORKERS) as pool:
        # Connected with the server up: LinkedIn's status pushes reach it, and it hands them
        # to the workers.
        ids.update(connect_all(rt, slugs))
        writer.start()
        try:
            # Kill workers at random moments while the backfills run; start others.
            for _ in range(3):
                time.sleep(rng.uniform(3.0, 6.0))
                victim = rng.randrange(len(pool))
                pool[victim].kill()
                kills += 1
                pool[victim] = Command(["worker", "--name", f"w{victim}"], env)
        finally:
            time.sleep(2.0)
            stop_writing.set()
            writer.join()
        wait_until(lambda: all(caught_up(rt.store, t) for t in ids.values()), 420,
                   "every tenant to be synced", explain=lambda: state_of(rt.store, pool))
        wait_until(lambda: pushes_done(rt.store) >= TENANTS, 60, "the pushes to be processed",
                   explain=lambda: state_of(rt.store, pool))
        with rt.store.reader() as conn:
            # The killed workers' jobs were given back (or let go) by the tick.
            stalled = conn.execute(text(
                "SELECT count(*) FROM procrastinate_jobs j LEFT JOIN procrastinate_workers"
                " w ON w.id = j.worker_id WHERE j.status = 'doing' AND w.id IS NULL"
            )).scalar()
    assert kills == 3 and writes["updated"] > 50
    assert stalled == 0

    check_end_state(rt, url, ids)


def check_end_state(rt: Runtime, url: str, ids: dict[str, int]) -> None:
    apps = []
    for n, (slug, tenant_id) in enumerate(ids.items()):
        org = f"urn:li:organization:{7000 + n}"
        with rt.store.reader() as conn:
            candidates = {r.external_id: r for r in conn.execute(
                select(schema.candidates).where(schema.candidates.c.tenant_id == tenant_id))}
            applications = {r.external_id for r in conn.execute(select(
                schema.applications.c.external_id).where(
                schema.applications.c.tenant_id == tenant_id))}
            app_key = conn.execute(select(schema.connections.c.app_key).where(
                schema.connections.c.tenant_id == tenant_id)).scalar()
        synced = linkedin_records(url, org, "atsCandidates")
        assert set(synced) == set(candidates), slug
        stale = [k for k, row in candidates.items()
                 if synced[k]["atsLastModifiedAt"] != row.modified_at
                 or synced[k].get("currentJobTitle") != row.current_title]
        assert stale == [], (slug, stale[:5])
        assert set(linkedin_records(url, org, "atsApplications")) == applications, slug
        apps.append(app_key)

    # The budget held across processes: LinkedIn never had to refuse anything.
    busiest = 0
    for app_key in apps:
        usage = httpx.get(f"{url}/sandbox/throttles", params={"app": app_key},
                          timeout=30).json()["usage"]
        refused = {family: u["throttled"] for family, u in usage.items() if u["throttled"]}
        assert refused == {}, (app_key, refused)
        busiest = max(busiest, *(u["requestsToday"] for u in usage.values()))
    assert busiest > 0

    with rt.store.reader() as conn:
        # Every record of a historical run is in exactly one committed batch.
        per_milestone = conn.execute(select(
            schema.sync_batches.c.run_id, schema.sync_batches.c.milestone,
            func.sum(schema.sync_batches.c.records).label("records"),
            func.count().label("batches"),
            func.count(func.distinct(schema.sync_batches.c.cursor_after)).label("cursors"))
            .where(schema.sync_batches.c.run_id.is_not(None),
                   schema.sync_batches.c.status == "committed")
            .group_by(schema.sync_batches.c.run_id, schema.sync_batches.c.milestone)).all()
        totals = {(r.run_id, r.name): r.total for r in conn.execute(select(
            schema.sync_milestones.c.run_id, schema.sync_milestones.c.name,
            schema.sync_milestones.c.total))}
        assert per_milestone
        for row in per_milestone:
            assert row.batches == row.cursors, row  # no batch (range) committed twice
            assert row.records == totals[(row.run_id, row.milestone)], row


def test_one_worker_serves_a_live_change_during_another_tenants_backfill(
        tmp_path: Path, postgres_template: Any) -> None:
    """Fairness: with a single worker, a tenant's live change is synced while another tenant's
    big backfill is still running (slices and priorities), not after it."""
    port = free_port()
    with postgres_template.store() as store, sandbox_process(
            "--partner-client-id", PARTNER[0], "--partner-client-secret", PARTNER[1],
            "--auto-enable", "--job-task-delay", "0.05", "--no-demo",
            "--db", str(tmp_path / "linkedin.db")) as (url, _):
        env = env_for(store.db.url, url, port, RECRUITLINK_SYNC_SLICE_SECONDS="0.5")
        rt = Runtime.from_settings(settings_of(env))
        try:
            ids = {}
            for slug, size in (("big", 3000), ("small", 20)):
                with rt.store.db.write() as conn:
                    tenant = create_tenant(conn, ChangeSet, slug=slug, name=slug, kind="ATS",
                                           now_ms=1_700_000_000_000)
                write_ats_data(rt.store, tenant.id, size)
                ids[slug] = tenant.id
            connect_all(rt, list(ids))
            with processes(env, port, 1) as pool:
                wait_until(lambda: caught_up(rt.store, ids["small"]), 120,
                           "the small tenant's backfill", 0.2,
                           explain=lambda: state_of(rt.store, pool))
                with rt.store.writer(ids["small"]) as w:
                    w.records("candidates", [(0, Candidate(id="C1", current_title="Live"))],
                              mode="update")
                wait_until(lambda: caught_up(rt.store, ids["small"]), 120,
                           "the small tenant's live change", 0.2,
                           explain=lambda: state_of(rt.store, pool))
                big_still_backfilling = not caught_up(rt.store, ids["big"])
                synced = linkedin_records(url, "urn:li:organization:7001", "atsCandidates")
                # The big backfill's end proves nothing more here (the test above syncs
                # every tenant to the end, killed workers and all): the workers stop now.
            assert synced["C1"]["currentJobTitle"] == "Live"
            assert big_still_backfilling
        finally:
            rt.close()
