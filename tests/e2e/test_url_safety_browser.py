"""Stored XSS through URLs (issue 14, point 1) in a real Chromium: a `javascript:` URL sent
through the data API is refused; one that slipped into the database earlier renders inert on
the candidate and job pages (no link, no dialog when clicked); every page carries the CSP,
which the browser enforces (an injected inline script does not run), and the candidate page
with LinkedIn's profile widget (the sandbox's, framed from another loopback port) works under
it with no CSP violation.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from recruitlink.core.records import Candidate, Job, User
from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.settings import Settings
from recruitlink.store import accounts, connections, schema
from recruitlink.store.tenants import create_api_key
from recruitlink.sync.connect import connect
from recruitlink.sync.engine import EngineSettings, SyncEngine
from recruitlink.web import create_app
from tests.conftest import make_tenant, start_sandbox
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    screenshot_path,
    take_screenshot,
)
from tests.support.servers import serve

KEY = "url-safety-browser-key-at-least-32-characters"
PASSWORD = "correct horse battery"
ORG = "urn:li:organization:7777"
CONTRACT = "urn:li:contract:3001"
PAYLOAD = "javascript:window.pwned=1;alert(document.domain)"
SLIPPED = " JaVaScRiPt:window.pwned=1;alert(document.cookie)"  # leading space, mixed case
# Every CSP violation the page reports (the listener is added by Playwright, before the page's
# own scripts, and is not itself subject to the page's CSP).
WATCH_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


@pytest.fixture
def site(store) -> Iterator[dict[str, Any]]:
    """Acme (ATS): an admin, candidate CX and job J1 (with a safe URL each), an API key; connected
    to a sandbox, history synced; the pages served."""
    tenant = make_tenant(store, "acme")
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "U1", PASSWORD)
        w.records("candidates", [(0, Candidate(
            id="CX", first_name="Xavier", last_name="Inert",
            emails=["xavier@acme-candidates.example"],
            linkedin_url="https://www.linkedin.com/in/xavier"))], mode="create")
        w.records("jobs", [(0, Job(id="J1", title="Staff Engineer",
                                   apply_url="https://careers.acme.example/j1"))],
                  mode="create")
        api_key = create_api_key(w.conn, tenant.id, name="tests", now_ms=1_700_000_000_000)
    sandbox = start_sandbox()
    box = SecretBox(KEY)
    with serve(sandbox) as li_url:
        partner = LinkedInClient(api_url=li_url, oauth_url=li_url,
                                 client_id=sandbox.state.partner.client_id,
                                 client_secret=sandbox.state.partner.client_secret)
        control = httpx.Client(base_url=f"{li_url}/sandbox", timeout=30)
        holder = control.get("/members", params={"start": 200, "count": 1}).json()[
            "elements"][0]
        r = control.post(f"/contracts/{CONTRACT}/seats", json={"person": holder["person"]})
        assert r.status_code in (200, 201), r.text
        engine = SyncEngine(store, box, EngineSettings(
            api_url=li_url, oauth_url=li_url, ats_base_url="http://127.0.0.1:8000",
            job_task_poll_s=0.0, backoff_s=0.01, idle_sleep_s=0.01))
        app = create_app(Settings(secret_key=KEY, linkedin_api_url=li_url,
                                  linkedin_oauth_url=li_url), store)
        with serve(app) as url:
            app.state.inbound.idle_s = 0.05
            connect(store, box, engine, partner, tenant_slug="acme", organization=ORG,
                    contracts=[CONTRACT], public_url=url)
            partner.close()
            for context in (CONTRACT, ORG):
                control.post("/integrations/status", json={"integrationContext": context,
                                                           "status": "ENABLED"})
            deadline = time.monotonic() + 20
            while True:
                with store.reader() as conn:
                    info = connections.load(conn, tenant.id, box)
                if info is not None and info.status == "ENABLED":
                    break
                assert time.monotonic() < deadline, info
                time.sleep(0.05)
            stop = time.monotonic() + 60
            engine.run(tenant.id, stop=lambda: time.monotonic() > stop, until_done=True)
            try:
                yield {"url": url, "li_url": li_url, "api_key": api_key}
            finally:
                engine.close()
                control.close()


def slip_in(store, url: str) -> None:
    """Write `url` straight into the database, as a store before the scheme check did."""
    with store.db.write() as conn:
        conn.execute(update(schema.candidates).where(schema.candidates.c.external_id == "CX")
                     .values(linkedin_url=url))
        conn.execute(update(schema.jobs).where(schema.jobs.c.external_id == "J1")
                     .values(apply_url=url))


def no_script_links(tab: Any) -> None:
    """No anchor or frame on the page points at a script or data URL."""
    bad = tab.eval_on_selector_all("[href], [src]", """els => els
        .map(e => e.getAttribute("href") || e.getAttribute("src"))
        .filter(v => /^\\s*(javascript|vbscript|data):/i.test(v.replace(/[\\t\\n\\r]/g, "")))""")
    assert bad == [], bad


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_script_urls_are_refused_and_inert_under_the_csp(site, store, page):  # noqa: F811
    url, li_url = site["url"], site["li_url"]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    popups: list[Any] = []  # a target="_blank" link would open its URL in a new tab
    page.context.on("page", lambda tab: popups.append(tab.url))
    documents: list[Any] = []
    page.on("response", lambda r: documents.append(r)
            if r.request.resource_type == "document" and r.url.startswith(url) else None)
    page.add_init_script(WATCH_VIOLATIONS)

    # Through the data API (from the browser's own request context): refused, naming the field.
    api = {"Authorization": f"Bearer {site['api_key']}"}
    for path, body, field in (
            ("/api/v1/candidates", {"first_name": "Mal", "linkedin_url": PAYLOAD},
             "linkedin_url"),
            ("/api/v1/jobs", {"title": "Evil", "apply_url": PAYLOAD}, "apply_url"),
            ("/api/v1/candidates/CX", {"linkedin_url": SLIPPED}, "linkedin_url")):
        method = page.request.patch if path.endswith("CX") else page.request.post
        answer = method(f"{url}{path}", data=body, headers=api)
        assert answer.status == 422, answer.text()
        assert [e["field"] for e in answer.json()["error"]["errors"]] == [field]
        assert answer.headers["content-security-policy"]

    # A URL that slipped in before the check renders inert.
    slip_in(store, SLIPPED)
    page.goto(f"{url}/login")
    page.get_by_label("Workspace").fill("acme")
    page.get_by_label("Email").fill("ada@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Candidates").wait_for()

    page.goto(f"{url}/t/acme/candidates/CX")
    page.get_by_role("heading", name="Xavier Inert").wait_for()
    no_script_links(page)
    shown = page.locator(".inert-url")
    assert shown.inner_text() == SLIPPED.strip()
    shown.click()
    page.wait_for_timeout(200)
    assert dialogs == [] and popups == [] and page.evaluate("window.pwned") is None
    # The profile widget loads and frames from LinkedIn (the sandbox) under the CSP.
    page.frame_locator(".li-profile-widget iframe").get_by_text("Sign in to LinkedIn").wait_for()
    page.wait_for_timeout(300)  # the SDK's /widgets/init call has answered
    assert page.evaluate("window.cspViolations") == []
    assert not [m for m in console_of(page) if m.startswith("error")], console_of(page)
    take_screenshot(page, screenshot_path("url_safety_candidate_inert_url"))

    # The browser enforces the CSP: an inline script injected into the page does not run.
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.pwned = 2;"; document.body.append(s); }""")
    page.wait_for_timeout(100)
    assert page.evaluate("window.pwned") is None
    assert [v for v in page.evaluate("window.cspViolations") if v.startswith("script-src")]

    page.goto(f"{url}/t/acme/jobs/J1")
    page.get_by_role("heading", name="Staff Engineer").wait_for()
    no_script_links(page)
    job_url = page.url
    take_screenshot(page, screenshot_path("url_safety_job_inert_url"))
    page.locator(".inert-url").click()
    page.wait_for_timeout(200)
    assert page.url == job_url and page.evaluate("window.pwned") is None
    assert page.evaluate("window.cspViolations") == []

    # The other pages an admin visits.
    for path in ("/t/acme/candidates", "/t/acme/jobs", "/t/acme/integrations/linkedin",
                 "/t/acme/integrations/linkedin/sync-logs",
                 "/t/acme/integrations/linkedin/members", "/t/acme/candidates/NOPE"):
        page.goto(f"{url}{path}")
        page.wait_for_load_state("load")
        assert page.evaluate("window.cspViolations") == [], path

    assert dialogs == [] and popups == []
    assert len(documents) >= 9
    for response in documents:
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self' " + li_url in policy, (response.url, policy)
        assert "'unsafe-inline'" not in policy
        assert response.headers.get("x-content-type-options") == "nosniff"
