"""Integrations -> LinkedIn -> Webhooks, walked in Debian's Chromium (issue 18): a company
admin adds an endpoint (first with a plain-http URL, refused next to the field), copies the
secret shown once, reads the delivery log, filters it, opens a failed delivery's attempts and
replays it, sees why an endpoint was disabled by failing deliveries, rotates the secret and
deletes the endpoint after a confirmation.

Screenshots go to artifacts/screenshots/webhooks_<step>.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from recruitlink.core.records import User
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, webhooks
from recruitlink.store.tenants import Tenant
from recruitlink.web import create_app
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)
from tests.support.servers import serve
from tests.support.webhook_rows import seed_deliveries

PASSWORD = "correct horse battery"
NOW = 1_750_000_000_000


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (the pages' logic runs on both elsewhere)."""
    with sqlite_template.store() as fresh:
        yield fresh


@pytest.fixture
def server(store: Store, tenant: Tenant) -> Iterator[str]:
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "A1", PASSWORD)
    app = create_app(Settings(database_url=store.db.url, inbound_worker=False,
                              background_sync=False, pollers=False,
                              linkedin_api_url="http://127.0.0.1:9"), store=store)
    with serve(app) as url:
        yield url


def shot(tab: Any, name: str) -> None:
    save_screenshot(tab, f"webhooks_{name}")


def test_an_admin_manages_webhook_endpoints(store, tenant, server, page):
    page.goto(f"{server}/login")
    page.get_by_label("Workspace").fill(tenant.slug)
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Integrations → LinkedIn").click()
    page.locator("nav.tabs").get_by_role("link", name="Webhooks").click()
    assert page.get_by_role("heading", name="Webhooks").is_visible()
    shot(page, "01_empty")

    # 1. Add: plain http to another host is refused next to the field, ticks kept.
    page.get_by_label("Endpoint URL").fill("http://ats.example.com/hooks")
    page.get_by_label("Description").fill("Our ATS (production)")
    page.get_by_label("candidate.created").check()
    page.get_by_label("export.refused").check()
    page.get_by_role("button", name="Add endpoint").click()
    assert "must use https" in page.locator("#url-error").inner_text()
    assert page.get_by_label("export.refused").is_checked()
    shot(page, "02_refused_url")
    page.get_by_label("Endpoint URL").fill("https://ats.example.com/hooks")
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.locator("#signing-secret").input_value()
    assert secret.startswith("whsec_")
    assert "shown only once" in page.locator(".secret-once").inner_text()
    row = page.locator("tr[data-endpoint]")
    assert row.count() == 1 and "candidate.created, export.refused" in row.inner_text()
    shot(page, "03_added_secret_once")
    page.goto(page.url)  # the page read again: the secret is gone for good
    assert page.locator("#signing-secret").count() == 0

    # 2. The delivery log: what the engine did, newest first; the failed one's attempts.
    with store.reader() as conn:
        [endpoint] = webhooks.list_endpoints(conn, tenant.id)
    ids = seed_deliveries(store, tenant.id, endpoint.id, ["delivered", "delivered", "failed",
                                                          "pending"], NOW)
    page.locator("tr[data-endpoint]").get_by_role("link").click()
    assert page.locator("tr[data-delivery]").count() == 4
    shot(page, "04_delivery_log")
    page.get_by_label("Status", exact=True).select_option("failed")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("tr[data-delivery]").count() == 1
    page.locator(f"tr[data-delivery='{ids[2]}'] td.attempts a").click()
    assert "HTTP 500" in page.locator("table.attempt-list").inner_text()
    shot(page, "05_attempts")
    page.get_by_role("button", name="Replay").click()
    assert "sent again in a moment" in page.locator("[role=status]").first.inner_text()
    assert page.locator(f"tr[data-delivery='{ids[2]}'] .status").inner_text().startswith(
        "pending")
    shot(page, "06_replayed")

    # 3. Disabled by failing deliveries: the reason, prominently, on both pages.
    with store.db.write() as conn:
        webhooks.disable_endpoint(conn, endpoint.id, now_ms=NOW,
                                  reason="deliveries failed for 3 days (last: HTTP 503)")
    page.reload()
    assert "HTTP 503" in page.locator(".hook-disabled").inner_text()
    shot(page, "07_disabled_by_retries_endpoint")
    page.get_by_role("link", name="← Webhooks").click()
    assert "HTTP 503" in page.locator(".hook-disabled").inner_text()
    shot(page, "08_disabled_by_retries_list")
    page.get_by_role("link", name="See its deliveries").click()
    page.get_by_role("button", name="Enable").click()
    assert page.locator(".hook-disabled").count() == 0

    # 4. Rotate, then delete after the confirmation.
    page.get_by_role("button", name="Rotate secret").click()
    rotated = page.locator("#signing-secret").input_value()
    assert rotated.startswith("whsec_") and rotated != secret
    shot(page, "09_rotated")
    page.get_by_role("link", name="Delete…").click()
    shot(page, "10_confirm_delete")
    page.get_by_role("button", name="Delete the endpoint").click()
    assert "No endpoint yet" in page.locator("table.hook-list").inner_text()
    shot(page, "11_deleted")
    # The refused form answered 400, as it should; nothing else went wrong in the page.
    errors = [m for m in console_of(page) if m.startswith("error") and "status of 400" not in m]
    assert not errors, console_of(page)
