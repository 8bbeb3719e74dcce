"""The inbound side through the product's entry points: the API's LinkedIn namespace and
`recruitlink inbound …`, against the sandbox over loopback, on SQLite and PostgreSQL."""

# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)
from __future__ import annotations

import json
import time

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.store import schema
from recruitlink.store.tenants import create_api_key
from tests.conftest import both_families
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    KEY,
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)

pytestmark = both_families


@pytest.fixture
def api(store, tenant, server, wired) -> httpx.Client:
    with store.db.write() as conn:
        key = create_api_key(conn, tenant.id, name="tests", now_ms=int(time.time() * 1000))
    with httpx.Client(base_url=f"{server}/api/v1/linkedin", timeout=60,
                      headers={"Authorization": f"Bearer {key}"}) as client:
        yield client


def test_seats_mapping_poll_and_events_over_the_api(store, li, wired, api):
    seat = wired["seat"]
    (listed,) = api.get("/seats").json()["seats"]
    assert (listed["seat"], listed["user"], listed["warning"]) == (seat["seat"], "U1", None)

    bad = api.put(f"/seats/{seat['seat']}/user", json={"user": "NOBODY"})
    assert bad.status_code == 422 and bad.json()["error"]["errors"][0]["field"] == "user"
    assert api.put("/seats/urn:li:seat:999999/user", json={"user": "U1"}).status_code == 404
    unmapped = api.put(f"/seats/{seat['seat']}/user", json={"user": None})
    assert unmapped.status_code == 200
    (listed,) = api.get("/seats").json()["seats"]
    assert listed["user"] is None and "will not be synced" in listed["warning"]
    assert api.put(f"/seats/{seat['seat']}/user", json={"user": "U1"}).status_code == 200

    m = member(li, 30)
    export(li, seat, m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    r = li.control.post("/recruiter/inmails", json={"seat": seat["id"], "person": m["person"],
                                                    "subject": "Hi", "body": "Hello"})
    assert r.status_code == 201
    time.sleep(2.1)  # the pollers read up to 2 s before now
    report = api.post("/poll", json={"kinds": ["inmails"]})
    assert report.status_code == 200, report.text
    assert report.json()["outcomes"] == {"inmails:applied": 1}
    assert api.post("/poll", json={"kinds": ["everything"]}).status_code == 422

    events = api.get("/events").json()["events"]
    assert events[0]["type"] == "EXPORT_CANDIDATE_PROFILE" and events[0]["outcome"] == "created"
    assert events[0]["seat"] == seat["seat"] and events[0]["export"]["person"] == m["person"]
    refused = api.post(f"/events/{events[0]['id']}/replay")
    assert refused.status_code == 409
    assert api.post("/events/999999/replay").status_code == 404


def test_purge_over_the_api_needs_a_known_closed_member(api):
    neither = api.post("/closed-members/purge", json={})
    assert neither.status_code == 422
    unknown = api.post("/closed-members/purge", json={"person": "urn:li:person:nobody"})
    assert unknown.status_code == 404
    assert api.post("/closed-members/purge", json={"all": True}).json() == {"deleted": 0}


def test_the_cli_lists_seats_polls_and_maps(store, tenant, li, wired, monkeypatch):
    monkeypatch.setenv("RECRUITLINK_SECRET_KEY", KEY)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_API_URL", li.url)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_OAUTH_URL", li.url)
    monkeypatch.setenv("RECRUITLINK_INBOUND_BACKFILL_DAYS", "1")
    db = ["--database-url", store.db.url]
    runner = CliRunner()
    m = member(li, 31)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    wait_for_events(store, 3)
    li.control.post("/recruiter/notes", json={"seat": wired["seat"]["id"],
                                              "person": m["person"], "note": "Call back"})
    time.sleep(2.1)
    polled = runner.invoke(cli, ["inbound", "poll", "--tenant", "acme", *db])
    assert polled.exit_code == 0, polled.output
    assert "notes" in polled.output and "applied" in polled.output
    (row,) = candidate(store, person_urn=m["person"])
    with store.reader() as conn:
        assert conn.execute(select(schema.notes.c.body).where(
            schema.notes.c.candidate_id == row.id)).scalars().all() == ["Call back"]

    listed = runner.invoke(cli, ["inbound", "seats", "--tenant", "acme", "--json", *db])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)[0]["user"] == "U1"
    bad = runner.invoke(cli, ["inbound", "map-seat", "--tenant", "acme", "--seat",
                              wired["seat"]["seat"], "--user", "NOBODY", *db])
    assert bad.exit_code == 2 and "user" in bad.output
    unknown_kind = runner.invoke(cli, ["inbound", "poll", "--tenant", "acme", "--kind", "x",
                                       *db])
    assert unknown_kind.exit_code == 2 and "kind" in unknown_kind.output
