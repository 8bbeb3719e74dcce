"""The company admin's seed walk through the LinkedIn admin pages in Debian's Chromium,
against the served app and the sandbox (seeds: PageUp, SmartRecruiters, Tracker):

sign in -> Integrations -> LinkedIn -> acknowledge what is shared -> Activate -> choose the
contract in LinkedIn's onboarding widget -> activation pending -> a LinkedIn Recruiter admin
turns the integration on (the sandbox's Recruiter admin page) -> active -> the initial sync
finishes in Sync logs (live) -> View errors of the batch with an invalid email -> Members:
refresh, Edit -> Save -> Pause Sync / Resume Sync -> a profile exported from LinkedIn
Recruiter, and its InMail, on the candidate page -> Disconnect -> the deletion report.

Screenshots of each step go to artifacts/screenshots/pages_setup_<step>.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from recruitlink.core.records import Application, Candidate, Job, User
from recruitlink.runtime.servers import bound_socket
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, schema
from recruitlink.store.tenants import Tenant
from recruitlink.web import create_app
from tests.conftest import RunningSandbox, make_tenant
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    SCREENSHOTS,
    browser,
    browser_context_options,
    console_of,
    page,
    take_screenshot,
)
from tests.support.servers import serve

PASSWORD = "correct horse battery"
ORG = "urn:li:organization:7777"
CONTRACT = "urn:li:contract:3001"
SLOW_MS = 120_000


@dataclass
class Walk:
    url: str
    store: Store
    acme: Tenant
    li: RunningSandbox
    admin_seat: dict[str, Any]
    other_seat: dict[str, Any]


def shot(tab: Any, name: str) -> None:
    take_screenshot(tab, SCREENSHOTS / f"pages_setup_{name}.png")


def seat_for(li: RunningSandbox, n: int, email: str | None = None) -> dict[str, Any]:
    found = li.control.get("/members", params={"start": 220 + n, "count": 1}).json()
    # The contract belongs to Acme's company: LinkedIn's widget offers it.
    body: dict[str, Any] = {"person": found["elements"][0]["person"], "organization": ORG}
    if email:
        body["emailAddress"] = email
    r = li.control.post(f"/contracts/{CONTRACT}/seats", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.fixture
def sandbox_config() -> dict[str, Any]:
    """LinkedIn's per-minute limits would make the walk wait minutes: lift them."""
    return {"records_per_minute": 100_000}


@pytest.fixture
def walk(sqlite_template, li) -> Iterator[Walk]:
    with sqlite_template.store() as store:
        acme = make_tenant(store, "acme")
        with store.writer(acme.id) as w:
            w.records("users", [
                (0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                         role="company_admin")),
                (1, User(id="R1", name="Rita Recruiter", email="rita@acme.example",
                         role="recruiter"))], mode="create")
            accounts.set_password(w.conn, acme.id, "A1", PASSWORD)
        # History in a few batches (sub-resources, one call per parent, are left out to
        # keep the walk short), and one record LinkedIn's rules refuse (PageUp: "the email
        # address is invalid").
        with store.writer(acme.id) as w:
            w.records("jobs", [(i, Job(id=f"J{i}", title=f"Engineer {i}", location="Paris, FR",
                                       description="<p>" + "Build things with us. " * 8 + "</p>",
                                       published_at="2025-01-01T00:00:00Z"))
                               for i in range(3)], mode="create")
            w.records("candidates", [(i, Candidate(
                id=f"C{i}", first_name=f"First{i}", last_name=f"Last{i}",
                emails=["ivan.at.example.com"] if i == 1234 else [f"c{i}@example.com"]))
                for i in range(2500)], mode="create")
            w.records("applications", [(i, Application(
                id=f"A{i}", candidate_id=f"C{i}", job_id=f"J{i % 3}")) for i in range(300)],
                mode="create")
        # Ada administers the Recruiter contract; a colleague holds a seat under another
        # email address, so the sync cannot map them by itself.
        admin_seat = seat_for(li, 0, email="ada@acme.example")
        other_seat = seat_for(li, 1)
        sock = bound_socket()  # bound now: a port picked and let go could be taken meanwhile
        port = int(sock.getsockname()[1])
        settings = Settings(
            secret_key="e2e-pages-at-least-32-characters-long", linkedin_api_url=li.url,
            linkedin_oauth_url=li.url,
            partner_client_id=li.app.state.partner.client_id,
            partner_client_secret=li.app.state.partner.client_secret,
            public_url=f"http://127.0.0.1:{port}", job_task_poll_seconds=0.0,
            rate_records_per_minute=100_000,
            # The pollers run every second here (30 minutes by default).
            poll_interval_seconds=1.0, inbound_backfill_days=0.01)
        # The server's background runner (settings.background_sync) runs the sync.
        app = create_app(settings, store)
        with serve(app, sock=sock) as url:
            app.state.inbound.idle_s = 0.05
            app.state.background.idle_s = 0.05
            yield Walk(url, store, acme, li, admin_seat, other_seat)


