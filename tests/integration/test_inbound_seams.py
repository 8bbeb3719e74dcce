"""Issue 15's inbound findings end to end, over loopback, on SQLite and PostgreSQL: what a
recruiter does in the sandbox's Recruiter reaches the ATS through the real push, inbox, worker
and pollers, and each seam between capabilities holds."""

# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)
from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from recruitlink.core.records import Application, Candidate, Job, StageTransition
from recruitlink.inbound import items
from recruitlink.inbound.closures import ACTIVITY
from recruitlink.inbound.links import link_member
from recruitlink.sandbox.store import mail_stubs
from recruitlink.store import schema
from tests.conftest import both_families
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    CONTRACT,
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)
from tests.integration.test_inbound_pollers import inmail, interactions_of, poller, reply


def applications_of(store, row: Any) -> list[Any]:
    with store.reader() as conn:
        return conn.execute(
            select(schema.applications, schema.jobs.c.external_id.label("job"))
            .join(schema.jobs, schema.jobs.c.id == schema.applications.c.job_id)
            .where(schema.applications.c.candidate_id == row.id)).all()


def transitions_of(store, application_id: int) -> list[str]:
    with store.reader() as conn:
        return [r.stage for r in conn.execute(
            select(schema.stage_transitions.c.stage)
            .where(schema.stage_transitions.c.application_id == application_id)
            .order_by(schema.stage_transitions.c.entered_at))]


def test_an_export_into_a_job_closed_in_the_ats_is_refused_with_its_reason(
        store, tenant, li, wired):
    # J2 closes in the ATS; LinkedIn has not heard yet, so Recruiter still offers it.
    with store.writer(tenant.id) as w:
        (outcome,) = w.records("jobs", [(0, Job(id="J2", status="closed"))], mode="update")
        assert outcome.status == "updated", outcome
    m = member(li, 60)
    export(li, wired["seat"], m["person"], externalJobPostingId="J2")
    (event,) = wait_for_events(store, 3)[2:]
    assert (event.status, event.outcome) == ("done", "failed"), event
    assert "J2" in event.reason and "closed" in event.reason
    assert candidate(store, person_urn=m["person"]) == []


def test_an_exported_hiring_process_starts_at_the_jobs_first_stage(store, tenant, li, wired):
    m = member(li, 61)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    (event,) = wait_for_events(store, 3)[2:]
    assert event.outcome == "created", event
    (row,) = candidate(store, person_urn=m["person"])
    (app,) = applications_of(store, row)
    assert (app.job, app.outcome, app.current_stage) == ("J1", "active", "Applied")
    assert transitions_of(store, app.id) == ["Applied"]

    # A job whose hiring processes start elsewhere: the export starts where they do.
    with store.writer(tenant.id) as w:
        for entity, model in (
                ("candidates", Candidate(id="EARLIER", first_name="Ann", last_name="Early")),
                ("applications", Application(id="A-EARLIER", candidate_id="EARLIER",
                                             job_id="J2", outcome="active",
                                             current_stage="Screen")),
                ("stage_transitions", StageTransition(
                    id="T1", application_id="A-EARLIER", stage="Sourced",
                    entered_at="2025-02-01T00:00:00Z")),
                ("stage_transitions", StageTransition(
                    id="T2", application_id="A-EARLIER", stage="Screen",
                    entered_at="2025-02-02T00:00:00Z"))):
            (outcome,) = w.records(entity, [(0, model)], mode="create")
            assert outcome.status == "created", outcome
    other = member(li, 66)
    export(li, wired["seat"], other["person"], externalJobPostingId="J2")
    (event,) = wait_for_events(store, 4)[3:]
    assert event.outcome == "created", event
    (row,) = candidate(store, person_urn=other["person"])
    (app,) = applications_of(store, row)
    assert app.current_stage == "Sourced" and transitions_of(store, app.id) == ["Sourced"]


@both_families  # LinkedIn's matches (a batch_get with a field projection) in both families
def test_a_closure_reaches_every_candidate_linked_to_the_member_however_linked(
        store, tenant, li, wired, engine):
    only_matched = li.control.get(f"/members/{member(li, 70)['person']}").json()
    linked_by_hand = member(li, 76)
    assert linked_by_hand["person"] != only_matched["person"]
    with store.writer(tenant.id) as w:
        # Known to the ATS by email only: LinkedIn matches it; nobody exported it.
        w.records("candidates", [
            (0, Candidate(id="MATCHED", first_name="Some", last_name="One",
                          emails=[only_matched["emailAddresses"][0]])),
            (1, Candidate(id="BYHAND", first_name="Other", last_name="One"))], mode="create")
    link_member(store, tenant.id, "BYHAND", linked_by_hand["person"])
    deadline = time.monotonic() + 60
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    for person in (only_matched["person"], linked_by_hand["person"]):
        assert li.control.post(f"/recruiter/members/{person}/close").status_code == 200

    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["closures:notified"] == 2, report.outcomes
    (matched,) = candidate(store, external_id="MATCHED")
    assert (matched.person_urn, matched.match_method) == (only_matched["person"], "matched")
    for row in (matched, *candidate(store, external_id="BYHAND")):
        assert [i.subject for i in interactions_of(store, row.id)] == [ACTIVITY], row


