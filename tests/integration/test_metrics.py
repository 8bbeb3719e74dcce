"""`GET /metrics` through the real app, on SQLite and PostgreSQL: every number is the
database's, after a real sync against the sandbox with a rejected record and a real 429."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files

import httpx
import pytest
from alembic import command
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from recruitlink.core.limits import Limit
from recruitlink.core.records import Candidate
from recruitlink.crypto import SecretBox
from recruitlink.linkedin.budget import DEFAULT_WINDOW_MS, RateBudget, utc_day
from recruitlink.settings import Settings
from recruitlink.store import Store, connections, schema
from recruitlink.store.migrate import alembic_config
from recruitlink.sync.engine import EngineSettings, SyncEngine
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.integration.test_sync_engine import connected, records, run_until_idle
from tests.support.servers import serve

FAMILY = "atsCandidates"
TOKEN = "metrics-token-for-the-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@dataclass
class Scrape:
    text: str
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]

    def value(self, name: str, **labels: str) -> float | None:
        return self.samples.get((name, tuple(sorted(labels.items()))))

    def names(self) -> set[str]:
        return {name for name, _ in self.samples}


def scrape(url: str) -> Scrape:
    response = httpx.get(f"{url}/metrics", headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CONTENT_TYPE_LATEST
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(response.text)
               for s in family.samples}
    return Scrape(response.text, samples)


@contextmanager
def metrics_app(store: Store) -> Iterator[tuple[str, Settings]]:
    """The server, with no background work of its own: the test drives the sync."""
    settings = Settings(database_url=store.db.url, work_queue="in-process",
                        inbound_worker=False, background_sync=False, pollers=False,
                        metrics_token=TOKEN)
    app = create_app(settings, store)
    with serve(app) as url:
        yield url, app.state.runtime.engine_settings()


def seed(store: Store, tenant_id: int) -> None:
    with store.writer(tenant_id) as w:
        w.records("candidates", [
            (0, Candidate(id="C1", first_name="Ada", last_name="Lovelace",
                          emails=["ada@example.com"])),
            (1, Candidate(id="C2", first_name="Grace", last_name="Hopper",
                          emails=["grace@example.com"])),
            (2, Candidate(id="C3", first_name="Alan", last_name="Turing",
                          emails=["alan.turing@"])),  # invalid: rejected before sending
        ], mode="create")


def add_inbox_events(store: Store, tenant_id: int) -> None:
    now = int(time.time() * 1000)
    with store.db.write() as conn:
        conn.execute(schema.inbox_events.insert(), [
            {"tenant_id": tenant_id, "type": "EXPORT", "request_id": f"r{n}", "body": {},
             "status": status, "attempts": 0, "received_at": now, "next_attempt_at": now}
            for n, status in enumerate(("pending", "pending", "processing", "done"))])


def db_totals(store: Store, tenant_id: int) -> tuple[int, int]:
    b = schema.sync_batches
    with store.reader() as conn:
        synced, rejected = conn.execute(
            select(func.sum(b.c.synced), func.sum(b.c.rejected)).where(
                b.c.tenant_id == tenant_id, b.c.status == "committed")).one()
    return int(synced or 0), int(rejected or 0)


def db_budget_used(store: Store, app: str) -> tuple[int, int, int]:
    """Records reserved in the sliding window, requests today, 429s counted."""
    now = int(time.time() * 1000)
    with store.reader() as conn:
        minute = conn.execute(select(func.coalesce(func.sum(schema.rate_events.c.records), 0))
                              .where(schema.rate_events.c.client_id == app,
                                     schema.rate_events.c.family == FAMILY,
                                     schema.rate_events.c.at_ms > now - DEFAULT_WINDOW_MS)
                              ).scalar()
        today = conn.execute(select(schema.rate_days.c.requests).where(
            schema.rate_days.c.client_id == app, schema.rate_days.c.family == FAMILY,
            schema.rate_days.c.day == utc_day(now))).scalar()
        throttled = conn.execute(select(schema.rate_blocks.c.throttled).where(
            schema.rate_blocks.c.client_id == app,
            schema.rate_blocks.c.family == FAMILY)).scalar()
    return int(minute), int(today or 0), int(throttled or 0)


def throttle_next_candidates_call(li, started_ms: int) -> None:
    """The sandbox's real minute throttle, reached: it allows 2 records a minute, the first
    sync sent 2; its clock moves to 48 s after that sync began, so the next call is answered
    429 with a Retry-After of a few seconds instead of most of a minute."""
    li.control.put("/throttles", json={"family": FAMILY, "perMinute": 2})
    now = li.control.get("/clock").json()["nowMs"]
    ahead = (started_ms + 48_000 - now) / 1000
    if ahead > 0:
        li.control.post("/clock/advance", json={"seconds": ahead})


def linkedin_refused(li, tenant_slug: str) -> int:
    app = next(a for a in li.control.get("/apps").json()
               if a["uniqueForeignId"] == f"recruitlink-{tenant_slug}")
    usage = li.control.get("/throttles", params={"app": app["key"]}).json()["usage"]
    return int(usage[FAMILY]["throttled"])


def test_metrics_are_the_databases_numbers(store, tenant, li):
    seed(store, tenant.id)
    with metrics_app(store) as (url, engine_settings):
        before = scrape(url)
        assert before.value("recruitlink_queue_jobs", backend="database", queue="inbox",
                            status="waiting") == 0
        assert "recruitlink_records_synced_total" not in before.names()

        engine = SyncEngine(store, SecretBox("test-key"), EngineSettings(
            api_url=li.url, oauth_url=li.url, ats_base_url="http://127.0.0.1:8000",
            limits=engine_settings.limits, job_task_poll_s=0.0, backoff_s=0.01,
            idle_sleep_s=0.01))
        try:
            started_ms = li.control.get("/clock").json()["nowMs"]
            connected(store, engine, li, tenant)
            run_until_idle(engine, tenant.id)
            info = connections.load_required(store, tenant.id, engine.box)
            assert info.client_id and info.client_secret
            assert set(records(li, FAMILY)) == {"C1", "C2"}

            synced = scrape(url)
            assert db_totals(store, tenant.id) == (2, 1)
            assert synced.value("recruitlink_records_synced_total", tenant="acme") == 2
            assert synced.value("recruitlink_records_rejected_total", tenant="acme") == 1
            assert synced.value("recruitlink_sync_failing_records", tenant="acme") == 1
            assert synced.value("recruitlink_sync_lag_changes", tenant="acme") == 0
            assert synced.value("recruitlink_sync_lag_seconds", tenant="acme") == 0
            assert synced.value("recruitlink_queue_jobs", backend="database", queue="sync",
                                status="waiting") == 0
            assert synced.value("recruitlink_tenant_app_info", tenant="acme",
                                app=info.client_id) == 1
            # The public client id is a label; the secret is never read.
            assert info.client_secret not in synced.text

            # An ATS change the sync has not seen yet is lag.
            with store.writer(tenant.id) as w:
                w.records("candidates", [(0, Candidate(id="C1", first_name="Augusta",
                                                       last_name="Lovelace",
                                                       emails=["ada@example.com"]))],
                          mode="update")
            add_inbox_events(store, tenant.id)
            time.sleep(0.05)
            behind = scrape(url)
            assert behind.value("recruitlink_sync_lag_changes", tenant="acme") == 1
            assert (behind.value("recruitlink_sync_lag_seconds", tenant="acme") or 0) > 0
            assert behind.value("recruitlink_queue_jobs", backend="database", queue="sync",
                                status="waiting") == 1
            assert behind.value("recruitlink_queue_jobs", backend="database", queue="inbox",
                                status="waiting") == 2
            assert behind.value("recruitlink_queue_jobs", backend="database", queue="inbox",
                                status="running") == 1

            # LinkedIn answers the change 429; the sync waits Retry-After and sends it again.
            throttle_next_candidates_call(li, started_ms)
            run_until_idle(engine, tenant.id)
            assert records(li, FAMILY)["C1"]["firstName"] == "Augusta"
        finally:
            engine.close()
        after = scrape(url)

    assert db_totals(store, tenant.id) == (3, 1)
    assert after.value("recruitlink_records_synced_total", tenant="acme") == 3
    assert after.value("recruitlink_records_rejected_total", tenant="acme") == 1
    assert after.value("recruitlink_sync_lag_changes", tenant="acme") == 0
    assert after.value("recruitlink_sync_lag_seconds", tenant="acme") == 0

    minute_used, today_used, throttled = db_budget_used(store, info.client_id)
    refused = linkedin_refused(li, tenant.slug)
    assert refused >= 1
    # Every 429 LinkedIn answered is counted, once: the block expired, the count stays.
    assert throttled == refused
    assert after.value("recruitlink_linkedin_throttled_total", app=info.client_id,
                       family=FAMILY) == throttled
    limit = engine_settings.limits[FAMILY]
    assert limit.per_minute is not None and limit.per_day is not None
    # The throttled call was reserved too: 2 records, then 1, then 1 again.
    assert today_used == 3
    assert after.value("recruitlink_budget_remaining", app=info.client_id, family=FAMILY,
                       window="day") == limit.per_day - today_used
    assert after.value("recruitlink_budget_remaining", app=info.client_id, family=FAMILY,
                       window="minute") == limit.per_minute - minute_used
    assert after.value("recruitlink_budget_limit", family=FAMILY,
                       window="minute") == limit.per_minute
    # Families without a published minute limit have no minute budget.
    assert after.value("recruitlink_budget_remaining", app=info.client_id,
                       family="simpleJobPostings", window="minute") is None
    assert after.value("recruitlink_budget_remaining", app=info.client_id,
                       family="simpleJobPostings", window="day") == \
        engine_settings.limits["simpleJobPostings"].per_day


def test_procrastinate_jobs_are_counted_when_its_table_exists(store, request):
    on_postgres = request.node.callspec.params["store"] == "postgresql"
    if on_postgres:
        install_procrastinate(store)
        with store.db.write() as conn:
            for queue, status, n in (("sync", "todo", 3), ("sync", "doing", 1),
                                     ("inbox", "todo", 1), ("inbox", "succeeded", 5),
                                     ("poll", "failed", 2)):
                for _ in range(n):
                    conn.exec_driver_sql(
                        "INSERT INTO procrastinate_jobs (queue_name, task_name, status) "
                        "VALUES (%(q)s, 'recruitlink.test', %(s)s)", {"q": queue, "s": status})
    with metrics_app(store) as (url, _settings):
        got = scrape(url)
    procrastinate = {labels: value for (name, labels), value in got.samples.items()
                     if name == "recruitlink_queue_jobs"
                     and ("backend", "procrastinate") in labels}
    if not on_postgres:
        assert procrastinate == {}  # SQLite: the in-process queue only
        return
    assert got.value("recruitlink_queue_jobs", backend="procrastinate", queue="sync",
                     status="waiting") == 3
    assert got.value("recruitlink_queue_jobs", backend="procrastinate", queue="sync",
                     status="running") == 1
    assert got.value("recruitlink_queue_jobs", backend="procrastinate", queue="inbox",
                     status="waiting") == 1
    assert len(procrastinate) == 3  # finished jobs are not work
    # The same queue names, from the database's side: nothing waits there.
    assert got.value("recruitlink_queue_jobs", backend="database", queue="sync",
                     status="waiting") == 0


def install_procrastinate(store: Store) -> None:
    """procrastinate's own schema, as `recruitlink worker` installs it."""
    sql = files("procrastinate.sql").joinpath("schema.sql").read_text()
    raw = store.db.write_engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(sql)
        raw.commit()
    finally:
        raw.close()


