"""Quotas in sight (issue 19, part 2), walked in Debian's Chromium: an admin opens
Integrations -> LinkedIn, sees the Quotas section (exports this month, the InMail/stub/note
read cap, the app's budgets today and this minute), then Members, where a seat at 80% of its
300 monthly One-Click Exports is flagged. Screenshots: artifacts/screenshots/quotas_<step>.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import User
from recruitlink.store import Store, accounts
from tests.e2e.test_exports_browser import PASSWORD, sign_in
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)
from tests.integration.test_quotas import exported_earlier
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    page,
    save_screenshot,
)


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (test_quotas.py runs both)."""
    with sqlite_template.store() as fresh:
        yield fresh


def shot(tab: Any, name: str) -> None:
    save_screenshot(tab, f"quotas_{name}")


def test_an_admin_sees_the_quotas_and_a_seat_near_its_export_limit(store, tenant, li, server,
                                                                   wired, page):
    page.set_default_timeout(30_000)
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "A1", PASSWORD)
    seat = wired["seat"]["seat"]
    exported_earlier(store, tenant, seat, 239)
    export(li, wired["seat"], member(li, 0)["person"], externalJobPostingId="J1")
    wait_for_events(store, 3 + 239)

    # 1. Integrations -> LinkedIn: the Quotas section.
    sign_in(page, server, tenant.slug, "ada@acme.example")
    page.get_by_role("link", name="Integrations → LinkedIn").click()
    expect(page.get_by_role("heading", name="Quotas")).to_be_visible()
    expect(page.locator(".quota-warning")).to_contain_text(
        "has used 240 of 300 One-Click Exports this month (60 left until the 1st)")
    expect(page.locator(".exports-summary")).to_contain_text("240")
    expect(page.locator(".stub-cap")).to_contain_text("InMail, stub profile and note reads today")
    expect(page.locator(".stub-cap")).to_contain_text("of 100,000")
    jobs = page.locator("tr[data-family='simpleJobPostings']")
    expect(jobs).to_contain_text("Jobs")
    expect(jobs.locator(".left-today")).not_to_have_text("100,000")  # the sync's requests
    expect(page.locator("tr[data-family='atsCandidates'] .left-minute")).to_have_text("10,000")
    page.locator("#quotas").scroll_into_view_if_needed()
    shot(page, "01_setup_quotas")

    # 2. Members: the seat's exports this month, flagged at 80%.
    page.get_by_role("link", name="per seat on the Members page").click()
    row = page.locator(f"tr[data-seat='{seat}']")
    expect(row.locator(".exports-quota")).to_contain_text("240 of 300")
    expect(row.locator(".exports-quota")).to_contain_text("60 left")
    expect(row.locator(".exports-quota")).to_have_class("exports-quota warn")
    expect(page.locator(f".export-quota-warning[data-quota-seat='{seat}']")).to_contain_text(
        "has used 240 of 300 One-Click Exports this month")
    shot(page, "02_members_exports")
