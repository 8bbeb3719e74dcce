"""Issue 15, point 5: exports seen by the people who made them, over loopback, on SQLite and
PostgreSQL. A recruiter exports from the sandbox's Recruiter page; recruitlink refuses two
exports (the same position twice; a confidential candidate). LinkedIn's page only says the
export was sent; the admin's Exports page and the exporting recruiter's "My LinkedIn exports"
list each refusal with its reason; a failed push is replayed from the page (CSRF)."""

# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)
from __future__ import annotations

import re
from contextlib import closing
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, update

from recruitlink.core.records import Candidate, User
from recruitlink.sandbox.recruiter.session import csrf_token
from recruitlink.store import accounts, schema
from recruitlink.store import inbound_inbox as inbox
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    CONTRACT,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)
from tests.support.pages import csrf_of

PASSWORD = "correct horse battery"


@pytest.fixture
def people(store, tenant, wired) -> dict[str, str]:
    """Passwords for Rita (U1, mapped to the exporting seat) and an admin, Ada."""
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        for ext in ("U1", "A1"):
            accounts.set_password(w.conn, tenant.id, ext, PASSWORD)
        rita = w.conn.execute(select(schema.users.c.email).where(
            schema.users.c.external_id == "U1")).scalar_one()
    return {"rita": rita, "ada": "ada@acme.example"}


def signed_in(server: str, tenant, email: str) -> httpx.Client:
    client = httpx.Client(base_url=server, follow_redirects=False, timeout=30)
    r = client.post("/login", data={"workspace": tenant.slug, "email": email,
                                    "password": PASSWORD, "next": ""})
    assert r.status_code == 303, r.text
    return client


def recruiter_client(li, seat: dict[str, Any]) -> httpx.Client:
    """The seat holder signed in to the sandbox's Recruiter pages."""
    client = httpx.Client(base_url=li.url, follow_redirects=False, timeout=30)
    r = client.post("/recruiter/login", data={"person": seat["person"], "next": "/recruiter/"})
    assert r.status_code == 303, r.text
    return client


def export_on_page(client: httpx.Client, seat: dict[str, Any], person: str,
                   target: str) -> str:
    """Export from the member's profile page; the notice the page then shows."""
    r = client.post(f"/recruiter/profile/{person}/export", data={
        "csrf": csrf_token(seat["person"]), "seat": str(seat["id"]), "target": target})
    assert r.status_code == 303, r.text
    shown = client.get(r.headers["location"])
    assert shown.status_code == 200
    found = re.search(r'class="card (?:notice|error)"[^>]*>([^<]*)<', shown.text)
    assert found, shown.text
    return found.group(1)


def rows_of(html: str) -> list[str]:
    """The text of each row of the exports table."""
    body = html.split('<table class="export-list">', 1)[1].split("</table>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr data-event.*?</tr>", body, flags=re.S)]


def test_refused_exports_are_shown_with_their_reason_to_the_admin_and_the_recruiter(
        store, tenant, li, server, wired, people):
    seat = wired["seat"]
    again, secret = member(li, 70), member(li, 80)
    assert again["person"] != secret["person"]
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(
            id="SECRET", first_name="Sam", last_name="Secret", person_urn=secret["person"],
            match_method="manual", confidential=True))], mode="create")
    sandbox = recruiter_client(li, seat)
    admin = signed_in(server, tenant, people["ada"])
    rita = signed_in(server, tenant, people["rita"])
    with closing(sandbox), closing(admin), closing(rita):
        check_refusals(store, tenant, li, seat, sandbox, admin, rita, again, secret)


