"""The LinkedIn pollers end to end, over loopback, on SQLite and PostgreSQL: what recruiters do
in the sandbox's Recruiter (InMails, replies with shared contact info, notes, account
closures) reaches the ATS through the pollers with the seeds' rules, and the pollers resume
from their cursors after a restart with nothing missed and nothing doubled."""

# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)
from __future__ import annotations

import itertools
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from recruitlink.core.records import Candidate, User
from recruitlink.crypto import SecretBox
from recruitlink.errors import PollBusy
from recruitlink.inbound import history
from recruitlink.inbound.closures import ACTIVITY, purge_closed
from recruitlink.inbound.pollers import Poller, windows
from recruitlink.inbound.seats import map_seat
from recruitlink.runtime.background import BackgroundRunner
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store import connections as connection_state
from recruitlink.store import schema
from recruitlink.sync.engine import SyncEngine
from tests.conftest import both_families
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    CONTRACT,
    KEY,
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)

pytestmark = pytest.mark.usefixtures("wired")


def poller(store, engine: SyncEngine) -> Poller:
    # A day of back-fill (two windows) keeps the first round short; settle 0: read up to now.
    return Poller(store, engine.box, engine, backfill_days=1, settle_ms=0)


def inmail(li, seat: dict[str, Any], person: str, **extra: Any) -> dict[str, Any]:
    r = li.control.post("/recruiter/inmails", json={
        "seat": seat["id"], "person": person, "subject": "Staff Engineer role",
        "body": "Hello, would you like to talk?", **extra})
    assert r.status_code == 201, r.text
    return r.json()


def reply(li, thread: dict[str, Any], share: bool = False) -> dict[str, Any]:
    r = li.control.post(f"/recruiter/threads/{thread['id']}/replies",
                        json={"body": "Yes, happy to talk.", "shareContactInfo": share})
    assert r.status_code == 201, r.text
    return r.json()


