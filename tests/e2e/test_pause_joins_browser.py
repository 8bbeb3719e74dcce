"""Where the PageUp seed's capabilities meet, on the Setup and Members pages, in Debian's
Chromium (found walking "LinkedIn CRM Connect: Configuration" against the demo):

- Pause Sync, then one contract's pause and resume: while the whole sync is paused nothing
  is imported from LinkedIn Recruiter either (the pollers skip a paused workspace), yet the
  Contracts table said "imported" and pausing a contract said "The sync to LinkedIn goes on".
- A second contract, then Disconnect and connecting again with the first one only: Members
  listed the second contract's seats (and, while disconnected, every seat) as active members
  like the others, and warned of the unmapped one, though no InMail or note of theirs is read.

Screenshots: artifacts/screenshots/pause_joins_*.png.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from recruitlink.core.records import Project
from recruitlink.store import schema
from recruitlink.web.pages import tasks
from tests.integration.test_pages_admin import (
    BASE,
    CONTRACT,
    CONTRACT2,
    ORG,
    PASSWORD,
    Site,
    connect_through_pages,
    connected_and_synced,
    enable,
    post,
    running_site,
    status_json,
    wait_until,
)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    SCREENSHOTS,
    browser,
    browser_context_options,
    page,
    take_screenshot,
)


@pytest.fixture
def site(sqlite_template, li) -> Iterator[Site]:
    """acme served against the sandbox; one database is enough for a browser walk."""
    with sqlite_template.store() as store, running_site(store, li) as running:
        yield running


def shot(tab: Any, name: str) -> None:
    take_screenshot(tab, SCREENSHOTS / f"pause_joins_{name}.png")


def sign_in(tab: Any, url: str, email: str, workspace: str = "acme") -> None:
    tab.goto(f"{url}/login")
    tab.get_by_label("Workspace").fill(workspace)
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.locator("body")).not_to_contain_text("Sign in to recruitlink", timeout=10_000)


def test_a_contract_paused_while_the_sync_is_paused_says_nothing_is_imported(
        site, page):  # noqa: F811
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    enable(site.li)
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED")

    sign_in(page, site.url, "ada@acme.example")
    page.goto(f"{site.url}{BASE}")
    row = page.locator(f"tr[data-contract='{CONTRACT}']")
    # The "Recruiter data (InMails, ...)" column: whether they are imported (its seats and
    # the Connect users link below it).
    recruiter_data = row.locator("td.recruiter-data .import-state")
    expect(recruiter_data).to_have_text("imported")

    # Pause Sync: the contract's Recruiter data is not imported either, and the page says so.
    page.get_by_role("button", name="Pause Sync").click()
    expect(page.get_by_role("button", name="Resume Sync")).to_be_visible()
    expect(recruiter_data).to_have_text("not imported: the sync is paused")
    expect(page.locator(".paused-imports")).to_contain_text(
        "Nor are InMails, notes, seats and contact details imported")
    shot(page, "sync paused")

    # Pausing the contract meanwhile: nothing says the sync goes on.
    row.get_by_role("button", name="Pause this contract").click()
    notice = page.get_by_role("status").filter(has_text="stays paused when you resume the sync")
    expect(notice).to_contain_text("The whole sync is paused meanwhile")
    expect(page.get_by_text("The sync to LinkedIn goes on")).to_have_count(0)
    expect(recruiter_data).to_have_text("not imported: the sync is paused")
    shot(page, "contract paused while the sync is paused")

    row.get_by_role("button", name="Resume this contract").click()
    expect(page.get_by_role("status").filter(
        has_text="imported again once you resume the sync")).to_be_visible()

    # Resume Sync: imported again, and the contract's own pause and resume read as before.
    page.get_by_role("button", name="Resume Sync").click()
    expect(recruiter_data).to_have_text("imported")
    row.get_by_role("button", name="Pause this contract").click()
    expect(page.get_by_role("status").filter(has_text="The sync to LinkedIn goes on")
           ).to_be_visible()
    expect(recruiter_data).to_have_text("paused")
    shot(page, "contract paused while the sync runs")


def seat(site: Site, contract: str, n: int, email: str | None = None) -> dict[str, Any]:
    person = site.li.control.get("/members", params={"start": 240 + n, "count": 1}
                                 ).json()["elements"][0]["person"]
    body: dict[str, Any] = {"person": person, "organization": ORG}
    if email:
        body["emailAddress"] = email
    r = site.li.control.post(f"/contracts/{contract}/seats", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_members_of_a_contract_no_longer_connected_say_they_are_not_synced(
        site, page):  # noqa: F811
    admin = site.client("ada@acme.example")
    rita = seat(site, CONTRACT, 0, email="rita@acme.example")
    kim = seat(site, CONTRACT2, 1)  # under an address no recruitlink user has: unmapped
    connect_through_pages(site, admin)
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps({"integrations": [
        {"integrationType": "CSA_API", "integrationContext": CONTRACT2},
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": ORG}]}))
    assert r.status_code == 303 and "done=added" in r.headers["location"], r.text
    enable(site.li)
    assert site.li.control.post("/integrations/status", json={
        "integrationContext": CONTRACT2, "status": "ENABLED"}).status_code == 200
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED")
    assert post(admin, f"{BASE}/members/refresh").status_code == 303
    # Disconnect, then connect again with the first contract only.
    assert post(admin, f"{BASE}/disconnect", confirm="on").status_code == 303
    done = tasks.wait(site.acme.id, "disconnect", 120)
    assert done is not None and done.error is None, done
    # Disconnected: the seats kept from before are listed as not synced, none as unmapped.
    sign_in(page, site.url, "ada@acme.example")
    page.goto(f"{site.url}{BASE}/members")
    expect(page.get_by_text("Not connected to LinkedIn:")).to_be_visible()
    expect(page.locator(f"tr[data-seat='{kim['seat']}'] .mapping")).to_contain_text(
        "not synced: this workspace is not connected to LinkedIn")
    expect(page.locator(".unmapped-warning")).to_have_count(0)
    shot(page, "members after a disconnect")
    connect_through_pages(site, admin)
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED again")
    assert [c["urn"] for c in site.connection().contracts] == [CONTRACT]

    page.goto(f"{site.url}{BASE}/members")
    page.get_by_role("button", name="Refresh from LinkedIn").click()
    refreshed = page.get_by_role("status").filter(has_text="Refreshed from LinkedIn")
    expect(refreshed).to_contain_text("0 active seats unmapped")
    expect(refreshed).to_contain_text("1 seat, 0 new")  # not "1 seats"
    kim_row = page.locator(f"tr[data-seat='{kim['seat']}']")
    expect(kim_row.locator(".mapping")).to_contain_text(
        f"not synced: {CONTRACT2} is not connected to this workspace")
    expect(kim_row.locator(".mapping")).to_contain_text("+ Add contract on Setup")
    # Its unmapped seat is not one whose InMails could be synced by mapping it.
    expect(page.locator(".unmapped-warning")).to_have_count(0)
    rita_row = page.locator(f"tr[data-seat='{rita['seat']}']")
    expect(rita_row.locator(".mapping")).to_have_text("auto")
    shot(page, "members of a contract no longer connected")

    # A paused contract's seats are listed as not read while it is paused.
    page.goto(f"{site.url}{BASE}")
    page.locator(f"tr[data-contract='{CONTRACT}']").get_by_role(
        "button", name="Pause this contract").click()
    page.goto(f"{site.url}{BASE}/members")
    expect(rita_row.locator(".mapping")).to_contain_text(
        "not read now: this contract is paused (Resume this contract on Setup)")
    shot(page, "members of a paused contract")


def test_a_recruiter_refused_the_admin_pages_is_told_whom_to_ask(site, page):  # noqa: F811
    """PageUp: the person who activates is 'a Company Admin (or above)'. A recruiter who
    follows a colleague's link to Integrations -> LinkedIn read only 'Only an admin can
    open this page.'; the refusal names the workspace's company admins to ask."""
    sign_in(page, site.url, "rita@acme.example")
    for path in ("", "/members", "/sync-logs"):
        page.goto(f"{site.url}{BASE}{path}")
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
        expect(page.locator(".problem")).to_have_text(
            "Only an admin can open this page. Ask a company admin of Acme for access: "
            "Ada Admin (ada@acme.example).")
    shot(page, "recruiter refused")


def test_an_invalid_email_in_view_errors_is_corrected_from_the_pages(site, page):  # noqa: F811
    """PageUp: 'The most likely cause of a candidate sync errors is: The email address is
    invalid'. Sync logs said 'correct the record in recruitlink and it is sent again', and
    View errors links the candidate, but no page could change a candidate's email address:
    the admin corrects it on the candidate's page, and the sync sends it again."""
    connected_and_synced(site, site.client("ada@acme.example"))
    sign_in(page, site.url, "ada@acme.example")
    page.goto(f"{site.url}{BASE}/sync-logs")
    expect(page.get_by_text("correct it on the candidate's page")).to_be_visible()
    page.get_by_label("Status").select_option("errors")
    page.get_by_role("button", name="Filter").click()
    page.locator("tr[data-batch]").first.get_by_role("link", name="View errors").click()
    error = page.locator("tr[data-error]").filter(has_text="C3")
    expect(error.locator(".reason")).to_contain_text("not a valid email address")
    error.get_by_role("link", name="C3").click()

    edit = page.locator("#edit-contact")
    edit.locator("summary").click()
    expect(edit.get_by_label("Email addresses")).to_have_value("not-an-email")
    # Too many lines: the reason next to the field, what was typed kept, nothing saved.
    edit.get_by_label("Email addresses").fill("\n".join(f"c3.{i}@example.com"
                                                         for i in range(21)))
    edit.get_by_role("button", name="Save").click()
    expect(page.locator("#emails-error")).to_have_text(
        "Email addresses: at most 20, one per line.")
    expect(page.locator("#details")).to_contain_text("not-an-email")
    edit.get_by_label("Email addresses").fill("c3@example.com")
    edit.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved: the email addresses")
           ).to_be_visible()
    expect(page.locator("#details")).to_contain_text("c3@example.com")
    shot(page, "candidate email corrected")

    # The sync sends it again: no failed record is left.
    page.goto(f"{site.url}{BASE}/sync-logs")
    expect(page.locator("[data-live=failedRecords]")).to_have_text("0", timeout=30_000)


