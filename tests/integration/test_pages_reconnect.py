"""Disconnect while the sync runs, then connect again (issue 15, point 3; Beamery seed: "once
the integration is disconnected, in order to reconnect, you will need to perform the initial
sync again"), through the admin pages, on SQLite and PostgreSQL:

- the admin clicks Disconnect while the server's background runner is in the middle of the
  historical sync: the runner stops, the disconnect works, and LinkedIn holds nothing of the
  tenant (read back through the sandbox's inspection API);
- Activate again: a new historical run starts with its milestones from zero, and LinkedIn
  ends with everything again.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import select

from recruitlink.core.records import User
from recruitlink.runtime.context import Runtime
from recruitlink.runtime.servers import bound_socket
from recruitlink.settings import Settings
from recruitlink.store import accounts, schema
from recruitlink.web import create_app
from recruitlink.web.pages import tasks
from recruitlink.web.pages.admin_setup import IN_PROGRESS
from tests.conftest import make_tenant
from tests.integration.test_pages_admin import (
    APPROVED,
    BASE,
    KEY,
    ORG,
    PASSWORD,
    Site,
    enable,
    post,
    status_json,
    wait_until,
)
from tests.support.atsdata import write_ats_data
from tests.support.servers import serve

CANDIDATES = 120


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    """LinkedIn's per-minute limits would make two full syncs wait minutes: lift them."""
    return {"records_per_minute": 100_000}


@contextmanager
def serving(store: Any, li: Any, **settings: Any) -> Iterator[Site]:
    acme = make_tenant(store, "acme")
    with store.writer(acme.id) as w:
        w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        accounts.set_password(w.conn, acme.id, "A1", PASSWORD)
    write_ats_data(store, acme.id, CANDIDATES)  # every record valid: all go to LinkedIn
    sock = bound_socket()  # bound now: a port picked and let go could be taken meanwhile
    port = sock.getsockname()[1]
    config = Settings(
        secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
        partner_client_id=li.app.state.partner.client_id,
        partner_client_secret=li.app.state.partner.client_secret,
        public_url=f"http://127.0.0.1:{port}", job_task_poll_seconds=0.0, pollers=False,
        rate_records_per_minute=100_000, **settings)
    app = create_app(config, store)
    with serve(app, sock=sock) as url:
        app.state.inbound.idle_s = 0.05
        if app.state.background is not None:
            app.state.background.idle_s = 0.05
        site = Site(url, store, acme, li, app, [])
        try:
            yield site
        finally:
            for client in site.clients:
                client.close()


@pytest.fixture
def site(store, li) -> Iterator[Site]:
    """The server syncs the tenant in its background runner."""
    with serving(store, li) as site:
        yield site


@pytest.fixture
def demo_site(store, li) -> Iterator[Site]:
    """As `recruitlink demo` runs: the server's runner does not sync; a loop of the same
    process does, with an engine of its own (another lease owner), until stopped."""
    with serving(store, li, background_sync=False) as site:
        runtime = Runtime(site.app.state.runtime.settings, store,
                          site.app.state.runtime.box)
        stop = threading.Event()
        loop = threading.Thread(target=runtime.engine.run, args=(site.acme.id,),
                                kwargs={"stop": stop.is_set})
        loop.start()
        try:
            yield site
        finally:
            stop.set()
            loop.join(timeout=60)
            runtime.close_engine()


def on_linkedin(site: Site) -> dict[str, Any]:
    """What the sandbox holds for the organization: records per resource, listed jobs."""
    r = site.li.control.get(f"/organizations/{ORG}/summary")
    assert r.status_code == 200, r.text
    summary = r.json()
    return {"records": {k: v for k, v in summary["records"].items() if v},
            "listed": summary["jobs"]["LISTED"]}


def historical_runs(site: Site) -> list[Any]:
    with site.store.reader() as conn:
        return conn.execute(select(schema.sync_runs).where(
            schema.sync_runs.c.tenant_id == site.acme.id,
            schema.sync_runs.c.kind == "historical").order_by(schema.sync_runs.c.id)).all()


def deleting(site: Site) -> bool:
    """The disconnect has the lease and deletes (its run exists)."""
    with site.store.reader() as conn:
        return conn.execute(select(schema.sync_runs.c.id).where(
            schema.sync_runs.c.tenant_id == site.acme.id,
            schema.sync_runs.c.kind == "disconnect")).first() is not None


def milestones(site: Site, run_id: int) -> list[Any]:
    with site.store.reader() as conn:
        return conn.execute(select(schema.sync_milestones).where(
            schema.sync_milestones.c.run_id == run_id)).all()


def activate(site: Site, admin: Any) -> None:
    r = post(admin, f"{BASE}/activate", acknowledge="on")
    assert r.status_code == 303 and "step=choose" in r.headers["location"], r.text
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps(APPROVED))
    assert r.status_code == 303 and "done=connected" in r.headers["location"], r.text