def test_a_database_error_is_a_failed_scrape(store):
    with metrics_app(store) as (url, _settings):
        assert scrape(url).value("recruitlink_metrics_query_seconds") is not None
        with store.db.write() as conn:
            conn.exec_driver_sql("DROP TABLE sync_cursors")
        response = httpx.get(f"{url}/metrics", headers=AUTH, timeout=30)
    assert response.status_code == 503
    assert "database unavailable" in response.text


def test_the_throttle_count_outlives_the_block(store):
    clock = [1_700_000_000.0]
    budget = RateBudget(store.db, "app-1", {FAMILY: Limit(None, 100)},
                        clock=lambda: clock[0], sleep=lambda _s: None)
    budget.block(FAMILY, 60)
    clock[0] += 120  # the first block is over
    budget.block(FAMILY, 30)
    budget.block(FAMILY, 5)  # shorter than the block in force: it stays, the count grows
    with store.reader() as conn:
        row = conn.execute(select(schema.rate_blocks)).one()
    assert row.throttled == 3
    assert row.until_ms == int((clock[0] + 30) * 1000)


def test_migration_0005_keeps_existing_blocks(store):
    """Blocks recorded before the count existed start at 0 and count from there."""
    migrate_to(store, "0004")
    with store.db.write() as conn:
        conn.exec_driver_sql("INSERT INTO rate_blocks (client_id, family, until_ms) "
                             "VALUES ('app-1', 'atsCandidates', 1)")
    migrate_to(store, "head")
    RateBudget(store.db, "app-1", {}).block(FAMILY, 1)
    with store.reader() as conn:
        assert conn.execute(select(schema.rate_blocks.c.throttled)).scalar() == 1


