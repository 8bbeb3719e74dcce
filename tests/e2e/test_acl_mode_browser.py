"""Who sees which job in LinkedIn Recruiter, walked in Debian's Chromium on `recruitlink demo`
(issue 15 point 7; Comeet's seed: "You can only select positions you have permission to view
in Recruit"). The admin picks "Only the job's hiring team" on Setup; a job whose hiring team
holds seat A's user but not seat B's is then missing from seat B's One-Click Export picker on
the sandbox's Recruiter page while seat A still finds it; switching back to "All Recruiter
users" gives it back to seat B. Screenshots: artifacts/screenshots/journeys/
test_acl_mode_browser/<test>/NN-<step>.png."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from recruitlink.store.schema import jobs, linkedin_seats, sync_ledger, tenants, users
from tests.e2e.journeys.conftest import JOURNEYS, Journey
from tests.support.browser import browser  # noqa: F401  (pytest fixture)
from tests.support.demo import CONTRACT, Demo, eventually

SETUP = "/t/demo/integrations/linkedin"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    started = Demo.start(tmp_path_factory.mktemp("demo"), RECRUITLINK_POLL_INTERVAL_SECONDS="1")
    try:
        yield started
    finally:
        started.command.stop()


@pytest.fixture
def journey(demo: Demo, browser: Any,  # noqa: F811  (the browser fixture)
            request: pytest.FixtureRequest) -> Iterator[Journey]:
    walk = Journey(demo, JOURNEYS / "test_acl_mode_browser" / request.node.name, browser)
    try:
        yield walk
    finally:
        walk.close()


def mapped_seats(demo: Demo) -> list[dict[str, Any]]:
    """The demo workspace's Recruiter seats on its contract that map to a user (pulled and
    mapped by email by the demo's pollers)."""
    db = demo.db()
    try:
        with db.read() as conn:
            rows = conn.execute(
                select(linkedin_seats.c.seat, linkedin_seats.c.person,
                       users.c.external_id.label("user"))
                .join(users, users.c.id == linkedin_seats.c.user_id)
                .join(tenants, tenants.c.id == linkedin_seats.c.tenant_id)
                .where(tenants.c.slug == "demo", linkedin_seats.c.contract == CONTRACT,
                       linkedin_seats.c.active.is_(True))
                .order_by(linkedin_seats.c.seat)).all()
        return [{"id": int(r.seat.rsplit(":", 1)[1]), "person": r.person, "user": r.user}
                for r in rows]
    finally:
        db.dispose()


def listed_job(demo: Demo) -> str:
    """An open job LinkedIn lists for the demo workspace (synced, not confidential)."""
    db = demo.db()
    try:
        with db.read() as conn:
            return str(conn.execute(
                select(jobs.c.external_id)
                .join(tenants, tenants.c.id == jobs.c.tenant_id)
                .join(sync_ledger, (sync_ledger.c.entity == "jobs")
                      & (sync_ledger.c.entity_id == jobs.c.id))
                .where(tenants.c.slug == "demo", jobs.c.status == "open",
                       jobs.c.confidential.is_(False), sync_ledger.c.state == "synced")
                .order_by(jobs.c.id).limit(1)).scalar())
    finally:
        db.dispose()


def exportable_member(demo: Demo) -> str:
    members = httpx.get(f"{demo.sandbox}/sandbox/members", params={"start": 120, "count": 40},
                        timeout=10).json()["elements"]
    return next(m["person"] for m in members
                if not m.get("exportBlocked") and not m.get("privateProfile"))


def recruiter_signs_in(journey: Journey, seat: dict[str, Any], person: str) -> Page:
    page = journey.person()
    page.goto(f"{journey.demo.sandbox}/recruiter/login?next=/recruiter/profile/{person}")
    page.click(f"button[data-seat='{seat['id']}']")
    expect(page.locator("#target")).to_be_visible()
    return page


def picker_has(page: Page, job: str) -> bool:
    """Whether the seat's export picker offers the job, searched by its id (the page then
    says "1 match" or "0 matches")."""
    page.goto(f"{page.url.split('?')[0]}?find={job}")
    expect(page.locator("#target-count")).to_be_visible()
    return page.locator(f"#target option[value='JOB:{job}']").count() == 1


def choose(admin: Page, label: str) -> None:
    admin.goto(f"{admin.url.split('/t/')[0]}{SETUP}#visibility")
    admin.get_by_label(label).check()
    admin.get_by_role("button", name="Save visibility").click()
    expect(admin.locator(".visibility-state strong")).to_have_text(label)


def wait_applied(admin: Page, timeout: float = 60) -> None:
    """Until Setup no longer says Pending (the sync has sent or deleted the hiring teams)."""
    deadline = time.monotonic() + timeout
    state = admin.locator(".visibility-state")
    while state.get_attribute("data-pending") != "no":
        assert time.monotonic() < deadline, "the visibility stayed pending"
        time.sleep(0.5)
        admin.reload()


def test_a_restricted_job_leaves_the_picker_of_a_seat_off_its_hiring_team(demo, journey):
    seats = eventually(lambda: (found := mapped_seats(demo)) and len(found) >= 2 and found,
                       60, "two Recruiter seats mapped to demo users")
    seat_a, seat_b = seats[0], seats[1]
    job = listed_job(demo)
    # The job's hiring team: seat A's user only (as an ATS user edits the job).
    key = demo.api_key("demo")
    r = httpx.patch(f"{demo.server}/api/v1/jobs/{job}", json={"viewer_ids": [seat_a["user"]]},
                    headers={"Authorization": f"Bearer {key}"}, timeout=10)
    assert r.status_code == 200, r.text
    person = exportable_member(demo)

    b = recruiter_signs_in(journey, seat_b, person)
    assert picker_has(b, job)
    journey.shot(b, "seat B sees the job while every Recruiter user sees every job")

    admin = journey.person()
    journey.sign_in(admin)
    admin.goto(f"{demo.server}{SETUP}#visibility")
    expect(admin.get_by_label("All Recruiter users")).to_be_checked()
    journey.shot(admin, "Setup: who sees jobs in LinkedIn Recruiter")
    choose(admin, "Only the job's hiring team")
    journey.shot(admin, "hiring team chosen, pending")
    wait_applied(admin)
    expect(admin.get_by_label("Only the job's hiring team")).to_be_checked()
    journey.shot(admin, "hiring teams on LinkedIn")

    eventually(lambda: not picker_has(b, job), 30, f"{job} gone from seat B's picker")
    journey.shot(b, "seat B no longer sees the job")
    a = recruiter_signs_in(journey, seat_a, person)
    assert picker_has(a, job)
    journey.shot(a, "seat A on the hiring team still sees it")

    choose(admin, "All Recruiter users")
    wait_applied(admin)
    journey.shot(admin, "back to all Recruiter users")
    eventually(lambda: picker_has(b, job), 30, f"{job} back in seat B's picker")
    journey.shot(b, "seat B sees the job again")
