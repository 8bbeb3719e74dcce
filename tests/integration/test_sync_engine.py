"""The outbound sync end to end: store -> engine -> LinkedIn client -> sandbox over loopback,
on SQLite and PostgreSQL, in both families of LinkedIn's API."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from recruitlink.core.records import (
    Application,
    Candidate,
    InterviewFeedback,
    Job,
    Note,
    StageTransition,
    User,
)
from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import schema
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.conftest import both_families

ORG = "urn:li:organization:7777"
CONTRACT = "urn:li:contract:8888"
DESCRIPTION = "<p>" + "Build the bridge between recruiting systems and LinkedIn. " * 3 + "</p>"


def seed_small(store, tenant_id: int) -> None:
    with store.writer(tenant_id) as w:
        w.records("users", [(0, User(id="U1", name="Rita Book", email="rita@acme.example",
                                     role="recruiter"))], mode="create")
        w.records("jobs", [
            (0, Job(id="J1", title="Engineer", description=DESCRIPTION,
                    location="Paris, FR", availability="public", owner_id="U1",
                    published_at="2025-01-01T00:00:00Z")),
            (1, Job(id="J2", title="Designer", description=DESCRIPTION, location="Lyon, FR",
                    status="closed", published_at="2024-06-01T00:00:00Z")),
            (2, Job(id="J3", title="Secret", description=DESCRIPTION, location="Nice, FR",
                    confidential=True)),
        ], mode="create")
        w.records("candidates", [
            (0, Candidate(id="C1", first_name="Ada", last_name="Lovelace",
                          emails=["ada@example.com"], current_title="Engineer",
                          phones=[{"number": "+33 1 42 68 53 00"}])),
            (1, Candidate(id="C2", first_name="Grace", last_name="Hopper",
                          emails=["grace@example.com"], confidential=True)),
            (2, Candidate(id="C3", first_name="Alan", last_name="Turing",
                          emails=["alan.turing@"])),
        ], mode="create")
        w.records("applications", [
            (0, Application(id="A1", candidate_id="C1", job_id="J1", current_stage="Offer")),
            (1, Application(id="A2", candidate_id="C2", job_id="J1")),
            (2, Application(id="A3", candidate_id="C3", job_id="J2", outcome="rejected",
                            disposition_reason="Not a fit")),
        ], mode="create")
        w.records("stage_transitions", [
            (0, StageTransition(id="S1", application_id="A1", stage="New",
                                entered_at="2025-02-01T00:00:00Z")),
            (1, StageTransition(id="S2", application_id="A1", stage="Interview",
                                entered_at="2025-02-05T00:00:00Z")),
            (2, StageTransition(id="S3", application_id="A1", stage="Offer",
                                entered_at="2025-02-09T00:00:00Z")),
        ], mode="create")
        w.records("notes", [
            (0, Note(id="N1", candidate_id="C1", body="Great Python", author_id="U1")),
            (1, Note(id="N2", candidate_id="C1", body="Salary talk", visibility="private")),
            (2, Note(id="N3", application_id="A1", body="Strong onsite")),
        ], mode="create")
        w.records("interview_feedback", [
            (0, InterviewFeedback(id="F1", application_id="A1", interview_type="onsite",
                                  feedback="Hire", interviewer_id="U1",
                                  evaluations=[{"attribute": "Coding", "result": "5/5"}])),
        ], mode="create")


pytestmark = both_families


@pytest.fixture
def engine(store, li, linkedin_api_version):
    settings = EngineSettings(api_url=li.url, oauth_url=li.url,
                              api_version=linkedin_api_version,
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01)
    eng = SyncEngine(store, SecretBox("test-key"), settings)
    yield eng
    eng.close()


def connected(store, engine, li, tenant) -> None:
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret,
                             api_version=engine.settings.api_version)
    result = connect(store, engine.box, engine, partner, tenant_slug=tenant.slug,
                     organization=ORG, contracts=[CONTRACT], public_url="http://127.0.0.1:9")
    partner.close()
    assert result.status == "PENDING" and result.run_id is None
    assert result.callback_url.startswith("http://127.0.0.1:9/linkedin/push/")
    # Company-level and contract-level access (issue 15: either alone is still pending).
    for context in (ORG, CONTRACT):
        li.control.post("/integrations/status", json={"integrationContext": context,
                                                      "status": "ENABLED"})
    status, run_id = refresh_status(store, engine.box, engine, tenant.id)
    assert status == "ENABLED" and run_id is not None


def run_until_idle(engine, tenant_id, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    engine.run(tenant_id, stop=lambda: time.monotonic() > deadline, until_done=True)
    assert time.monotonic() < deadline, "sync did not finish"


def records(li, resource: str) -> dict:
    body = li.control.get(f"/organizations/{ORG}/records/{resource}",
                          params={"count": 1000}).json()
    return {e["key"].get("atsCandidateId") or e["key"].get("atsJobApplicationId")
            or e["key"]["id"]: e["record"] for e in body["elements"]}


def test_historical_then_continuous_sync(store, tenant, engine, li):
    seed_small(store, tenant.id)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)

    summary = li.control.get(f"/organizations/{ORG}/summary").json()
    assert summary["jobs"] == {"LISTED": 1, "CLOSED": 1, "processing": 0}
    jobs = {j["externalJobPostingId"]: j for j in
            li.control.get(f"/organizations/{ORG}/jobs").json()["elements"]}
    assert set(jobs) == {"J1", "J2"}  # J3 is confidential
    assert jobs["J1"]["posting"]["availability"] == "PUBLIC"
    assert jobs["J2"]["posting"]["availability"] == "PRIVATE_TO_ATS_INTEGRATION"
    assert jobs["J1"]["posting"]["requisitionOwnerEmail"] == "rita@acme.example"

    candidates = records(li, "atsCandidates")
    assert set(candidates) == {"C1"}  # C2 confidential, C3 has an invalid email
    assert candidates["C1"]["firstName"] == "Ada"
    assert candidates["C1"]["emailAddresses"] == ["ada@example.com"]
    assert candidates["C1"]["externalProfileUrl"].endswith("/candidates/C1")
    applications = records(li, "atsApplications")
    # A2 belongs to the confidential candidate; A3 carries C3's invalid email.
    assert set(applications) == {"A1"}
    assert applications["A1"]["atsJobPostingName"] == "Engineer"
    view = li.control.get(f"/organizations/{ORG}/candidates/C1").json()
    assert [n["id"] for n in view["notes"]] == ["N1"]  # N2 is private
    (a1,) = [a for a in view["applications"] if a["record"]["atsJobPostingId"] == "J1"]
    assert [s["stage"] for s in a1["stages"]] == ["New", "Interview", "Offer"]
    assert [n["id"] for n in a1["notes"]] == ["N3"]
    assert a1["interviewFeedback"][0]["interviewType"] == "ONSITE"

    with store.reader() as conn:
        errors = conn.execute(select(schema.sync_errors)).all()
        excluded = {r.external_id: r.reason for r in conn.execute(
            select(schema.sync_ledger).where(schema.sync_ledger.c.state == "excluded"))}
        milestones = conn.execute(select(schema.sync_milestones)).all()
    # Each invalid email fails LinkedIn's X@X.X rule and our real email check: both kept.
    assert {(e.external_id, e.field) for e in errors} == {
        ("A3", "candidateEmail"), ("C3", "emailAddresses.0")}
    assert {e.external_id for e in errors if "invalid email" in e.reason} == {"A3", "C3"}
    assert excluded == {"J3": "confidential job", "C2": "confidential candidate",
                        "A2": "belongs to a confidential candidate", "N2": "private note"}
    assert all(m.started_at and m.finished_at for m in milestones)

    # Continuous: an edit, a record turning confidential, a delete.
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", current_title="CTO"))], mode="update")
    run_until_idle(engine, tenant.id)
    assert records(li, "atsCandidates")["C1"]["currentJobTitle"] == "CTO"

    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", confidential=True))], mode="update")
        assert w.delete("applications", "A3")
    run_until_idle(engine, tenant.id)
    assert records(li, "atsCandidates") == {}
    assert records(li, "atsApplications") == {}
    assert li.control.get(f"/organizations/{ORG}/records/atsApplications/stages").json()[
        "paging"]["total"] == 0

    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", confidential=False))], mode="update")
    run_until_idle(engine, tenant.id)
    assert set(records(li, "atsCandidates")) == {"C1"}
    assert set(records(li, "atsApplications")) == {"A1"}
    view = li.control.get(f"/organizations/{ORG}/candidates/C1").json()
    assert [s["stage"] for s in view["applications"][0]["stages"]] == [
        "New", "Interview", "Offer"]


def test_unchanged_records_are_not_sent_again_and_pause_stops_sending(store, tenant, engine,
                                                                       li):
    seed_small(store, tenant.id)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    app = li.control.get("/apps").json()
    customer = next(a for a in app if a["uniqueForeignId"] == f"recruitlink-{tenant.slug}")
    before = li.control.get("/throttles", params={"app": customer["key"]}).json()["usage"]

    # A full re-sync finds everything unchanged: no candidate or application is sent again.
    engine.start_historical(tenant.id)
    run_until_idle(engine, tenant.id)
    after = li.control.get("/throttles", params={"app": customer["key"]}).json()["usage"]
    assert after["atsCandidates"]["requestsToday"] == before["atsCandidates"]["requestsToday"]
    assert after["atsApplications"]["requestsToday"] == \
        before["atsApplications"]["requestsToday"]

    with store.db.write() as conn:
        conn.execute(schema.connections.update().values(paused=True))
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", current_title="Paused"))],
                  mode="update")
    assert engine.step(tenant.id).kind == "paused"
    assert records(li, "atsCandidates")["C1"]["currentJobTitle"] == "Engineer"
    with store.db.write() as conn:
        conn.execute(schema.connections.update().values(paused=False))
    run_until_idle(engine, tenant.id)
    assert records(li, "atsCandidates")["C1"]["currentJobTitle"] == "Paused"


def test_plan_retry_status_and_disconnect(store, tenant, engine, li):
    from recruitlink.sync import control

    seed_small(store, tenant.id)
    connected(store, engine, li, tenant)
    plan = control.plan(engine, tenant.id).as_json()
    assert plan["streams"]["candidates"] == {"send": 1, "delete": 0, "unchanged": 0,
                                             "excluded": 1, "invalid": 1}
    assert plan["reasons"]["candidates"]["confidential candidate"] == 1
    assert li.control.get(f"/organizations/{ORG}/summary").json()["records"] == {}

    run_until_idle(engine, tenant.id)
    state = control.status(engine, tenant.id)
    assert state["status"] == "ENABLED" and state["run"]["status"] == "done"
    # Failed records, not errors: two records (each failing two checks), one figure.
    assert state["openErrors"] == state["failedRecords"] == 2
    assert state["pendingBatches"] == 0
    # Five milestones for an RSC tenant: notes and feedback are its activities.
    assert {m["milestone"] for m in state["run"]["milestones"]} == {
        "jobs", "candidates", "applications", "activities"}
    assert [g["key"] for g in state["run"]["featureMilestones"]] == [
        "enabled", "jobs", "candidates", "applications", "activities"]
    assert all(g["features"] for g in state["run"]["featureMilestones"])

    # Fix the bad email in the ATS; retry sends the two failed records as they are now.
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C3", emails=["alan@example.com"]))],
                  mode="update")
    with store.db.write() as conn:  # keep the continuous sync from getting there first
        conn.execute(schema.sync_cursors.update().values(position=10**9))
    report = control.retry(engine, tenant.id)
    assert report.tally.synced == 2 and report.tally.rejected == 0
    assert set(records(li, "atsCandidates")) == {"C1", "C3"}
    assert control.status(engine, tenant.id)["openErrors"] == 0

    said: list[str] = []
    result = control.disconnect(engine, tenant.id, progress=said.append)
    # What the deletion report page and the CLI show meanwhile: deleted from LinkedIn, what
    # was synced to it (it said "everything synced from LinkedIn").
    assert "Deleting from LinkedIn everything recruitlink synced to it..." in said, said
    assert result["failed"] == {}
    assert result["deleted"]["atsCandidates"] == 2
    assert result["verified"]["stillPresent"] == {} and result["verified"]["checked"] >= 4
    assert sum(result["verified"]["checkedByResource"].values()) == result["verified"]["checked"]
    deadline = time.monotonic() + 10
    while (summary := li.control.get(f"/organizations/{ORG}/summary").json())["jobs"][
            "processing"] and time.monotonic() < deadline:
        time.sleep(0.05)  # the CLOSE tasks finish after LinkedIn's task delay
    assert summary["records"] == {}
    assert summary["jobs"] == {"LISTED": 0, "CLOSED": 2, "processing": 0}
    assert control.status(engine, tenant.id)["status"] == "DISCONNECTED"


def test_crm_tenant_syncs_pipelines_and_interactions_without_content(store, engine, li):
    from recruitlink.core.records import Interaction, Project, ProjectMembership, ProjectStage
    from tests.conftest import make_tenant

    tenant = make_tenant(store, "beam", kind="CRM")
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="K1", first_name="Kim", last_name="Lee",
                                               emails=["kim@example.com"]))], mode="create")
        w.records("projects", [(0, Project(id="P1", title="Data pool", shared_with_all=True)),
                               (1, Project(id="P2", title="Secret pool",
                                           shared_with_all=False))], mode="create")
        w.records("project_stages", [
            (0, ProjectStage(id="PS1", project_id="P1", name="Contacted",
                             category="contacted")),
            (1, ProjectStage(id="PS2", project_id="P2", name="Lead", category="lead"))],
            mode="create")
        w.records("project_memberships", [
            (0, ProjectMembership(id="M1", project_id="P1", candidate_id="K1",
                                  stage_id="PS1", source="LinkedIn Recruiter")),
            (1, ProjectMembership(id="M2", project_id="P2", candidate_id="K1"))],
            mode="create")
        w.records("interactions", [(0, Interaction(
            id="I1", candidate_id="K1", project_id="P1", type="email", direction="outbound",
            occurred_at="2025-03-01T10:00:00Z", subject="Hello", content="Secret body"))],
            mode="create")
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret,
                             api_version=engine.settings.api_version)
    crm_org = "urn:li:organization:7878"
    result = connect(store, engine.box, engine, partner, tenant_slug="beam",
                     organization=crm_org, contracts=[], public_url="http://127.0.0.1:9")
    partner.close()
    integrations = li.control.get("/integrations", params={"context": crm_org}).json()
    assert {i["integrationType"] for i in integrations} == {
        "CRM_ONE_CLICK_EXPORT", "IN_CRM_INDICATOR", "PROFILE_PLUGIN"}
    li.control.post("/integrations/status", json={"integrationContext": crm_org,
                                                  "status": "ENABLED"})
    assert refresh_status(store, engine.box, engine, result.tenant_id)[0] == "ENABLED"
    run_until_idle(engine, tenant.id)

    def held(resource):
        body = li.control.get(f"/organizations/{crm_org}/records/{resource}").json()
        return [e for e in body["elements"]]

    (pipeline,) = held("tcrmPipelines")
    assert pipeline["key"]["tcrmPipelineId"] == "P1" and pipeline["record"]["title"] == \
        "Data pool"
    (stage,) = held("tcrmPipelineStages")
    assert stage["record"]["stageCategory"] == "CONTACTED"
    (membership,) = held("tcrmCandidatePipelines")
    assert membership["record"]["sources"][0]["sourceCategory"] == "LINKEDIN"
    (interaction,) = held("tcrmInteractions")
    assert interaction["record"]["interactionType"] == "EMAIL"
    assert "Secret body" not in str(interaction) and "Hello" not in str(interaction)
    with store.reader() as conn:
        excluded = {r.external_id: r.reason for r in conn.execute(
            select(schema.sync_ledger).where(schema.sync_ledger.c.state == "excluded"))}
    assert excluded == {"P2": "project not shared with all recruiters",
                        "PS2": "project not shared with all recruiters",
                        "M2": "project not shared with all recruiters"}