def migrate_to(store: Store, revision: str) -> None:
    config = alembic_config(store.db.url)
    with store.db.write_engine.connect() as conn:
        config.attributes["connection"] = conn
        if revision == "head":
            command.upgrade(config, revision)
        else:
            command.downgrade(config, revision)
        conn.commit()


def test_metrics_need_the_token(store):
    """/metrics names every tenant (its sign-in workspace) and LinkedIn client id."""
    make_tenant(store, "acme")
    with metrics_app(store) as (url, _settings):
        for headers in ({}, {"Authorization": "Bearer wrong-token"},
                        {"Authorization": f"Basic {TOKEN}"},
                        {"Authorization": f"Bearer {TOKEN}x"}):
            response = httpx.get(f"{url}/metrics", headers=headers, timeout=30)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert "acme" not in response.text
        assert scrape(url).value("recruitlink_metrics_query_seconds") is not None
        lower = httpx.get(f"{url}/metrics", headers={"authorization": f"bearer {TOKEN}"},
                          timeout=30)
        assert lower.status_code == 200  # the scheme is case-insensitive (RFC 7235)


def test_metrics_are_off_without_a_token(store):
    settings = Settings(database_url=store.db.url, work_queue="in-process",
                        inbound_worker=False, background_sync=False, pollers=False)
    with serve(create_app(settings, store)) as url:
        response = httpx.get(f"{url}/metrics", headers=AUTH, timeout=30)
    assert response.status_code == 404


def test_a_short_metrics_token_is_refused():
    with pytest.raises(ValueError, match=r"metrics_token[\s\S]*at least 16 characters"):
        Settings(metrics_token="short")