def test_refreshing_members_while_activation_is_pending_says_nothing_was_read(
        site, page):  # noqa: F811
    """While activation is pending LinkedIn gives no contract's seats; Members told the admin
    to 'use Refresh from LinkedIn', and Refresh answered 'Refreshed from LinkedIn: 0 seats,
    ... 0 active seats unmapped', as if the contract had no Recruiter users."""
    seat(site, CONTRACT, 0, email="rita@acme.example")
    connect_through_pages(site, site.client("ada@acme.example"))
    sign_in(page, site.url, "ada@acme.example")
    page.goto(f"{site.url}{BASE}/members")
    expect(page.locator(".waiting-contract")).to_contain_text(
        f"Seats of {CONTRACT} cannot be read yet")
    expect(page.locator(".member-list tbody")).to_have_text(
        "No Recruiter seats yet: they are read once LinkedIn Recruiter enables a contract "
        "(see above).")
    page.get_by_role("button", name="Refresh from LinkedIn").click()
    expect(page.get_by_role("status").filter(has_text="Nothing was read from LinkedIn")
           ).to_contain_text("Enable the integration in LinkedIn Recruiter (see above)")
    expect(page.get_by_text("Refreshed from LinkedIn")).to_have_count(0)
    shot(page, "members refreshed while pending")


