"""A candidate linked to a LinkedIn member, in Debian's Chromium. One whose member closed their
account (Tracker's seed, milestone 1: "A LinkedIn member deleting their profile results in an
activity in Tracker"): the activity is on the timeline; the candidate's LinkedIn member and
the LinkedIn panel say the account is closed, so a recruiter does not read the widget's "No
LinkedIn profile matches this candidate yet. Find the profile and link it." as a match still
to make. Any linked one: its timeline says how often InMails and notes are brought in.
A confidential one: its timeline says they do not come in. Screenshot:
artifacts/screenshots/member_closed.png."""

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


def test_a_linked_candidate_says_when_recruiter_inmails_arrive(site, page):
    """Tracker's milestone 1: "InMail is periodically synced to candidate records". A
    recruiter who just sent an InMail in Recruiter saw "No activity." and no word of when it
    would come; the timeline of a candidate linked to a member now says how often LinkedIn
    is read. Beamery's FAQ: "Will Beamery users be able to retrieve InMails for confidential
    contacts? No.": a confidential one read the same promise, and a recruiter waited for an
    InMail that never comes; its timeline now says they do not come in."""
    with site.store.writer(site.acme.id) as w:
        w.records("candidates", [(0, Candidate(id="LINKED", first_name="Lin", last_name="Ked")),
                                 (1, Candidate(id="ALONE", first_name="Al", last_name="One")),
                                 (2, Candidate(id="SECRET", first_name="Con", last_name="Fid",
                                               confidential=True))],
                  mode="create")
    connected_and_synced(site, site.client("ada@acme.example"))
    link_member(site.store, site.acme.id, "LINKED", PERSON)
    link_member(site.store, site.acme.id, "SECRET", "urn:li:person:secret1")
    steps.sign_in(page, site.url, "acme", "ada@acme.example", PASSWORD)
    page.goto(f"{site.url}/t/acme/candidates/LINKED")
    expect(page.locator("#timeline #linkedin-import-every")).to_have_text(
        "InMails and notes from LinkedIn Recruiter reach this timeline when LinkedIn is next "
        "read (every 30 minutes).")
    page.goto(f"{site.url}/t/acme/candidates/ALONE")  # no member: no InMail to expect
    expect(page.locator("#linkedin-import-every")).to_have_count(0)
    page.goto(f"{site.url}/t/acme/candidates/SECRET")
    expect(page.locator("#timeline #linkedin-import-confidential")).to_have_text(
        "This candidate is confidential: it is not synced with LinkedIn, so InMails and notes "
        "from LinkedIn Recruiter do not reach this timeline.")
    expect(page.locator("#linkedin-import-every")).to_have_count(0)