def check_refusals(store, tenant, li, seat, sandbox, admin, rita, again, secret) -> None:
    notices = [export_on_page(sandbox, seat, again["person"], "JOB:J1"),
               export_on_page(sandbox, seat, again["person"], "JOB:J1"),
               export_on_page(sandbox, seat, secret["person"], "JOB:J2")]
    # LinkedIn learns nothing of recruitlink's verdict: its page says "sent", never "exported".
    for notice in notices:
        assert "Sent to your ATS" in notice and "Exported" not in notice, notice
    # The job by its title and id, as every other page names it (core.export_rules), not
    # LinkedIn's id alone.
    assert notices[0].startswith("Sent to your ATS into Staff Engineer (job J1) (request "), \
        notices[0]
    assert notices[2].startswith("Sent to your ATS into Data Scientist (job J2)"), notices[2]
    events = wait_for_events(store, 5)[2:]
    assert [e.outcome for e in events] == ["created", "failed", "failed"], events
    profile = sandbox.get(f"/recruiter/profile/{again['person']}").text
    assert profile.count('class="sent-export"') == 2 and "Exported to your ATS" not in profile
    assert profile.count("Sent to your ATS into Staff Engineer (job J1)") == 2, profile

    page = admin.get(f"/t/{tenant.slug}/integrations/linkedin/exports")
    assert page.status_code == 200, page.text
    rows = rows_of(page.text)
    assert len(rows) == 5  # three exports and the two status pushes
    name = f"{again['firstName']} {again['lastName']}"
    assert "Refused" in rows[0] and "candidate is confidential" in rows[0]
    assert "Rita Recruiter" in rows[0] and "job J2" in rows[0]
    assert "Refused" in rows[1] and "already in process for Staff Engineer (job J1)" in rows[1]
    assert name in rows[1] and "Rita Recruiter" in rows[1]
    assert "Candidate created" in rows[2]
    refused = rows_of(admin.get(f"/t/{tenant.slug}/integrations/linkedin/exports",
                                params={"result": "refused"}).text)
    assert [("confidential" in r, "already" in r) for r in refused] == [(True, False),
                                                                      (False, True)]
    exports_only = rows_of(admin.get(f"/t/{tenant.slug}/integrations/linkedin/exports",
                                     params={"type": "EXPORT_CANDIDATE_PROFILE"}).text)
    assert len(exports_only) == 3
    bad = admin.get(f"/t/{tenant.slug}/integrations/linkedin/exports",
                    params={"result": "sideways"})
    assert bad.status_code == 400 and "result" in bad.text
    # Ada exported nothing: her own list is empty.
    assert rows_of(admin.get(f"/t/{tenant.slug}/linkedin-exports").text) == []

    mine = rita.get(f"/t/{tenant.slug}/linkedin-exports")
    assert mine.status_code == 200
    rows = rows_of(mine.text)
    assert len(rows) == 3
    assert "candidate is confidential" in rows[0]
    assert "already in process for Staff Engineer (job J1)" in rows[1]
    assert f'href="/t/{tenant.slug}/linkedin-exports"' in mine.text  # in the navigation
    # Her list holds her exports only: no Push filter offering status changes, and an
    # address asking for them is told so.
    assert "Integration status changes" not in mine.text and 'name="type"' not in mine.text
    statuses = rita.get(f"/t/{tenant.slug}/linkedin-exports",
                        params={"type": "INTEGRATION_STATUS_CHANGE"})
    assert statuses.status_code == 400 and "holds your exports only" in statuses.text
    # Her candidates page (where she lands) says so, with a link to the reasons.
    landing = rita.get(f"/t/{tenant.slug}/candidates").text
    notice = re.search(r'id="refused-exports">(.*?)</p>', landing, flags=re.S)
    assert notice and "2" in notice.group(1) and "not taken" in notice.group(1), landing
    assert "linkedin-exports?result=problem" in notice.group(1)
    assert 'id="refused-exports"' not in admin.get(f"/t/{tenant.slug}/candidates").text
    # A recruiter sees their own exports, not the admin page (nor any Replay button).
    assert rita.get(f"/t/{tenant.slug}/integrations/linkedin/exports").status_code == 403
    assert "Replay" not in mine.text
    # The refused candidate's page says so too, with the reason (she may land there from the
    # list's link to him): LinkedIn only said "sent". His first export, taken, is not listed.
    link = re.findall(rf'href="(/t/{tenant.slug}/candidates/[^"]+)"',
                      mine.text.split("<tr data-event")[2])
    assert link, mine.text
    page = rita.get(link[0]).text
    refused = re.search(r'id="refused-candidate-exports">(.*?)</section>', page, flags=re.S)
    assert refused, page
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", refused.group(1)))
    assert refused.group(1).count('class="refused-export"') == 1, text
    assert "already in process for Staff Engineer (job J1)" in text, text
    assert "from Rita Recruiter into Staff Engineer (job J1)" in text, text
    # Its source names her; its contact, the seat holder as LinkedIn names him, is labelled
    # (was a second name after hers, with nothing to say what it was).
    source = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("<dt>Source</dt>")[1]
                                        .split("</dd>")[0])).strip()
    assert re.fullmatch(r"Rita Recruiter \(LinkedIn Recruiter\) \(Active search\) "
                        r"· source contact \w+ \w+ · created via LinkedIn", source), source


