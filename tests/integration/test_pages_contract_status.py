"""Integration status per contract and per integration type, through the pages and the
sandbox over loopback (issue 15, What 1): a contract syncs only when LinkedIn Recruiter's
admin has turned on company-level and contract-level access; a pending contract says why,
links to Recruiter's admin page, keeps its seats visible with the reason, and is skipped by
the pollers; an optional integration turned off switches off only its own feature."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
from sqlalchemy import select

from recruitlink.core.records import Candidate
from recruitlink.store import schema
from recruitlink.sync import control
from tests.integration import test_pages_admin
from tests.integration.test_pages_admin import (
    APPROVED,
    BASE,
    CONTRACT,
    CONTRACT2,
    ORG,
    Site,
    add_seat,
    connect_through_pages,
    connected_and_synced,
    post,
    status_json,
    wait_until,
)
from tests.support.pages import field_error

site = test_pages_admin.site  # the same served app and sandbox fixture


def switch(site: Site, context: str, status: str, *types: str) -> None:
    """The customer's Recruiter admin flips switches (the sandbox pushes the change)."""
    body: dict[str, Any] = {"integrationContext": context, "status": status}
    if types:
        body["integrationTypes"] = list(types)
    r = site.li.control.post("/integrations/status", json=body)
    assert r.status_code == 200, r.text


def check_now(admin: httpx.Client) -> str:
    """"Check now": the status read from LinkedIn at once (no waiting for the push)."""
    r = post(admin, f"{BASE}/refresh")
    assert r.status_code == 303, r.text
    return admin.get(BASE).text


def contract_row(page: str, contract: str) -> str:
    found = re.search(rf'<tr data-contract="{re.escape(contract)}".*?</tr>', page, re.S)
    assert found, page
    return html.unescape(found.group(0))


def runs(site: Site) -> int:
    with site.store.reader() as conn:
        return len(conn.execute(select(schema.sync_runs.c.id).where(
            schema.sync_runs.c.tenant_id == site.acme.id,
            schema.sync_runs.c.kind == "historical")).all())


def test_company_level_switches_alone_leave_the_contract_pending(site):
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    switch(site, ORG, "ENABLED")  # company-level access only
    page = check_now(admin)
    assert status_json(admin)["status"] == "PENDING"
    assert status_json(admin)["statusText"] != "Active"
    assert "The sync is running" not in page
    assert runs(site) == 0  # nothing is synced before LinkedIn's contract-level access
    row = contract_row(page, CONTRACT)
    assert 'data-contract-status="PENDING"' in row
    assert "Contract-level access is not turned on for this contract yet" in row
    link = re.search(r'<a class="button enable-in-linkedin" href="([^"]+)"', row)
    assert link and link.group(1) == f"{site.li.url}/recruiter/admin?contract=" + \
        CONTRACT.replace(":", "%3A")
    # Each integration type with LinkedIn's status; the company-level ones are ENABLED.
    for itype in ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN"):
        assert f'data-integration="{itype}" data-integration-status="ENABLED"' in row
    assert 'data-integration="CSA_API" data-integration-status="PENDING"' in row
    # `sync status` (CLI, --json) says the same.
    listed = control.status(site.app.state.runtime.engine, site.acme.id)["contracts"]
    assert [(c["urn"], c["linkedinStatus"]) for c in listed] == [(CONTRACT, "PENDING")]
    assert "Contract-level access is not turned on" in listed[0]["reason"]
    # Contract-level access too: now it is active, and the sync starts.
    switch(site, CONTRACT, "ENABLED")
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED")
    page = admin.get(BASE).text
    assert status_json(admin)["statusText"] == "Active"
    assert 'data-contract-status="ENABLED"' in contract_row(page, CONTRACT)
    assert "Enable in LinkedIn" not in page
    wait_until(lambda: runs(site) == 1, what="the historical sync")


