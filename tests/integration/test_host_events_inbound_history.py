"""The host ATS hears of what the pollers bring in (issue 18), on SQLite and PostgreSQL, each
event written with its change: a stub profile's email and phone (candidate.updated, or
candidate.created), InMails (interaction.created, also those applied later when their
candidate appears), Recruiter notes (note.created/updated/deleted), member closures
(candidate.updated, or candidate.deleted with its applications, notes and InMails)."""
# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)

from __future__ import annotations

import time

import pytest

from recruitlink.core.records import Candidate
from recruitlink.inbound.closures import purge_closed
from recruitlink.store import connections as connection_state
from recruitlink.store.host_events import HostEvent
from tests.integration.test_host_events_inbound_exports import host_events
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)
from tests.integration.test_inbound_pollers import (
    exported,
    inmail,
    interactions_of,
    note,
    notes_of,
    poller,
    reply,
)

pytestmark = pytest.mark.usefixtures("wired")


def new_events(store, tenant_id: int, after: int) -> list[HostEvent]:
    return [e for e in host_events(store, tenant_id) if e.seq > after]


def last_seq(store, tenant_id: int) -> int:
    found = host_events(store, tenant_id)
    return found[-1].seq if found else 0


def test_a_stub_profile_announces_the_email_and_phone_it_filled(store, tenant, li, wired,
                                                                engine):
    m, row = exported(store, li, wired["seat"], 40, 2)
    mark = last_seq(store, tenant.id)
    reply(li, inmail(li, wired["seat"], m["person"]), share=True)
    poller(store, engine).poll(tenant.id)
    (after,) = candidate(store, person_urn=m["person"])
    updates = [e for e in new_events(store, tenant.id, mark) if e.type == "candidate.updated"]
    (stub,) = updates
    assert stub.subject_id == row.external_id
    assert stub.data["source"] == "stub_profile" and stub.data["person"] == m["person"]
    assert stub.data["seat"] == wired["seat"]["seat"] and stub.data["linkedin_id"]
    changed = stub.data["changed"]
    assert changed["emails"] == after.emails and after.emails  # the new values, as stored
    assert changed["phones"] == after.phones and after.phones
    # Polled again: nothing new is announced.
    mark = last_seq(store, tenant.id)
    poller(store, engine).poll(tenant.id)
    assert new_events(store, tenant.id, mark) == []


def test_a_stub_for_an_unknown_member_creates_the_candidate_then_its_inmails(
        store, tenant, li, wired, engine):
    new = member(li, 41)
    mark = last_seq(store, tenant.id)
    reply(li, inmail(li, wired["seat"], new["person"]), share=True)
    poller(store, engine).poll(tenant.id)
    (created,) = candidate(store, person_urn=new["person"])
    events = new_events(store, tenant.id, mark)
    assert events[0].type == "candidate.created"
    assert events[0].data == {"candidate": created.external_id, "source": "stub_profile",
                              "person": new["person"], "seat": wired["seat"]["seat"],
                              "linkedin_id": events[0].data["linkedin_id"]}
    # The InMails that waited for a candidate come after it (a receiver applies in order).
    inmails = [e for e in events if e.type == "interaction.created"]
    assert len(inmails) == 2 and all(e.seq > events[0].seq for e in inmails)
    assert {e.data["candidate"] for e in inmails} == {created.external_id}


def test_inmails_are_announced_once_also_those_applied_later(store, tenant, li, wired,
                                                             engine):
    m, row = exported(store, li, wired["seat"], 42, 2)
    mark = last_seq(store, tenant.id)
    reply(li, inmail(li, wired["seat"], m["person"]))
    inmail(li, wired["seat"], m["person"], subject="Private", visibility="PRIVATE")
    poller(store, engine).poll(tenant.id)
    stored = {i.external_id: i for i in interactions_of(store, row.id) if i.type == "inmail"}
    events = new_events(store, tenant.id, mark)
    assert [e.type for e in events] == ["interaction.created"] * 2  # not the private one
    assert {e.subject_id for e in events} == set(stored)
    for event in events:
        kept = stored[event.subject_id]
        assert event.data == {"interaction": kept.external_id, "source": "inmail",
                              "candidate": row.external_id, "user": "U1", "type": "inmail",
                              "direction": kept.direction, "seat": wired["seat"]["seat"],
                              "person": m["person"], "linkedin_id": event.data["linkedin_id"]}
        assert "Staff Engineer role" not in str(event.data)  # no subject, no body
    mark = last_seq(store, tenant.id)
    poller(store, engine).poll(tenant.id)
    assert new_events(store, tenant.id, mark) == []

    # An InMail to a member with no candidate waits: announced when it is applied.
    later = member(li, 43)
    inmail(li, wired["seat"], later["person"])
    poller(store, engine).poll(tenant.id)
    assert new_events(store, tenant.id, mark) == []
    export(li, wired["seat"], later["person"])
    wait_for_events(store, 4)
    poller(store, engine).poll(tenant.id)
    (linked,) = candidate(store, person_urn=later["person"])
    types = [(e.type, e.data["source"], e.data["candidate"])
             for e in new_events(store, tenant.id, mark)]
    assert types == [("candidate.created", "one_click_export", linked.external_id),
                     ("interaction.created", "one_click_export", linked.external_id),
                     ("interaction.created", "inmail", linked.external_id)]