def note(li, seat: dict[str, Any], person: str, text: str, **extra: Any) -> dict[str, Any]:
    r = li.control.post("/recruiter/notes", json={"seat": seat["id"], "person": person,
                                                  "note": text, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def exported(store, li, seat: dict[str, Any], n: int, events_before: int) -> Any:
    m = member(li, n)
    export(li, seat, m["person"], externalJobPostingId="J1")
    wait_for_events(store, events_before + 1)
    (row,) = candidate(store, person_urn=m["person"])
    return m, row


def interactions_of(store, candidate_id: int) -> list[Any]:
    with store.reader() as conn:
        return conn.execute(
            select(schema.interactions, schema.users.c.external_id.label("user"))
            .outerjoin(schema.users, schema.users.c.id == schema.interactions.c.user_id)
            .where(schema.interactions.c.candidate_id == candidate_id)
            .order_by(schema.interactions.c.occurred_at, schema.interactions.c.id)).all()


def notes_of(store, candidate_id: int) -> list[Any]:
    with store.reader() as conn:
        return conn.execute(select(schema.notes).where(
            schema.notes.c.candidate_id == candidate_id).order_by(schema.notes.c.id)).all()


def item(store, kind: str, li_id: str) -> Any:
    with store.reader() as conn:
        return conn.execute(select(schema.inbound_items).where(
            schema.inbound_items.c.kind == kind, schema.inbound_items.c.li_id == li_id)).one()


def test_windows_are_contiguous_and_at_most_12_hours():
    hour = 3600 * 1000
    cut = list(windows(0, 30 * hour + 5))
    assert cut[0] == (0, 12 * hour) and cut[-1][1] == 30 * hour + 5
    assert all(a[1] == b[0] for a, b in itertools.pairwise(cut))
    assert all(stop - start <= 12 * hour for start, stop in cut)
    assert list(windows(5, 5)) == []


@both_families  # every finder the pollers call, in both families
def test_inmail_history_lands_on_the_candidate_attributed_to_the_mapped_user(
        store, tenant, li, wired, engine):
    m, row = exported(store, li, wired["seat"], 10, 2)
    thread = inmail(li, wired["seat"], m["person"])
    reply(li, thread)
    hidden = inmail(li, wired["seat"], m["person"], subject="Private", visibility="PRIVATE")
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["inmails:applied"] == 2, report.outcomes
    assert report.outcomes["inmails:skipped"] == 1
    found = interactions_of(store, row.id)
    inmails = [i for i in found if i.type == "inmail"]
    assert [(i.direction, i.user, i.origin) for i in inmails] == [
        ("outbound", "U1", "linkedin"), ("inbound", "U1", "linkedin")]
    assert inmails[0].subject == "Staff Engineer role"
    assert inmails[1].content == "Yes, happy to talk."
    private = item(store, "inmail", str(hidden["messages"][0]["id"]))
    assert private.outcome == "skipped" and "PRIVATE" in private.reason
    # A second round reads nothing new and doubles nothing.
    again = poller(store, engine).poll(tenant.id)
    assert not any(k.endswith(":applied") for k in again.outcomes), again.outcomes
    assert len([i for i in interactions_of(store, row.id) if i.type == "inmail"]) == 2


def test_imported_inmails_and_notes_are_never_sent_back(store, tenant, li, wired, engine):
    m, _ = exported(store, li, wired["seat"], 11, 2)
    inmail(li, wired["seat"], m["person"])
    note(li, wired["seat"], m["person"], "Strong Rust background")
    poller(store, engine).poll(tenant.id)
    deadline = time.monotonic() + 60
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    with store.reader() as conn:
        states = conn.execute(select(schema.sync_ledger.c.entity, schema.sync_ledger.c.state)
                              .where(schema.sync_ledger.c.entity.in_(("notes",
                                                                      "interactions")))).all()
    assert states and all(s.state == "excluded" for s in states), states


def test_inmails_wait_for_their_candidate_and_confidential_candidates_get_none(
        store, tenant, li, wired, engine):
    stranger = member(li, 12)
    inmail(li, wired["seat"], stranger["person"])
    first = poller(store, engine).poll(tenant.id)
    assert first.outcomes["inmails:waiting"] == 1
    # Exported later: the waiting InMail is applied in the next round.
    export(li, wired["seat"], stranger["person"], externalJobPostingId="J2")
    wait_for_events(store, 3)
    later = poller(store, engine).poll(tenant.id)
    # Applied once: re-read in the overlap of the window, or from the waiting items.
    assert later.outcomes["waited:applied"] + later.outcomes["inmails:applied"] == 1, \
        later.outcomes
    (row,) = candidate(store, person_urn=stranger["person"])
    assert [i.type for i in interactions_of(store, row.id)].count("inmail") == 1

    secret = member(li, 13)
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="SECRET", first_name="Sam", last_name="Hidden",
                                               person_urn=secret["person"],
                                               match_method="manual", confidential=True))],
                  mode="create")
    inmail(li, wired["seat"], secret["person"])
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["inmails:skipped"] == 1
    (hidden,) = candidate(store, external_id="SECRET")
    assert interactions_of(store, hidden.id) == []


def test_unmapped_seats_are_not_read_and_mapping_later_back_fills(store, tenant, li, wired,
                                                                  engine):
    holder = li.control.get("/members", params={"start": 260, "count": 1}).json()["elements"][0]
    other = li.control.post(f"/contracts/{CONTRACT}/seats",
                            json={"person": holder["person"]}).json()
    m, row = exported(store, li, wired["seat"], 14, 2)
    inmail(li, other, m["person"])
    first = poller(store, engine).poll(tenant.id)
    assert first.seats is not None and first.seats.unmapped == 1
    assert first.outcomes["inmails:applied"] == 0
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U2", name="Olga Other", email="olga@acme.example",
                                     role="recruiter"))], mode="create")
    map_seat(store, tenant.id, other["seat"], "U2", int(time.time() * 1000))
    later = poller(store, engine).poll(tenant.id)
    assert later.outcomes["inmails:applied"] == 1, later.outcomes
    (found,) = [i for i in interactions_of(store, row.id) if i.type == "inmail"]
    assert found.user == "U2"


