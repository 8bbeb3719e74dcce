"""The host ATS hears of what LinkedIn itself decides, end to end on SQLite and PostgreSQL:
a change LinkedIn refuses (a FAILED job task) is a `record.rejected` found by LinkedIn, with
the field its message names; LinkedIn enabling the integration reaches recruitlink as a signed
INTEGRATION_STATUS_CHANGE push and the host ATS reads it in the change feed (issue 18)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from recruitlink.core.records import Job
from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.settings import Settings
from recruitlink.store import host_events
from recruitlink.store.tenants import create_api_key
from recruitlink.sync.connect import connect
from recruitlink.sync.engine import EngineSettings, SyncEngine
from recruitlink.web import create_app
from tests.integration.sync_gaps.conftest import make_engine, tamper  # noqa: F401
from tests.integration.sync_gaps.test_job_tasks import REFUSED, FailTasks
from tests.integration.test_sync_engine import CONTRACT, ORG, connected, run_until_idle, seed_small
from tests.support.servers import serve

KEY = "test-key-at-least-32-characters-long"


def test_a_change_linkedin_refuses_is_a_rejected_record(store, tenant, li, make_engine,  # noqa: F811
                                                        tamper):  # noqa: F811
    seed_small(store, tenant.id)
    engine = make_engine()
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    tamper.after.append(FailTasks("UPDATE"))
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", title="Principal Engineer"))], mode="update")
    run_until_idle(engine, tenant.id)

    with store.reader() as conn:
        found = [e for e in host_events.read_after(conn, tenant.id, 0, limit=1000,
                                                   types=["record.rejected"])
                 if e.data["entity"] == "jobs"]
    (event,) = found
    assert event.record_key == "record:jobs:J1"
    assert {k: v for k, v in event.data.items() if k != "batch"} == {
        "entity": "jobs", "id": "J1", "field": "title", "fieldLabel": "Title",
        "reason": "Title: LinkedIn refused this change (test)", "message": REFUSED,
        "source": "linkedin"}


@pytest.fixture
def server(store, li, linkedin_api_version):
    settings = Settings(secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
                        linkedin_api_version=linkedin_api_version, background_sync=False,
                        pollers=False)
    app = create_app(settings, store)
    with serve(app) as url:
        app.state.inbound.idle_s = 0.05
        yield url


def test_linkedin_enabling_the_integration_reaches_the_change_feed(store, tenant, li, server):
    with store.db.write() as conn:
        key = create_api_key(conn, tenant.id, name="feed", now_ms=0)
    engine = SyncEngine(store, SecretBox(KEY), EngineSettings(
        api_url=li.url, oauth_url=li.url, ats_base_url="http://127.0.0.1:8000"))
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    feed = httpx.Client(base_url=f"{server}/api/v1", timeout=60,
                        headers={"Authorization": f"Bearer {key}"})
    try:
        connect(store, engine.box, engine, partner, tenant_slug=tenant.slug,
                organization=ORG, contracts=[CONTRACT], public_url=server)
        first = feed.get("/events").json()
        assert [(e["type"], e["data"]["to"], e["data"]["by"]) for e in first["items"]] == [
            ("integration.status_changed", "PENDING", "connect")]
        cursor = first["next_cursor"]
        # LinkedIn's admin turns both levels on: the sandbox pushes the status change.
        for context in (CONTRACT, ORG):
            li.control.post("/integrations/status", json={"integrationContext": context,
                                                          "status": "ENABLED"})
        items = _poll(feed, cursor, until=lambda items: any(
            e["type"] == "sync.milestone_reached" for e in items))
        changes = [e["data"] for e in items if e["type"] == "integration.status_changed"]
        assert changes[-1]["to"] == "ENABLED" and changes[-1]["by"] == "refresh_status"
        assert all(c["by"] == "refresh_status" for c in changes)
        milestone = next(e for e in items if e["type"] == "sync.milestone_reached")
        assert milestone["data"]["key"] == "enabled"
    finally:
        feed.close()
        partner.close()
        engine.close()


def _poll(feed: httpx.Client, cursor: str, *, until: Any,
          timeout: float = 30.0) -> list[dict[str, Any]]:
    """Poll the feed as a host ATS does, from its cursor, until `until(items so far)`."""
    items: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while not until(items):
        assert time.monotonic() < deadline, items
        page = feed.get("/events", params={"after": cursor}).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["items"]:
            time.sleep(0.1)
    return items