def test_a_projects_visibility_settings_are_set_on_its_page(site, page):  # noqa: F811
    """PageUp, Controlling Synchronised Data: 'Only Projects where the Visibility Settings
    is set to "Share this project with all recruiters" will be synchronised'. The Projects
    pages marked a project Private but no page could change it (the data API only)."""
    with site.store.reader() as conn:
        tenant_id = conn.execute(select(schema.tenants.c.id).where(
            schema.tenants.c.slug == "globex")).scalar_one()
    with site.store.writer(tenant_id) as w:
        w.records("projects", [(0, Project(id="P1", title="Stealth search",
                                           shared_with_all=False))], mode="create")
    sign_in(page, site.url, "gina@globex.example", workspace="globex")
    page.goto(f"{site.url}/t/globex/projects/P1")
    expect(page.locator("h1 .badge.confidential")).to_have_text("Private")
    settings = page.locator("#project-visibility")
    private = settings.get_by_role("radio", name=re.compile("Private: not synced"))
    everyone = settings.get_by_role("radio", name=re.compile("Share this project with all"))
    expect(private).to_be_checked()
    everyone.check()
    settings.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text(
        "this project is shared with all recruiters. The sync sends it")
    expect(page.locator("h1 .badge.confidential")).to_have_count(0)

    def shared() -> Any:
        with site.store.reader() as conn:
            return conn.execute(select(schema.projects.c.shared_with_all).where(
                schema.projects.c.tenant_id == tenant_id,
                schema.projects.c.external_id == "P1")).scalar_one()
    assert shared() is True
    shot(page, "project shared with all recruiters")
    private.check()
    settings.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The sync removes it and its members")
    assert shared() is False
