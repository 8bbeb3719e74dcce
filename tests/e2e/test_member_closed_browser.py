"""A candidate whose LinkedIn member closed their account, in Debian's Chromium (Tracker's
seed, milestone 1: "A LinkedIn member deleting their profile results in an activity in
Tracker"). The activity is on the timeline; the candidate's LinkedIn member and the LinkedIn
panel say the account is closed, so a recruiter does not read the widget's "No LinkedIn
profile matches this candidate yet. Find the profile and link it." as a match still to make.
Screenshot: artifacts/screenshots/member_closed.png."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import Candidate
from recruitlink.inbound.closures import ACTIVITY, apply_closure
from recruitlink.inbound.links import link_member
from recruitlink.store import Store
from tests.e2e.journeys import steps
from tests.integration.test_pages_admin import (  # noqa: F401  (site is a fixture)
    PASSWORD,
    connected_and_synced,
    site,
)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    SCREENSHOTS,
    browser,
    browser_context_options,
    page,
    take_screenshot,
)

CLOSED_AT = 1_764_000_000_000  # 2025-11-24 16:00 UTC
PERSON = "urn:li:person:closed1"


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk."""
    with sqlite_template.store() as fresh:
        yield fresh


def test_a_candidate_whose_member_closed_their_account_says_so(site, page):
    with site.store.writer(site.acme.id) as w:
        w.records("candidates", [(0, Candidate(id="GONE", first_name="Ann", last_name="Gone",
                                               emails=["ann.gone@example.com"]))],
                  mode="create")
    connected_and_synced(site, site.client("ada@acme.example"))
    link_member(site.store, site.acme.id, "GONE", PERSON)
    page.set_default_timeout(30_000)
    steps.sign_in(page, site.url, "acme", "ada@acme.example", PASSWORD)
    page.goto(f"{site.url}/t/acme/candidates/GONE")
    expect(page.locator("#li-member")).to_contain_text(PERSON)
    expect(page.locator("#li-member-closed")).to_have_count(0)  # not closed: nothing said
    expect(page.locator("#li-closed-note")).to_have_count(0)

    # The closure poller notes it (the default policy: notify).
    with site.store.writer(site.acme.id) as w:
        assert apply_closure(w, {"person": PERSON, "closedAt": CLOSED_AT}, purge=False,
                             now_ms=CLOSED_AT + 60_000) == "notified"
    page.reload()
    expect(page.locator("#timeline")).to_contain_text(ACTIVITY)
    expect(page.locator("#li-member-closed")).to_have_text(
        "This member closed their LinkedIn account on 2025-11-24 16:00 UTC")
    note = page.locator("#linkedin #li-closed-note")
    expect(note).to_contain_text(f"{PERSON} closed their LinkedIn account on 2025-11-24 16:00 UTC")
    expect(note).to_contain_text("Link another profile only if it is the same person.")
    take_screenshot(page, SCREENSHOTS / "member_closed.png")
