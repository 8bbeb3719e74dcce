"""Support bundles (issue 19.6) against the sandbox over loopback, on SQLite and PostgreSQL:
a record LinkedIn refuses (a note whose candidate was deleted from LinkedIn behind
recruitlink's back) and calls LinkedIn fails (injected 5xx through the sandbox's control API)
yield bundles, from the API, the CLI and the pages' download URL, carrying the sandbox's own
x-li-uuid (seen by a witness in front of it) and no secret anywhere in their bytes."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.core.records import Candidate, Note
from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.settings import Settings
from recruitlink.store import connections, failed_calls
from recruitlink.store.tenants import create_api_key
from recruitlink.sync import failures
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.engine import EngineSettings, SyncEngine
from recruitlink.web import create_app
from tests.integration.test_sync_engine import seed_small
from tests.support.servers import serve
from tests.support.witness import WatchedSandbox, watched_sandbox

KEY = "support-bundle-key-at-least-32-characters"
ORG = "urn:li:organization:7777"
CONTRACT = "urn:li:contract:8888"


@pytest.fixture
def sandbox() -> Iterator[WatchedSandbox]:
    with watched_sandbox() as watched:
        yield watched


@pytest.fixture
def engine(store, sandbox) -> Iterator[SyncEngine]:
    eng = SyncEngine(store, SecretBox(KEY), EngineSettings(
        api_url=sandbox.url, oauth_url=sandbox.url, ats_base_url="http://127.0.0.1:8000",
        job_task_poll_s=0.0, backoff_s=0.01, idle_sleep_s=0.01, retry_cap_s=0.05))
    yield eng
    eng.close()


@pytest.fixture
def synced(store, tenant, sandbox, engine) -> Any:
    """acme connected, ENABLED and its history synced."""
    seed_small(store, tenant.id)
    partner = sandbox.app.state.partner
    client = LinkedInClient(api_url=sandbox.url, oauth_url=sandbox.url,
                            client_id=partner.client_id, client_secret=partner.client_secret)
    try:
        connect(store, engine.box, engine, client, tenant_slug=tenant.slug, organization=ORG,
                contracts=[CONTRACT], public_url="http://127.0.0.1:9")
    finally:
        client.close()
    for context in (ORG, CONTRACT):
        sandbox.control.post("/integrations/status", json={"integrationContext": context,
                                                           "status": "ENABLED"})
    assert refresh_status(store, engine.box, engine, tenant.id)[0] == "ENABLED"
    engine.run(tenant.id, stop=lambda: False, until_done=True)
    with store.reader() as conn:
        return connections.load(conn, tenant.id, engine.box)


@pytest.fixture
def api(store, sandbox, tenant) -> Iterator[httpx.Client]:
    settings = Settings(secret_key=KEY, linkedin_api_url=sandbox.url,
                        linkedin_oauth_url=sandbox.url, background_sync=False, pollers=False,
                        inbound_worker=False, webhooks=False)
    with store.db.write() as conn:
        key = create_api_key(conn, tenant.id, name="support", now_ms=0)
    with serve(create_app(settings, store)) as url, httpx.Client(
            base_url=f"{url}/api/v1/linkedin", timeout=60,
            headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def opened(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def secrets_of(sandbox: WatchedSandbox, info: Any) -> list[str]:
    tokens = sandbox.witness.bearer_tokens()
    assert tokens, "the witness saw the client's bearer tokens"
    return [*tokens, info.client_secret, sandbox.app.state.partner.client_secret]


def assert_no_secret(content: bytes, secrets: list[str]) -> None:
    for secret in secrets:
        assert secret.encode() not in content


def refuse_a_note(store, tenant, sandbox, engine, info) -> dict[str, Any]:
    """C1 is deleted from LinkedIn behind recruitlink's back; a new note of C1 is then
    refused by LinkedIn (its candidate is not found). The note's open error."""
    gone = LinkedInClient(api_url=sandbox.url, oauth_url=sandbox.url,
                          client_id=info.client_id, client_secret=info.client_secret,
                          api_version="v2")
    try:
        outcome = gone.delete("atsCandidates", [{"atsCandidateId": "C1", "dataProvider": "ATS",
                                                 "integrationContext": ORG}])
        assert all(o.verdict == "synced" for o in outcome.values())
    finally:
        gone.close()
    with store.writer(tenant.id) as w:
        w.records("notes", [(9, Note(id="N9", candidate_id="C1", body="Called back"))],
                  mode="create")
    engine.run(tenant.id, stop=lambda: False, until_done=True)
    with store.reader() as conn:
        rows, _ = failures.open_failures(conn, tenant.id, entity="notes")
    (error,) = [r for r in rows if r["external_id"] == "N9"]
    assert error["source"] == "linkedin"
    return error


