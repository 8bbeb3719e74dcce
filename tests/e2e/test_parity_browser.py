"""Integrations -> LinkedIn -> Parity, walked in Debian's Chromium (issue 19, part 1): after the
sync, records are altered and removed behind recruitlink's back in the sandbox; the admin
checks parity now, sees the figure per entity and the drift list (which fields differ),
reconciles, and after the sync has run checks again and sees LinkedIn in parity.

Screenshots go to artifacts/screenshots/parity_<step>.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recruitlink.store import Store
from tests.integration.test_pages_admin import (
    BASE,
    PASSWORD,
    Site,
    connected_and_synced,
    running_site,
    wait_until,
)
from tests.integration.test_parity_pages import behind_our_back, held
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (the pages' logic runs on both elsewhere)."""
    with sqlite_template.store() as fresh:
        yield fresh


@pytest.fixture
def site(store, li) -> Iterator[Site]:
    with running_site(store, li, parity_interval_seconds=0) as running:
        yield running


def test_parity_tab_shows_drift_and_reconciles_it(site, page):
    connected_and_synced(site, site.client("ada@acme.example"))
    behind_our_back(site)  # C1 edited on LinkedIn, C2 removed from it

    page.goto(f"{site.url}/login")
    page.get_by_label("Workspace").fill("acme")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{site.url}{BASE}")
    page.locator("nav.tabs").get_by_role("link", name="Parity").click()
    expect(page.locator(".last-round")).to_have_text("Last checked: never")
    expect(page.locator('tr[data-entity="candidates"] .figure')).to_have_text(
        "not checked yet")

    page.get_by_role("button", name="Check now").click()
    expect(page.locator(".flash.notice")).to_contain_text("read back just now")
    candidates = page.locator('tr[data-entity="candidates"]')
    expect(candidates.locator(".figure")).to_have_text("60.0%")
    expect(candidates).to_have_class("drifted")
    drift = page.locator("table.drift-list tbody tr")
    expect(drift).to_have_count(2)
    expect(page.locator('tr[data-drift="candidates/C1"]')).to_contain_text(
        "Older version on LinkedIn")
    expect(page.locator('tr[data-drift="candidates/C1"]')).to_contain_text("lastName")
    expect(page.locator('tr[data-drift="candidates/C2"]')).to_contain_text(
        "Missing on LinkedIn")
    save_screenshot(page, "parity_drift")
    page.locator("nav.tabs").get_by_role("link", name="Setup").click()
    expect(page.locator(".parity-line")).to_contain_text(
        "LinkedIn parity: Candidates 60.0% (2 records drifted)")
    save_screenshot(page, "parity_setup_line")
    page.locator(".parity-line").get_by_role("link", name="Parity").click()

    page.get_by_role("button", name="Reconcile 2 records").click()
    expect(page.locator(".flash.notice")).to_contain_text("2 records queued for the sync")
    wait_until(lambda: "C2" in held(site) and held(site)["C1"]["lastName"] == "Last1",
               what="the reconciled records on LinkedIn")

    page.get_by_role("button", name="Check now").click()
    expect(page.locator('tr[data-entity="candidates"] .figure')).to_have_text("100.0%")
    expect(drift).to_have_count(1)
    expect(drift).to_contain_text("No drift: LinkedIn holds what it should")
    expect(page.get_by_role("button", name="Reconcile", exact=False)).to_have_count(0)
    assert not [m for m in console_of(page) if "Content Security Policy" in m]
    save_screenshot(page, "parity_in_parity")
