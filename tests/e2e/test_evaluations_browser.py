"""LinkedIn Hiring Assistant evaluations, walked in Debian's Chromium (issue 16): Rita exports
a member into a job from the sandbox's LinkedIn Recruiter page; the export becomes a candidate
with an application, the poller brings LinkedIn's evaluation of it, and the candidate page
shows it under the application: overall fit, summary, each qualification with its assessment
and evidence, and when it was made.

Screenshots go to artifacts/screenshots/evaluations_<step>.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from recruitlink.inbound.evaluations import ASSESSMENT_LABELS, FIT_LABELS
from recruitlink.inbound.pollers import Poller
from recruitlink.store import Store, accounts, schema
from tests.e2e.test_exports_browser import PASSWORD, export_in_recruiter, sign_in
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    candidate,
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


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (the pages' logic runs on both elsewhere)."""
    with sqlite_template.store() as fresh:
        yield fresh


def shot(tab: Any, name: str) -> None:
    save_screenshot(tab, f"evaluations_{name}")


def test_the_candidate_page_shows_linkedins_evaluation_of_the_exported_application(
        store, tenant, li, server, wired, engine, page):
    page.set_default_timeout(30_000)
    seat = wired["seat"]
    m = member(li, 30)
    with store.writer(tenant.id) as w:
        accounts.set_password(w.conn, tenant.id, "U1", PASSWORD)

    # 1. In LinkedIn Recruiter: export the member into J1 (Staff Engineer).
    page.goto(f"{li.url}/recruiter/login?next=/recruiter/")
    page.click(f"button[data-seat='{seat['id']}']")
    assert export_in_recruiter(page, m["person"], "J1").startswith("Sent to your ATS")
    shot(page, "01_recruiter_export")
    (event,) = wait_for_events(store, 3)[2:]
    assert event.outcome == "created", event

    # 2. The poller reads LinkedIn's evaluation of the new application.
    report = Poller(store, engine.box, engine, backfill_days=1, settle_ms=0).poll(tenant.id)
    assert report.outcomes["evaluations:stored"] == 1, report
    (row,) = candidate(store, person_urn=m["person"])
    with store.reader() as conn:
        stored = conn.execute(select(schema.linkedin_evaluations)).one()
        application = conn.execute(select(schema.applications.c.external_id).where(
            schema.applications.c.id == stored.application_id)).scalar_one()

    # 3. Rita opens the candidate: the evaluation sits under the Staff Engineer application.
    ours = page.context.new_page()
    ours.set_default_timeout(30_000)
    sign_in(ours, server, tenant.slug, seat["emailAddress"])
    ours.goto(f"{server}/t/{tenant.slug}/candidates/{row.external_id}")
    card = ours.locator(f"[data-application='{application}'] .li-evaluation")
    expect(card).to_have_count(1)
    assert "LinkedIn Hiring Assistant evaluation" in card.locator("h3").inner_text()
    assert card.get_attribute("data-fit") == stored.overall_fit
    assert FIT_LABELS[stored.overall_fit] in card.inner_text()
    assert card.locator(".summary").inner_text() == stored.summary
    assert "Staff Engineer" in stored.summary
    rows = card.locator("tbody tr")
    assert len(stored.qualifications) == 3
    expect(rows).to_have_count(3)
    for n, q in enumerate(stored.qualifications):
        cells = rows.nth(n)
        assert cells.locator("th").inner_text() == q["requirement"]
        assert cells.locator("td").nth(0).inner_text() == ASSESSMENT_LABELS[q["assessment"]]
        assert cells.locator("td").nth(1).inner_text() == q["evidence"]
    assert "made " in card.inner_text()
    expect(ours.locator("#evaluations-unavailable")).to_have_count(0)
    card.scroll_into_view_if_needed()
    shot(ours, "02_candidate_page")
    assert not [msg for msg in console_of(ours) if "Content Security Policy" in msg]
