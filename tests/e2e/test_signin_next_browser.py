"""Signing in, in Debian's Chromium. An admin about to activate is pointed to LinkedIn
Recruiter to sign in there first. A recruiter following LinkedIn Recruiter's "View in ATS"
(Tracker's seed, the In-ATS profile widget) to /t/<workspace>/candidates/<id> while signed
out lands on the sign-in page with the workspace already filled in (the link says which),
signs in with email and password only, and is taken to the candidate. Before LinkedIn is
connected, the candidate's LinkedIn panel tells a recruiter who connects it."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import re

from playwright.sync_api import expect

from recruitlink.core.records import Candidate
from tests.e2e.journeys import steps
from tests.e2e.test_member_closed_browser import store  # noqa: F401  (one database)
from tests.integration.test_pages_admin import PASSWORD, site  # noqa: F401  (a fixture)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    page,
)


def test_a_link_into_a_workspace_fills_in_the_workspace_to_sign_in(site, page):
    with site.store.writer(site.acme.id) as w:
        w.records("candidates", [(0, Candidate(id="C7", first_name="Ann", last_name="Lee"))],
                  mode="create")
    page.goto(f"{site.url}/t/acme/candidates/C7")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.get_by_label("Workspace")).to_have_value("acme")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{site.url}/t/acme/candidates/C7")
    expect(page.get_by_role("heading", name="Ann Lee")).to_be_visible()

    # Any other page leaves the field empty; a path that is no workspace fills in nothing.
    page.context.clear_cookies()
    for path in ("/login", "/login?next=/t/Not%20a%20slug/candidates"):
        page.goto(f"{site.url}{path}")
        expect(page.get_by_label("Workspace")).to_have_value("")


def test_a_recruiter_learns_who_connects_linkedin(site, page):
    """Not connected, the candidate page's LinkedIn panel told a recruiter only "LinkedIn is
    not connected." (an admin got a link to set it up): now it says who can."""
    steps.sign_in(page, site.url, "acme", "rita@acme.example", PASSWORD)
    page.goto(f"{site.url}/t/acme/candidates/C1")
    note = page.locator("#linkedin #li-not-connected")
    expect(note).to_have_text("LinkedIn is not connected: the LinkedIn profile shows here once "
                              "an admin of this workspace has set up LinkedIn Recruiter "
                              "(Integrations → LinkedIn).")
    expect(note.get_by_role("link")).to_have_count(0)  # the page is an admin's


def test_before_activating_the_admin_is_taken_to_sign_in_to_linkedin_recruiter(site, page):
    """Tracker's tip: "it is recommended that you are logged into LinkedIn Recruiter within
    the same browser". The Setup page said "Sign in to LinkedIn Recruiter in this browser
    first." without saying where: it now links to Recruiter (the sandbox's here)."""
    steps.sign_in(page, site.url, "acme", "ada@acme.example", PASSWORD)
    page.goto(f"{site.url}/t/acme/integrations/linkedin")
    link = page.get_by_role("link", name="Sign in to LinkedIn Recruiter")
    expect(link).to_have_attribute("href", f"{site.li.url}/recruiter/")
    with page.context.expect_page() as opened:
        link.click()
    recruiter = opened.value
    expect(recruiter.get_by_role("heading", name="Sign in to LinkedIn")).to_be_visible()
    recruiter.close()
