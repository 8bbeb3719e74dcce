"""The Setup page's Quotas section follows the page's live status (seed 001, SmartRecruiters:
the admin watches activation on Integrations -> LinkedIn). Walked in Debian's Chromium: the
page is opened while no Recruiter seat is known ("0 across 0 seats"); LinkedIn's seats then
arrive (a refresh from another session) and the section reads them without a reload, like the
status above it. Screenshot: artifacts/screenshots/setup_live_quotas.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recruitlink.store import Store
from tests.e2e.test_exports_browser import sign_in
from tests.integration.test_pages_admin import (
    BASE,
    Site,
    add_seat,
    connect_through_pages,
    enable,
    post,
    running_site,
    status_json,
    wait_until,
)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    page,
    save_screenshot,
)


@pytest.fixture
def site(sqlite_template, li) -> Iterator[Site]:
    """One database is enough for a browser walk."""
    store: Store
    with sqlite_template.store() as store, running_site(store, li) as running:
        yield running


def test_the_quotas_follow_the_live_status_without_a_reload(site, page):
    page.set_default_timeout(30_000)
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)

    # Pending: 'Pause Sync' says it would hold the first sync.
    sign_in(page, site.url, "acme", "ada@acme.example")
    page.goto(site.url + BASE)
    expect(page.locator(".status-line")).to_contain_text("pending")
    expect(page.locator(".sync-state")).to_contain_text("The sync has not started")
    pause = page.get_by_role("button", name="Pause Sync")
    expect(pause).to_have_accessible_description(re.compile("holds the first sync"))
    page.locator(".sync-state").scroll_into_view_if_needed()
    save_screenshot(page, "setup_pending_pause")

    # LinkedIn enables the contract: the page follows (the status, and the quotas below).
    enable(site.li)
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED")
    expect(page.locator(".status-line")).to_contain_text("Active")
    summary = page.locator(".exports-summary")
    expect(summary).to_contain_text("across 0 seats")
    page.evaluate("window.loadedOnce = true")  # gone if the page reloads

    add_seat(site.li, 0, email="RITA@acme.example")
    add_seat(site.li, 1)
    assert post(admin, f"{BASE}/members/refresh").status_code == 303
    assert status_json(admin)["quotas"]["seats"] == "2 seats"

    expect(summary).to_contain_text("across 2 seats")
    expect(page.locator(".quotas-as-of")).to_contain_text("As of")
    assert page.evaluate("window.loadedOnce === true"), "the page reloaded"
    page.locator("#quotas").scroll_into_view_if_needed()
    save_screenshot(page, "setup_live_quotas")
