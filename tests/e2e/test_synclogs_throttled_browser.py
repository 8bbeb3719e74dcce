"""The sync logs page in Debian's Chromium while LinkedIn throttles the sync (issue 15.4):
the page says it is waiting for LinkedIn's rate limit and when it resumes (live, under the
pages' strict CSP), lists five milestones with the features each unlocks, and keeps
excluded apart from unchanged. The sandbox throttles through PUT /sandbox/throttles.
Screenshot: artifacts/screenshots/synclogs_throttled.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import Candidate
from recruitlink.store import Store
from tests.integration.test_pages_admin import (  # noqa: F401  (site is a fixture)
    BASE,
    PASSWORD,
    connect_through_pages,
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


def test_sync_logs_say_the_sync_waits_for_linkedins_rate_limit(site, page):  # noqa: F811
    with site.store.writer(site.acme.id) as w:
        w.records("candidates", [(10 + i, Candidate(id=f"T{i}", first_name=f"F{i}",
                                                    last_name=f"L{i}",
                                                    emails=[f"t{i}@example.com"]))
                                 for i in range(30)], mode="create")
    r = site.li.control.put("/throttles", json={"family": "atsCandidates", "perMinute": 10})
    assert r.status_code == 200, r.text
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    enable(site.li)
    try:
        wait_until(lambda: status_json(admin).get("waiting"), 60, "the throttle's wait")

        page.set_default_timeout(30_000)
        page.goto(f"{site.url}/login")
        page.get_by_label("Workspace").fill("acme")
        page.get_by_label("Email").fill("ada@acme.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
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
