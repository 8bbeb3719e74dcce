"""Compliance walked in Debian's Chromium (issue 19, part 4): a synced candidate's audit trail,
its erasure from the candidate page (the sync deletes it on LinkedIn), the certificate once
LinkedIn is read back, the Compliance tab's task list, and the erased record's audit trail.

Screenshots go to artifacts/screenshots/compliance_<step>.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from recruitlink.core.records import Application
from recruitlink.store import Store
from recruitlink.store.tenants import create_api_key
from tests.integration.test_pages_admin import (
    BASE,
    PASSWORD,
    Site,
    connected_and_synced,
    post,
    running_site,
    wait_until,
)
from tests.integration.test_parity_pages import held
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (the logic runs on both elsewhere)."""
    with sqlite_template.store() as fresh:
        yield fresh


@pytest.fixture
def site(store, li) -> Iterator[Site]:
    # The test reads LinkedIn back itself (the button); the scheduler is not on a timer here.
    with running_site(store, li, parity_interval_seconds=0,
                      compliance_interval_seconds=0) as running:
        yield running


def test_erase_a_candidate_see_its_certificate_task_and_audit_trail(site, page):
    with site.store.writer(site.acme.id) as w:
        w.records("applications", [(0, Application(id="AP1", candidate_id="C1", job_id="J0"))],
                  mode="create")
    connected_and_synced(site, site.client("ada@acme.example"))
    assert "C1" in held(site)

    page.goto(f"{site.url}/login")
    page.get_by_label("Workspace").fill("acme")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    candidate = f"{site.url}/t/acme/candidates/C1"
    page.goto(candidate)
    page.locator("#privacy").get_by_role("link", name="Audit trail").click()
    sent = page.locator('table.journey tr[data-direction="sent"]')
    expect(sent).to_have_count(2)  # the candidate and its application, historical run
    expect(sent.first).to_contain_text("historical sync")
    expect(page.locator('tr[data-ledger="candidates/C1"]')).to_contain_text("synced")
    save_screenshot(page, "compliance_audit_before")

    page.goto(candidate)
    page.get_by_role("button", name="Erase candidate").click()
    # The browser holds the form back until the box is ticked.
    expect(page).to_have_url(candidate)
    page.get_by_label("Erase this candidate everywhere").check()
    save_screenshot(page, "compliance_candidate_page")
    page.get_by_role("button", name="Erase candidate").click()
    expect(page.locator(".flash.notice")).to_contain_text("Erased.")
    expect(page.locator("#erasure-state")).to_have_text("due")
    expect(page.locator("#read-back")).to_contain_text("not yet")
    expect(page.locator(".erased-records td.read-back")).to_have_text(["not yet", "not yet"])
    expect(page.locator("table.erased-records tbody tr")).to_have_count(2)
    save_screenshot(page, "compliance_erased")

    wait_until(lambda: "C1" not in held(site), what="the sync deleting C1 on LinkedIn")
    page.get_by_role("button", name="Read LinkedIn back now").click()
    expect(page.locator(".flash.notice")).to_contain_text("read back just now")
    expect(page.locator("#erasure-state")).to_have_text("verified")
    expect(page.locator("#read-back")).to_contain_text("2 record(s) read back, LinkedIn "
                                                      "holds 0")
    expect(page.locator("#certificate")).not_to_contain_text("First1")
    expect(page.locator(".erased-records td.read-back")).to_have_text(["gone", "gone"])
    save_screenshot(page, "compliance_certificate")

    page.goto(f"{site.url}{BASE}")
    page.locator("nav.tabs").get_by_role("link", name="Compliance").click()
    duty = page.locator('tr[data-duty="erasure/C1"]')
    expect(duty).to_have_attribute("data-state", "done")
    expect(duty).to_contain_text("verified: LinkedIn holds none of the 2 record(s)")
    page.get_by_role("link", name="Overdue", exact=True).click()
    expect(page.locator("table.duty-list tbody tr")).to_have_text("No duties overdue.")
    save_screenshot(page, "compliance_tab")

    page.goto(f"{site.url}/t/acme/candidates/C1/audit")
    expect(page.locator("#audit-erasure")).to_contain_text("done")
    expect(page.locator('tr[data-direction="sent"]').first).to_contain_text("delete")
    expect(page.locator('tr[data-direction="compliance"]')).to_contain_text("erasure C1")
    assert not [m for m in console_of(page) if "Content Security Policy" in m]
    save_screenshot(page, "compliance_audit_after")

    # The same through the API: the task list, the certificate, a clear 404.
    with site.store.db.write() as conn:
        key = create_api_key(conn, site.acme.id, name="tests", now_ms=1_750_000_000_000)
    with httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {key}"}) as api:
        duties = api.get("/api/v1/linkedin/compliance").json()
        assert [(d["kind"], d["subject"], d["state"]) for d in duties["duties"]] == [
            ("erasure", "C1", "done")]
        assert duties["policy"] == {"closedMembers": "notify", "closureWindowDays": 30,
                                    "historyRetentionDays": None}
        cert = api.get("/api/v1/candidates/C1/erasure").json()
        assert cert["verified"] and cert["certificate"]["readBack"]["held"] == []
        r = api.post("/api/v1/candidates/C404/erase")
        assert r.status_code == 404 and r.json()["error"]["errors"][0]["field"] == "candidate"
        r = api.put("/api/v1/linkedin/compliance/policy", json={"closureWindowDays": 45})
        assert r.status_code == 422, r.text
        r = api.put("/api/v1/linkedin/compliance/policy",
                    json={"closedMembers": "purge", "historyRetentionDays": 365})
        assert r.json() == {"closedMembers": "purge", "closureWindowDays": 30,
                            "historyRetentionDays": 365}, r.text

    # Setup -> Sync settings holds the same fields: a bad one is named, a good one kept.
    admin = site.client("ada@acme.example")
    form = {"history_window": "all", "default_availability": "PRIVATE_TO_ATS_INTEGRATION",
            "phone_region": "US", "batch_size": "1000"}
    r = post(admin, f"{BASE}/policy", **form, closed_members="notify",
             closure_window_days="31", history_retention_days="")
    assert r.status_code == 400 and "from 0 to 30" in r.text
    r = post(admin, f"{BASE}/policy", **form, closed_members="notify",
             closure_window_days="14", history_retention_days="")
    assert r.status_code == 303, r.text
    assert {k: site.connection().policy[k] for k in (
        "closed_members", "closure_window_days", "history_retention_days")} == {
        "closed_members": "notify", "closure_window_days": 14, "history_retention_days": None}
