"""The environment guard on the pages, in Debian's Chromium (issue 19.7): a staging server
whose database production connected to a production LinkedIn app (a staging copy of
production) says on the Setup page that nothing is sent and why, and the sandbox holds
nothing of its records; activating another workspace there is refused with the same reason.
Screenshots: artifacts/screenshots/environment_guard_*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import Candidate, User
from recruitlink.runtime.context import Runtime
from recruitlink.runtime.servers import bound_socket
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, connections
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.integration.test_pages_admin import wait_until
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    page,
    save_screenshot,
)
from tests.support.servers import serve

KEY = "environment-guard-key-at-least-32-characters"
PASSWORD = "correct horse battery"
ORG = "urn:li:organization:7777"
CONTRACT = "urn:li:contract:3001"
BASE = "/t/{slug}/integrations/linkedin"


@pytest.fixture
def store(sqlite_template) -> Iterator[Store]:
    """One database is enough for a browser walk."""
    with sqlite_template.store() as fresh:
        yield fresh


def sign_in(tab: Any, url: str, workspace: str, email: str) -> None:
    tab.goto(f"{url}/login")
    tab.get_by_label("Workspace").fill(workspace)
    tab.get_by_label("Email").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.locator("body")).not_to_contain_text("Sign in to recruitlink", timeout=10_000)


def app_environment(store: Store, tenant_id: int) -> str | None:
    with store.reader() as conn:
        state = connections.connection(conn, tenant_id)
    return None if state is None else state.app_environment


def test_a_staging_server_says_on_its_pages_why_nothing_is_sent(store, li, page):  # noqa: F811
    acme, globex = make_tenant(store, "acme"), make_tenant(store, "globex")
    for tenant in (acme, globex):
        with store.writer(tenant.id) as w:
            w.records("users", [(0, User(id="A1", name="Ada Admin",
                                         email=f"ada@{tenant.slug}.example",
                                         role="company_admin"))], mode="create")
            accounts.set_password(w.conn, tenant.id, "A1", PASSWORD)
    with store.writer(acme.id) as w:
        w.records("candidates", [(i, Candidate(id=f"C{i}", first_name=f"F{i}", last_name=f"L{i}",
                                               emails=[f"c{i}@example.com"]))
                                 for i in range(5)], mode="create")
    partner_key = next(a["key"] for a in li.control.get("/apps").json()
                       if a["clientId"] == li.app.state.partner.client_id)
    r = li.control.patch(f"/apps/{partner_key}", json={"environment": "PRODUCTION"})
    assert r.status_code == 200, r.text
    sock = bound_socket()  # bound now: a port picked and let go could be taken meanwhile
    port = sock.getsockname()[1]
    production = Settings(
        secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
        partner_client_id=li.app.state.partner.client_id,
        partner_client_secret=li.app.state.partner.client_secret,
        public_url=f"http://127.0.0.1:{port}", job_task_poll_seconds=0.0, pollers=False,
        environment="production")
    # Production connected acme to the production app (and LinkedIn turned it on).
    prod = Runtime.from_settings(production.model_copy(update={
        "database_url": store.db.url}), migrate=False)
    try:
        partner = prod.partner()
        connect(store, prod.box, prod.engine, partner, tenant_slug="acme",
                organization=ORG, contracts=[CONTRACT], public_url=production.public_url)
        for context in (ORG, CONTRACT):
            li.control.post("/integrations/status", json={"integrationContext": context,
                                                          "status": "ENABLED"})
        assert refresh_status(store, prod.box, prod.engine, acme.id)[0] == "ENABLED"
    finally:
        prod.close_engine()
    held_before = sum(li.control.get(f"/organizations/{ORG}/summary").json()["records"]
                      .values())
    child = next(a for a in li.control.get("/apps").json()
                 if a.get("uniqueForeignId") == "recruitlink-acme")

    # The staging server on a copy of that database: its background sync steps acme.
    staging = production.model_copy(update={"environment": "staging"})
    app = create_app(staging, store)
    with serve(app, sock=sock) as url:
        app.state.background.idle_s = 0.05
        why = (f"This instance is staging; LinkedIn app {child['clientId']} is production: "
               "nothing is sent.")
        sign_in(page, url, "acme", "ada@acme.example")
        # The sync's first step meets the guard and keeps what LinkedIn said of the app;
        # the page says so from then on.
        wait_until(lambda: app_environment(store, acme.id) == "PRODUCTION", 30,
                   "the sync to meet the guard")
        page.goto(f"{url}{BASE.format(slug='acme')}")
        refused = page.locator(".environment-refused")
        expect(refused).to_contain_text(why)
        expect(refused).to_contain_text("RECRUITLINK_ENVIRONMENT=production")
        expect(page.locator(".sync-state")).to_contain_text("The sync is stopped: this "
                                                            "instance may not send")
        save_screenshot(page, "environment_guard_setup")
        held = sum(li.control.get(f"/organizations/{ORG}/summary").json()["records"].values())
        assert held == held_before

        # Another workspace cannot even be activated here: the reason is on the page.
        page.context.clear_cookies()
        sign_in(page, url, "globex", "ada@globex.example")
        page.goto(f"{url}{BASE.format(slug='globex')}")
        page.get_by_label("I recognize", exact=False).check()
        page.get_by_role("button", name="Activate").click()
        error = page.locator(".flash.error")
        expect(error).to_contain_text("Activation failed: This instance is staging; "
                                      f"LinkedIn app {li.app.state.partner.client_id} is "
                                      "production: nothing is sent.")
        save_screenshot(page, "environment_guard_activate")
        assert not any(a.get("uniqueForeignId") == "recruitlink-globex"
                       for a in li.control.get("/apps").json())