def test_a_record_linkedin_refuses_has_a_bundle_with_its_call_and_x_li_uuid(
        store, tenant, sandbox, engine, synced, api):
    error = refuse_a_note(store, tenant, sandbox, engine, synced)
    r = api.get(f"/sync/errors/{error['id']}/support-bundle")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith(
        'attachment; filename="recruitlink-support-acme-record-')
    files = opened(r.content)
    assert set(files) == {"README.md", "calls.har", "bundle.json"}
    bundle = json.loads(files["bundle.json"])
    assert bundle["bundle"]["clientId"] == synced.client_id
    assert bundle["bundle"]["recruitlinkVersion"]
    assert [(x["entity"], x["id"]) for x in bundle["records"]] == [("notes", "N9")]
    (call,) = bundle["calls"]
    assert [x["entity"] for x in call["records"]] == ["notes"]  # the refused note it carried
    # The x-li-uuid is the one the sandbox answered that very call with.
    answered = {e.li_uuid: e for e in sandbox.witness.exchanges if e.li_uuid}
    assert call["xLiUuid"] in answered
    seen = answered[call["xLiUuid"]]
    assert seen.method == call["request"]["method"] and seen.path in call["request"]["url"]
    assert call["request"]["body"] and "Called back" in call["request"]["body"]
    assert call["response"]["body"] and "not found" in call["response"]["body"]
    assert call["request"]["headers"]["authorization"] == "[redacted]"
    har = json.loads(files["calls.har"])
    (entry,) = har["log"]["entries"]
    assert entry["request"]["method"] == seen.method
    assert {h["name"].lower(): h["value"] for h in entry["response"]["headers"]}[
        "x-li-uuid"] == call["xLiUuid"]
    assert call["xLiUuid"] in files["README.md"]
    assert_no_secret(r.content, secrets_of(sandbox, synced))

    # The batch's bundle holds the same call; the call's own bundle too.
    batch = api.get(f"/sync/batches/{error['batch_id']}/support-bundle")
    assert batch.status_code == 200
    batch_doc = json.loads(opened(batch.content)["bundle.json"])
    assert call["xLiUuid"] in batch_doc["xLiUuids"]
    one = api.get(f"/sync/calls/{call['id']}/support-bundle")
    assert one.status_code == 200
    assert json.loads(opened(one.content)["bundle.json"])["xLiUuids"] == [call["xLiUuid"]]
    for answer in (batch, one):
        assert_no_secret(answer.content, secrets_of(sandbox, synced))


def test_unknown_or_bad_ids_are_refused_naming_them(store, tenant, api):
    for subject, path, field in (("call", "calls", "call"), ("batch", "batches", "batch"),
                                 ("record", "errors", "error")):
        r = api.get(f"/sync/{path}/12345/support-bundle")
        assert r.status_code == 404, r.text
        assert r.json()["error"]["errors"][0]["field"] == field, subject
        r = api.get(f"/sync/{path}/x/support-bundle")
        assert r.status_code == 422, r.text


def test_calls_linkedin_fails_are_in_the_batch_bundle_from_the_cli(
        store, tenant, sandbox, engine, synced, tmp_path, monkeypatch):
    # LinkedIn fails every candidate call (500/503/504: some after doing the work).
    r = sandbox.control.put("/faults/atsCandidates", json={"error_rate": 1.0})
    assert r.status_code == 200, r.text
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", first_name="Augusta",
                                               last_name="Lovelace",
                                               emails=["ada@example.com"]))], mode="update")
    report = engine.step(tenant.id)
    assert report.kind == "error" and not report.terminal
    sandbox.control.delete("/faults")
    # The batch stays prepared (sent again next step); its failed calls are kept.
    (batch,) = engine.state.prepared(tenant.id)
    batch_id = batch.id
    with store.reader() as conn:
        calls = failed_calls.of_batch(conn, tenant.id, batch_id)
    assert len(calls) >= 2 and {c.status for c in calls} <= {500, 503, 504}

    monkeypatch.setenv("RECRUITLINK_SECRET_KEY", KEY)
    target = tmp_path / "bundle.zip"
    out = CliRunner().invoke(cli, ["sync", "support-bundle", "--tenant", "acme", "--batch",
                                   str(batch_id), "-o", str(target),
                                   "--database-url", store.db.url])
    assert out.exit_code == 0, out.output
    content = target.read_bytes()
    doc = json.loads(opened(content)["bundle.json"])
    five_xx = {e.li_uuid for e in sandbox.witness.exchanges
               if e.status in (500, 503, 504) and e.li_uuid}
    assert doc["xLiUuids"] and set(doc["xLiUuids"]) <= five_xx
    assert all(c["response"]["status"] in (500, 503, 504) for c in doc["calls"])
    assert_no_secret(content, secrets_of(sandbox, synced))
    bad = CliRunner().invoke(cli, ["sync", "support-bundle", "--tenant", "acme",
                                   "--database-url", store.db.url])
    assert bad.exit_code == 2 and "give exactly one" in bad.output

