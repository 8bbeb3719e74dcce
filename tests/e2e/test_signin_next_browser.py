"""Signing in on the way to a page, in Debian's Chromium: a recruiter following LinkedIn
Recruiter's "View in ATS" (Tracker's seed, the In-ATS profile widget) to
/t/<workspace>/candidates/<id> while signed out lands on the sign-in page with the workspace
already filled in (the link says which), signs in with email and password only, and is
taken to the candidate."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import re

from playwright.sync_api import expect

from recruitlink.core.records import Candidate
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
