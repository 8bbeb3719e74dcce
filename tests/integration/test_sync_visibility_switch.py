"""Who sees which job in Recruiter (issue 15 point 7; reference §1.5, §3.10): switching a
connected tenant between "all Recruiter users" and "the job's hiring team" changes the
viewers configurations on LinkedIn, then the sync sends every job's ACLs and the mapped
users' assignees (a user is mapped by its person URN or by its Recruiter seat), or deletes
them all when switching back; the sandbox's export picker and In-ATS indicator follow.
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from recruitlink.core.policy import Policy
from recruitlink.core.records import Application, Candidate, Job, User
from recruitlink.errors import ConfigurationError
from recruitlink.inbound.seats import map_seat
from recruitlink.linkedin import LinkedInClient
from recruitlink.sandbox.recruiter.indicator import member_indicator
from recruitlink.store import connections, schema
from recruitlink.sync import control, ledger
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.engine import now_ms
from recruitlink.sync.visibility import set_visibility, visibility_state
from tests.integration import test_sync_acls
from tests.integration.test_sync_acls import (
    CONTRACT,
    ORG,
    acls,
    assignees,
    connect_with,
    ledger_rows,
    postings,
    seed,
)
from tests.integration.test_sync_engine import DESCRIPTION, run_until_idle

engine = test_sync_acls.engine  # the fixture


def add_seat(store, tenant_id: int, li, start: int, user: str | None) -> dict:
    """A Recruiter seat on the contract, held by a directory member, mapped to `user`."""
    holder = li.control.get("/members", params={"start": start, "count": 1}).json()
    person = holder["elements"][0]["person"]
    seat = li.control.post(f"/contracts/{CONTRACT}/seats", json={"person": person}).json()
    with store.writer(tenant_id) as w:
        user_id = None if user is None else w.conn.execute(select(schema.users.c.id).where(
            schema.users.c.tenant_id == tenant_id,
            schema.users.c.external_id == user)).scalar()
        w.conn.execute(schema.linkedin_seats.insert().values(
            tenant_id=tenant_id, seat=seat["seat"], contract=CONTRACT, person=person,
            active=True, user_id=user_id, mapping="manual" if user_id else None,
            updated_at=now_ms()))
    return seat


def picker(li, seat: dict) -> set[str]:
    r = li.control.get(f"/recruiter/seats/{seat['id']}/export-targets")
    assert r.status_code == 200, r.text
    return {t["id"] for t in r.json()["elements"]}


def indicator_jobs(li, person: str, seat: dict) -> set[str]:
    """The jobs of the applications the seat's holder sees on the member's profile."""
    sandbox = li.app.state.sandbox
    with sandbox.store.tx() as conn:
        views = member_indicator(conn, CONTRACT, person, seat["person"],
                                 sandbox.clock.now_ms())
    return {a["record"]["atsJobPostingId"] for v in views for a in v["applications"]}


def viewers(engine, tenant_id: int) -> tuple[str | None, str | None]:
    info = connections.load_required(engine.store, tenant_id, engine.box)
    client = engine.client_for(info)
    return (client.configuration(client.integration_key(ORG, "ONE_CLICK_EXPORT"),
                                 "JOB_POSTING_VIEWERS"),
            client.configuration(client.integration_key(ORG, "IN_ATS_INDICATOR"),
                                 "APPLICATION_VIEWERS"))


def state(store, engine, tenant_id: int):
    with store.reader() as conn:
        info = connections.load(conn, tenant_id, engine.box)
        assert info is not None
        return visibility_state(conn, tenant_id, info.policy)


def test_switching_to_the_hiring_team_and_back(store, tenant, engine, li):
    seed(store, tenant.id)  # J1: U1 (person u1) and U2 (no person) on its hiring team; J2: none
    candidate = li.control.get("/members", params={"start": 250, "count": 1}).json()
    person = candidate["elements"][0]["person"]
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U3", name="Tom Thumb", email="tom@acme.example",
                                     role="recruiter"))], mode="create")
        w.records("candidates", [(0, Candidate(
            id="C1", first_name="Ada", last_name="Lovelace", emails=["ada@example.com"],
            person_urn=person, match_method="manual"))], mode="create")
        w.records("applications", [(0, Application(id="A1", candidate_id="C1", job_id="J1")),
                                   (1, Application(id="A2", candidate_id="C1", job_id="J2"))],
                  mode="create")
    seat_a = add_seat(store, tenant.id, li, 200, "U2")  # on J1's hiring team, by its seat
    seat_b = add_seat(store, tenant.id, li, 201, "U3")  # not on J1's hiring team
    connect_with(store, engine, li, tenant, Policy())  # the default: all Recruiter users
    run_until_idle(engine, tenant.id)
    assert viewers(engine, tenant.id) == ("ALL_PRODUCT_USERS", "ALL_PRODUCT_USERS")
    assert picker(li, seat_a) == picker(li, seat_b) == {"J1", "J2"}
    assert indicator_jobs(li, person, seat_b) == {"J1", "J2"}

    # Only the job's hiring team: the configurations go at once, the ACLs with the sync.
    change = set_visibility(engine, tenant.id, "acls")
    assert change.changed and change.applied_on_linkedin and change.queued >= 5
    assert viewers(engine, tenant.id) == (None, None)
    pending = state(store, engine, tenant.id)
    assert pending.visibility == "acls" and pending.pending
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U1", "J1"), ("user-U2", "J1")}
    assert assignees(li) == {("user-U1", "urn:li:person:u1"), ("user-U2", seat_a["person"]),
                             ("user-U3", seat_b["person"])}  # U3's ACL is on no job
    assert postings(li)["J1"]["accessRestricted"] is True
    assert not postings(li)["J2"].get("accessRestricted")
    done = state(store, engine, tenant.id)
    assert not done.pending and done.acl_records == 5
    assert picker(li, seat_a) == {"J1", "J2"}
    assert picker(li, seat_b) == {"J2"}
    assert indicator_jobs(li, person, seat_a) == {"J1", "J2"}
    assert indicator_jobs(li, person, seat_b) == {"J2"}

    # Seat B is mapped to U2 instead of U3: U2's assignee follows its seat, U3 has none.
    map_seat(store, tenant.id, seat_a["seat"], None, now_ms())
    map_seat(store, tenant.id, seat_b["seat"], "U2", now_ms())
    run_until_idle(engine, tenant.id)
    assert assignees(li) == {("user-U1", "urn:li:person:u1"), ("user-U2", seat_b["person"])}
    assert picker(li, seat_a) == {"J2"} and picker(li, seat_b) == {"J1", "J2"}

    # Back to all Recruiter users: the configurations return, every ACL record goes.
    change = set_visibility(engine, tenant.id, "all_product_users")
    assert change.changed and change.applied_on_linkedin
    assert viewers(engine, tenant.id) == ("ALL_PRODUCT_USERS", "ALL_PRODUCT_USERS")
    assert state(store, engine, tenant.id).pending
    run_until_idle(engine, tenant.id)
    assert acls(li) == set() and assignees(li) == set()
    assert not postings(li)["J1"].get("accessRestricted")
    assert ledger_rows(store, "job_acls") == {"J1/U1": ("deleted", None),
                                              "J1/U2": ("deleted", None)}
    assert ledger_rows(store, "users")["U2"] == ("deleted", None)
    assert not state(store, engine, tenant.id).pending
    assert picker(li, seat_a) == picker(li, seat_b) == {"J1", "J2"}
    assert indicator_jobs(li, person, seat_a) == {"J1", "J2"}

    # Choosing what is already chosen changes nothing; a bad value names the field.
    assert not set_visibility(engine, tenant.id, "all_product_users").changed
    with pytest.raises(ConfigurationError, match=r"^visibility: must be"):
        set_visibility(engine, tenant.id, "everyone")


def test_the_choice_is_kept_while_disconnected(store, tenant, engine, li):
    seed(store, tenant.id)
    with store.writer(tenant.id) as w:
        w.records("jobs", [(0, Job(id="J3", title="Nurse", description=DESCRIPTION,
                                   location="Nice, FR", viewer_ids=["U1"],
                                   published_at="2025-01-01T00:00:00Z"))], mode="create")
    with pytest.raises(ConfigurationError, match="not connected"):
        set_visibility(engine, tenant.id, "acls")
    connect_with(store, engine, li, tenant, Policy())
    run_until_idle(engine, tenant.id)
    control.disconnect(engine, tenant.id)
    change = set_visibility(engine, tenant.id, "acls")
    assert change.changed and not change.applied_on_linkedin
    info = connections.load_required(store, tenant.id, engine.box)
    assert info.status == "DISCONNECTED" and info.policy.visibility == "acls"

    # Connecting again (as `recruitlink demo` does, with no policy given) keeps the choice.
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    connect(store, engine.box, engine, partner, tenant_slug=tenant.slug, organization=ORG,
            contracts=[CONTRACT], public_url="http://127.0.0.1:9")
    partner.close()
    status, _ = refresh_status(store, engine.box, engine, tenant.id)
    assert status == "ENABLED"
    assert viewers(engine, tenant.id) == (None, None)
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U1", "J1"), ("user-U2", "J1"), ("user-U1", "J3")}



def test_an_assignee_a_crashed_batch_sent_is_deleted_after_switching_back(store, tenant, engine,
                                                                         li):
    """A batch sends an assignee but the process dies before committing it; the admin
    switches back to all Recruiter users before the restart: the re-sent batch deletes what
    LinkedIn may hold."""
    seed(store, tenant.id)
    connect_with(store, engine, li, tenant, Policy(visibility="acls"))
    run_until_idle(engine, tenant.id)
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U2", person_urn="urn:li:person:u2"))], mode="update")
    with store.reader() as conn:
        u2 = conn.execute(select(schema.users.c.id).where(
            schema.users.c.external_id == "U2")).scalar()
        seq = conn.execute(select(func.max(schema.changelog.c.seq))).scalar()
    info = connections.load_required(store, tenant.id, engine.box)
    with store.reader() as conn:
        work = engine._work(conn, info, [("users", u2)], historical=False)
    assert [(i.stream, i.action) for i in work.send] == [("acl_assignees", "upsert")]
    with store.db.write() as conn:
        ledger.prepare_batch(conn, tenant_id=tenant.id, run_id=None, milestone=None,
                             items=work.items, cursor_after=seq, now_ms=now_ms())
    engine._sender(info).send(work.send)  # ... and the process dies here
    assert ("user-U2", "urn:li:person:u2") in assignees(li)

    set_visibility(engine, tenant.id, "all_product_users")
    assert engine.step(tenant.id).kind == "recovered"
    run_until_idle(engine, tenant.id)
    assert assignees(li) == set() and acls(li) == set()


def test_a_switch_saved_while_a_step_runs_is_never_judged_by_the_old_choice(store, tenant,
                                                                          engine, li):
    """The step loads the connection (hiring teams), then the admin switches back to every
    Recruiter user before the step reads the changelog: the switch's changes are not judged
    by the old choice (which would keep every ACL on LinkedIn and pass over them); the next
    step reads both again and deletes the ACLs."""
    seed(store, tenant.id)
    connect_with(store, engine, li, tenant, Policy(visibility="acls"))
    run_until_idle(engine, tenant.id)
    assert acls(li) == {("user-U1", "J1"), ("user-U2", "J1")}
    load = engine.load
    switched: list[bool] = []

    def load_then_switch(tenant_id):
        info = load(tenant_id)
        if not switched:
            switched.append(set_visibility(engine, tenant.id, "all_product_users").changed)
        return info

    engine.load = load_then_switch
    try:
        report = engine.step(tenant.id)
    finally:
        engine.load = load
    assert switched == [True] and report.kind == "continuous"
    run_until_idle(engine, tenant.id)
    assert acls(li) == set() and assignees(li) == set()
    assert not state(store, engine, tenant.id).pending
