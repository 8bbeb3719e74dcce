"""One-Click Export end to end, over loopback, on SQLite and PostgreSQL: the sandbox pushes to
recruitlink's callback URL (signature checked, inbox, worker), the export lands in the store
with the seeds' rules, and the candidate syncs back with manualMatchedMember."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from recruitlink.core.records import Job, User
from recruitlink.core.signing import sign
from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.sandbox.store import apps
from recruitlink.settings import Settings
from recruitlink.store import schema
from recruitlink.sync.connect import connect
from recruitlink.sync.engine import EngineSettings, SyncEngine
from recruitlink.web import create_app
from tests.conftest import both_families
from tests.support.servers import serve

KEY = "test-key-at-least-32-characters-long"
ORG = "urn:li:organization:7777"
DESCRIPTION = "<p>" + "We connect recruiting systems to LinkedIn Recruiter. " * 3 + "</p>"
CONTRACT = "urn:li:contract:3001"


pytestmark = both_families


@pytest.fixture
def engine(store, li, linkedin_api_version):
    settings = EngineSettings(api_url=li.url, oauth_url=li.url,
                              api_version=linkedin_api_version,
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01)
    eng = SyncEngine(store, SecretBox(KEY), settings)
    yield eng
    eng.close()


@pytest.fixture
def server(store, li, linkedin_api_version):
    # The test drives the sync itself (engine.run) and polls nothing.
    settings = Settings(secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
                        linkedin_api_version=linkedin_api_version, background_sync=False,
                        pollers=False)
    app = create_app(settings, store)
    with serve(app) as url:
        app.state.inbound.idle_s = 0.05
        yield url


@pytest.fixture
def wired(store, tenant, engine, li, server):
    """Acme: users (one mapped by email to seat 1), two open jobs, connected with the callback
    URL on the served app; ENABLED through the signed status push; history synced."""
    holder = li.control.get("/members", params={"start": 200, "count": 1}).json()["elements"][0]
    seat = li.control.post(f"/contracts/{CONTRACT}/seats",
                           json={"person": holder["person"]}).json()
    with store.writer(tenant.id) as w:
        outcomes = w.records("users", [
            (0, User(id="U1", name="Rita Recruiter", email=seat["emailAddress"],
                     role="recruiter")),
            (1, User(id="INT", name="Integration", email="integration@acme.example", role="admin",
                     is_default_integration_user=True))], mode="create")
        assert [o.status for o in outcomes] == ["created", "created"], outcomes
        w.records("jobs", [
            (0, Job(id="J1", title="Staff Engineer", description=DESCRIPTION, location="Paris, FR",
                    published_at="2025-01-01T00:00:00Z")),
            (1, Job(id="J2", title="Data Scientist", description=DESCRIPTION, location="Lyon, FR",
                    published_at="2025-01-01T00:00:00Z"))], mode="create")
        # The seat maps to U1 (issue 6 pulls seats; here the mapping is written directly).
        w.conn.execute(schema.linkedin_seats.insert().values(
            tenant_id=tenant.id, seat=seat["seat"], contract=CONTRACT, person=seat["person"],
            email=seat["emailAddress"], active=True, mapping="auto", updated_at=0,
            user_id=w.conn.execute(select(schema.users.c.id).where(
                schema.users.c.external_id == "U1")).scalar()))
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret,
                             api_version=engine.settings.api_version)
    result = connect(store, engine.box, engine, partner, tenant_slug=tenant.slug,
                     organization=ORG, contracts=[CONTRACT], public_url=server)
    partner.close()
    assert result.callback_url.startswith(f"{server}/linkedin/push/")
    li.control.post("/integrations/status", json={"integrationContext": CONTRACT,
                                                  "status": "ENABLED"})
    li.control.post("/integrations/status", json={"integrationContext": ORG,
                                                  "status": "ENABLED"})
    done = wait_for_events(store, 2)[1:]
    assert done[0].type == "INTEGRATION_STATUS_CHANGE" and done[0].outcome == "enabled"
    deadline = time.monotonic() + 60
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    return {"seat": seat, "callback": result.callback_url}


def wait_for_events(store, n: int, timeout: float = 20) -> list[Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with store.reader() as conn:
            rows = conn.execute(select(schema.inbox_events).order_by(schema.inbox_events.c.id)
                                ).all()
        if len(rows) >= n and all(r.status in ("done", "failed") for r in rows[:n]):
            return rows
        time.sleep(0.05)
    raise AssertionError(f"inbox: {rows}")


def export(li, seat: dict[str, Any], person: str, **extra: Any) -> dict[str, Any]:
    r = li.control.post("/recruiter/exports", json={"seat": seat["id"], "person": person,
                                                    **extra})
    assert r.status_code == 201, r.text
    return r.json()


def candidate(store, **where: Any) -> Any:
    with store.reader() as conn:
        query = select(schema.candidates)
        for name, value in where.items():
            query = query.where(getattr(schema.candidates.c, name) == value)
        return conn.execute(query).all()


def member(li, n: int) -> dict[str, Any]:
    found = li.control.get("/members", params={"start": 120 + n, "count": 5}).json()
    return next(m for m in found["elements"]
                if not m["exportBlocked"] and not m["privateProfile"])


def test_export_creates_the_candidate_with_source_tag_and_application(store, tenant, li,
                                                                       wired, engine):
    m = member(li, 0)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    event = wait_for_events(store, 3)[2]
    assert (event.type, event.status, event.outcome) == ("EXPORT_CANDIDATE_PROFILE", "done",
                                                         "created"), event
    (row,) = candidate(store, person_urn=m["person"])
    assert (row.first_name, row.last_name) == (m["firstName"], m["lastName"])
    assert row.linkedin_url == m["publicProfileUrl"] and row.headline == m["headline"]
    assert row.current_title == m["currentJobTitle"] and row.location == m["location"]
    assert row.emails == [] and row.phones == []  # LinkedIn sends no contact details
    assert "Imported: LinkedIn Recruiter" in row.tags
    assert row.creation_source == "LinkedIn" and row.match_method == "one_click_export"
    with store.reader() as conn:
        source = conn.execute(select(schema.sources).where(
            schema.sources.c.id == row.source_id)).one()
        contact = conn.execute(select(schema.source_contacts).where(
            schema.source_contacts.c.id == row.source_contact_id)).one()
        apps = conn.execute(select(schema.applications.c.source, schema.jobs.c.external_id)
                            .join(schema.jobs, schema.jobs.c.id == schema.applications.c.job_id)
                            .where(schema.applications.c.candidate_id == row.id)).all()
    assert source.name == "Rita Recruiter (LinkedIn Recruiter)" and source.type == "Active search"
    assert contact.email.lower() == wired["seat"]["emailAddress"].lower()
    assert [(a.source, a.external_id) for a in apps] == [("LinkedIn Recruiter", "J1")]

    # Synced back: LinkedIn now holds the candidate with the exported member as manual match.
    deadline = time.monotonic() + 60
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    held = li.control.get(f"/organizations/{ORG}/candidates/{row.external_id}").json()
    assert held["record"]["manualMatchedMember"] == m["person"]


def test_re_export_reuses_the_candidate_and_refuses_a_second_process(store, li, wired):
    m = member(li, 1)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    export(li, wired["seat"], m["person"], externalJobPostingId="J2")
    events = wait_for_events(store, 5)[2:]
    assert [e.outcome for e in events] == ["created", "failed", "merged"]
    assert "J1" in events[1].reason and "already" in events[1].reason
    (row,) = candidate(store, person_urn=m["person"])
    with store.reader() as conn:
        jobs = sorted(r.external_id for r in conn.execute(
            select(schema.jobs.c.external_id).join(
                schema.applications, schema.applications.c.job_id == schema.jobs.c.id)
            .where(schema.applications.c.candidate_id == row.id)))
    assert jobs == ["J1", "J2"]
    assert row.tags.count("Imported: LinkedIn Recruiter") == 1


def test_forged_and_replayed_pushes(store, li, wired):
    url = wired["callback"]
    body = json.dumps({"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "r-1",
                       "integrationContext": ORG, "createdAt": 1}).encode()
    forged = httpx.post(url, content=body, headers={"X-LI-Signature": sign("wrong", body)})
    assert forged.status_code == 401
    assert httpx.post(url, content=body).status_code == 401
    assert httpx.post(url.rsplit("/", 1)[0] + "/nope", content=body,
                      headers={"X-LI-Signature": sign("x", body)}).status_code == 401
    # The tenant's child app secret, as LinkedIn (the sandbox) holds it.
    with li.sandbox.store.tx() as conn:
        child = conn.execute(select(apps.c.client_secret).where(
            apps.c.unique_foreign_id == "recruitlink-acme")).scalar()
    signed = {"X-LI-Signature": sign(child, body)}
    first = httpx.post(url, content=body, headers=signed)
    again = httpx.post(url, content=body, headers=signed)
    assert first.json() == {"received": True, "duplicate": False}
    assert again.json() == {"received": True, "duplicate": True}
    events = wait_for_events(store, 3)
    assert [e.request_id for e in events].count("r-1") == 1
    # LinkedIn has no export r-1: the event is kept with the reason.
    assert events[2].outcome == "failed" and "r-1" in events[2].reason
    bad = httpx.post(url, content=b"[1]", headers={"X-LI-Signature": sign(child, b"[1]")})
    assert bad.status_code == 400
