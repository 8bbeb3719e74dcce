"""Live parity in sight and on demand, over loopback against the sandbox, on SQLite and
PostgreSQL: the Parity tab (check now, the figures and the drift list, reconcile; only company
admins act), `/api/v1/linkedin/parity`, `/metrics` and `recruitlink sync parity`."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.store.tenants import create_api_key
from recruitlink.sync import parity
from tests.integration.test_pages_admin import (
    BASE,
    KEY,
    ORG,
    Site,
    connected_and_synced,
    post,
    running_site,
    wait_until,
)

TOKEN = "parity-metrics-token-0123456789"
PARITY = f"{BASE}/parity"


@pytest.fixture
def site(store, li) -> Iterator[Site]:
    # On demand only: the test decides when a round runs.
    with running_site(store, li, parity_interval_seconds=0, metrics_token=TOKEN) as running:
        yield running


def candidate_key(candidate_id: str) -> dict:
    return {"atsCandidateId": candidate_id, "dataProvider": "ATS", "integrationContext": ORG}


def behind_our_back(site: Site) -> None:
    """C1 edited on LinkedIn, C2 removed from it."""
    r = site.li.control.patch(f"/organizations/{ORG}/records/atsCandidates",
                              json={"key": candidate_key("C1"), "set": {"lastName": "Other"}})
    assert r.status_code == 200, r.text
    r = site.li.control.request("DELETE", f"/organizations/{ORG}/records/atsCandidates",
                                json={"key": candidate_key("C2")})
    assert r.status_code == 200, r.text


def held(site: Site) -> dict:
    body = site.li.control.get(f"/organizations/{ORG}/records/atsCandidates",
                               params={"count": 100}).json()
    return {e["key"]["atsCandidateId"]: e["record"] for e in body["elements"]}


def metric(url: str, name: str, **labels: str) -> float | None:
    text = httpx.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"},
                     timeout=30).text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return None


def test_parity_tab_api_metrics_and_reconcile(site):
    admin = site.client("ada@acme.example")
    connected_and_synced(site, admin)
    assert set(held(site)) == {"C0", "C1", "C2", "C4", "C5"}  # C3's email is invalid

    page = admin.get(PARITY)
    assert page.status_code == 200
    assert "Last checked: never" in page.text and "not checked yet" in page.text
    assert 'aria-current="page" class="current">Parity' in page.text
    assert "LinkedIn parity: not checked yet" in admin.get(BASE).text

    behind_our_back(site)
    r = post(admin, f"{PARITY}/check")
    assert r.status_code == 303 and r.headers["location"].endswith("done=checked"), r.text
    page = admin.get(PARITY).text
    assert 'data-drift="candidates/C1" class="stale"' in page
    assert 'data-drift="candidates/C2" class="missing"' in page
    assert "Reconcile 2 records" in page
    assert "60.0%" in page  # 3 of the 5 candidates read back are as they should be
    # The Setup page's one line of it.
    assert "LinkedIn parity: Candidates 60.0% (2 records drifted)" in admin.get(BASE).text

    with site.store.db.write() as conn:
        key = create_api_key(conn, site.acme.id, name="tests", now_ms=1_750_000_000_000)
    with httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {key}"}) as api:
        state = api.get("/api/v1/linkedin/parity").json()
        (candidates,) = [e for e in state["entities"] if e["entity"] == "candidates"]
        assert (candidates["checked"], candidates["missing"], candidates["stale"],
                candidates["extra"], candidates["parityPercent"]) == (5, 1, 1, 0, 60.0)
        assert {(d["id"], d["kind"], tuple(d["fields"])) for d in state["drift"]} == {
            ("C1", "stale", ("lastName",)), ("C2", "missing", ())}
        assert state["notReadable"] == ["files", "interview_feedback", "jobs", "notes",
                                        "stage_transitions"]

        assert metric(site.url, "recruitlink_parity_drift", tenant="acme",
                      entity="candidates", kind="missing") == 1
        assert metric(site.url, "recruitlink_parity_ratio", tenant="acme",
                      entity="candidates") == pytest.approx(0.6)

        # Only a company admin reconciles.
        recruiter = site.client("dan@acme.example")
        assert post(recruiter, f"{PARITY}/reconcile").status_code == 403
        r = post(admin, f"{PARITY}/reconcile")
        assert r.status_code == 303 and "queued=2" in r.headers["location"], r.text
        assert "2 records queued for the sync" in admin.get(r.headers["location"]).text
        wait_until(lambda: "C2" in held(site) and held(site)["C1"]["lastName"] == "Last1",
                   what="the reconciled records on LinkedIn")

        r = api.post("/api/v1/linkedin/parity/check")
        assert r.status_code == 200, r.text
        assert r.json()["drift"] == []
        assert api.post("/api/v1/linkedin/parity/reconcile").json() == {
            "queued": {"missing": 0, "stale": 0, "extra": 0}}
        assert metric(site.url, "recruitlink_parity_ratio", tenant="acme",
                      entity="candidates") == 1.0

        # Not connected: the API says so, naming the tenant.
        with site.store.db.write() as conn:
            other = create_api_key(conn, site.acme.id + 1, name="globex", now_ms=1)
        r = httpx.get(f"{site.url}/api/v1/linkedin/parity",
                      headers={"Authorization": f"Bearer {other}"})
        assert r.status_code == 409 and "not connected" in r.json()["error"]["message"], r.text


def test_sync_parity_cli(site, monkeypatch):
    admin = site.client("ada@acme.example")
    connected_and_synced(site, admin)
    behind_our_back(site)
    monkeypatch.setenv("RECRUITLINK_SECRET_KEY", KEY)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_API_URL", site.li.url)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_OAUTH_URL", site.li.url)
    # The server's public URL is in what it sends (profile links): the same settings, or
    # every record looks changed (then it is the sync's to send, not drift).
    monkeypatch.setenv("RECRUITLINK_PUBLIC_URL",
                       site.app.state.runtime.settings.public_url)
    runner = CliRunner(env={"COLUMNS": "200"})
    url = site.store.db.url
    shown = runner.invoke(cli, ["sync", "parity", "--tenant", "acme", "--database-url", url])
    assert shown.exit_code == 0, shown.output
    assert "C1: stale (lastName)" in shown.output and "C2: missing" in shown.output
    assert "60.0%" in shown.output

    done = runner.invoke(cli, ["sync", "parity", "--tenant", "acme", "--reconcile", "--json",
                               "--database-url", url])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["reconciled"] == {"missing": 1, "stale": 1, "extra": 0}
    # The server's sync sends what was queued.
    wait_until(lambda: "C2" in held(site) and held(site)["C1"]["lastName"] == "Last1",
               what="the reconciled records on LinkedIn")

    unknown = runner.invoke(cli, ["sync", "parity", "--tenant", "nope", "--database-url", url])
    assert unknown.exit_code == 2 and "no tenant 'nope'" in unknown.output


def test_rounds_run_in_the_background_every_interval(store, li):
    """The server's parity thread reads back each connected tenant every
    `parity_interval_seconds` (here 1 s): drift made behind our back shows up unasked."""
    with running_site(store, li, parity_interval_seconds=1) as site:
        assert site.app.state.parity is not None
        connected_and_synced(site, site.client("ada@acme.example"))
        behind_our_back(site)
        engine = site.app.state.runtime.engine

        def found() -> set:
            return {(d["id"], d["kind"]) for d in parity.status(engine, site.acme.id)["drift"]}

        wait_until(lambda: found() == {("C1", "stale"), ("C2", "missing")}, 30,
                   "a background parity round")
