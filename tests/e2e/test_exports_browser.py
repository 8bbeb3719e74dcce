"""A refused export, walked in Debian's Chromium (issue 15: "A recruiter is never told an
export failed"). Rita exports a member into a job twice and a confidential candidate from the
sandbox's LinkedIn Recruiter page, which says only "Sent to your ATS"; then, signed in to
recruitlink, her candidates page tells her two were not taken, and she finds both refusals
and their reasons under "My LinkedIn exports", and the
admin sees them on Integrations -> LinkedIn -> Exports with the exporting recruiter.

Screenshots go to artifacts/screenshots/exports_<step>.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from recruitlink.core.records import Candidate, User
from recruitlink.store import Store, accounts, schema
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    engine,
    member,
    server,
    wait_for_events,
    wired,
)
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (the pages' logic runs on both elsewhere)."""
    with sqlite_template.store() as fresh:
        yield fresh


def shot(tab: Any, name: str) -> None:
    save_screenshot(tab, f"exports_{name}")


def export_in_recruiter(tab: Any, person: str, job: str) -> str:
    tab.goto(f"{tab.url.split('/recruiter/')[0]}/recruiter/profile/{person}")
    tab.select_option("#target", f"JOB:{job}")
    tab.click("#export-button")
    return str(tab.inner_text("[role=status]"))


def sign_in(tab: Any, url: str, slug: str, email: str) -> None:
    tab.goto(f"{url}/login")
    tab.get_by_label("Workspace").fill(slug)
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("link", name="My LinkedIn exports").wait_for()


def test_a_recruiter_sees_why_linkedin_exports_were_refused(store, tenant, li, server, wired,
                                                            page):
    page.set_default_timeout(30_000)
    seat = wired["seat"]
    again, secret = member(li, 90), member(li, 100)
    assert again["person"] != secret["person"]
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        for ext in ("U1", "A1"):
            accounts.set_password(w.conn, tenant.id, ext, PASSWORD)
        w.records("candidates", [(0, Candidate(
            id="SECRET", first_name="Sam", last_name="Secret", person_urn=secret["person"],
            match_method="manual", confidential=True))], mode="create")

    # 1. In LinkedIn Recruiter: the same member into J1 twice, the confidential one into J2.
    page.goto(f"{li.url}/recruiter/login?next=/recruiter/")
    page.click(f"button[data-seat='{seat['id']}']")
    notices = [export_in_recruiter(page, again["person"], "J1"),
               export_in_recruiter(page, again["person"], "J1")]
    shot(page, "01_recruiter_sent_twice")
    notices.append(export_in_recruiter(page, secret["person"], "J2"))
    shot(page, "02_recruiter_sent_confidential")
    for notice in notices:
        assert re.match(r"Sent to your ATS into \w[\w ]* \(job J\d\)", notice), notice
        assert "Exported" not in notice
    expect(page.locator(".sent-export")).to_have_count(1)
    # Recruiter's pages load all they ask for (their icon too: no 404 in the console).
    assert not [m for m in console_of(page) if m.startswith("error")], console_of(page)
    events = wait_for_events(store, 5)[2:]
    assert [e.outcome for e in events] == ["created", "failed", "failed"], events

    # 2. Rita, in recruitlink: My LinkedIn exports lists both refusals and why.
    ours = page.context.new_page()
    ours.set_default_timeout(30_000)
    sign_in(ours, server, tenant.slug, wired["seat"]["emailAddress"])
    expect(ours.locator("#refused-exports")).to_contain_text(
        "2 of your LinkedIn exports were not taken")
    shot(ours, "03a_candidates_notice")
    ours.get_by_role("link", name="My LinkedIn exports").click()
    refused = ours.locator("tr.outcome-refused")
    expect(refused).to_have_count(2)
    expect(refused.nth(0).locator(".reason")).to_contain_text("candidate is confidential")
    expect(refused.nth(1).locator(".reason")).to_contain_text(
        "already in process for Staff Engineer (job J1)")
    expect(ours.locator("tr.outcome-taken")).to_have_count(1)
    shot(ours, "03_my_exports")
    # Her own pushes are all exports: no Push filter offering integration status changes.
    expect(ours.get_by_label("Push", exact=True)).to_have_count(0)
    ours.get_by_label("Outcome").select_option("refused")
    ours.get_by_role("button", name="Filter").click()
    expect(ours.locator("tr[data-event]")).to_have_count(2)
    shot(ours, "04_my_exports_refused")
    ours.get_by_role("button", name="Sign out").click()

    # 3. The admin: Integrations -> LinkedIn -> Exports, with the exporting recruiter.
    sign_in(ours, server, tenant.slug, "ada@acme.example")
    ours.get_by_role("link", name="Integrations → LinkedIn").click()
    ours.locator("nav.tabs").get_by_role("link", name="Exports").click()
    rows = ours.locator("tr.outcome-refused")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Rita Recruiter")
    expect(ours.locator("tr[data-event]")).to_have_count(5)
    expect(ours.get_by_label("Push", exact=True).locator("option")).to_have_text(
        ["Any push", "Exports", "Integration status changes"])
    shot(ours, "05_admin_exports")
    assert not [m for m in console_of(ours) if "Content Security Policy" in m]


