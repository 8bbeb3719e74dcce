"""Integrations -> LinkedIn -> Webhooks, walked in Debian's Chromium (issue 18): a company
admin adds an endpoint (first with a plain-http URL to another host, refused next to the
field) pointing at a real receiver on loopback, copies the secret shown once; an event is
delivered by the server's delivery worker (the receiver first answers 500, then 200) and the
receiver verifies it with that secret (`standardwebhooks`); the admin reads the delivery log,
filters it, opens a delivery's attempts and replays a failed one, sees why an endpoint was
disabled by failing deliveries, rotates the secret and deletes the endpoint after a
confirmation.

Screenshots go to artifacts/screenshots/webhooks_<step>.png.
"""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import update
from standardwebhooks import Webhook

from recruitlink.core.records import User
from recruitlink.crypto import SecretBox
from recruitlink.runtime.servers import url_of
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, host_events, schema, webhooks
from recruitlink.store.tenants import Tenant
from recruitlink.web import create_app
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)
from tests.support.keys import TEST_SECRET_KEY
from tests.support.servers import (  # noqa: F401  (refused is a fixture)
    PushReceiver,
    refused,
    serve,
)

PASSWORD = "correct horse battery"
NOW = 1_750_000_000_000  # when the endpoint was disabled, in step 4
BOX = SecretBox(TEST_SECRET_KEY)


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk (the pages' logic runs on both elsewhere)."""
    with sqlite_template.store() as fresh:
        yield fresh


@pytest.fixture
def hooks_receiver() -> Iterator[PushReceiver]:
    receiver = PushReceiver(script=[500])  # the first delivery fails once, then 200s
    with serve(receiver.app()) as url:
        receiver.url = url
        yield receiver


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


def wait_for_status(tab: Any, delivery_id: int, status: str, timeout_ms: int = 30_000) -> None:
    """Reload the endpoint's page until the delivery shows `status` (the worker is a thread)."""
    for _ in range(timeout_ms // 250):
        cell = tab.locator(f"tr[data-delivery='{delivery_id}'] .status")
        if cell.count() and cell.inner_text().startswith(status):
            return
        tab.wait_for_timeout(250)
        tab.goto(tab.url)
    raise AssertionError(f"delivery {delivery_id} never {status}")


def test_an_admin_manages_webhook_endpoints(store, tenant, server, hooks_receiver, refused,
                                           page):
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
    expect(page.locator("#url-error")).to_contain_text("must use https")
    assert page.get_by_label("export.refused").is_checked()
    shot(page, "02_refused_url")
    page.get_by_label("Endpoint URL").fill(f"{hooks_receiver.url}/hooks")
    page.get_by_label("candidate.updated").check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.locator("#signing-secret").input_value()
    assert secret.startswith("whsec_")
    assert "shown only once" in page.locator(".secret-once").inner_text()
    assert "has been added" in page.locator("[role=status]").first.inner_text()
    page.get_by_role("button", name="Copy").click()
    # The clipboard answers asynchronously: wait for the button to say so.
    expect(page.locator("button.copy-secret")).to_have_text("Copied")
    shot(page, "03_added_secret_once")
    page.reload()  # the page read again: the secret is gone for good
    expect(page.locator("#signing-secret")).to_have_count(0)
    page.get_by_role("link", name="← Webhooks").click()
    row = page.locator("tr[data-endpoint]")
    expect(row).to_have_count(1)  # the reload added nothing
    assert "candidate.created, candidate.updated, export.refused" in row.inner_text()
    shot(page, "03b_list")

    # 2. An event (a stub profile filled an email) reaches the receiver, signed: the first
    # answer is a 500, the retry a 200; the page shows both attempts.
    with store.reader() as conn:
        [endpoint] = webhooks.list_endpoints(conn, tenant.id)
    with store.db.write() as conn:
        host_events.emit(conn, tenant.id, "candidate.updated", "C1",
                         {"candidate": "C1", "changed": {"email": "ada@example.com"},
                          "source": "stub_profile"})
    page.locator("tr[data-endpoint]").get_by_role("link").click()
    for _ in range(120):  # the worker dispatches within a second or so
        if page.locator("tr[data-delivery]").count():
            break
        page.wait_for_timeout(250)
        page.goto(page.url)
    first = int(page.locator("tr[data-delivery]").first.get_attribute("data-delivery"))
    wait_for_status(page, first, "delivered")
    pushes = hooks_receiver.wait_for(2)
    payload = Webhook(secret).verify(pushes[1].body, pushes[1].headers)
    assert payload["type"] == "candidate.updated"
    assert payload["data"]["changed"] == {"email": "ada@example.com"}
    shot(page, "04_delivered_after_a_retry")
    page.locator(f"tr[data-delivery='{first}'] td.attempts a").click()
    attempts = page.locator("table.attempt-list tbody tr")
    expect(attempts).to_have_count(2)
    assert "HTTP 500" in attempts.nth(0).inner_text()
    assert "HTTP 200" in attempts.nth(1).inner_text()
    shot(page, "05_attempts")
    page.get_by_role("link", name=f"← {hooks_receiver.url}/hooks").click()

    # 3. Two more events, delivered; one of them left failed (as the engine leaves a
    # delivery after three days of failures); the log filtered; replayed from the page.
    with store.db.write() as conn:
        for candidate in ("C2", "C3"):
            host_events.emit(conn, tenant.id, "candidate.updated", candidate,
                             {"candidate": candidate, "changed": {"phone": "+33 1 23"},
                              "source": "stub_profile"})
    for _ in range(120):
        page.goto(page.url)
        if page.locator("tr.delivery-delivered").count() == 3:
            break
        page.wait_for_timeout(250)
    newest = int(page.locator("tr[data-delivery]").first.get_attribute("data-delivery"))
    with store.db.write() as conn:
        conn.execute(update(schema.webhook_deliveries).where(
            schema.webhook_deliveries.c.id == newest).values(
            status="failed", last_code=503, last_error="HTTP 503", delivered_at=None))
    page.goto(page.url)
    shot(page, "06_log")
    page.get_by_label("Status", exact=True).select_option("failed")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tr[data-delivery]")).to_have_count(1)
    shot(page, "07_failed_only")
    page.locator(f"tr[data-delivery='{newest}']").get_by_role("button", name="Replay").click()
    expect(page.locator("[role=status]").first).to_contain_text("sent again in a moment")
    wait_for_status(page, newest, "delivered")
    assert len(hooks_receiver.wait_for(5)) == 5  # 500, 200, 200, 200, and the replay's 200
    shot(page, "08_replayed_and_delivered")

    # 4. Disabled by failing deliveries: the reason, prominently, on both pages.
    with store.db.write() as conn:
        webhooks.disable_endpoint(conn, endpoint.id, now_ms=NOW,
                                  reason="deliveries failed for 3 days (last: HTTP 503)")
    page.reload()
    expect(page.locator(".hook-disabled")).to_contain_text("HTTP 503")
    shot(page, "09_disabled_by_retries_endpoint")
    page.get_by_role("link", name="← Webhooks").click()
    expect(page.locator(".hook-disabled")).to_contain_text("HTTP 503")
    shot(page, "10_disabled_by_retries_list")
    page.get_by_role("link", name="See its deliveries").click()
    page.get_by_role("button", name="Enable").click()
    expect(page.locator(".hook-disabled")).to_have_count(0)

    # 5. Rotate, then delete after the confirmation.
    page.get_by_role("button", name="Rotate secret").click()
    rotated = page.locator("#signing-secret").input_value()
    assert rotated.startswith("whsec_") and rotated != secret
    shot(page, "11_rotated")
    page.get_by_role("link", name="Delete…").click()
    shot(page, "12_confirm_delete")
    page.get_by_role("button", name="Delete the endpoint").click()
    expect(page.locator("table.hook-list")).to_contain_text("No endpoint yet")
    shot(page, "13_deleted")

    # 6. An endpoint whose port refuses connections: once a delivery fails to connect, it is
    # held (its other deliveries wait for that one's retry), and both pages say so.
    down_url = f"{url_of(refused)}/hooks"  # held, not listening: nobody else answers there
    with store.db.write() as conn:
        down, _ = webhooks.create_endpoint(conn, BOX, tenant.id, url=down_url, types=[],
                                           now_ms=now_ms())
        for candidate in ("C4", "C5", "C6"):
            host_events.emit(conn, tenant.id, "candidate.updated", candidate,
                             {"candidate": candidate, "changed": {"phone": "+33 1 24"},
                              "source": "stub_profile"})
    page.goto(f"{server}/t/{tenant.slug}/integrations/linkedin/webhooks/{down.id}")
    for _ in range(120):  # the server's worker tries within a second or so
        if page.locator(".hook-held-notice").count():
            break
        page.wait_for_timeout(250)
        page.goto(page.url)
    notice = page.locator(".hook-held-notice")
    expect(notice).to_contain_text("Paused after a connection failure")
    expect(notice).to_contain_text("ConnectError")
    shot(page, "14_held_after_a_connection_failure")
    notice.get_by_role("link").click()  # the delivery the endpoint's next try sends
    expect(page.locator("table.attempt-list tbody tr").first).to_contain_text("ConnectError")
    page.get_by_role("link", name=f"← {down_url}").click()
    page.get_by_role("link", name="← Webhooks").click()
    expect(page.locator(f"tr[data-endpoint='{down.id}'] .hook-state")).to_contain_text(
        "Paused after a connection failure")
    shot(page, "15_held_list")
    # The refused form answered 400, as it should; nothing else went wrong in the page.
    errors = [m for m in console_of(page) if m.startswith("error") and "status of 400" not in m]
    assert not errors, console_of(page)
