"""Explainable identity walked in Debian's Chromium (issue 19, part 3): a stub profile two
candidates could be waits in Integrations -> LinkedIn -> Review; the admin keeps one and merges
the other into it; the candidate page says since when and why it is linked to the member and
lists the merge; the sync deletes the merged candidate on LinkedIn; Unmerge brings it back,
with its own application, on LinkedIn too; merging an unknown id is refused, naming it.

Screenshots go to artifacts/screenshots/identity_<step>.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import Application, Candidate, Note
from recruitlink.inbound.stubs import apply_stub
from recruitlink.store import Store
from tests.integration.test_pages_admin import (
    BASE,
    PASSWORD,
    Site,
    connected_and_synced,
    running_site,
    wait_until,
)
from tests.integration.test_parity_pages import held
from tests.integration.test_sync_engine import ORG
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)

PERSON = "urn:li:person:jane-doe-77"


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (merges run on both in the integration
    tests)."""
    with sqlite_template.store() as fresh:
        yield fresh


@pytest.fixture
def site(store, li) -> Iterator[Site]:
    with running_site(store, li, parity_interval_seconds=0) as running:
        yield running


def applications_on_linkedin(site: Site) -> dict:
    body = site.li.control.get(f"/organizations/{ORG}/records/atsApplications",
                               params={"count": 100}).json()
    return {e["key"]["atsJobApplicationId"]: e["record"]["atsCandidateId"]
            for e in body["elements"]}


def test_review_tab_merge_link_reason_and_unmerge(site, page):
    connected_and_synced(site, site.client("ada@acme.example"))
    with site.store.writer(site.acme.id) as w:
        w.records("candidates", [
            (0, Candidate(id="K1", first_name="Jane", last_name="Doe",
                          emails=["jane@old.example"])),
            (1, Candidate(id="K2", first_name="Jane", last_name="Doe",
                          emails=["jd@other.example"]))], "create")
        w.records("applications", [
            (0, Application(id="AK1", candidate_id="K1", job_id="J0")),
            (1, Application(id="AK2", candidate_id="K2", job_id="J1"))], "create")
        w.records("notes", [(0, Note(id="NK2", candidate_id="K2", body="Call back"))],
                  "create")
    wait_until(lambda: {"K1", "K2"} <= set(held(site)), what="K1 and K2 on LinkedIn")
    with site.store.writer(site.acme.id) as w:  # as the stub poller brings it in
        assert apply_stub(w, {"id": "stub-1", "owner": "urn:li:seat:1", "person": PERSON,
                              "firstName": "Jane", "lastName": "Doe",
                              "emailAddress": "jane@new.example",
                              "createdAt": int(time.time() * 1000)},
                          int(time.time() * 1000)) == "review"

    page.goto(f"{site.url}/login")
    page.get_by_label("Workspace").fill("acme")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{site.url}{BASE}")
    page.locator("nav.tabs").get_by_role("link", name="Review").click()
    item = page.locator("li.review-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("2 candidates are named Jane Doe")
    expect(item).to_contain_text("jane@new.example")
    expect(item.locator("tr[data-candidate]")).to_have_count(2)
    expect(item.locator('tr[data-candidate="K2"]')).to_contain_text("same name Jane Doe")
    save_screenshot(page, "identity_review")

    item.locator('tr[data-candidate="K1"]').get_by_role(
        "button", name="Keep this one, merge the others into it").click()
    expect(page.locator(".flash.notice")).to_contain_text("merged K2 into K1 and linked to it")
    expect(page.locator("#review-empty")).to_have_count(1)
    save_screenshot(page, "identity_review_resolved")

    page.goto(f"{site.url}/t/acme/candidates/K1")
    reason = page.locator("#li-link-reason")
    expect(reason).to_contain_text(f"Linked to LinkedIn member {PERSON} since ")
    expect(reason).to_contain_text("because: linked by an admin in the review queue")
    merged = page.locator("li[data-merge]")
    expect(merged).to_have_count(1)
    expect(merged).to_contain_text("Jane Doe (K2, merged")
    expect(merged).to_contain_text("moved 1 application, 1 note")
    save_screenshot(page, "identity_candidate_merged")
    wait_until(lambda: "K2" not in held(site) and applications_on_linkedin(site).get("AK2")
               == "K1", what="K2 deleted on LinkedIn, its application under K1")

    merged.get_by_role("button", name="Unmerge").click()
    expect(page.locator(".flash.notice")).to_contain_text("Unmerged candidate K2")
    expect(page.locator("li[data-merge]")).to_have_count(0)
    wait_until(lambda: "K2" in held(site) and applications_on_linkedin(site).get("AK2")
               == "K2", what="K2 back on LinkedIn with its application")
    page.goto(f"{site.url}/t/acme/candidates/K2")
    expect(page.locator("#details")).to_contain_text("jd@other.example")
    page.get_by_label("Candidate id to merge into this one").fill("NOPE")
    page.get_by_role("button", name="Merge into Jane Doe").click()
    expect(page.locator("body")).to_contain_text("merged: no candidate 'NOPE' in this tenant")
    save_screenshot(page, "identity_merge_refused")
    page.goto(f"{site.url}/t/acme/candidates/K2")
    assert not [m for m in console_of(page) if "Content Security Policy" in m]
    save_screenshot(page, "identity_unmerged")