@both_families  # every finder the pollers call, in both families
def test_notes_are_created_edited_and_deleted(store, tenant, li, wired, engine):
    m, row = exported(store, li, wired["seat"], 15, 2)
    made = note(li, wired["seat"], m["person"], "Great call")
    note(li, wired["seat"], m["person"], "Only for me", visibility="PRIVATE")
    time.sleep(0.05)  # brought in later than it was written
    poller(store, engine).poll(tenant.id)
    (kept,) = notes_of(store, row.id)
    assert (kept.body, kept.origin) == ("Great call", "linkedin")
    # Dated when the recruiter wrote it (the timeline showed it after a later InMail).
    assert kept.created_at == made["created"]
    time.sleep(0.01)
    assert li.control.patch(f"/recruiter/notes/{made['id']}",
                            json={"note": "Great call, follow up"}).status_code == 200
    poller(store, engine).poll(tenant.id)
    assert [n.body for n in notes_of(store, row.id)] == ["Great call, follow up"]
    time.sleep(0.01)
    assert li.control.delete(f"/recruiter/notes/{made['id']}").status_code == 200
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["notes:deleted"] == 1
    assert notes_of(store, row.id) == []


@both_families  # every finder the pollers call, in both families
def test_stub_profiles_fill_the_matched_candidate_or_create_one(store, tenant, li, wired,
                                                                engine):
    m, _ = exported(store, li, wired["seat"], 16, 2)
    reply(li, inmail(li, wired["seat"], m["person"]), share=True)
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["stubs:updated"] == 1, report.outcomes
    (after,) = candidate(store, person_urn=m["person"])
    profile = li.control.get(f"/members/{m['person']}").json()
    assert profile["emailAddresses"], "the directory gives this member an email"
    assert after.emails == [profile["emailAddresses"][0]]
    # The shared phone is a valid number of the member's country, so it is kept (issue 15).
    assert [p["number"] for p in after.phones or []] == [profile["phoneNumbers"][0]]
    assert after.match_method == "one_click_export"  # the export's link stands

    # A member unknown to the ATS but whose email a candidate has: matched by email.
    known = member(li, 17)
    details = li.control.get(f"/members/{known['person']}").json()
    assert details["emailAddresses"], "the directory gives this member an email"
    email = details["emailAddresses"][0]
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="BYMAIL", first_name="Any", last_name="Body",
                                               emails=[email.upper()]))], mode="create")
    reply(li, inmail(li, wired["seat"], known["person"]), share=True)
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["stubs:updated"] == 1, report.outcomes
    (matched,) = candidate(store, external_id="BYMAIL")
    assert matched.person_urn == known["person"] and matched.match_method == "stub_profile"
    assert matched.emails == [email.upper()]  # the same address is not added twice
    # Its InMails (sent before the stub linked it) are applied in the same round.
    assert [i.type for i in interactions_of(store, matched.id)].count("inmail") == 2

    # A member no candidate matches: created.
    new = member(li, 18)
    reply(li, inmail(li, wired["seat"], new["person"]), share=True)
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["stubs:created"] == 1, report.outcomes
    (created,) = candidate(store, person_urn=new["person"])
    assert created.creation_source == "LinkedIn"


@both_families  # every finder the pollers call, in both families
def test_member_closures_notify_or_purge(store, tenant, li, wired, engine):
    m, row = exported(store, li, wired["seat"], 19, 2)
    assert li.control.post(f"/recruiter/members/{m['person']}/close").status_code == 200
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["closures:notified"] == 1, report.outcomes
    (activity,) = [i for i in interactions_of(store, row.id) if i.subject == ACTIVITY]
    assert activity.origin == "linkedin"
    # The admin's purge of that member deletes the candidate (and LinkedIn's copy, by sync).
    assert purge_closed(store, tenant.id, m["person"]) == 1
    assert candidate(store, person_urn=m["person"]) == []
    with pytest.raises(LookupError, match="person"):
        purge_closed(store, tenant.id, "urn:li:person:nobody")

    # With the purge policy the next closure deletes at once.
    with store.db.write() as conn:
        info = connection_state.load_required(store, tenant.id, engine.box)
        connection_state.set_policy(conn, tenant.id, type(info.policy)(
            **{**info.policy.to_json(), "closed_members": "purge"}))
    m2, _ = exported(store, li, wired["seat"], 20, 3)
    assert li.control.post(f"/recruiter/members/{m2['person']}/close").status_code == 200
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["closures:purged"] == 1, report.outcomes
    assert candidate(store, person_urn=m2["person"]) == []


