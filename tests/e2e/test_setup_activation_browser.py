"""Setup between Activate and LinkedIn's approval (seed walks: PageUp CRM Connect, Tracker),
in Debian's Chromium against the served app and the sandbox.

After Activate the admin is sent to LinkedIn's onboarding widget. Until she approves there,
the page said "Status: Not connected" (or "Disconnected" after a disconnect), and the
choices made before Activate lived only in the address: leaving for another tab and coming
back through Integrations -> LinkedIn started over. The page now says the activation is in
progress (waiting for her approval in LinkedIn, not LinkedIn's "pending") and keeps the
choices until she approves or cancels.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from recruitlink.core.records import User
from recruitlink.runtime.servers import bound_socket
from recruitlink.settings import Settings
from recruitlink.store import accounts
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.e2e.journeys.steps import sign_in
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    SCREENSHOTS,
    browser,
    browser_context_options,
    page,
    take_screenshot,
)
from tests.support.servers import serve

PASSWORD = "correct horse battery"
IN_PROGRESS = "Activation in progress: waiting for your approval in LinkedIn"


@dataclass
class Served:
    url: str


@pytest.fixture
def served(sqlite_template, li) -> Iterator[Served]:
    with sqlite_template.store() as store:
        acme = make_tenant(store, "acme")
        with store.writer(acme.id) as w:
            w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                         role="company_admin"))], mode="create")
            accounts.set_password(w.conn, acme.id, "A1", PASSWORD)
        # A CRM Connect workspace (seed: PageUp CRM Connect configuration).
        crm = make_tenant(store, "crmco", kind="CRM")
        with store.writer(crm.id) as w:
            w.records("users", [(0, User(id="C1", name="Cleo Admin", email="cleo@crm.example",
                                         role="company_admin"))], mode="create")
            accounts.set_password(w.conn, crm.id, "C1", PASSWORD)
        sock = bound_socket()  # bound now: a port picked and let go could be taken meanwhile
        port = int(sock.getsockname()[1])
        settings = Settings(
            secret_key="e2e-activation-at-least-32-characters-long", linkedin_api_url=li.url,
            linkedin_oauth_url=li.url, partner_client_id=li.app.state.partner.client_id,
            partner_client_secret=li.app.state.partner.client_secret,
            public_url=f"http://127.0.0.1:{port}")
        with serve(create_app(settings, store), sock=sock) as url:
            yield Served(url)


def test_activation_in_progress_survives_other_tabs_until_cancelled(served, page):  # noqa: F811
    page.set_default_timeout(30_000)
    sign_in(page, served.url, "acme", "ada@acme.example", PASSWORD)
    page.get_by_role("link", name="Integrations → LinkedIn").click()
    status = page.locator("[data-live=status]")
    expect(status).to_have_text("Not connected")

    page.get_by_label("History to share").select_option("12m")
    page.get_by_label("I recognize that recruitlink will share").check()
    page.get_by_role("button", name="Activate").click()
    setup = page.locator("#linkedin-setup")
    expect(setup).to_have_attribute("data-state", "choose")
    expect(status).to_have_text(IN_PROGRESS)
    # live.js polls status.json every 2 s: it must not put "Not connected" back.
    page.wait_for_timeout(2_500)
    expect(status).to_have_text(IN_PROGRESS)
    take_screenshot(page, SCREENSHOTS / "setup_activation_01_in_progress.png")

    # Another tab, then back through Integrations -> LinkedIn: still in progress, with the
    # window chosen before Activate, and no second acknowledgement asked for.
    page.get_by_role("navigation", name="LinkedIn integration").get_by_role(
        "link", name="Sync logs").click()
    page.get_by_role("link", name="Integrations → LinkedIn").click()
    expect(setup).to_have_attribute("data-state", "choose")
    expect(status).to_have_text(IN_PROGRESS)
    expect(page.locator(".shared-window")).to_contain_text("changed in the last 12 months")
    expect(page.get_by_role("button", name="Activate")).to_have_count(0)
    take_screenshot(page, SCREENSHOTS / "setup_activation_02_back_from_another_tab.png")

    # "change" goes back to the choices (kept), not to the widget.
    page.locator(".shared-window").get_by_role("link", name="change").click()
    expect(setup).to_have_attribute("data-state", "start")
    expect(page.get_by_label("History to share")).to_have_value("12m")
    expect(status).to_have_text(IN_PROGRESS)
    # A new choice of who sees jobs, saved meanwhile, is kept with the rest.
    page.get_by_label("Only the job's hiring team").check()
    page.get_by_role("button", name="Save visibility").click()
    expect(page.locator(".shared-visibility")).to_contain_text("Only the job's hiring team")
    page.get_by_role("navigation", name="LinkedIn integration").get_by_role(
        "link", name="Members").click()
    page.get_by_role("link", name="Integrations → LinkedIn").click()
    expect(page.locator(".shared-visibility")).to_contain_text("Only the job's hiring team")
    page.goto(f"{served.url}/t/acme/integrations/linkedin")
    expect(setup).to_have_attribute("data-state", "choose")

    # Cancel: the activation is forgotten, and the page says so.
    page.get_by_role("button", name="Cancel activation").click()
    expect(setup).to_have_attribute("data-state", "start")
    expect(page.get_by_text("Activation cancelled")).to_be_visible()
    expect(status).to_have_text("Not connected")
    page.goto(f"{served.url}/t/acme/integrations/linkedin")
    expect(setup).to_have_attribute("data-state", "start")
    page.wait_for_timeout(2_500)
    expect(status).to_have_text("Not connected")


def test_a_crm_workspace_reads_of_pipelines_not_of_picking_a_job(served, page):  # noqa: F811
    """PageUp CRM Connect walk: Setup said recruiters "pick a job" when they export, but CRM
    Connect exports go into pipelines (projects)."""
    sign_in(page, served.url, "crmco", "cleo@crm.example", PASSWORD)
    page.goto(f"{served.url}/t/crmco/integrations/linkedin")
    expect(page.get_by_role("heading", level=1)).to_have_text("LinkedIn CRM Connect")
    section = page.locator("#visibility")
    expect(section).to_contain_text("In-CRM indicator")
    expect(section).to_contain_text("a 1-Click Export goes into a pipeline")
    expect(section).not_to_contain_text("pick a job")
    expect(section).not_to_contain_text("In-ATS")
    take_screenshot(page, SCREENSHOTS / "setup_activation_03_crm_visibility.png")
    # An ATS workspace keeps its own words.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, served.url, "acme", "ada@acme.example", PASSWORD)
    page.goto(f"{served.url}/t/acme/integrations/linkedin")
    expect(page.locator("#visibility")).to_contain_text(
        "pick a job when they export a candidate (1-Click Export)")
    expect(page.locator("#visibility")).to_contain_text("In-ATS indicator")
