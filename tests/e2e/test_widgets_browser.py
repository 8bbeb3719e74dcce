"""The widgets in a real Chromium: a host page (the ATS) on one loopback port embeds them with
the sandbox's SDK from another, as a partner embeds LinkedIn's (reference §1.3, §6.1).

The host page's callbacks store what they receive in JS globals, which the tests read.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from recruitlink.sandbox.widgets.pages import mount_widgets
from tests.conftest import CONTRACT, ORG, start_sandbox
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    wait_for_console,
)
from tests.support.linkedin import Raw, body_key, candidate_key, candidate_record, ids_query
from tests.support.servers import serve

INIT_ERROR = "Error trying to initialize the widget!"
RSC = "RECRUITER_SYSTEM_CONNECT_COMPANY,RECRUITER_SYSTEM_CONNECT_CONTRACT"


def host_app(sandbox_url: str, api_key: str) -> Starlette:
    """A minimal ATS: an admin page with the onboarding widget, a candidate page with the
    profile widget, and a page that frames a widget directly, bypassing the SDK."""
    sdk = (f'<script src="{html.escape(sandbox_url)}/sdk.js" data-api-key="{html.escape(api_key)}"'
           ' data-extensions="ATSIntegrationWidget,HcmWidget"></script>')
    callbacks = """<script>
      window.integrated = null; window.linked = []; window.unlinked = [];
      function onIntegrate(integrations) { window.integrated = integrations; }
      var ats = {onLink: function (person) { window.linked.push(person); }};
      function onUnlink(person) { window.unlinked.push(person); }
    </script>"""

    def layout(body: str) -> HTMLResponse:
        return HTMLResponse(f"<!doctype html><html><head><title>Acme ATS</title></head><body>"
                            f"<h1>Acme ATS</h1>{callbacks}{body}{sdk}</body></html>")

    async def admin(_: Request) -> HTMLResponse:
        return layout(f'<div class="li-ats-integration-widget" data-onintegrate="onIntegrate"'
                      f' data-supported-bundled-integration-types="{RSC}" data-width="640">'
                      f'</div>')

    async def candidate(request: Request) -> HTMLResponse:
        candidate_id = html.escape(request.path_params["candidate"])
        return layout(f'<h2>Candidate {candidate_id}</h2>'
                      f'<div class="li-profile-widget" data-widget-type="ATS"'
                      f' data-ats-candidate-id="{candidate_id}" data-integration-context="{ORG}"'
                      f' data-onlink="ats.onLink" data-onunlink="onUnlink" data-show-unlink-url'
                      f' data-confirm-unlink="true" data-width="520"></div>')

    async def framed(request: Request) -> HTMLResponse:
        src = html.escape(request.query_params["src"])
        return HTMLResponse(f'<!doctype html><html><body><iframe id="w" src="{src}"'
                            f' referrerpolicy="no-referrer" width="600" height="400"></iframe>'
                            f'</body></html>')

    async def favicon(_: Request) -> Response:
        return Response(status_code=204)

    return Starlette(routes=[Route("/admin", admin), Route("/candidates/{candidate}", candidate),
                             Route("/framed", framed), Route("/favicon.ico", favicon)])


@dataclass
class Setup:
    sandbox_url: str
    host_url: str
    """Allowed: the demo app's only validJsSdkDomains entry."""
    foreign_url: str
    """The same pages on an origin the app does not allow."""
    demo: Raw
    api_key: str
    control: httpx.Client


@pytest.fixture
def setup() -> Iterator[Setup]:
    app = start_sandbox()
    mount_widgets(app, app.state.sandbox)
    demo = app.state.demo
    with serve(app) as sandbox_url:
        hosts = host_app(sandbox_url, demo.client_id)
        with serve(hosts) as host_url, serve(hosts) as foreign_url:
            partner = Raw(sandbox_url, app.state.partner.client_id,
                          app.state.partner.client_secret)
            customer = Raw(sandbox_url, demo.client_id, demo.client_secret)
            control = httpx.Client(base_url=f"{sandbox_url}/sandbox", timeout=30)
            try:
                # The partner whitelists the ATS's origin for the customer's widgets (§1.2).
                r = partner.request("POST", "/v2/provisionedApplications/"
                                            f"{quote(demo.app_urn, safe='')}",
                                    json={"patch": {"$set": {"validJsSdkDomains": [host_url]}}})
                assert r.status_code == 204, r.text
                yield Setup(sandbox_url, host_url, foreign_url, customer, demo.client_id,
                            control)
            finally:
                partner.close()
                customer.close()
                control.close()