def test_pollers_resume_from_their_cursors_after_a_restart(store, tenant, li, wired, engine):
    m, row = exported(store, li, wired["seat"], 21, 2)
    sent = [inmail(li, wired["seat"], m["person"], subject=f"Round one {i}") for i in range(3)]
    poller(store, engine).poll(tenant.id)
    seat_id = wired["seat"]["seat"].rsplit(":", 1)[-1]
    with store.reader() as conn:
        cursor = conn.execute(select(schema.sync_cursors.c.position).where(
            schema.sync_cursors.c.name == f"in:mail:{seat_id}")).scalar()
    assert cursor is not None
    # "Restart": new engine, new poller; more InMails meanwhile, one in the last window read.
    sent += [inmail(li, wired["seat"], m["person"], subject=f"Round two {i}") for i in range(3)]
    fresh = SyncEngine(store, engine.box, engine.settings)
    try:
        report = poller(store, fresh).poll(tenant.id)
        assert report.outcomes["inmails:applied"] == 3, report.outcomes
        # Re-reading an already-read window (a crash before the cursor moved) doubles nothing.
        with store.db.write() as conn:
            conn.execute(schema.sync_cursors.update().where(
                schema.sync_cursors.c.name == f"in:mail:{seat_id}").values(position=cursor - 1))
        replayed = poller(store, fresh).poll(tenant.id)
        assert replayed.outcomes["inmails:already"] >= 3, replayed.outcomes
    finally:
        fresh.close()
    subjects = sorted(i.subject for i in interactions_of(store, row.id) if i.type == "inmail")
    assert subjects == sorted(t["subject"] for t in sent)
    with store.reader() as conn:
        assert conn.execute(select(func.count()).select_from(schema.inbound_items).where(
            schema.inbound_items.c.kind == "inmail")).scalar() == 6


@both_families  # every finder the pollers call, in both families
def test_the_server_polls_on_its_own(store, tenant, li, wired):
    settings = Settings(secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
                        background_sync=False, poll_interval_seconds=0.5,
                        inbound_backfill_days=1)
    runtime = Runtime(settings, store, wired_box(store))
    runner = BackgroundRunner(runtime, sync=False, pollers=True, idle_s=0.1)
    m, row = exported(store, li, wired["seat"], 22, 2)
    inmail(li, wired["seat"], m["person"])
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(i.type == "inmail" for i in interactions_of(store, row.id)):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the background pollers did not bring the InMail in")
    finally:
        runner.stop()
        runtime.close_engine()


def wired_box(store) -> Any:
    return SecretBox(KEY)


def test_one_bad_item_is_kept_for_replay_and_the_rest_goes_on(store, tenant, li, wired, engine,
                                                              monkeypatch):
    m, row = exported(store, li, wired["seat"], 23, 2)
    first = inmail(li, wired["seat"], m["person"], subject="Breaks")
    inmail(li, wired["seat"], m["person"], subject="Fine")
    real = history.apply_inmail

    def flaky(w, owner, event, now_ms):
        if event.get("subject") == "Breaks":
            raise RuntimeError("simulated bug")
        return real(w, owner, event, now_ms)

    monkeypatch.setattr(history, "apply_inmail", flaky)
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["inmails:applied"] == 1 and report.outcomes["inmails:failed"] == 1
    kept = item(store, "inmail", str(first["messages"][0]["id"]))
    assert kept.outcome == "failed" and "simulated bug" in kept.reason and kept.payload
    monkeypatch.setattr(history, "apply_inmail", real)
    assert poller(store, engine).replay_failed(tenant.id) == {"applied": 1}
    subjects = sorted(i.subject for i in interactions_of(store, row.id) if i.type == "inmail")
    assert subjects == ["Breaks", "Fine"]


def test_one_poll_round_per_tenant_at_a_time(store, tenant, li, wired, engine):
    one = poller(store, engine)
    assert one._take_lease(tenant.id)
    try:
        with pytest.raises(PollBusy):
            poller(store, engine).poll(tenant.id)
    finally:
        one._release_lease(tenant.id)
    assert poller(store, engine).poll(tenant.id).skipped is None
