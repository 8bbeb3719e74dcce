"""The candidate page's LinkedIn sections, walked in Debian's Chromium (issue 15, points 8 and
9). Rita re-exports a member the ATS already holds from the sandbox's Recruiter page; the
member then shares contact info with a phone written as a British member writes it. On the
candidate page Rita reads what the export changed (old -> new), sees the phone "not taken
from LinkedIn" with its reason, clicks Replay (still not kept: the region is US); the admin
sets the phone region to GB on the Setup page; Rita's Replay now keeps the phone.

Screenshots go to artifacts/screenshots/candidate_linkedin_<step>.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from recruitlink.core.records import Candidate, User
from recruitlink.store import accounts
from tests.e2e.test_exports_browser import (  # noqa: F401  (store: one SQLite database)
    export_in_recruiter,
    store,
)
from tests.integration.test_contact_share_replay import UK_PHONE, share
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    engine,
    member,
    server,
    wait_for_events,
    wired,
)
from tests.integration.test_inbound_pollers import poller
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    page,
    save_screenshot,
)

PASSWORD = "correct horse battery"


def shot(tab: Any, name: str) -> None:
    save_screenshot(tab, f"candidate_linkedin_{name}")


def sign_in(tab: Any, url: str, slug: str, email: str) -> None:
    tab.goto(f"{url}/login")
    tab.get_by_label("Workspace").fill(slug)
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("link", name="Candidates").first.wait_for()


def test_a_recruiter_reads_the_last_export_and_replays_a_rejected_phone(
        store, tenant, li, server, wired, engine, page, browser):
    m = member(li, 140)
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        w.records("candidates", [(0, Candidate(
            id="KNOWN", first_name=m["firstName"], last_name=m["lastName"],
            person_urn=m["person"], match_method="manual", headline="Old headline",
            current_title="Old title", current_company="Old company",
            location="Nowhere, XX"))], mode="create")
        for ext in ("U1", "A1"):
            accounts.set_password(w.conn, tenant.id, ext, PASSWORD)
    seat = wired["seat"]
    page.goto(f"{li.url}/recruiter/login?next=/recruiter/")
    page.click(f"button[data-seat='{seat['id']}']")
    assert "Sent to your ATS" in export_in_recruiter(page, m["person"], "J2")
    assert wait_for_events(store, 3)[2].outcome == "merged"
    profile = li.control.get(f"/members/{m['person']}").json()
    share(li, seat, profile, UK_PHONE)
    assert poller(store, engine).poll(tenant.id).outcomes["stubs:updated"] == 1

    rita = page.context.new_page()  # the sandbox's tab stays open beside
    messages: list[str] = []
    rita.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
    sign_in(rita, server, tenant.slug, seat["emailAddress"])
    rita.goto(f"{server}/t/{tenant.slug}/candidates/KNOWN")
    changed = rita.locator("#last-export")
    changed.get_by_text("Merged into this candidate by a One-Click Export").wait_for()
    headline = changed.locator('tr[data-change="Headline"]')
    assert headline.locator("td").all_inner_texts() == ["Old headline", m["headline"]]
    problems = rita.locator("#linkedin-problems")
    assert f"Phone “{UK_PHONE}” not kept" in problems.inner_text()
    shot(rita, "1_last_export_and_rejected_phone")

    problems.get_by_role("button", name="Replay").click()
    rita.get_by_role("status").get_by_text("still not kept").wait_for()
    shot(rita, "2_replay_still_not_kept")

    admin = browser.new_context().new_page()  # another person, another browser
    admin.set_default_timeout(15_000)
    sign_in(admin, server, tenant.slug, "ada@acme.example")
    admin.goto(f"{server}/t/{tenant.slug}/integrations/linkedin")
    admin.get_by_label("Country of phone numbers without a country code").fill("GB")
    admin.get_by_role("button", name="Save settings").click()
    admin.get_by_text("Sync settings saved.").wait_for()

    rita.reload()
    rita.locator("#linkedin-problems").get_by_role("button", name="Replay").click()
    rita.get_by_role("status").get_by_text("now on the candidate").wait_for()
    expect(rita.locator("#linkedin-problems")).to_have_count(0)
    assert UK_PHONE in rita.locator("#details").inner_text()
    shot(rita, "3_replayed_phone_kept")
    # The pages' strict CSP refuses nothing the page needs (no inline script, no eval).
    assert not [m for m in messages if m.startswith("error")], messages
    admin.context.close()
