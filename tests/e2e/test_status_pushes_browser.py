"""Integration status pushes on the admin's Exports page, in Debian's Chromium (reviewer's
walk: a push sent after the admin turned a feature OFF read "Enabled", and no row said which
feature). Each row names the feature and the change in the Setup page's words. Screenshots:
artifacts/screenshots/status_pushes_<step>.png."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import User
from recruitlink.store import Store, accounts
from tests.e2e.journeys.steps import sign_in
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    CONTRACT,
    ORG,
    engine,
    server,
    wait_for_events,
    wired,
)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)

PASSWORD = "correct horse battery"
OFF = "Profile widget: Turned off in LinkedIn Recruiter"


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (the pages' logic runs on both elsewhere)."""
    with sqlite_template.store() as fresh:
        yield fresh


def test_the_exports_page_says_which_feature_was_turned_off(store, tenant, li, server,
                                                            wired, page):
    with store.writer(tenant.id) as w:
        w.records("users", [(90, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                      role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "A1", PASSWORD)
    li.control.post("/integrations/status", json={
        "integrationContext": ORG, "status": "DISABLED", "integrationTypes": ["PROFILE_PLUGIN"]})
    wait_for_events(store, 3)

    page.goto(f"{server}/login")
    page.get_by_label("Workspace").fill(tenant.slug)
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Integrations → LinkedIn").click()
    page.locator("nav.tabs").get_by_role("link", name="Exports").click()
    page.get_by_label("Push", exact=True).select_option("INTEGRATION_STATUS_CHANGE")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tr[data-event]")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("td.outcome")).to_have_text(OFF)
    expect(rows.nth(1).locator("td.outcome .change")).to_have_text([
        "1-Click Export: Turned on in LinkedIn Recruiter",
        "In-ATS indicator: Turned on in LinkedIn Recruiter",
        "Profile widget: Turned on in LinkedIn Recruiter"])
    expect(rows.nth(2).locator("td.outcome")).to_contain_text(
        "Recruiter data (InMails, notes, seats)")
    expect(page.locator("td.outcome").filter(has_text="Enabled")).to_have_count(0)
    save_screenshot(page, "status_pushes_01_exports")

    # The Setup page says the same of the feature.
    page.locator("nav.tabs").get_by_role("link", name="Setup").click()
    expect(page.locator("li[data-integration='PROFILE_PLUGIN']")).to_contain_text(OFF)
    page.locator("li[data-integration='PROFILE_PLUGIN']").scroll_into_view_if_needed()
    save_screenshot(page, "status_pushes_02_setup")
    assert not [m for m in console_of(page) if m.startswith("error")], console_of(page)


def test_setup_says_what_pause_does_while_linkedin_has_the_integration_off(
        store, tenant, li, server, wired, page):
    """Tracker walk: with the integration turned off in LinkedIn ("The sync is stopped"),
    Setup still offered Pause Sync without saying what it would do then."""
    with store.writer(tenant.id) as w:
        w.records("users", [(90, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                      role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "A1", PASSWORD)
    for context in (ORG, CONTRACT):
        li.control.post("/integrations/status", json={"integrationContext": context,
                                                      "status": "DISABLED"})
    wait_for_events(store, 4)
    sign_in(page, server, tenant.slug, "ada@acme.example", PASSWORD)
    page.goto(f"{server}/t/{tenant.slug}/integrations/linkedin")
    expect(page.locator("#linkedin-setup")).to_have_attribute("data-state", "disabled")
    expect(page.locator(".sync-state")).to_contain_text("turned off in LinkedIn Recruiter")
    pause = page.get_by_role("button", name="Pause Sync")
    expect(pause).to_have_accessible_description(re.compile(
        "Pausing now keeps the sync stopped when a LinkedIn Recruiter admin turns the "
        "integration on again"))
    save_screenshot(page, "status_pushes_03_disabled_pause")
    pause.click()
    expect(page.locator(".sync-state")).to_contain_text(
        "nothing is synced until a LinkedIn Recruiter admin turns it on again and you resume")
    expect(page.get_by_role("button", name="Resume Sync")).to_be_visible()
    save_screenshot(page, "status_pushes_04_disabled_paused")
