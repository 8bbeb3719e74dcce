"""One-Click Export's rules end to end (each duplicate case, merge, confidential, unmapped
seat, LinkedIn's own refusals), driving the sandbox's Recruiter over loopback on SQLite and
PostgreSQL; the push, the inbox, the worker and the store are the real ones."""

# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)
from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy import select

from recruitlink.core.records import Candidate, Project, User
from recruitlink.inbound.identity import resolve
from recruitlink.linkedin import LinkedInClient
from recruitlink.sandbox.store import exports as sandbox_exports
from recruitlink.store import identity as stored_reviews
from recruitlink.store import schema
from recruitlink.sync.connect import connect
from tests.conftest import make_tenant
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    CONTRACT,
    ORG,
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)


def processes(store, row: Any) -> list[str]:
    with store.reader() as conn:
        return sorted(r.external_id for r in conn.execute(
            select(schema.jobs.c.external_id).join(
                schema.applications, schema.applications.c.job_id == schema.jobs.c.id)
            .where(schema.applications.c.candidate_id == row.id)))


def alerts(store) -> list[Any]:
    with store.reader() as conn:
        return conn.execute(select(schema.duplicate_alerts)).all()


def add(store, tenant, **fields: Any) -> None:
    with store.writer(tenant.id) as w:
        (outcome,) = w.records("candidates", [(0, Candidate(**fields))], mode="create")
        assert outcome.status == "created", outcome


def test_same_linkedin_url_is_the_same_candidate(store, tenant, li, wired):
    m = member(li, 40)
    add(store, tenant, id="BYURL", first_name="Someone", last_name="Else",
        linkedin_url=m["publicProfileUrl"].rstrip("/") + "/")
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    (event,) = wait_for_events(store, 3)[2:]
    assert event.outcome == "merged", event
    (row,) = candidate(store, external_id="BYURL")
    assert row.person_urn == m["person"] and processes(store, row) == ["J1"]
    assert len(candidate(store, person_urn=m["person"])) == 1


def test_similar_candidates_raise_a_possible_duplicate_alert(store, tenant, li, wired):
    m = member(li, 41)
    add(store, tenant, id="LOOKALIKE", first_name=m["firstName"], last_name=m["lastName"],
        current_company=m["currentCompanyName"])
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    (event,) = wait_for_events(store, 3)[2:]
    assert event.outcome == "created", event
    (created,) = candidate(store, person_urn=m["person"])
    (alert,) = alerts(store)
    (lookalike,) = candidate(store, external_id="LOOKALIKE")
    assert {alert.candidate_id, alert.other_candidate_id} == {created.id, lookalike.id}
    assert "possible duplicate" in alert.reason and "current company" in alert.reason


def test_two_lookalikes_queue_the_export_for_review_until_an_admin_links_it(
        store, tenant, li, wired):
    m = member(li, 43)
    for cid, more in (("LOOK1", {"current_company": m["currentCompanyName"]}),
                      ("LOOK2", {"location": m["location"]})):
        add(store, tenant, id=cid, first_name=m["firstName"], last_name=m["lastName"], **more)
    request_id = export(li, wired["seat"], m["person"], externalJobPostingId="J1")["requestId"]
    (event,) = wait_for_events(store, 3)[2:]
    assert event.outcome == "review", event  # not guessed: nothing created or linked
    assert candidate(store, person_urn=m["person"]) == [] and alerts(store) == []
    with store.reader() as conn:
        (item,) = stored_reviews.reviews(conn, tenant.id)
    assert (item.kind, item.li_id) == ("export", request_id)
    assert [c["id"] for c in item.candidates] == ["LOOK1", "LOOK2"]

    result = resolve(store, tenant.id, item.id, "link", "LOOK2")
    assert (result["outcome"], result["candidate"]) == ("merged", "LOOK2")
    (row,) = candidate(store, external_id="LOOK2")
    assert row.person_urn == m["person"] and processes(store, row) == ["J1"]
    assert "review queue" in row.link_evidence and row.linked_at is not None
    (event,) = wait_for_events(store, 3)[2:]
    assert (event.outcome, event.candidate_id) == ("merged", row.id)


def test_re_export_appends_list_fields_and_overwrites_location(store, tenant, li, wired):
    m = member(li, 42)
    add(store, tenant, id="KNOWN", first_name="Old", last_name="Name", person_urn=m["person"],
        match_method="manual", tags=["VIP"], location="Nowhere, XX")
    export(li, wired["seat"], m["person"], externalJobPostingId="J2")
    (event,) = wait_for_events(store, 3)[2:]
    assert event.outcome == "merged", event
    (row,) = candidate(store, external_id="KNOWN")
    assert row.tags == ["VIP", "Imported: LinkedIn Recruiter"]
    assert row.location == m["location"]
    assert processes(store, row) == ["J2"]