def member(setup: Setup, urn: str) -> dict[str, Any]:
    r = setup.control.get(f"/members/{urn}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def sync_candidate(setup: Setup, candidate_id: str, **fields: Any) -> None:
    """Through the sandbox's real /v2 API, as the ATS's sync does."""
    key = candidate_key(candidate_id, ORG)
    record = candidate_record(1, **fields)
    r = setup.demo.request("PUT", f"/v2/atsCandidates?{ids_query([key])}",
                           method="batch_update", json={"entities": {body_key(key): record}})
    assert r.status_code == 200 and not r.json()["errors"], r.text


def set_manual_match(setup: Setup, candidate_id: str, person: str) -> None:
    key = candidate_key(candidate_id, ORG)
    r = setup.demo.request("POST", f"/v2/atsCandidates?{ids_query([key])}",
                           method="batch_partial_update",
                           json={"entities": {body_key(key): {
                               "patch": {"$set": {"manualMatchedMember": person}}}}})
    assert r.status_code == 200 and not r.json()["errors"], r.text


def widget(tab: Any) -> Any:
    return tab.frame_locator("iframe")


# -- on an allowed origin ---------------------------------------------------------------------

def test_onboarding_signs_in_and_calls_back_the_host_with_org_and_contract(setup, page):  # noqa: F811
    page.goto(f"{setup.host_url}/admin")
    frame = widget(page)
    frame.get_by_text("Sign in to LinkedIn").wait_for()
    frame.get_by_role("button", name="Sign in").click()
    frame.get_by_role("button", name="Approve").wait_for()
    assert frame.get_by_role("radio", name=ORG).is_checked()
    frame.get_by_role("button", name="Approve").click()
    frame.get_by_text("Approved").wait_for()
    page.wait_for_function("window.integrated !== null")
    assert page.evaluate("window.integrated") == {"integrations": [
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": ORG},
        {"integrationType": "IN_ATS_INDICATOR", "integrationContext": ORG},
        {"integrationType": "PROFILE_PLUGIN", "integrationContext": ORG},
        {"integrationType": "CSA_API", "integrationContext": CONTRACT}]}
    assert not [m for m in console_of(page) if m.startswith("error")], console_of(page)
    # The iframe grew to its content (the widget posted its height).
    height = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    assert height > 220


def test_profile_shows_the_match_and_link_unlink_call_back_the_host(setup, page):  # noqa: F811
    matched = member(setup, "urn:li:person:m000010")
    other = member(setup, "urn:li:person:m000020")
    sync_candidate(setup, "C1", emailAddresses=matched["emailAddresses"])
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{setup.host_url}/candidates/C1")
    frame = widget(page)
    # Signed out: the sign-in state (RSC-305), nothing of the candidate.
    frame.get_by_text("Sign in to LinkedIn").wait_for()
    frame.get_by_role("button", name="Sign in").click()
    name = f"{matched['firstName']} {matched['lastName']}"
    frame.get_by_role("link", name=name).wait_for()
    assert frame.get_by_text(matched["headline"]).first.is_visible()
    # Unlink (confirmed in a dialog) calls the host with the person URN.
    frame.get_by_role("button", name="Unlink").click()
    frame.get_by_text("Unlinked").wait_for()
    page.wait_for_function("window.unlinked.length === 1")
    assert page.evaluate("window.unlinked") == [matched["person"]]
    # Search another member and link them.
    frame.get_by_role("link", name="Back to the profile").click()
    frame.get_by_role("searchbox").fill(f"{other['firstName']} {other['lastName']}")
    frame.get_by_role("button", name="Search").click()
    result = frame.locator(f'li.result[data-person="{other["person"]}"]')
    result.get_by_role("button", name="Link").click()
    frame.get_by_text("Linked", exact=True).wait_for()
    page.wait_for_function("window.linked.length === 1")
    assert page.evaluate("window.linked") == [other["person"]]
    # The ATS persists the link by syncing manualMatchedMember (RSC-304): it shows on reload.
    set_manual_match(setup, "C1", other["person"])
    page.reload()
    widget(page).get_by_text("Linked manually").wait_for()
    expect(widget(page).locator(f'li.match[data-person="{other["person"]}"]')).to_have_count(1)
    expect(widget(page).locator(f'li.match[data-person="{matched["person"]}"]')).to_have_count(0)
    assert not [m for m in console_of(page) if m.startswith("error")], console_of(page)


def test_profile_of_a_candidate_not_synced_yet(setup, page):  # noqa: F811
    page.goto(f"{setup.host_url}/candidates/NEW-9")
    frame = widget(page)
    frame.get_by_role("button", name="Sign in").click()
    frame.get_by_text("This candidate is not synced yet").wait_for()


# -- on a foreign origin ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin", "/candidates/C1"])
def test_foreign_origin_is_refused_and_logs_the_init_error(setup, page, path):  # noqa: F811
    page.goto(f"{setup.foreign_url}{path}")
    widget(page).get_by_text("This widget cannot be shown here").wait_for()
    assert f"error: {INIT_ERROR}" in wait_for_console(page, INIT_ERROR)
    expect(widget(page).get_by_text("Sign in to LinkedIn")).to_have_count(0)


def test_a_foreign_page_cannot_frame_a_widget_by_claiming_the_allowed_origin(setup, page):  # noqa: F811
    """The iframe sends no Referer, so only the origin parameter (spoofed) reaches the
    server; the page's `frame-ancestors` makes the browser refuse to show it."""
    src = (f"{setup.sandbox_url}/widgets/onboarding?api_key={setup.api_key}"
           f"&origin={quote(setup.host_url, safe='')}&wid=w1")
    with page.expect_response(lambda r: "/widgets/onboarding" in r.url) as answer:
        page.goto(f"{setup.foreign_url}/framed?src={quote(src, safe='')}")
    assert answer.value.status == 200  # served, but only for the allowed host to frame
    messages = wait_for_console(page, "frame-ancestors")
    assert any(m.startswith("error:") and f'"frame-ancestors {setup.host_url}"' in m
               for m in messages), messages
    # The browser shows its own error page in the frame, not the widget.
    assert not page.frames[1].url.startswith(setup.sandbox_url)


# -- without JavaScript -----------------------------------------------------------------------

@pytest.mark.parametrize("browser_context_options", [{"java_script_enabled": False}],
                         indirect=True, ids=["no-js"])
def test_widget_forms_work_without_javascript(setup, page):  # noqa: F811
    """Opened directly (no SDK, no callbacks), every form still works: sign in, search,
    link, unlink with its server-side confirmation."""
    matched = member(setup, "urn:li:person:m000010")
    other = member(setup, "urn:li:person:m000020")
    sync_candidate(setup, "C1", emailAddresses=matched["emailAddresses"])
    params = (f"api_key={setup.api_key}&origin={quote(setup.host_url, safe='')}&wid=w1"
              f"&widget_type=ATS&candidate=C1&context={quote(ORG, safe='')}"
              "&show_unlink=1&confirm_unlink=1")
    page.goto(f"{setup.sandbox_url}/widgets/profile?{params}")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Unlink").click()
    page.get_by_role("heading", name=f"Unlink {matched['firstName']}").wait_for()
    page.get_by_role("button", name="Unlink").click()
    page.get_by_role("heading", name="Unlinked").wait_for()
    page.get_by_role("link", name="Back to the profile").click()
    page.get_by_role("searchbox").fill(other["publicProfileUrl"])
    page.get_by_role("button", name="Search").click()
    page.locator(f'li.result[data-person="{other["person"]}"]').get_by_role(
        "button", name="Link").click()
    page.get_by_role("heading", name="Linked").wait_for()