def test_a_failed_push_is_replayed_from_the_exports_page(store, tenant, li, server, wired,
                                                         people, monkeypatch):
    # LinkedIn is down when the worker reads the export: with one attempt allowed, the push
    # is kept as failed at once (instead of after six tries over a minute).
    monkeypatch.setattr(inbox, "MAX_ATTEMPTS", 1)
    li.control.put("/faults/exportedCandidates", json={"error_rate": 1.0})
    m = member(li, 72)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    (failed,) = wait_for_events(store, 3)[2:]
    assert failed.status == "failed", failed

    with closing(signed_in(server, tenant, people["ada"])) as admin, \
            closing(signed_in(server, tenant, people["rita"])) as rita:
        replay_from_page(store, tenant, li, failed, admin, rita)


def replay_from_page(store, tenant, li, failed, admin, rita) -> None:
    path = f"/t/{tenant.slug}/integrations/linkedin/exports"
    listed = admin.get(path, params={"result": "failed"})
    (row,) = rows_of(listed.text)
    assert "Failed" in row and "Replay" in row
    action = f"{path}/{failed.id}/replay"
    assert admin.post(action, data={}).status_code == 403  # no CSRF token
    token = csrf_of(rita, f"/t/{tenant.slug}/linkedin-exports")
    assert rita.post(action, data={"csrf_token": token}).status_code == 403  # not an admin

    li.control.delete("/faults")
    done = admin.post(action, data={"csrf_token": csrf_of(admin, path)})
    assert done.status_code == 303 and "done=replayed" in done.headers["location"]
    (replayed,) = wait_for_events(store, 3)[2:]
    assert (replayed.status, replayed.outcome) == ("done", "created"), replayed
    again = admin.post(action, data={"csrf_token": csrf_of(admin, path)})
    assert again.status_code == 409 and "not failed" in again.text
    assert admin.post(f"{path}/999999/replay",
                      data={"csrf_token": csrf_of(admin, path)}).status_code == 404


def test_my_exports_says_which_recruiter_seat_is_the_recruiters_or_that_none_is(
        store, tenant, server, wired, people):
    """A SmartRecruiters-style walk: each recruiter connects their Recruiter seat through an
    admin's mapping. On "My LinkedIn exports" Rita, mapped by email, sees her seat; Ada, who
    holds none while the workspace has seats, is told nothing of hers comes in and whom to
    ask (before, both read the same 'ask an admin to map your seat' hint)."""
    seat = wired["seat"]
    rita = signed_in(server, tenant, people["rita"])
    ada = signed_in(server, tenant, people["ada"])
    with closing(rita), closing(ada):
        mine = rita.get(f"/t/{tenant.slug}/linkedin-exports").text
        hers = ada.get(f"/t/{tenant.slug}/linkedin-exports").text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", mine))
    assert f"Your LinkedIn Recruiter seat: {seat['seat']} on {CONTRACT} " \
           f"({seat['emailAddress']})." in text, text
    assert "No LinkedIn Recruiter seat is mapped to you" not in text
    assert "ask an admin to map your seat" not in text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", hers))
    assert "No LinkedIn Recruiter seat is mapped to you: exports you make in Recruiter are " \
           "not attributed to you, and your InMails and notes there do not come into " \
           "recruitlink." in text, text
    assert "map your seat in Integrations → LinkedIn → Members: Ada Admin (ada@acme.example)" \
        in text, text
    assert "Your LinkedIn Recruiter seat" not in text


def test_my_exports_asks_to_wait_for_the_initial_sync_while_it_runs(
        store, tenant, server, wired, people):
    """Beamery's FAQ: "During the data sync, users will be able to access the Export to CRM
    button but Beamery recommends that they wait until the data sync is complete". Nothing
    told a recruiter the initial sync was still running; their exports page now does, and
    says nothing once it is done."""
    rita = signed_in(server, tenant, people["rita"])
    with store.db.write() as conn:
        run_id = conn.execute(insert(schema.sync_runs).values(
            tenant_id=tenant.id, kind="historical", status="running", start_seq=0,
            started_at=1)).inserted_primary_key[0]
    with closing(rita):
        running = rita.get(f"/t/{tenant.slug}/linkedin-exports").text
        with store.db.write() as conn:
            conn.execute(update(schema.sync_runs).where(schema.sync_runs.c.id == run_id)
                         .values(status="done", finished_at=2))
        done = rita.get(f"/t/{tenant.slug}/linkedin-exports").text
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", running))
    assert "The initial sync to LinkedIn is still running. Export to ATS works, but wait " \
           "until it is complete before exporting" in text, text
    assert 'id="initial-sync-running"' not in done
