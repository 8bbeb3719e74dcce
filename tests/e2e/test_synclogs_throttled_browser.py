"""The sync logs page in Debian's Chromium while LinkedIn throttles the sync (issue 15.4):
the page says it is waiting for LinkedIn's rate limit and when it resumes (live, under the
pages' strict CSP), lists five milestones with the features each unlocks, and keeps
excluded apart from unchanged. The Setup page, where the admin lands after activating (Tracker's
seed, step 9), says the same beside its initial-sync progress, which stands still meanwhile.
The sandbox throttles through PUT /sandbox/throttles.
A new history window once the initial sync has run says what it does (and does not do).
Screenshots: artifacts/screenshots/synclogs_throttled.png, setup_throttled.png,
history_window_after_run.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from recruitlink.core.records import Candidate
from recruitlink.store import Store
from tests.e2e.journeys import steps
from tests.integration.test_pages_admin import (  # noqa: F401  (site is a fixture)
    BASE,
    PASSWORD,
    connect_through_pages,
    connected_and_synced,
    enable,
    post,
    site,
    status_json,
    wait_until,
)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    SCREENSHOTS,
    browser,
    browser_context_options,
    console_of,
    page,
    take_screenshot,
)


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk."""
    with sqlite_template.store() as fresh:
        yield fresh


def throttled(site: Any, candidates: int = 30) -> httpx.Client:  # noqa: F811
    """`candidates` candidates, LinkedIn throttling them, the workspace connected: the
    initial sync waits for LinkedIn's rate limit. Answers the admin's client."""
    with site.store.writer(site.acme.id) as w:
        w.records("candidates", [(10 + i, Candidate(id=f"T{i}", first_name=f"F{i}",
                                                    last_name=f"L{i}",
                                                    emails=[f"t{i}@example.com"]))
                                 for i in range(candidates)], mode="create")
    r = site.li.control.put("/throttles", json={"family": "atsCandidates", "perMinute": 10})
    assert r.status_code == 200, r.text
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    enable(site.li)
    return admin


def sign_in(site: Any, page: Page) -> None:  # noqa: F811
    page.set_default_timeout(30_000)
    steps.sign_in(page, site.url, "acme", "ada@acme.example", PASSWORD)


def test_sync_logs_say_the_sync_waits_for_linkedins_rate_limit(site, page):  # noqa: F811
    admin = throttled(site)
    try:
        wait_until(lambda: status_json(admin).get("waiting"), 60, "the throttle's wait")

        sign_in(site, page)
        page.goto(f"{site.url}{BASE}/sync-logs")
        waiting = page.locator('[data-live="waiting"]')
        waiting.wait_for(state="visible")
        text = waiting.inner_text()
        assert text.startswith("Waiting for LinkedIn's rate limit (atsCandidates: LinkedIn "
                               "throttled the sync): resumes at ")
        # Five milestones, each with what it unlocks.
        rows = page.locator("tr.milestone")
        expect(rows).to_have_count(5)
        assert "5. Activity sync completed" in rows.nth(4).inner_text()
        assert page.locator("tr.features").nth(4).inner_text().count("\n") >= 1
        expect(page.get_by_role("columnheader", name="Excluded")).to_have_count(2)
        # The page keeps itself current (live.js, no inline script): the wait stays shown.
        page.wait_for_timeout(2500)
        assert waiting.is_visible()
        assert not [m for m in console_of(page) if "Content Security Policy" in m]
        take_screenshot(page, SCREENSHOTS / "synclogs_throttled.png")
    finally:
        # A pause ends the wait (the throttled batch sent nothing), so the server stops.
        post(admin, f"{BASE}/pause")


def test_setup_page_says_the_initial_sync_waits_for_linkedins_rate_limit(site, page):  # noqa: F811
    """Throttled, the Setup page's initial-sync progress stands still: the page said only
    "The sync is running: changes are sent to LinkedIn as they happen", and counted
    "0 of 1013 records" until live.js first rewrote it as "0 of 1,013"."""
    admin = throttled(site, candidates=1_010)
    try:
        wait_until(lambda: status_json(admin).get("waiting"), 60, "the throttle's wait")
        # As the server renders it (before live.js), the counts read as everywhere else.
        html = admin.get(BASE).text
        total = status_json(admin)["run"]["total"]
        assert total >= 1_000
        assert re.search(rf"[\d,]+ of {total:,} records", html), "counts without separators"

        sign_in(site, page)
        page.goto(f"{site.url}{BASE}")
        expect(page.get_by_text("The sync is running")).to_be_visible()
        waiting = page.locator('#linkedin-setup [data-live="waiting"]')
        expect(waiting).to_be_visible()
        expect(waiting).to_contain_text("Waiting for LinkedIn's rate limit (atsCandidates: "
                                        "LinkedIn throttled the sync): resumes at ")
        expect(page.locator('[data-live="runState"]')).to_contain_text(f"of {total:,} records")
        page.wait_for_timeout(2500)  # live.js polled: still waiting, still said
        assert waiting.is_visible()
        assert not [m for m in console_of(page) if "Content Security Policy" in m]
        take_screenshot(page, SCREENSHOTS / "setup_throttled.png")
    finally:
        post(admin, f"{BASE}/pause")


# The history window changed after the initial sync has run. Tracker's seed shares two years of
# history; the window only filters the historical sync, so once it has run, widening it to all
# history (or narrowing it) changes nothing on LinkedIn. The page said only "Sync settings
# saved.", and an admin who widened it waited for the older records.

def test_a_new_history_window_after_the_initial_sync_says_what_it_does(site, page):  # noqa: F811
    connected_and_synced(site, site.client("ada@acme.example"))
    page.set_default_timeout(30_000)
    steps.sign_in(page, site.url, "acme", "ada@acme.example", PASSWORD)
    page.goto(f"{site.url}{BASE}")
    expect(page.locator("[data-live=runState]")).to_have_text("complete")

    page.get_by_label("History to sync").select_option("2y")
    page.get_by_role("button", name="Save settings").click()
    notice = page.locator(".flash.notice:not(.waiting)")
    expect(notice).to_contain_text("Sync settings saved. The history window applies to the "
                                   "initial (historical) sync, which has already run and "
                                   "does not run again")
    expect(notice).to_contain_text("records already on LinkedIn stay there")
    expect(page.get_by_label("History to sync")).to_have_value("2y")
    take_screenshot(page, SCREENSHOTS / "history_window_after_run.png")

    # Another setting, the window kept: nothing to explain.
    page.get_by_label("Records per logical batch in the sync logs").fill("500")
    page.get_by_role("button", name="Save settings").click()
    expect(notice).to_have_text("Sync settings saved.")
