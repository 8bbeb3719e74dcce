"""Consent and field policy (issue 19, part 5), walked in Debian's Chromium: the admin opens
Integrations -> LinkedIn -> Sync settings, keeps phone numbers from LinkedIn and shares only
candidates who consented to `linkedin_recruiter`; the page says how many candidates leave
LinkedIn, "What will be shared" no longer lists phone numbers, and after the sync LinkedIn
holds only the consenting candidate, without its phone. A bad purpose is refused next to the
field. Screenshots: artifacts/screenshots/sharing_<step>.png."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import Candidate, User
from recruitlink.store import Store, accounts
from tests.e2e.test_exports_browser import PASSWORD, sign_in
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    ORG,
    engine,
    server,
    wait_for_events,
    wired,
)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    page,
    save_screenshot,
)


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (test_sharing_policy.py runs both)."""
    with sqlite_template.store() as fresh:
        yield fresh


def shot(tab: Any, name: str) -> None:
    save_screenshot(tab, f"sharing_{name}")


def on_linkedin(li) -> dict[str, Any]:
    body = li.control.get(f"/organizations/{ORG}/records/atsCandidates",
                          params={"count": 100}).json()
    return {e["key"]["atsCandidateId"]: e["record"] for e in body["elements"]}


def test_an_admin_keeps_phones_and_requires_consent(store, tenant, li, server, wired, engine,
                                                    page):
    page.set_default_timeout(30_000)
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "A1", PASSWORD)
        w.records("candidates", [
            (0, Candidate(id="C1", first_name="Katherine", last_name="Johnson",
                          emails=["kj@example.com"], phones=[{"number": "+1 202 555 0100"}],
                          consents=["linkedin_recruiter"])),
            (1, Candidate(id="C2", first_name="Dorothy", last_name="Vaughan",
                          emails=["dv@example.com"]))], mode="create")
    deadline = time.monotonic() + 60
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    assert set(on_linkedin(li)) == {"C1", "C2"} and on_linkedin(li)["C1"]["phoneNumbers"]

    sign_in(page, server, tenant.slug, "ada@acme.example")
    page.get_by_role("link", name="Integrations → LinkedIn").click()
    page.get_by_label("Share only candidates who consented to").fill("not a purpose!")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#required_consent-error")).to_contain_text("consent purpose")
    shot(page, "01_bad_purpose")

    page.get_by_role("checkbox", name="Phone numbers").check()
    page.get_by_label("Share only candidates who consented to").fill("linkedin_recruiter")
    page.get_by_label("Never share candidates tagged").fill("internal, do-not-share")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".flash").first).to_contain_text(
        "1 candidate no longer shared (deleted from LinkedIn by the sync), 0 candidates "
        "shared again")
    expect(page.get_by_role("checkbox", name="Phone numbers")).to_be_checked()
    expect(page.get_by_label("Never share candidates tagged")).to_have_value(
        "internal, do-not-share")
    page.locator("form.policy").scroll_into_view_if_needed()
    shot(page, "02_saved")

    deadline = time.monotonic() + 60
    engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    held = on_linkedin(li)
    assert set(held) == {"C1"} and not held["C1"].get("phoneNumbers")