def turn_on(tab: Any, section: Any, *types: str) -> None:
    """The Recruiter admin's switches on the sandbox's Recruiter admin page (SmartRecruiters
    seed: "Company Level Access", then "Contract Level access"), one integration at a time."""
    for itype in types:
        button = section.locator(f"tr[data-integration='{itype}'] button")
        assert button.inner_text() == "Turn on"
        button.click()
        tab.wait_for_load_state()
        section.locator(f"tr[data-integration='{itype}'] .status", has_text="ENABLED").wait_for()


def test_admin_walks_setup_sync_logs_members_pause_and_disconnect(walk, page):  # noqa: F811
    page.set_default_timeout(30_000)
    page.goto(f"{walk.url}/login")
    page.get_by_label("Workspace").fill("acme")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Integrations → LinkedIn").click()

    # 1. What will be shared, acknowledged; Activate.
    setup = page.locator("#linkedin-setup")
    assert setup.get_attribute("data-state") == "start"
    assert page.get_by_role("heading", name="What will be shared with LinkedIn").is_visible()
    shot(page, "01_start")
    page.get_by_role("button", name="Activate").click()
    expect(page.locator("#acknowledge-error")).to_contain_text("acknowledge")
    # The history window is chosen on the same page; the acknowledgement names it.
    page.get_by_label("History to share").select_option("2y")
    assert page.locator(".window-text[data-window='2y']").is_visible()
    assert not page.locator(".window-text[data-window='all']").is_visible()
    assert "changed in the last 2 years" in page.locator(".activate .checkbox").inner_text()
    page.get_by_label("I recognize that recruitlink will share").check()
    shot(page, "01b_window_acknowledged")
    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".shared-window")).to_contain_text("changed in the last 2 years")

    # 2. LinkedIn's onboarding widget: sign in, choose the contract, approve.
    assert page.locator("#linkedin-setup").get_attribute("data-state") == "choose"
    widget = page.frame_locator("#onboarding-widget iframe")
    widget.get_by_text("Sign in to LinkedIn").wait_for()
    widget.locator(f"input[name=person][value='{walk.admin_seat['person']}']").check()
    widget.get_by_role("button", name="Sign in").click()
    widget.get_by_role("button", name="Approve").wait_for()
    # The contract's company is offered: nobody types a URN.
    expect(widget.get_by_label("Organization URN")).to_have_count(0)
    widget.locator(f"input[name=customer][value='{CONTRACT} {ORG}']").check()
    shot(page, "02_widget")
    widget.get_by_role("button", name="Approve").click()

    # 3. Pending, until a Recruiter admin turns it on; the page follows by itself. The
    #    contract says why, and "Enable in LinkedIn" opens Recruiter's admin page for it.
    page.locator(".pending").get_by_text("Activation is pending").wait_for()
    assert page.locator("[data-live=status]").inner_text() == "Activation pending"
    assert _connection(walk).policy["history_window"] == "2y"
    row = page.locator(f"tr[data-contract='{CONTRACT}']")
    assert row.get_attribute("data-contract-status") == "PENDING"
    assert "Company-level access is not turned on" in row.locator(".reason").inner_text()
    expect(page.get_by_text("The sync is running")).to_have_count(0)
    shot(page, "03_pending")
    with page.context.expect_page() as opened:
        row.get_by_role("link", name="Enable in LinkedIn").click()
    recruiter = opened.value
    recruiter.set_default_timeout(30_000)
    recruiter.wait_for_load_state()
    if "/recruiter/login" in recruiter.url:  # not signed in to Recruiter in this browser yet
        recruiter.click(f"button[data-seat='{walk.admin_seat['id']}']")
    assert recruiter.url.endswith("/recruiter/admin?contract=" + CONTRACT.replace(":", "%3A"))
    section = recruiter.locator(f"section[data-contract='{CONTRACT}']")
    assert section.get_attribute("id") == "focus"
    # Company Level Access first: the contract still waits for its own switch.
    turn_on(recruiter, section, "ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN")
    shot(recruiter, "04_recruiter_admin_company")
    row.locator(".reason", has_text="Contract-level access is not turned on").wait_for(
        timeout=SLOW_MS)
    assert page.locator("[data-live=status]").inner_text() == "Activation pending"
    expect(page.get_by_text("The sync is running")).to_have_count(0)
    shot(page, "04b_pending_contract_level")
    # Then Contract Level access: active, and the sync starts.
    turn_on(recruiter, section, "CSA_API")
    shot(recruiter, "04c_recruiter_admin_contract")
    recruiter.close()
    page.get_by_text("has been activated for").wait_for(timeout=SLOW_MS)
    assert page.locator("[data-live=status]").inner_text() == "Active"
    assert row.get_attribute("data-contract-status") == "ENABLED"
    expect(row.get_by_role("link", name="Enable in LinkedIn")).to_have_count(0)
    shot(page, "05_active")

    # 4. Sync logs: the initial sync's milestones fill up live, then it is complete.
    page.get_by_role("link", name="Sync logs").first.click()
    progress = page.locator("#sync-progress")
    progress.wait_for()
    shot(page, "06_sync_logs_running")
    # A locator, not wait_for_function: the page's CSP forbids the eval that one uses.
    page.locator("[data-live=runState]", has_text=re.compile(r"^\s*complete\s*$")).wait_for(
        timeout=SLOW_MS)
    assert page.locator("[data-milestone=candidates] [data-live$=':state']").inner_text() == (
        "done")
    assert page.locator("tr[data-batch]").count() > 1
    shot(page, "07_sync_logs_done")

    # 5. The batch with the invalid email: View errors.
    page.get_by_label("Status").select_option("errors")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tr[data-batch]")).to_have_count(1)
    page.get_by_role("link", name="View errors").click()
    row = page.locator("tr[data-error]").first
    expect(row).to_contain_text("C1234")
    expect(row).to_contain_text("emailAddresses")
    assert "candidates" in row.inner_text()
    shot(page, "08_batch_errors")

    # 6. Members: pull the seats, map the one the email did not map.
    page.get_by_role("link", name="Members", exact=True).last.click()
    page.get_by_role("button", name="Refresh from LinkedIn").click()
    page.get_by_text("their InMails and notes will not be synced").wait_for()
    mine = page.locator(f"tr[data-seat='{walk.admin_seat['seat']}']")
    assert "Ada Admin" in mine.inner_text() and "auto" in mine.inner_text()
    other = page.locator(f"tr[data-seat='{walk.other_seat['seat']}']")
    assert "unmapped" in other.locator(".mapping").inner_text()
    other.get_by_role("link", name="Edit").click()
    shot(page, "09_members_edit")
    page.locator(f"tr[data-seat='{walk.other_seat['seat']}']").get_by_label(
        "recruitlink user").select_option("R1")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The member has been mapped").wait_for()
    other = page.locator(f"tr[data-seat='{walk.other_seat['seat']}']")
    assert other.locator(".mapping").inner_text() == "manual"
    assert "Rita Recruiter" in other.inner_text()
    expect(page.get_by_text("their InMails and notes will not be synced")).to_have_count(0)
    shot(page, "10_members_mapped")

    # 7. Pause Sync, Resume Sync.
    page.get_by_role("link", name="Setup").click()
    page.get_by_role("button", name="Pause Sync").click()
    page.get_by_role("button", name="Resume Sync").wait_for()
    assert _connection(walk).paused is True
    shot(page, "11_paused")
    page.get_by_role("button", name="Resume Sync").click()
    page.get_by_role("button", name="Pause Sync").wait_for()
    assert _connection(walk).paused is False

    # 8. In LinkedIn Recruiter, Ada exports a member into a job and InMails them: the
    #    candidate page shows the export, and the InMail after the pollers' next round.
    person = next(m["person"] for m in walk.li.control.get(
        "/members", params={"start": 150, "count": 20}).json()["elements"]
        if not m["exportBlocked"] and not m["privateProfile"])
    recruiter = page.context.new_page()
    recruiter.set_default_timeout(30_000)
    recruiter.goto(f"{walk.li.url}/recruiter/login?next=/recruiter/profile/{person}")
    recruiter.click(f"button[data-seat='{walk.admin_seat['id']}']")
    jobs = recruiter.eval_on_selector_all("#target option", "els => els.map(e => e.value)")
    recruiter.select_option("#target", next(j for j in jobs if j.startswith("JOB:")))
    recruiter.click("#export-button")
    assert "Sent to your ATS" in recruiter.inner_text("[role=status]")
    recruiter.fill("#subject", "Engineer role at Acme")
    recruiter.fill("#body", "Would you like to talk about it?")
    recruiter.click("#inmail button[type=submit]")
    assert recruiter.inner_text("[role=status]") == "InMail sent"
    shot(recruiter, "12a_recruiter_export")
    recruiter.close()
    candidate_id = _wait_for(lambda: _exported(walk, person))
    page.goto(f"{walk.url}/t/acme/candidates/{candidate_id}")
    expect(page.get_by_text("Imported: LinkedIn Recruiter").first).to_be_visible()

    def inmail_shown() -> bool:
        page.reload()
        return page.get_by_text("Would you like to talk about it?").count() > 0 or (
            page.get_by_text("Engineer role at Acme").count() > 0)

    _wait_for(inmail_shown)
    assert page.get_by_text("from LinkedIn Recruiter").count() > 0
    shot(page, "12b_candidate_inmail")

    # 9. Disconnect: confirm, then the deletion report (followed live while it runs).
    page.goto(f"{walk.url}/t/acme/integrations/linkedin")
    page.get_by_role("link", name="Disconnect…").click()
    shot(page, "12_disconnect_confirm")
    page.get_by_label("I understand that").check()
    page.get_by_role("button", name="Disconnect and delete").click()
    page.locator("#deletion-report [data-state=done]").wait_for(timeout=SLOW_MS)
    report = page.locator("table.report").inner_text()
    assert "atsCandidates" in report and "simpleJobPostings" in report
    verified = page.locator(".verified").inner_text()
    assert "0 still present on LinkedIn" in verified
    # Which resources were read back: LinkedIn cannot read back every deleted record.
    assert "atsCandidates" in verified and "the resources LinkedIn can read back" in verified
    assert _connection(walk).status == "DISCONNECTED"
    shot(page, "13_deletion_report")
    # The one 400 is the Activate refused without the acknowledgement, on purpose.
    errors = [m for m in console_of(page) if m.startswith("error")
              and "status of 400" not in m]
    assert not errors, errors


def _connection(walk: Walk) -> Any:
    with walk.store.reader() as conn:
        return conn.execute(select(schema.connections).where(
            schema.connections.c.tenant_id == walk.acme.id)).one()


def _exported(walk: Walk, person: str) -> str | None:
    with walk.store.reader() as conn:
        return conn.execute(select(schema.candidates.c.external_id).where(
            schema.candidates.c.tenant_id == walk.acme.id,
            schema.candidates.c.person_urn == person)).scalar()


def _wait_for(check: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not seen within {timeout:.0f}s")
