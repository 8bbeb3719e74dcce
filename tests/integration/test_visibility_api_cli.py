"""Who sees which job in Recruiter over the API (`GET`/`PUT /api/v1/linkedin/visibility`) and
the CLI (`recruitlink policy show|set`, `recruitlink connect --visibility`): the same service
as the Setup page; bad values get an error naming the field. SQLite and PostgreSQL."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.core.records import Job
from recruitlink.store import connections
from recruitlink.store.tenants import create_api_key
from tests.conftest import make_tenant
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    KEY,
    ORG,
    engine,
    server,
    wired,
)
from tests.integration.test_sync_engine import run_until_idle


def hiring_teams(li, org: str) -> set[tuple[str, str]]:
    body = li.control.get(f"/organizations/{org}/records/atsEntityAcls",
                          params={"count": 1000}).json()
    return {(e["key"]["atsEntityAclId"], e["key"]["atsEntityId"]) for e in body["elements"]}


@pytest.fixture
def api(store, tenant, server, wired):  # noqa: F811
    with store.db.write() as conn:
        key = create_api_key(conn, tenant.id, name="tests", now_ms=int(time.time() * 1000))
    with httpx.Client(base_url=f"{server}/api/v1/linkedin", timeout=60,
                      headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def test_visibility_over_the_api(store, tenant, li, engine, api):  # noqa: F811
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", viewer_ids=["U1"]))], mode="update")
    run_until_idle(engine, tenant.id)
    assert api.get("/visibility").json() == {
        "visibility": "all_product_users", "label": "All Recruiter users", "pending": False,
        "aclRecords": 0, "queued": 0}

    bad = api.put("/visibility", json={"visibility": "everyone"})
    assert bad.status_code == 422
    assert bad.json()["error"]["errors"][0]["field"].endswith("visibility")
    assert api.put("/visibility", json={}).status_code == 422

    r = api.put("/visibility", json={"visibility": "acls"})
    assert r.status_code == 200, r.text
    assert r.json()["visibility"] == "acls" and r.json()["pending"] is True
    run_until_idle(engine, tenant.id)
    state = api.get("/visibility").json()
    # J1's ACL for U1, and U1's assignee (its seat's member).
    assert state["pending"] is False and state["aclRecords"] == 2
    assert hiring_teams(li, ORG) == {("user-U1", "J1")}

    r = api.put("/visibility", json={"visibility": "all_product_users"})
    assert r.status_code == 200 and r.json()["pending"] is True
    run_until_idle(engine, tenant.id)
    assert api.get("/visibility").json()["aclRecords"] == 0
    assert hiring_teams(li, ORG) == set()


def test_visibility_from_the_cli(store, tenant, li, engine, wired, monkeypatch):  # noqa: F811
    monkeypatch.setenv("RECRUITLINK_SECRET_KEY", KEY)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_API_URL", li.url)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_OAUTH_URL", li.url)
    db = ["--database-url", store.db.url]
    runner = CliRunner()
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J2", viewer_ids=["U1"]))], mode="update")

    bad = runner.invoke(cli, ["policy", "set", "--tenant", "acme", "--visibility", "all", *db])
    assert bad.exit_code == 2 and "visibility: must be" in bad.output
    done = runner.invoke(cli, ["policy", "set", "--tenant", "acme", "--visibility", "acls",
                               *db])
    assert done.exit_code == 0, done.output
    assert "Only the job's hiring team" in done.output and "queued" in done.output
    shown = runner.invoke(cli, ["policy", "show", "--tenant", "acme", "--json", *db])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["visibility"] == "acls"
    assert json.loads(shown.output)["pending"] is True
    run_until_idle(engine, tenant.id)
    assert hiring_teams(li, ORG) == {("user-U1", "J2")}
    shown = runner.invoke(cli, ["policy", "show", "--tenant", "acme", *db])
    assert "Only the job's hiring team" in shown.output and "On LinkedIn: 2" in shown.output
    again = runner.invoke(cli, ["policy", "set", "--tenant", "acme", "--visibility", "acls",
                                *db])
    assert again.exit_code == 0 and "Already" in again.output


def test_connect_with_the_hiring_team_from_the_cli(store, li, engine, monkeypatch):  # noqa: F811
    monkeypatch.setenv("RECRUITLINK_SECRET_KEY", KEY)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_API_URL", li.url)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_OAUTH_URL", li.url)
    monkeypatch.setenv("RECRUITLINK_PARTNER_CLIENT_ID", li.app.state.partner.client_id)
    monkeypatch.setenv("RECRUITLINK_PARTNER_CLIENT_SECRET",
                       li.app.state.partner.client_secret)
    beta = make_tenant(store, "beta")
    db = ["--database-url", store.db.url]
    args = ["connect", "--tenant", "beta", "--organization", "urn:li:organization:4242",
            "--contract", "urn:li:contract:4343", *db]
    runner = CliRunner()
    bad = runner.invoke(cli, [*args, "--visibility", "team"])
    assert bad.exit_code == 2 and "visibility: must be" in bad.output
    assert runner.invoke(cli, ["policy", "set", "--tenant", "beta", "--visibility", "acls",
                               *db]).output.count("not connected to LinkedIn yet") == 1
    done = runner.invoke(cli, [*args, "--visibility", "acls"])
    assert done.exit_code == 0, done.output
    info = connections.load_required(store, beta.id, engine.box)
    assert info.policy.visibility == "acls"
    client = engine.client_for(info)
    assert client.configuration(client.integration_key("urn:li:organization:4242",
                                                       "ONE_CLICK_EXPORT"),
                                "JOB_POSTING_VIEWERS") is None
