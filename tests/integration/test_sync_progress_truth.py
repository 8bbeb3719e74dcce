"""What the sync logs, the CLI and the API say about the initial sync is true (issue 15.4):
five Tracker milestones for every tenant kind, progress per call, counts that never overshoot,
one "failed records" figure, excluded apart from unchanged, reasons in plain words, a throttled
sync that says it is waiting and until when, and the same failed records and dry-run plan
from `recruitlink sync errors / plan --json` and `/api/v1/linkedin/sync/errors`.
Store -> engine -> sandbox over loopback, on SQLite and PostgreSQL; the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from recruitlink.core.limits import copy_limits
from recruitlink.core.records import Candidate
from recruitlink.crypto import SecretBox
from recruitlink.linkedin.budget import RateBudget
from recruitlink.settings import Settings
from recruitlink.store import schema
from recruitlink.store.tenants import create_api_key
from recruitlink.sync.engine import EngineSettings, SyncEngine
from recruitlink.sync.items import streams_for
from recruitlink.web import create_app
from recruitlink.web.pages import synclog_queries
from tests.integration.test_sync_engine import connected, run_until_idle, seed_small
from tests.support.keys import TEST_SECRET_KEY
from tests.support.servers import serve

FIVE = ["enabled", "jobs", "candidates", "applications", "activities"]


@pytest.fixture
def engine(store, li):
    settings = EngineSettings(api_url=li.url, oauth_url=li.url,
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01)
    eng = SyncEngine(store, SecretBox(TEST_SECRET_KEY), settings)
    yield eng
    eng.close()


def progress(store, tenant_id: int, engine: SyncEngine | None = None) -> dict[str, Any]:
    """What the sync logs page shows (with the budget the server's engine uses)."""
    with store.reader() as conn:
        if engine is None:
            return synclog_queries.progress(conn, tenant_id)
        return synclog_queries.progress(conn, tenant_id, limits=engine.settings.limits)


def more_candidates(store, tenant_id: int, n: int, start: int = 100) -> None:
    with store.writer(tenant_id) as w:
        w.records("candidates", [(i, Candidate(id=f"X{start + i}", first_name=f"F{i}",
                                               last_name=f"L{i}",
                                               emails=[f"x{start + i}@example.com"]))
                                 for i in range(n)], mode="create")


def cli(store, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RECRUITLINK_DATABASE_URL": store.db.url,
           "RECRUITLINK_SECRET_KEY": TEST_SECRET_KEY}
    command = str(Path(sys.executable).with_name("recruitlink"))
    return subprocess.run([command, *args], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def in_thread(engine, tenant_id: int) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=engine.run, args=(tenant_id,),
                              kwargs={"stop": stop.is_set, "until_done": True}, daemon=True)
    thread.start()
    return thread, stop


# -- milestones ------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["ATS", "CRM", "BOTH"])
def test_every_kind_has_the_four_sync_milestones_in_order(kind):
    from recruitlink.core.milestones import MILESTONES

    streams = streams_for(kind)
    keys = [s.milestone for s in streams]
    assert sorted(set(keys), key=FIVE.index) == FIVE[1:]
    assert keys == sorted(keys, key=FIVE.index)  # each milestone after the one before
    activities = {s.name for s in streams if s.milestone == "activities"}
    assert {"candidate_notes", "application_notes", "interview_feedback"} <= activities
    assert all(m.features for m in MILESTONES) and [m.key for m in MILESTONES] == FIVE


def test_five_milestones_counts_never_overshoot_excluded_apart(store, tenant, engine, li):
    seed_small(store, tenant.id)
    connected(store, engine, li, tenant)  # the run counts its totals now
    more_candidates(store, tenant.id, 2)  # created during the run
    run_until_idle(engine, tenant.id)
    state = progress(store, tenant.id)
    run = state["run"]
    assert [m["key"] for m in run["milestones"]] == FIVE
    assert all(m["features"] for m in run["milestones"])
    groups = {m["key"]: m for m in run["milestones"]}
    assert {s["name"] for s in groups["activities"]["streams"]} == {
        "candidate_notes", "application_notes", "interview_feedback"}
    for s in [s for m in run["milestones"] for s in m["streams"]]:
        assert s["done"] <= s["total"], s
    assert run["done"] <= run["total"] and run["percent"] == 100
    # Activities are sent after every application.
    apps_done = max(s["finishedAt"] for s in groups["applications"]["streams"])
    assert min(s["startedAt"] for s in groups["activities"]["streams"]) >= apps_done
    # Excluded records (confidential) are not "unchanged".
    with store.reader() as conn:
        b = schema.sync_batches.c
        excluded, skipped = conn.execute(select(func.sum(b.excluded), func.sum(b.skipped))
                                         .where(b.tenant_id == tenant.id)).one()
        outcomes = dict(conn.execute(
            select(schema.sync_batch_items.c.outcome, func.count())
            .join(schema.sync_batches,
                  schema.sync_batches.c.id == schema.sync_batch_items.c.batch_id)
            .where(b.tenant_id == tenant.id).group_by(schema.sync_batch_items.c.outcome)).all())
    assert excluded == outcomes["excluded"] > 0
    assert skipped == outcomes.get("skipped", 0)
    # One failed figure: records, not checks (C3's email fails two checks; A3 follows it).
    assert state["failedRecords"] == 2
    assert sum(m["failed"] for m in run["milestones"]) == 2


# -- progress per call, throttling -----------------------------------------------------------

def test_progress_moves_per_call(store, tenant, engine, li):
    more_candidates(store, tenant.id, 250)
    connected(store, engine, li, tenant)
    r = li.control.put("/faults/atsCandidates", json={"latency_ms": 700})
    assert r.status_code == 200, r.text
    thread, stop = in_thread(engine, tenant.id)
    seen: set[int] = set()

    def look() -> None:
        for m in (progress(store, tenant.id)["run"] or {}).get("milestones", []):
            if m["key"] == "candidates":
                seen.add(m["done"])

    deadline = time.monotonic() + 60
    try:
        while thread.is_alive() and time.monotonic() < deadline:
            look()
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(30)
    look()  # the last call's count may land after the last look inside the loop
    # One batch of 250 in three calls: the count moved inside it.
    assert 250 in seen and seen & set(range(1, 250)), seen


def test_the_eta_is_measured_over_the_run_not_a_whole_minute(store, tenant, engine, li):
    """A few jobs done in the first second of a run are not 3 records a minute: the ETA of a
    run that takes seconds never says hours."""
    seed_small(store, tenant.id)
    more_candidates(store, tenant.id, 1000)
    connected(store, engine, li, tenant)
    r = li.control.put("/faults/atsCandidates", json={"latency_ms": 300})
    assert r.status_code == 200, r.text
    started = time.monotonic()
    thread, stop = in_thread(engine, tenant.id)
    etas: list[int] = []
    try:
        while thread.is_alive() and time.monotonic() - started < 120:
            state = progress(store, tenant.id, engine)
            if state["run"]["status"] == "running" and state["etaSeconds"] is not None:
                etas.append(state["etaSeconds"])
                assert re.fullmatch(r"rate: measuring|[0-9,]+\.[0-9] records/s",
                                    state["rateText"]), state["rateText"]
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(30)
    took = time.monotonic() - started
    assert etas and took < 120
    assert max(etas) <= max(600, 20 * took), (max(etas), took)


def test_a_throttled_sync_says_it_waits_and_until_when(store, tenant, engine, li):
    more_candidates(store, tenant.id, 20)
    r = li.control.put("/throttles", json={"family": "atsCandidates", "perMinute": 10})
    assert r.status_code == 200, r.text
    connected(store, engine, li, tenant)
    thread, stop = in_thread(engine, tenant.id)
    try:
        deadline = time.monotonic() + 60
        state = progress(store, tenant.id)
        while not state.get("waiting") and time.monotonic() < deadline:
            time.sleep(0.1)
            state = progress(store, tenant.id)
        waiting = state["waiting"]
        assert waiting and waiting["family"] == "atsCandidates"
        assert waiting["untilMs"] > state["now"] and 1 <= waiting["seconds"] <= 61
        assert "Waiting for LinkedIn's rate limit" in waiting["text"]
        assert "resumes at" in waiting["text"]
        assert state["etaSeconds"] is not None and state["etaSeconds"] >= waiting["seconds"]
        # 20 records sent at most: too few to be a rate (the time left assumes the limits).
        assert state["rateText"] == "rate: measuring"
        status = json.loads(cli(store, "sync", "status", "--tenant", tenant.slug,
                                "--json").stdout)
        assert status["waiting"]["untilMs"] == waiting["untilMs"]
        assert status["rateText"] == "rate: measuring"
    finally:
        with store.db.write() as conn:  # a pause stops the wait (nothing of the batch sent)
            conn.execute(schema.connections.update().values(paused=True))
        stop.set()
        thread.join(30)
    assert not thread.is_alive()


def test_a_sync_held_by_the_per_minute_budget_says_so(store, tenant, li):
    """Our budget keeps under LinkedIn's limit before LinkedIn has to say 429: that wait is
    shown too (another process of the same app used the minute's records)."""
    limits = copy_limits()
    limits["atsCandidates"].per_minute = 150
    settings = EngineSettings(api_url=li.url, oauth_url=li.url,
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01, limits=limits)
    engine = SyncEngine(store, SecretBox(TEST_SECRET_KEY), settings)
    try:
        more_candidates(store, tenant.id, 20)
        connected(store, engine, li, tenant)
        with store.reader() as conn:
            client_id = conn.execute(select(schema.connections.c.client_id)).scalar()
        assert RateBudget(store.db, client_id, limits).try_acquire("atsCandidates", 140) == 0
        thread, stop = in_thread(engine, tenant.id)
        try:
            deadline = time.monotonic() + 60
            state = progress(store, tenant.id, engine)
            while not state.get("waiting") and time.monotonic() < deadline:
                time.sleep(0.1)
                state = progress(store, tenant.id, engine)
            waiting = state["waiting"]
            assert waiting and waiting["reason"] == "minute", state
            assert waiting["text"].startswith(
                "Waiting for LinkedIn's rate limit (atsCandidates: the records-per-minute "
                "limit is reached): resumes at ")
            assert 1 <= waiting["seconds"] <= 62
            assert state["etaSeconds"] >= waiting["seconds"]
        finally:
            with store.db.write() as conn:
                conn.execute(schema.connections.update().values(paused=True))
            stop.set()
            thread.join(30)
        assert not thread.is_alive()
    finally:
        engine.close()


# -- failed records and the plan, everywhere ------------------------------------------------

def test_failed_records_and_plan_from_pages_cli_and_api(store, tenant, engine, li):
    seed_small(store, tenant.id)
    connected(store, engine, li, tenant)
    plan = cli(store, "sync", "plan", "--tenant", tenant.slug, "--json")
    assert plan.returncode == 0, plan.stderr
    records = json.loads(plan.stdout)["records"]
    assert records["candidates"]["send"] == ["C1"]
    assert records["candidates"]["excluded"] == [{"id": "C2",
                                                  "reason": "confidential candidate"}]
    assert {(r["id"], r["field"]) for r in records["candidates"]["invalid"]} == {
        ("C3", "emailAddresses.0")}
    assert all(r["reason"].startswith("Email address 1: not a valid email address")
               for r in records["candidates"]["invalid"])
    run_until_idle(engine, tenant.id)

    done = cli(store, "sync", "errors", "--tenant", tenant.slug, "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    assert listed["failedRecords"] == 2
    by_id = {(e["entity"], e["id"], e["field"]) for e in listed["errors"]}
    assert ("candidates", "C3", "emailAddresses.0") in by_id
    c3 = [e for e in listed["errors"] if e["id"] == "C3"]
    assert {e["reason"] for e in c3} == {"Email address 1: not a valid email address"}
    assert all(e["rawMessage"] and e["fieldLabel"] == "Email address 1" for e in c3)
    text = cli(store, "sync", "errors", "--tenant", tenant.slug)
    assert "2 failed records" in text.stdout and "Email address 1" in text.stdout
    status = json.loads(cli(store, "sync", "status", "--tenant", tenant.slug, "--json").stdout)
    assert status["failedRecords"] == status["openErrors"] == 2

    with store.db.write() as conn:
        key = create_api_key(conn, tenant.id, name="t", now_ms=1_750_000_000_000)
    app = create_app(Settings(database_url=store.db.url, linkedin_api_url=li.url,
                              linkedin_oauth_url=li.url, background_sync=False,
                              pollers=False, inbound_worker=False), store=store)
    with serve(app) as url, httpx.Client(base_url=url, timeout=30,
                                         headers={"Authorization": f"Bearer {key}"}) as api:
        r = api.get("/api/v1/linkedin/sync/errors")
        assert r.status_code == 200, r.text
        assert r.json()["failedRecords"] == 2
        assert [e["reason"] for e in r.json()["errors"]] == [
            e["reason"] for e in listed["errors"]]
        page = api.get("/api/v1/linkedin/sync/errors", params={"limit": 1})
        assert len(page.json()["errors"]) == 1 and page.json()["next"] is not None
        rest = api.get("/api/v1/linkedin/sync/errors",
                       params={"after": page.json()["next"], "limit": 1000}).json()
        assert len(rest["errors"]) == len(listed["errors"]) - 1
        assert api.get("/api/v1/linkedin/sync/errors",
                       params={"entity": "jobs"}).json()["errors"] == []
        bad = api.get("/api/v1/linkedin/sync/errors", params={"limit": 0})
        assert bad.status_code == 422 and bad.json()["error"]["errors"][0]["field"] == "limit"
        paths = api.get("/openapi.json").json()["paths"]
        assert "/api/v1/linkedin/sync/errors" in paths
