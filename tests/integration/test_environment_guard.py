"""The environment guard (issue 19.7) against the sandbox over loopback, on SQLite and
PostgreSQL: a staging instance never calls a LinkedIn app the sandbox registers as production
(connect refuses before anything is provisioned; a connected tenant's sync sends nothing and
says why, in `sync status` and its state), and syncs once the app is a development one.

A witness in front of the sandbox records every request it received, so "nothing sent" is
LinkedIn's side of the story, not the client's."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.crypto import SecretBox
from recruitlink.errors import EnvironmentRefused
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import connections
from recruitlink.sync import control
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.conftest import start_sandbox
from tests.integration.test_sync_engine import seed_small
from tests.support.servers import serve
from tests.support.witness import WatchedSandbox, watched_sandbox

ORG = "urn:li:organization:7777"
CONTRACT = "urn:li:contract:8888"
TOKEN_PATH = "/oauth/v2/accessToken"


@pytest.fixture
def sandbox() -> Iterator[WatchedSandbox]:
    with watched_sandbox() as watched:
        yield watched


def engine_for(store: Any, sandbox: WatchedSandbox, environment: str) -> SyncEngine:
    return SyncEngine(store, SecretBox("test-key"), EngineSettings(
        api_url=sandbox.url, oauth_url=sandbox.url, environment=environment,
        ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0, backoff_s=0.01,
        idle_sleep_s=0.01))


def partner_for(sandbox: WatchedSandbox, environment: str) -> LinkedInClient:
    partner = sandbox.app.state.partner
    return LinkedInClient(api_url=sandbox.url, oauth_url=sandbox.url,
                          client_id=partner.client_id, client_secret=partner.client_secret,
                          environment=environment)


def connect_acme(store: Any, engine: SyncEngine, partner: LinkedInClient, tenant: Any) -> None:
    connect(store, engine.box, engine, partner, tenant_slug=tenant.slug, organization=ORG,
            contracts=[CONTRACT], public_url="http://127.0.0.1:9")


def test_connect_refuses_a_production_partner_app_before_anything(store, tenant, sandbox):
    sandbox.register(sandbox.partner_key(), "PRODUCTION")
    engine = engine_for(store, sandbox, "staging")
    partner = partner_for(sandbox, "staging")
    try:
        with pytest.raises(EnvironmentRefused) as refused:
            connect_acme(store, engine, partner, tenant)
    finally:
        partner.close()
        engine.close()
    message = refused.value.message
    assert message.startswith(f"This instance is staging; LinkedIn app "
                              f"{sandbox.app.state.partner.client_id} is production: "
                              "nothing is sent.")
    assert "RECRUITLINK_ENVIRONMENT=production" in message
    # LinkedIn's side: a token was asked for, no API call, no child app provisioned.
    assert ("POST", TOKEN_PATH) in sandbox.witness.calls
    assert sandbox.witness.api_calls() == []
    assert sandbox.child() is None
    # recruitlink's side: nothing written either.
    with store.reader() as conn:
        assert connections.load(conn, tenant.id, SecretBox("test-key")) is None


def test_a_production_instance_connects_to_the_same_production_app(store, tenant, sandbox):
    sandbox.register(sandbox.partner_key(), "PRODUCTION")
    engine = engine_for(store, sandbox, "production")
    partner = partner_for(sandbox, "production")
    try:
        connect_acme(store, engine, partner, tenant)
    finally:
        partner.close()
        engine.close()
    child = sandbox.child()
    # A child app is registered in its partner app's environment.
    assert child is not None and child["environment"] == "PRODUCTION"
    assert any(m == "POST" for m, _ in sandbox.witness.api_calls())


def test_a_staging_copy_sends_nothing_to_a_production_app_then_syncs_with_a_development_one(
        store, tenant, sandbox):
    """Production connected the tenant to its production app; a staging instance restored
    from production's database (the same connection, credentials and changelog) steps the
    sync: nothing reaches LinkedIn, and the state says why. When the app is a development
    one, the same staging instance syncs."""
    seed_small(store, tenant.id)
    sandbox.register(sandbox.partner_key(), "PRODUCTION")
    production = engine_for(store, sandbox, "production")
    partner = partner_for(sandbox, "production")
    try:
        connect_acme(store, production, partner, tenant)
        for context in (ORG, CONTRACT):
            sandbox.control.post("/integrations/status", json={
                "integrationContext": context, "status": "ENABLED"})
        status, run_id = refresh_status(store, production.box, production, tenant.id)
        assert status == "ENABLED" and run_id is not None
    finally:
        partner.close()
        production.close()
    child = sandbox.child()
    assert child is not None and child["environment"] == "PRODUCTION"

    def held() -> int:
        summary = sandbox.control.get(f"/organizations/{ORG}/summary").json()
        return sum(summary["records"].values())

    held_before = held()
    staging = engine_for(store, sandbox, "staging")
    try:
        before = len(sandbox.witness.calls)
        report = staging.step(tenant.id)
        assert report.kind == "error" and report.terminal
        why = (f"This instance is staging; LinkedIn app {child['clientId']} is production: "
               "nothing is sent.")
        assert report.message.startswith(why)
        # Stepping again (the runner looks again later) still sends nothing.
        assert staging.step(tenant.id).terminal
        assert sandbox.witness.api_calls(before) == []
        assert set(sandbox.witness.calls[before:]) == {("POST", TOKEN_PATH)}
        assert held() == held_before
        # `sync status` (and its JSON) says why; so does what the pages read.
        state = control.status(staging, tenant.id)
        assert state["environmentRefusal"].startswith(why)
        assert state["ledger"].get("synced", 0) == 0

        # The app becomes a development one: the same staging instance syncs.
        sandbox.register(child["key"], "DEVELOPMENT")
        last = staging.run(tenant.id, stop=lambda: False, until_done=True)
        assert not last.terminal, last
        writes = [c for c in sandbox.witness.api_calls(before) if c[0] in ("PUT", "POST")]
        assert writes and held() > held_before
        state = control.status(staging, tenant.id)
        assert state["environmentRefusal"] is None
        assert state["ledger"].get("synced", 0) > 0
    finally:
        staging.close()


def test_the_cli_says_why_connect_and_sync_send_nothing(store, tenant, sandbox, monkeypatch):
    seed_small(store, tenant.id)
    partner = sandbox.app.state.partner
    for name, value in (("LINKEDIN_API_URL", sandbox.url), ("LINKEDIN_OAUTH_URL", sandbox.url),
                        ("PARTNER_CLIENT_ID", partner.client_id),
                        ("PARTNER_CLIENT_SECRET", partner.client_secret),
                        ("PUBLIC_URL", "http://127.0.0.1:9"), ("JOB_TASK_POLL_SECONDS", "0")):
        monkeypatch.setenv(f"RECRUITLINK_{name}", value)
    sandbox.register(sandbox.partner_key(), "PRODUCTION")
    runner = CliRunner()
    db = ["--database-url", store.db.url]
    connect_args = ["connect", "--tenant", "acme", "--organization", ORG, "--contract",
                    CONTRACT, "--wait", "20", *db]

    monkeypatch.setenv("RECRUITLINK_ENVIRONMENT", "staging")
    refused = runner.invoke(cli, connect_args)
    assert refused.exit_code == 2, refused.output
    assert (f"This instance is staging; LinkedIn app {partner.client_id} is production: "
            "nothing is sent.") in " ".join(refused.output.split())
    assert sandbox.witness.api_calls() == [] and sandbox.child() is None

    # Production connects (LinkedIn turns it on at once here); a staging copy then runs it.
    assert sandbox.control.put("/settings", json={"autoEnable": True}).status_code == 200
    monkeypatch.setenv("RECRUITLINK_ENVIRONMENT", "production")
    done = runner.invoke(cli, connect_args)
    assert done.exit_code == 0 and "ENABLED" in done.output, done.output
    child = sandbox.child()
    assert child is not None
    monkeypatch.setenv("RECRUITLINK_ENVIRONMENT", "staging")
    before = len(sandbox.witness.calls)
    started = runner.invoke(cli, ["sync", "start", "--tenant", "acme", *db])
    why = (f"This instance is staging; LinkedIn app {child['clientId']} is production: "
           "nothing is sent.")
    assert started.exit_code == 1 and why in " ".join(started.output.split()), started.output
    status = runner.invoke(cli, ["sync", "status", "--tenant", "acme", *db])
    assert status.exit_code == 0 and why in " ".join(status.output.split()), status.output
    assert sandbox.witness.api_calls(before) == []


def test_a_sandbox_file_from_before_registers_its_apps_as_development(tmp_path):
    """A sandbox's state file made before apps had an environment gets the column, its apps
    DEVELOPMENT (what they were treated as), so a demo's data keeps syncing."""
    path = str(tmp_path / "sandbox.db")
    first = start_sandbox(db=path)
    partner = first.state.partner.client_id
    first.state.sandbox.store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE apps DROP COLUMN environment")
    again = start_sandbox(db=path)
    with serve(again) as url:
        answer = httpx.post(f"{url}/oauth/v2/accessToken", data={
            "grant_type": "client_credentials", "client_id": partner,
            "client_secret": again.state.partner.client_secret}).json()
    again.state.sandbox.store.close()
    assert answer["app_environment"] == "DEVELOPMENT"