def test_notes_are_announced_created_updated_and_deleted(store, tenant, li, wired, engine):
    m, row = exported(store, li, wired["seat"], 44, 2)
    mark = last_seq(store, tenant.id)
    made = note(li, wired["seat"], m["person"], "Great call")
    note(li, wired["seat"], m["person"], "Only for me", visibility="PRIVATE")
    time.sleep(0.05)
    poller(store, engine).poll(tenant.id)
    (kept,) = notes_of(store, row.id)
    (created,) = new_events(store, tenant.id, mark)
    assert (created.type, created.subject, created.subject_id) == ("note.created", "note",
                                                                   kept.external_id)
    assert created.data == {"note": kept.external_id, "source": "recruiter_note",
                            "candidate": row.external_id, "user": "U1",
                            "seat": wired["seat"]["seat"], "person": m["person"],
                            "linkedin_id": str(made["id"])}
    assert "Great call" not in str(created.data)
    time.sleep(0.01)
    assert li.control.patch(f"/recruiter/notes/{made['id']}",
                            json={"note": "Great call, follow up"}).status_code == 200
    poller(store, engine).poll(tenant.id)
    (updated,) = new_events(store, tenant.id, created.seq)
    assert (updated.type, updated.subject_id) == ("note.updated", kept.external_id)
    time.sleep(0.01)
    assert li.control.delete(f"/recruiter/notes/{made['id']}").status_code == 200
    poller(store, engine).poll(tenant.id)
    (deleted,) = new_events(store, tenant.id, updated.seq)
    assert (deleted.type, deleted.subject_id) == ("note.deleted", kept.external_id)
    assert deleted.data == {"note": kept.external_id, "source": "recruiter_note",
                            "linkedin_id": str(made["id"])}


def test_a_closure_is_announced_and_a_purge_deletes_with_its_dependents(store, tenant, li,
                                                                        wired, engine):
    m, row = exported(store, li, wired["seat"], 45, 2)
    reply(li, inmail(li, wired["seat"], m["person"]))
    poller(store, engine).poll(tenant.id)
    mark = last_seq(store, tenant.id)
    assert li.control.post(f"/recruiter/members/{m['person']}/close").status_code == 200
    poller(store, engine).poll(tenant.id)
    activity, closed = new_events(store, tenant.id, mark)
    assert (activity.type, activity.subject_id) == ("interaction.created",
                                                    f"li-closed-{row.external_id}")
    assert closed.type == "candidate.updated" and closed.subject_id == row.external_id
    assert closed.data["changed"] == {} and closed.data["member_closed"] is True
    assert closed.data["source"] == "member_closure" and closed.data["person"] == m["person"]

    # The admin's purge: the candidate's InMails, closure activity and application are
    # announced deleted before the candidate itself.
    children = {(e.type.split(".")[0], e.subject_id) for e in host_events(store, tenant.id)
                if e.type in ("interaction.created", "application.created")
                and e.data.get("candidate") == row.external_id}
    # The application, the export's activity, two InMails, the closure activity.
    assert len(children) == 5
    mark = last_seq(store, tenant.id)
    assert purge_closed(store, tenant.id, m["person"]) == 1
    gone = new_events(store, tenant.id, mark)
    assert gone[-1].type == "candidate.deleted" and gone[-1].subject_id == row.external_id
    assert gone[-1].data == {"candidate": row.external_id, "source": "admin_purge",
                             "person": m["person"]}
    assert {(e.type.split(".")[0], e.subject_id) for e in gone[:-1]} == children
    assert all(e.type.endswith(".deleted") and e.data["candidate"] == row.external_id
               for e in gone[:-1])

    # With the purge policy the next closure deletes at once, announced the same way.
    with store.db.write() as conn:
        info = connection_state.load_required(store, tenant.id, engine.box)
        connection_state.set_policy(conn, tenant.id, type(info.policy)(
            **{**info.policy.to_json(), "closed_members": "purge"}))
    m2, row2 = exported(store, li, wired["seat"], 46, 3)
    mark = last_seq(store, tenant.id)
    assert li.control.post(f"/recruiter/members/{m2['person']}/close").status_code == 200
    poller(store, engine).poll(tenant.id)
    gone = new_events(store, tenant.id, mark)
    # Its application and the export's activity (no closure activity: deleted at once).
    assert sorted(e.type for e in gone[:-1]) == ["application.deleted", "interaction.deleted"]
    assert gone[-1].type == "candidate.deleted"
    assert gone[-1].data == {"candidate": row2.external_id, "source": "member_closure_purge",
                             "person": m2["person"]}


def test_a_match_read_back_from_linkedin_is_announced(store, tenant, li, wired, engine):
    only_matched = li.control.get(f"/members/{member(li, 47)['person']}").json()
    with store.writer(tenant.id) as w:
        # Known to the ATS by email only: LinkedIn matches it; nobody exported it.
        w.records("candidates", [(0, Candidate(
            id="MATCHED", first_name="Some", last_name="One",
            emails=[only_matched["emailAddresses"][0]]))], mode="create")
    deadline = time.monotonic() + 60
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    mark = last_seq(store, tenant.id)
    poller(store, engine).poll(tenant.id)
    (linked,) = new_events(store, tenant.id, mark)
    assert (linked.type, linked.subject_id) == ("candidate.updated", "MATCHED")
    assert linked.data == {"candidate": "MATCHED", "source": "linkedin_match",
                           "person": only_matched["person"],
                           "changed": {"person_urn": only_matched["person"],
                                       "match_method": "matched"}}
    mark = last_seq(store, tenant.id)
    poller(store, engine).poll(tenant.id)
    assert new_events(store, tenant.id, mark) == []