def test_disconnect_while_the_server_syncs_then_reconnect_syncs_everything_again(site):
    admin = site.client("ada@acme.example")
    activate(site, admin)
    # Slow calls, so that the admin clicks Disconnect in the middle of the historical sync.
    site.li.control.put("/faults/*", json={"latency_ms": 150})
    enable(site.li)
    wait_until(lambda: on_linkedin(site)["records"], what="candidates on LinkedIn")
    run = status_json(admin)["run"]
    assert run["status"] == "running" and run["done"] < run["total"]  # under way

    r = post(admin, f"{BASE}/disconnect", confirm="on")
    assert r.status_code == 303, r.text
    wait_until(lambda: status_json(admin)["status"] in ("DISCONNECTING", "DISCONNECTED"),
               what="the disconnect starting")
    site.li.control.delete("/faults")
    task = tasks.wait(site.acme.id, "disconnect", 120)
    assert task is not None and not task.running, task
    assert task.error is None, task.error
    assert site.connection().status == "DISCONNECTED"
    assert task.result["verified"]["stillPresent"] == {}
    assert on_linkedin(site) == {"records": {}, "listed": 0}
    [first] = historical_runs(site)
    assert first.status == "cancelled"
    report = admin.get(f"{BASE}/disconnect/report")
    assert 'data-state="done"' in report.text
    # The server's runner does not take the sync up again behind the disconnect's back.
    assert status_json(admin)["status"] == "DISCONNECTED"
    assert on_linkedin(site) == {"records": {}, "listed": 0}

    # Activate again: a new historical run, milestones from zero, everything on LinkedIn.
    page = admin.get(BASE).text
    assert 'data-state="start"' in page  # the first activation's choices went at its approval
    # Between Activate and the approval, the page (from anywhere) says so and keeps the
    # choices; a new choice of who sees jobs is kept too.
    r = post(admin, f"{BASE}/activate", acknowledge="on", history_window="12m",
             visibility="all_product_users")
    assert r.status_code == 303, r.text
    page = admin.get(BASE).text
    assert 'data-state="choose"' in page and IN_PROGRESS in page, page
    assert "changed in the last 12 months" in page
    state = status_json(admin)
    assert (state["status"], state["statusText"]) == ("DISCONNECTED", IN_PROGRESS)
    r = post(admin, f"{BASE}/visibility", visibility="acls", history_window="12m")
    assert r.status_code == 303, r.text
    page = admin.get(BASE).text
    assert 'data-state="choose"' in page and "Only the job&#39;s hiring team</strong>" in page
    r = post(admin, f"{BASE}/visibility", visibility="all_product_users",
             history_window="12m")
    assert r.status_code == 303, r.text
    activate(site, admin)
    enable(site.li)
    state = wait_until(lambda: (s := status_json(admin)).get("run") and s["run"]["id"] !=
                       first.id and s, what="a new historical run")
    assert state["status"] == "ENABLED" and state["run"]["status"] in ("running", "done")
    wait_until(lambda: status_json(admin)["run"]["status"] == "done", timeout=180,
               what="the new historical run done")
    [second] = historical_runs(site)  # the cancelled run went with the old connection
    assert second.id != first.id and second.status == "done"
    for milestone in milestones(site, second.id):
        # From zero: every record of every stream counted in this run, none skipped.
        assert milestone.done == milestone.total, milestone
    with site.store.reader() as conn:
        applications = conn.execute(select(schema.applications.c.id).where(
            schema.applications.c.tenant_id == site.acme.id)).all()
        jobs = conn.execute(select(schema.jobs.c.status).where(
            schema.jobs.c.tenant_id == site.acme.id)).scalars().all()
    # (Jobs are listed once LinkedIn's job tasks are done.)
    held = wait_until(lambda: (h := on_linkedin(site))["listed"] == sum(
        1 for s in jobs if s == "open") and h, what="the open jobs listed again")
    assert held["records"]["atsCandidates"] == CANDIDATES
    assert held["records"]["atsApplications"] == len(applications)
    page = admin.get(BASE).text
    assert "has been activated for" in page


def test_disconnect_while_a_sync_loop_of_the_same_process_syncs(demo_site):
    """The demo's finding: its own sync loop held the lease, and Disconnect failed after
    two minutes ("another process took over") with nothing deleted."""
    site = demo_site
    admin = site.client("ada@acme.example")
    activate(site, admin)
    site.li.control.put("/faults/*", json={"latency_ms": 150})
    enable(site.li)
    wait_until(lambda: on_linkedin(site)["records"], what="candidates on LinkedIn")
    assert status_json(admin)["run"]["status"] == "running"
    started = time.monotonic()
    r = post(admin, f"{BASE}/disconnect", confirm="on")
    assert r.status_code == 303, r.text
    # The page says what is happening while the loop is asked to stop, then deletes.
    report = admin.get(f"{BASE}/disconnect/report").text
    assert 'data-state="running"' in report
    wait_until(lambda: deleting(site) or not tasks.get(site.acme.id, "disconnect").running,
               timeout=150, what="the disconnect deleting, or failing")
    assert deleting(site), tasks.get(site.acme.id, "disconnect")
    assert time.monotonic() - started < 30  # the loop let go at once
    site.li.control.delete("/faults")
    task = tasks.wait(site.acme.id, "disconnect", 120)
    assert task is not None and not task.running and task.error is None, task
    assert on_linkedin(site) == {"records": {}, "listed": 0}
    assert site.connection().status == "DISCONNECTED"