def test_an_added_contract_pending_shows_why_keeps_its_seats_and_is_not_polled(site):
    admin = site.client("ada@acme.example")
    connected_and_synced(site, admin)
    add_seat(site.li, 0, email="rita@acme.example")
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps({"integrations": [
        {"integrationType": "CSA_API", "integrationContext": CONTRACT2},
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": ORG}]}))
    assert r.status_code == 303 and "done=added" in r.headers["location"], r.text
    person = site.li.control.get("/members", params={"start": 205, "count": 1}
                                 ).json()["elements"][0]["person"]
    seat2 = site.li.control.post(f"/contracts/{CONTRACT2}/seats", json={"person": person})
    assert seat2.status_code == 200, seat2.text
    # The pollers skip the pending contract instead of collecting LinkedIn's 403s.
    report = site.app.state.runtime.poller().poll(site.acme.id)
    assert report.errors == [], report.errors
    assert CONTRACT2 in report.waiting and CONTRACT not in report.waiting
    # Members: refreshing works for the enabled contract; the pending one is named, with why.
    r = post(admin, f"{BASE}/members/refresh")
    assert r.status_code == 303, r.text
    members = html.unescape(admin.get(f"{BASE}/members").text)
    assert f'data-waiting-contract="{CONTRACT2}"' in members
    assert "Contract-level access is not turned on for this contract yet" in members
    # The setup page: not simply "Active"; the new contract says why and what to do.
    page = admin.get(BASE).text
    assert status_json(admin)["statusText"] == "Active for 1 of 2 contracts"
    row = contract_row(page, CONTRACT2)
    assert 'data-contract-status="PENDING"' in row and "Enable in LinkedIn" in row
    assert "waiting for LinkedIn" in row
    assert 'data-contract-status="ENABLED"' in contract_row(page, CONTRACT)
    # The Recruiter admin turns it on: both contracts sync, its seats come in.
    switch(site, CONTRACT2, "ENABLED")
    wait_until(lambda: status_json(admin)["statusText"] == "Active", what="both active")
    r = post(admin, f"{BASE}/members/refresh")
    assert r.status_code == 303, r.text
    members = admin.get(f"{BASE}/members").text
    assert f'data-seat="urn:li:seat:{seat2.json()["id"]}"' in members
    assert "data-waiting-contract" not in members


def test_turning_off_the_optional_indicator_keeps_the_sync_running(site):
    admin = site.client("ada@acme.example")
    connected_and_synced(site, admin)
    switch(site, ORG, "DISABLED", "IN_ATS_INDICATOR")
    page = check_now(admin)
    assert status_json(admin)["status"] == "ENABLED"
    assert "The sync is running" in page
    row = contract_row(page, CONTRACT)
    assert 'data-integration="IN_ATS_INDICATOR" data-integration-status="DISABLED"' in row
    assert "Only this feature is off: Recruiter does not show recruitlink" in row
    # And it does run: a new candidate reaches LinkedIn.
    with site.store.writer(site.acme.id) as w:
        w.records("candidates", [(0, Candidate(id="NEW1", first_name="New", last_name="One",
                                               emails=["new1@example.com"]))], mode="create")
    wait_until(lambda: site.li.control.get(f"/organizations/{ORG}/candidates/NEW1"
                                           ).status_code == 200, what="NEW1 on LinkedIn")
    # Every company-level switch off: company access is off, the sync stops and says so.
    switch(site, ORG, "DISABLED")
    page = check_now(admin)
    assert status_json(admin)["status"] == "DISABLED"
    assert "The sync is running" not in page
    assert "Company-level access was turned off" in html.unescape(page)


# -- onboarding: the history window is chosen with the acknowledgement ----------------------------

def test_the_history_window_is_chosen_and_acknowledged_before_activation(site):
    admin = site.client("ada@acme.example")
    start = html.unescape(admin.get(BASE).text)
    assert 'name="history_window"' in start.split('action="/t/acme/integrations/linkedin/'
                                                 'activate"')[1].split("</form>")[0]
    assert re.search(r'class="window-text chosen" data-window="all">from all of their '
                     r'history<', start)
    r = post(admin, f"{BASE}/activate", acknowledge="on", history_window="5y")
    assert r.status_code == 400
    assert "all history, 2 years or 12 months" in (field_error(r.text, "history_window") or "")
    r = post(admin, f"{BASE}/activate", history_window="2y")  # not acknowledged: kept
    assert r.status_code == 400
    assert re.search(r'class="window-text chosen" data-window="2y"', r.text)
    r = post(admin, f"{BASE}/activate", acknowledge="on", history_window="2y")
    assert r.status_code == 303 and "window=2y" in r.headers["location"], r.text
    choose = admin.get(r.headers["location"]).text
    assert '<input type="hidden" name="history_window" value="2y">' in choose
    assert "changed in the last 2 years" in choose
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps(APPROVED),
             history_window="2y")
    assert r.status_code == 303 and "done=connected" in r.headers["location"], r.text
    assert site.connection().policy["history_window"] == "2y"


def test_each_contract_says_how_many_of_its_seats_are_mapped_and_links_to_connect_users(site):
    """SmartRecruiters' 'Connect users' step: 'find the contract in the list, and click Connect
    Users'. The contract's row counts its seats and the unmapped ones, beside a link to
    Members (before, the row said only 'imported', its only action Pause this contract)."""
    admin = site.client("ada@acme.example")
    connected_and_synced(site, admin)
    add_seat(site.li, 0, email="rita@acme.example")  # mapped by email to Rita
    add_seat(site.li, 1, email="someone@elsewhere.example")  # no such user
    r = post(admin, f"{BASE}/members/refresh")
    assert r.status_code == 303, r.text
    row = contract_row(admin.get(BASE).text, CONTRACT)
    cell = re.search(r'<p class="contract-seats">(.*?)</p>', row, re.S)
    assert cell, row
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell.group(1))).strip()
    assert text == "2 seats, 1 not mapped to a user · Connect users", text
    assert f'<a href="{BASE}/members">Connect users</a>' in cell.group(1)
    # Mapped by hand: the row says so.
    with site.store.reader() as conn:
        unmapped = conn.execute(select(schema.linkedin_seats.c.seat).where(
            schema.linkedin_seats.c.tenant_id == site.acme.id,
            schema.linkedin_seats.c.user_id.is_(None))).scalar_one()
    r = post(admin, f"{BASE}/members/map", seat=unmapped, user="R2")
    assert r.status_code == 303, r.text
    row = contract_row(admin.get(BASE).text, CONTRACT)
    assert "2 seats, all mapped to users" in row, row
