"""ACL visibility (reference §3.10): with Policy(visibility="acls") the sync tells LinkedIn who
may see each job through one ACL per ATS user and one assignee per mapped user, historical
and continuous, through a crash, and removes them on disconnect. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from recruitlink.core.policy import Policy
from recruitlink.core.records import Job, User
from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import connections, schema
from recruitlink.sync import control, ledger
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.engine import EngineSettings, SyncEngine, now_ms
from recruitlink.sync.items import acl_entity_id
from tests.conftest import both_families
from tests.integration.test_sync_engine import DESCRIPTION, run_until_idle

ORG = "urn:li:organization:7979"
CONTRACT = "urn:li:contract:8989"


@pytest.fixture
def engine(store, li, linkedin_api_version):
    settings = EngineSettings(api_url=li.url, oauth_url=li.url,
                              api_version=linkedin_api_version,
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01)
    eng = SyncEngine(store, SecretBox("test-key"), settings)
    yield eng
    eng.close()


def seed(store, tenant_id: int) -> None:
    with store.writer(tenant_id) as w:
        w.records("users", [
            (0, User(id="U1", name="Rita Book", email="rita@acme.example", role="recruiter",
                     person_urn="urn:li:person:u1")),
            (1, User(id="U2", name="Sam Spade", email="sam@acme.example", role="recruiter")),
        ], mode="create")
        w.records("jobs", [
            (0, Job(id="J1", title="Engineer", description=DESCRIPTION, location="Paris, FR",
                    viewer_ids=["U1", "U2"], published_at="2025-01-01T00:00:00Z")),
            (1, Job(id="J2", title="Designer", description=DESCRIPTION, location="Lyon, FR",
                    published_at="2025-01-01T00:00:00Z")),
        ], mode="create")


def connect_with(store, engine, li, tenant, policy: Policy) -> None:
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret,
                             api_version=engine.settings.api_version)
    result = connect(store, engine.box, engine, partner, tenant_slug=tenant.slug,
                     organization=ORG, contracts=[CONTRACT], public_url="http://127.0.0.1:9",
                     policy=policy)
    partner.close()
    assert result.status == "PENDING"
    for context in (ORG, CONTRACT):  # company-level and contract-level access
        li.control.post("/integrations/status", json={"integrationContext": context,
                                                      "status": "ENABLED"})
    status, run_id = refresh_status(store, engine.box, engine, tenant.id)
    assert status == "ENABLED" and run_id is not None


def acls(li) -> set[tuple[str, str]]:
    body = li.control.get(f"/organizations/{ORG}/records/atsEntityAcls",
                          params={"count": 1000}).json()
    for e in body["elements"]:
        assert e["key"]["atsEntityType"] == "JOB_POSTING" and e["record"] == {}
    return {(e["key"]["atsEntityAclId"], e["key"]["atsEntityId"]) for e in body["elements"]}


def assignees(li) -> set[tuple[str, str]]:
    body = li.control.get(f"/organizations/{ORG}/records/atsEntityAclAssignees",
                          params={"count": 1000}).json()
    return {(e["key"]["atsEntityAclId"], e["key"]["assignee"]) for e in body["elements"]}


def postings(li) -> dict[str, dict]:
    return {j["externalJobPostingId"]: j["posting"] for j in
            li.control.get(f"/organizations/{ORG}/jobs").json()["elements"]}


def ledger_rows(store, entity: str) -> dict[str, tuple[str, str | None]]:
    with store.reader() as conn:
        return {r.external_id: (r.state, r.reason) for r in conn.execute(
            select(schema.sync_ledger).where(schema.sync_ledger.c.entity == entity))}


def ids(store, tenant_id: int, table, *external: str) -> list[int]:
    with store.reader() as conn:
        found = {r.external_id: r.id for r in conn.execute(
            select(table).where(table.c.tenant_id == tenant_id))}
    return [found[e] for e in external]


@both_families
def test_acls_historical_then_continuous(store, tenant, engine, li):
    seed(store, tenant.id)
    connect_with(store, engine, li, tenant, Policy(visibility="acls"))
    # Visibility comes from ACLs: the ALL_PRODUCT_USERS configurations are not set.
    info = connections.load_required(store, tenant.id, engine.box)
    client = engine.client_for(info)
    export, indicator = (client.integration_key(ORG, t)
                         for t in ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR"))
    assert client.configuration(export, "CALLBACK_URL") is not None
    assert client.configuration(export, "JOB_POSTING_VIEWERS") is None
    assert client.configuration(indicator, "APPLICATION_VIEWERS") is None

    plan = control.plan(engine, tenant.id).as_json()
    assert plan["streams"]["job_acls"]["send"] == 2
    # U2 and the tenant's default integration user are no LinkedIn members.
    assert plan["streams"]["acl_assignees"] == {"send": 1, "delete": 0, "unchanged": 0,
                                                "excluded": 2, "invalid": 0}
    assert plan["reasons"]["acl_assignees"] == {"no LinkedIn member mapped": 2}

    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U1", "J1"), ("user-U2", "J1")}
    assert assignees(li) == {("user-U1", "urn:li:person:u1")}
    jobs = postings(li)
    assert jobs["J1"]["accessRestricted"] is True
    assert not jobs["J2"].get("accessRestricted")
    assert ledger_rows(store, "users") == {
        "U1": ("synced", None), "U2": ("excluded", "no LinkedIn member mapped"),
        "integration-user": ("excluded", "no LinkedIn member mapped")}
    assert ledger_rows(store, "job_acls") == {"J1/U1": ("synced", None),
                                              "J1/U2": ("synced", None)}
    state = control.status(engine, tenant.id)
    milestones = {m["name"]: m for m in state["run"]["milestones"]}
    assert [n for n in milestones][:3] == ["jobs", "job_acls", "acl_assignees"]
    assert milestones["job_acls"]["milestone"] == "jobs"
    assert milestones["job_acls"]["total"] == 2 and milestones["job_acls"]["done"] == 2
    assert milestones["acl_assignees"]["excluded"] == 2

    # A viewer leaves the job: its ACL record is deleted.
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", viewer_ids=["U2"]))], mode="update")
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U2", "J1")}
    assert ledger_rows(store, "job_acls")["J1/U1"] == ("deleted", None)
    assert postings(li)["J1"]["accessRestricted"] is True

    # A user gets mapped to a LinkedIn member: its assignee appears.
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U2", person_urn="urn:li:person:u2"))], mode="update")
    run_until_idle(engine, tenant.id)
    assert assignees(li) == {("user-U1", "urn:li:person:u1"), ("user-U2", "urn:li:person:u2")}
    assert ledger_rows(store, "users")["U2"] == ("synced", None)

    # J2 gets a viewer, then loses it: its ACL and its restriction follow.
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J2", viewer_ids=["U1"]))], mode="update")
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U2", "J1"), ("user-U1", "J2")}
    assert postings(li)["J2"]["accessRestricted"] is True
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J2", viewer_ids=[]))], mode="update")
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U2", "J1")}
    assert not postings(li)["J2"].get("accessRestricted")

    # The job is deleted: its ACL records go with it (and it is closed).
    with store.writer(tenant.id) as w:
        assert w.delete("jobs", "J1")
    run_until_idle(engine, tenant.id)
    assert acls(li) == set()
    assert ledger_rows(store, "job_acls") == {"J1/U1": ("deleted", None),
                                              "J1/U2": ("deleted", None),
                                              "J2/U1": ("deleted", None)}
    assert ledger_rows(store, "jobs")["J1"][0] == "deleted"


@both_families
def test_member_changes_confidential_jobs_and_disconnect(store, tenant, engine, li):
    seed(store, tenant.id)
    connect_with(store, engine, li, tenant, Policy(visibility="acls"))
    run_until_idle(engine, tenant.id)

    # The user is mapped to another member: the old assignee goes, the new one comes.
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", person_urn="urn:li:person:u1b"))],
                  mode="update")
    run_until_idle(engine, tenant.id)
    assert assignees(li) == {("user-U1", "urn:li:person:u1b")}
    assert ledger_rows(store, "users")["U1"] == ("synced", None)

    # An unchanged user is not sent again.
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", name="Rita Booker"))], mode="update")
    run_until_idle(engine, tenant.id)
    with store.reader() as conn:
        last = conn.execute(select(schema.sync_batch_items.c.outcome).where(
            schema.sync_batch_items.c.entity == "users").order_by(
            schema.sync_batch_items.c.batch_id.desc()).limit(1)).scalar()
    assert last == "skipped"

    # Deactivated: the assignee is deleted, with the reason kept.
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", active=False))], mode="update")
    run_until_idle(engine, tenant.id)
    assert assignees(li) == set()
    assert ledger_rows(store, "users")["U1"] == ("excluded", "inactive user")
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", active=True))], mode="update")
    run_until_idle(engine, tenant.id)
    assert assignees(li) == {("user-U1", "urn:li:person:u1b")}

    # A job turning confidential takes its ACL records with it; back again, they return.
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", confidential=True))], mode="update")
    run_until_idle(engine, tenant.id)
    assert acls(li) == set()
    assert ledger_rows(store, "job_acls") == {
        "J1/U1": ("excluded", "belongs to a confidential job"),
        "J1/U2": ("excluded", "belongs to a confidential job")}
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", confidential=False))], mode="update")
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U1", "J1"), ("user-U2", "J1")}

    # A deleted user leaves every job's viewers (and its ACL records) and its assignee.
    with store.writer(tenant.id) as w:
        assert w.delete("users", "U2")
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U1", "J1")}

    result = control.disconnect(engine, tenant.id)
    assert result["failed"] == {}
    assert result["deleted"]["atsEntityAcls"] == 1
    assert result["deleted"]["atsEntityAclAssignees"] == 1
    assert acls(li) == set() and assignees(li) == set()


def test_crashed_acl_batch_is_recovered(store, tenant, engine, li):
    """A batch with an ACL upsert is sent but not committed (a crash); the viewer leaves the
    job before the restart: the re-sent batch deletes what LinkedIn may hold."""
    seed(store, tenant.id)
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U3", name="Tom Thumb", email="tom@acme.example",
                                     role="recruiter", person_urn="urn:li:person:u3"))],
                  mode="create")
    connect_with(store, engine, li, tenant, Policy(visibility="acls"))
    run_until_idle(engine, tenant.id)

    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", viewer_ids=["U1", "U2", "U3"]))], mode="update")
    (j1,) = ids(store, tenant.id, schema.jobs, "J1")
    (u3,) = ids(store, tenant.id, schema.users, "U3")
    info = connections.load_required(store, tenant.id, engine.box)
    with store.reader() as conn:
        seq = conn.execute(select(func.max(schema.changelog.c.seq))).scalar()
        work = engine._work(conn, info, [("jobs", j1)], historical=False)
    assert [(i.entity, i.entity_id, i.action) for i in work.send] == [
        ("job_acls", acl_entity_id(j1, u3), "upsert")]  # the posting itself is unchanged
    with store.db.write() as conn:
        batch_id = ledger.prepare_batch(conn, tenant_id=tenant.id, run_id=None,
                                        milestone=None, items=work.items, cursor_after=seq,
                                        now_ms=now_ms())
    engine._sender(info).send(work.send)  # ... and the process dies here
    assert ("user-U3", "J1") in acls(li)

    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J1", viewer_ids=["U1", "U2"]))], mode="update")
    assert engine.step(tenant.id).kind == "recovered"
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U1", "J1"), ("user-U2", "J1")}
    assert ledger_rows(store, "job_acls")["J1/U3"] == ("deleted", None)
    with store.reader() as conn:
        batch = conn.execute(select(schema.sync_batches).where(
            schema.sync_batches.c.id == batch_id)).one()
        outcome = conn.execute(select(schema.sync_batch_items.c.outcome).where(
            schema.sync_batch_items.c.batch_id == batch_id,
            schema.sync_batch_items.c.entity == "job_acls",
            schema.sync_batch_items.c.entity_id == acl_entity_id(j1, u3))).scalar()
    assert batch.status == "committed" and outcome == "synced"


def test_all_product_users_policy_sends_no_acls(store, tenant, engine, li):
    seed(store, tenant.id)
    connect_with(store, engine, li, tenant, Policy())
    info = connections.load_required(store, tenant.id, engine.box)
    client = engine.client_for(info)
    assert client.configuration(client.integration_key(ORG, "ONE_CLICK_EXPORT"),
                                "JOB_POSTING_VIEWERS") == "ALL_PRODUCT_USERS"
    run_until_idle(engine, tenant.id)
    assert acls(li) == set() and assignees(li) == set()
    assert not postings(li)["J1"].get("accessRestricted")
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U2", person_urn="urn:li:person:u2"))], mode="update")
    run_until_idle(engine, tenant.id)
    assert assignees(li) == set() and ledger_rows(store, "users") == {}


def test_crashed_historical_acl_batch_is_recovered(store, tenant, engine, li):
    """The historical sync dies after sending a batch of the `job_acls` milestone: the
    restart sends it again as ACL records (not postings) and moves the milestone on."""
    seed(store, tenant.id)
    connect_with(store, engine, li, tenant, Policy(visibility="acls"))
    run_until_idle(engine, tenant.id)
    with store.db.write() as conn:  # keep the continuous sync out of the way
        conn.execute(schema.sync_cursors.update().values(position=10**9))
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U3", name="Tom Thumb", email="tom@acme.example",
                                     role="recruiter"))], mode="create")
        w.records("jobs", [(0, Job(id="J2", viewer_ids=["U3"]))], mode="update")
    run_id = engine.start_historical(tenant.id)

    def current() -> str:
        with store.reader() as conn:
            return conn.execute(select(schema.sync_milestones.c.name).where(
                schema.sync_milestones.c.run_id == run_id,
                schema.sync_milestones.c.finished_at.is_(None)).order_by(
                schema.sync_milestones.c.position).limit(1)).scalar()

    while current() != "job_acls":
        assert engine.step(tenant.id).kind in ("historical", "milestone", "tasks")
    info = connections.load_required(store, tenant.id, engine.box)
    with store.reader() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(schema.jobs).where(
            schema.jobs.c.tenant_id == tenant.id).order_by(schema.jobs.c.id))]
        work = engine._work(conn, info, [("jobs", r["id"]) for r in rows], historical=True,
                            rows_by_ref={("jobs", r["id"]): r for r in rows},
                            streams={"job_acls"})
    assert {i.external_id for i in work.send} == {"J2/U3"}
    with store.db.write() as conn:
        ledger.prepare_batch(conn, tenant_id=tenant.id, run_id=run_id, milestone="job_acls",
                             items=work.items, cursor_after=rows[-1]["id"], now_ms=now_ms())
    engine._sender(info).send(work.send)  # ... and the process dies here

    report = engine.step(tenant.id)
    assert report.kind == "recovered" and report.milestone == "job_acls"
    assert report.tally.synced == 1 and report.tally.skipped == 2
    with store.reader() as conn:
        milestone = conn.execute(select(schema.sync_milestones).where(
            schema.sync_milestones.c.run_id == run_id,
            schema.sync_milestones.c.name == "job_acls")).one()
    assert milestone.cursor == rows[-1]["id"]
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U1", "J1"), ("user-U2", "J1"), ("user-U3", "J2")}
    assert ledger_rows(store, "job_acls")["J2/U3"] == ("synced", None)
    assert ledger_rows(store, "users")["U3"] == ("excluded", "no LinkedIn member mapped")
