"""The sync logs' "Failed" column per stream, in Debian's Chromium (reviewer's walk: the
stream rows' cells were blank, the milestones counted per store entity). Screenshot:
artifacts/screenshots/synclogs_failed_per_stream.png."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import User
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts
from recruitlink.web import create_app
from tests.integration.test_sync_failed_per_stream import (  # noqa: F401  (pytest fixtures)
    FAILED_STREAMS,
    engine,
    sync_with_failures,
)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)
from tests.support.keys import TEST_SECRET_KEY
from tests.support.servers import serve

PASSWORD = "correct horse battery"


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (both run in the integration test)."""
    with sqlite_template.store() as fresh:
        yield fresh


def test_each_stream_row_shows_its_failed_records(store, tenant, engine, li, page):
    sync_with_failures(store, tenant, engine, li)
    with store.writer(tenant.id) as w:
        w.records("users", [(90, User(id="ADM", name="Ada Admin", email="ada@acme.example",
                                      role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "ADM", PASSWORD)
    settings = Settings(secret_key=TEST_SECRET_KEY, linkedin_api_url=li.url,
                        linkedin_oauth_url=li.url, background_sync=False, pollers=False,
                        inbound_worker=False, webhooks=False)
    with serve(create_app(settings, store)) as url:
        page.goto(f"{url}/login?next=/t/{tenant.slug}/integrations/linkedin/sync-logs")
        page.get_by_label("Workspace").fill(tenant.slug)
        page.get_by_label("Email").fill("ada@acme.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        table = page.locator("table.milestones")
        expect(table.locator("tr.stream")).not_to_have_count(0)
        for name in ("jobs", "candidates", "applications", "stage_transitions",
                     "application_attachments", "candidate_notes", "application_notes",
                     "interview_feedback"):
            # The cell the page renders, and the one live.js keeps up to date.
            expect(table.locator(f"[data-live='s:{name}:failed']")).to_have_text(
                str(FAILED_STREAMS.get(name, 0)))
        for key, failed in (("jobs", 0), ("candidates", 1), ("applications", 2),
                            ("activities", 2)):
            expect(table.locator(f"[data-live='m:{key}:failed']")).to_have_text(str(failed))
        expect(page.locator("[data-live='failedRecords']")).to_have_text("5")
        # live.js rewrites the figures from each poll: the next poll keeps them.
        with page.expect_response(lambda r: r.url.endswith("/status.json")) as polled:
            pass
        assert polled.value.ok
        expect(table.locator("[data-live='s:application_notes:failed']")).to_have_text("1")
        expect(table.locator("[data-live='m:applications:failed']")).to_have_text("2")
        save_screenshot(page, "synclogs_failed_per_stream")
        assert not [m for m in console_of(page) if m.startswith("error")], console_of(page)