def test_a_contact_share_never_reaches_a_confidential_candidate_and_problems_are_kept(
        store, tenant, li, wired, engine):
    secret = li.control.get(f"/members/{member(li, 90)['person']}").json()
    with store.writer(tenant.id) as w:
        (outcome,) = w.records("candidates", [(0, Candidate(
            id="SECRET", first_name="Sam", last_name="Secret", confidential=True,
            emails=[secret["emailAddresses"][0]]))], mode="create")
        assert outcome.status == "created", outcome
    reply(li, inmail(li, wired["seat"], secret["person"]), share=True)
    # A share whose phone is not a number (written as LinkedIn would hand it over).
    sharer = li.control.get(f"/members/{member(li, 96)['person']}").json()
    with li.sandbox.store.tx() as conn:
        conn.execute(mail_stubs.insert().values(
            contract=CONTRACT, seat_id=wired["seat"]["id"], person=sharer["person"],
            created_at=int(time.time() * 1000) - 5_000, body={
                "firstName": sharer["firstName"], "lastName": sharer["lastName"],
                "emailAddress": sharer["emailAddresses"][0], "phoneNumber": "call me maybe"}))

    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["stubs:refused"] == 1, report.outcomes
    (row,) = candidate(store, external_id="SECRET")
    assert (row.person_urn, row.phones, row.linkedin_url) == (None, [], None)
    assert candidate(store, person_urn=secret["person"]) == []  # no twin created either

    with store.reader() as conn:
        found = items.problems(conn, tenant.id)
        mine = items.problems(conn, tenant.id, candidate_external_id="SECRET")
    (refused,) = mine
    assert refused.outcome == "refused" and "confidential" in (refused.reason or "")
    (created,) = candidate(store, person_urn=sharer["person"])
    (rejected,) = [p for p in found if p.candidate_id == created.external_id]
    assert [(r.field, r.value) for r in rejected.rejected] == [("phoneNumber", "call me maybe")]
    assert "phone" in rejected.rejected[0].reason
    assert created.phones == []


def test_a_re_export_applies_linkedins_new_values_and_keeps_the_old_ones(
        store, tenant, li, wired):
    m = member(li, 100)
    with store.writer(tenant.id) as w:
        (outcome,) = w.records("candidates", [(0, Candidate(
            id="KNOWN", first_name=m["firstName"], last_name=m["lastName"],
            person_urn=m["person"], match_method="manual", headline="Old headline",
            current_title="Old title", current_company="Old company", tags=["VIP"],
            location="Nowhere, XX"))], mode="create")
        assert outcome.status == "created", outcome
    export(li, wired["seat"], m["person"], externalJobPostingId="J2")
    (event,) = wait_for_events(store, 3)[2:]
    assert event.outcome == "merged", event
    (row,) = candidate(store, external_id="KNOWN")
    assert (row.headline, row.current_title, row.current_company, row.location) == (
        m["headline"], m["currentJobTitle"], m["currentCompanyName"], m["location"])
    assert row.tags == ["VIP", "Imported: LinkedIn Recruiter"]
    (activity,) = interactions_of(store, row.id)
    for old in ("Old headline", "Old title", "Old company", "Nowhere, XX"):
        assert f"(was {old!r})" in activity.content, activity.content


def test_a_closure_waits_for_a_candidate_linked_later(store, tenant, li, wired, engine):
    m = member(li, 110)
    inmail(li, wired["seat"], m["person"])  # LinkedIn now counts the member as known
    assert li.control.post(f"/recruiter/members/{m['person']}/close").status_code == 200
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["closures:waiting"] == 1, report.outcomes

    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="LATER", first_name="Late",
                                               last_name="Link"))], mode="create")
    link_member(store, tenant.id, "LATER", m["person"])
    report = poller(store, engine).poll(tenant.id)
    # Applied once, by the closures' re-read or as a waiting item, whichever comes first.
    notified = report.outcomes["closures:notified"] + report.outcomes["waited:notified"]
    assert notified == 1, report.outcomes
    (row,) = candidate(store, external_id="LATER")
    assert ACTIVITY in [i.subject for i in interactions_of(store, row.id)]