def test_exporting_a_confidential_candidate_fails_and_changes_nothing(store, tenant, li, wired):
    m = member(li, 43)
    add(store, tenant, id="SECRET", first_name="Sam", last_name="Secret",
        person_urn=m["person"], match_method="manual", confidential=True)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    (event,) = wait_for_events(store, 3)[2:]
    assert (event.status, event.outcome) == ("done", "failed")
    assert "confidential" in event.reason
    (row,) = candidate(store, external_id="SECRET")
    assert processes(store, row) == [] and row.tags == []


def test_an_unmapped_seat_exports_as_the_default_integration_user(store, tenant, li, wired):
    holder = li.control.get("/members", params={"start": 270, "count": 1}).json()["elements"][0]
    seat = li.control.post(f"/contracts/{CONTRACT}/seats", json={"person": holder["person"]})
    assert seat.status_code == 200, seat.text
    m = member(li, 44)
    export(li, seat.json(), m["person"], externalJobPostingId="J1")
    (event,) = wait_for_events(store, 3)[2:]
    assert event.outcome == "created", event
    (row,) = candidate(store, person_urn=m["person"])
    with store.reader() as conn:
        source = conn.execute(select(schema.sources.c.name).where(
            schema.sources.c.id == row.source_id)).scalar()
        owners = conn.execute(select(schema.users.c.is_default_integration_user).join(
            schema.interactions, schema.interactions.c.user_id == schema.users.c.id).where(
            schema.interactions.c.candidate_id == row.id)).scalars().all()
    # Comeet: the source names the recruiter; Beamery: the record is the integration user's.
    assert source == f"{holder['firstName']} {holder['lastName']} (LinkedIn Recruiter)"
    assert owners == [True]


def test_linkedin_refuses_opted_out_members_and_the_301st_export_clearly(store, li, wired):
    blocked = next(m for m in li.control.get("/members", params={"start": 0, "count": 200})
                   .json()["elements"] if m["exportBlocked"])
    refused = li.control.post("/recruiter/exports", json={
        "seat": wired["seat"]["id"], "person": blocked["person"], "externalJobPostingId": "J1"})
    assert refused.status_code == 403, refused.text
    assert "does not allow their profile to be exported" in refused.text

    # The seat has used its month (300 exports made earlier).
    now = int(time.time() * 1000)
    month = time.strftime("%Y-%m", time.gmtime(now / 1000))
    with li.sandbox.store.tx() as conn:
        app_id = conn.execute(select(sandbox_exports.c.app_id)).scalar()
        conn.execute(sandbox_exports.insert(), [{
            "request_id": str(uuid.uuid4()), "app_id": app_id or 1, "org": ORG,
            "contract": CONTRACT, "seat_id": wired["seat"]["id"], "person": "urn:li:person:x",
            "job": "J1", "pipeline": None, "note": None, "month": month, "candidate": {},
            "exported_at": now} for _ in range(300)])
    over = li.control.post("/recruiter/exports", json={
        "seat": wired["seat"]["id"], "person": member(li, 45)["person"],
        "externalJobPostingId": "J1"})
    assert over.status_code == 429, over.text
    assert "300 of 300" in over.text
    time.sleep(0.5)
    with store.reader() as conn:
        kinds = [r.type for r in conn.execute(select(schema.inbox_events.c.type))]
    assert "EXPORT_CANDIDATE_PROFILE" not in kinds  # nothing reached the ATS


def test_a_crm_tenant_takes_exports_into_the_chosen_pipeline(store, li, engine, server):
    crm = make_tenant(store, "crmco", "CRM")
    holder = li.control.get("/members", params={"start": 280, "count": 1}).json()["elements"][0]
    seat = li.control.post(f"/contracts/{CONTRACT}/seats", json={"person": holder["person"]})
    with store.writer(crm.id) as w:
        w.records("users", [(0, User(id="R1", name="Cora CRM", email=seat.json()["emailAddress"],
                                     role="recruiter"))], mode="create")
        w.records("projects", [(0, Project(id="P1", title="Rust talent pool",
                                           shared_with_all=True))], mode="create")
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    connect(store, engine.box, engine, partner, tenant_slug="crmco", organization=ORG,
            contracts=[CONTRACT], public_url=server)
    partner.close()
    for context in (CONTRACT, ORG):
        li.control.post("/integrations/status", json={"integrationContext": context,
                                                      "status": "ENABLED"})
    wait_for_events(store, 2)
    deadline = time.monotonic() + 60
    engine.run(crm.id, stop=lambda: time.monotonic() > deadline, until_done=True)

    m = member(li, 46)
    into_job = li.control.post("/recruiter/exports", json={
        "seat": seat.json()["id"], "person": m["person"], "externalJobPostingId": "J1"})
    assert into_job.status_code == 422 and "pipeline" in into_job.text
    export(li, seat.json(), m["person"], externalPipelineId="P1")
    (event,) = wait_for_events(store, 3)[2:]
    assert event.outcome == "created", event
    (row,) = candidate(store, person_urn=m["person"])
    with store.reader() as conn:
        pipelines = conn.execute(select(schema.projects.c.external_id).join(
            schema.project_memberships,
            schema.project_memberships.c.project_id == schema.projects.c.id).where(
            schema.project_memberships.c.candidate_id == row.id)).scalars().all()
    assert pipelines == ["P1"]