def test_exported_by_is_who_the_seat_was_mapped_to_at_the_time(store, tenant, li, server,
                                                                wired, page):
    """PageUp walk: an export made while its seat was unmapped read, once the seat was mapped,
    as if the user mapped afterwards had made it."""
    page.set_default_timeout(30_000)
    seat = wired["seat"]
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "A1", PASSWORD)
        rita = w.conn.execute(select(schema.linkedin_seats.c.user_id).where(
            schema.linkedin_seats.c.seat == seat["seat"])).scalar()
        w.conn.execute(update(schema.linkedin_seats).where(
            schema.linkedin_seats.c.seat == seat["seat"]).values(user_id=None))
    page.goto(f"{li.url}/recruiter/login?next=/recruiter/")
    page.click(f"button[data-seat='{seat['id']}']")
    export_in_recruiter(page, member(li, 110)["person"], "J1")
    assert wait_for_events(store, 3)[2].outcome == "created"
    # Later, the admin maps the seat to Rita.
    with store.writer(tenant.id) as w:
        w.conn.execute(update(schema.linkedin_seats).where(
            schema.linkedin_seats.c.seat == seat["seat"]).values(user_id=rita))

    ours = page.context.new_page()
    ours.set_default_timeout(30_000)
    sign_in(ours, server, tenant.slug, "ada@acme.example")
    ours.goto(f"{server}/t/{tenant.slug}/integrations/linkedin/exports")
    cell = ours.locator("tr.outcome-taken .exported-by").first
    expect(cell).to_contain_text("(unmapped)")
    expect(cell).not_to_contain_text("Rita Recruiter (")
    expect(cell.locator(".seat-now")).to_have_text("The seat is now mapped to Rita Recruiter.")
    assert not cell.inner_text().startswith("Rita Recruiter")
    shot(ours, "06_exported_by_at_the_time")

    # The candidate's activity for that export: its user is the default integration user,
    # and the line says why (it read "... by Tim Okafor · Integration").
    ours.locator("tr.outcome-taken").first.locator("a[href*='/candidates/']").click()
    activity = ours.locator("li.kind-other", has_text="Exported from LinkedIn Recruiter by")
    expect(activity.locator(".attributed")).to_contain_text(
        "· attributed to LinkedIn Integration: the seat was not mapped to a user when it "
        "exported (Members)")
    expect(activity.get_by_role("link", name="Members")).to_have_attribute(
        "href", f"/t/{tenant.slug}/integrations/linkedin/members")
    # What the export changed names the same exporter (not the user mapped since).
    expect(ours.locator("#last-export")).not_to_contain_text("Rita Recruiter")
    shot(ours, "07_candidate_export_attributed")
