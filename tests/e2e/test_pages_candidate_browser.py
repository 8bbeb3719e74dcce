"""recruitlink's pages in a real Chromium: sign in, list and search candidates, open one, and
link / unlink a LinkedIn member through the profile widget (the sandbox's, framed from
another loopback port), persisted by the page and synced to LinkedIn as manualMatchedMember.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from recruitlink.core.records import Candidate, User
from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.settings import Settings
from recruitlink.store import accounts, connections, schema
from recruitlink.sync.connect import connect
from recruitlink.sync.engine import EngineSettings, SyncEngine
from recruitlink.web import create_app
from tests.conftest import make_tenant, start_sandbox
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    console_of,
    page,
    save_screenshot,
)
from tests.support.servers import serve

KEY = "pages-browser-key-at-least-32-characters-long"
PASSWORD = "correct horse battery"
ORG = "urn:li:organization:7777"
CONTRACT = "urn:li:contract:3001"


def candidate_row(store, external_id: str) -> Any:
    with store.reader() as conn:
        return conn.execute(select(schema.candidates).where(
            schema.candidates.c.external_id == external_id)).one()


@pytest.fixture
def site(store) -> Iterator[dict[str, Any]]:
    """Acme (ATS) with a recruiter and 60 candidates, connected to a sandbox that has a
    Recruiter seat on its contract; history synced; the pages served."""
    tenant = make_tenant(store, "acme")
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", name="Rita Recruiter",
                                     email="rita@acme.example", role="recruiter"))],
                  mode="create")
        accounts.set_password(w.conn, tenant.id, "U1", PASSWORD)
        w.records("candidates", [(i, Candidate(
            id=f"C{i}", first_name=f"First{i}", last_name=f"Last{i}",
            emails=[f"nobody{i}@acme-candidates.example"], current_title="Engineer"))
            for i in range(60)]
            + [(60, Candidate(id="CX", first_name="Xavier", last_name="Widget",
                              emails=["xavier@acme-candidates.example"],
                              headline="Builds connectors"))], mode="create")
    sandbox = start_sandbox()
    box = SecretBox(KEY)
    with serve(sandbox) as li_url:
        control_client = LinkedInClient(api_url=li_url, oauth_url=li_url,
                                        client_id=sandbox.state.partner.client_id,
                                        client_secret=sandbox.state.partner.client_secret)
        control = httpx.Client(base_url=f"{li_url}/sandbox", timeout=30)
        holder = control.get("/members", params={"start": 200, "count": 1}).json()[
            "elements"][0]
        r = control.post(f"/contracts/{CONTRACT}/seats", json={"person": holder["person"]})
        assert r.status_code in (200, 201), r.text
        seat = r.json()
        engine = SyncEngine(store, box, EngineSettings(
            api_url=li_url, oauth_url=li_url, ats_base_url="http://127.0.0.1:8000",
            job_task_poll_s=0.0, backoff_s=0.01, idle_sleep_s=0.01))
        app = create_app(Settings(secret_key=KEY, linkedin_api_url=li_url,
                                  linkedin_oauth_url=li_url), store)
        with serve(app) as url:
            app.state.inbound.idle_s = 0.05
            connect(store, box, engine, control_client, tenant_slug="acme", organization=ORG,
                    contracts=[CONTRACT], public_url=url)
            control_client.close()
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

            def sync() -> None:
                stop = time.monotonic() + 60
                engine.run(tenant.id, stop=lambda: time.monotonic() > stop, until_done=True)

            sync()
            try:
                yield {"url": url, "li_url": li_url, "control": control, "sync": sync,
                       "holder": holder, "seat": seat}
            finally:
                engine.close()
                control.close()


def widget(tab: Any) -> Any:
    return tab.frame_locator(".li-profile-widget iframe")


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_sign_in_search_open_and_link_through_the_widget(site, store, page):  # noqa: F811
    url, control = site["url"], site["control"]
    member = control.get("/members", params={"start": 40, "count": 1}).json()["elements"][0]
    name = f"{member['firstName']} {member['lastName']}"
    page.on("dialog", lambda dialog: dialog.accept())

    # Signed out: the pages send us to sign in, and back.
    page.goto(f"{url}/t/acme/candidates")
    assert "/login?next=" in page.url
    page.get_by_label("Workspace").fill("acme")
    page.get_by_label("Email").fill("rita@acme.example")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#password-error")).to_have_text("email or password is wrong")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Candidates").wait_for()
    assert page.url.endswith("/t/acme/candidates")
    seen = len(console_of(page))  # before: the refused sign-in's 401
    expect(page.locator("#candidates tbody tr")).to_have_count(50)
    assert page.get_by_role("link", name="Next page »").is_visible()

    # Search, open the candidate.
    page.get_by_placeholder("Search by name, email or tag").fill("xavier")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=xavier**")
    expect(page.locator("#candidates tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Xavier Widget").click()
    page.get_by_role("heading", name="Xavier Widget").wait_for()
    expect(page.locator("#li-member")).to_have_text("not linked")

    # The profile widget: sign into LinkedIn (the sandbox) as the seat holder.
    frame = widget(page)
    frame.get_by_text("Sign in to LinkedIn").wait_for()
    frame.get_by_role("button", name="Sign in").click()
    frame.get_by_text("No LinkedIn profile matches this candidate yet").wait_for()
    frame.get_by_role("searchbox").fill(name)
    frame.get_by_role("button", name="Search").click()
    frame.locator(f'li.result[data-person="{member["person"]}"]').get_by_role(
        "button", name="Link").click()
    frame.get_by_text("Linked", exact=True).wait_for()

    # The page's onLink saved it.
    status = page.locator("#li-link-status")
    status.get_by_text("Linked to").wait_for()
    assert member["person"] in status.inner_text()
    row = candidate_row(store, "CX")
    assert (row.person_urn, row.match_method) == (member["person"], "profile_widget")

    # Synced to LinkedIn, it is the widget's manual match; and on reload, the page shows it.
    site["sync"]()
    held = control.get(f"/organizations/{ORG}/candidates/CX").json()["record"]
    assert held["manualMatchedMember"] == member["person"]
    page.reload()
    expect(page.locator("#li-member")).to_contain_text(member["person"])
    expect(page.locator("#li-member")).to_contain_text("linked in the LinkedIn profile widget")
    frame = widget(page)
    frame.get_by_text("Linked manually").wait_for()
    expect(frame.locator(f'li.match[data-person="{member["person"]}"]')).to_have_count(1)

    # Unlink (the widget confirms in a dialog): persisted too.
    frame.get_by_role("button", name="Unlink").click()
    frame.get_by_text("Unlinked").wait_for()
    page.locator("#li-link-status").get_by_text("Unlinked.").wait_for()
    row = candidate_row(store, "CX")
    assert (row.person_urn, row.match_method) == (None, "unlinked")
    site["sync"]()
    held = control.get(f"/organizations/{ORG}/candidates/CX").json()["record"]
    assert "manualMatchedMember" not in held
    page.reload()
    assert "not linked" in page.locator("#li-member").inner_text()
    widget(page).get_by_text("No LinkedIn profile matches this candidate yet").wait_for()
    errors = [m for m in console_of(page)[seen:] if m.startswith("error")]
    assert not errors, errors


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_one_click_export_link_has_one_name_on_both_sides(site, store, page):  # noqa: F811
    """Reviewer's walk: for a candidate a One-Click Export created, LinkedIn's widget said
    "Linked manually" while recruitlink's page said One-Click Export. Both name it the same;
    a link made in the widget still reads "Linked manually" there."""
    url, control = site["url"], site["control"]
    member = control.get("/members", params={"start": 60, "count": 1}).json()["elements"][0]
    r = control.post("/recruiter/exports", json={"seat": site["seat"]["id"],
                                                 "person": member["person"]})
    assert r.status_code == 201, r.text
    deadline = time.monotonic() + 20
    while True:
        with store.reader() as conn:
            row = conn.execute(select(schema.candidates).where(
                schema.candidates.c.person_urn == member["person"])).first()
        if row is not None:
            break
        assert time.monotonic() < deadline, "the export created no candidate"
        time.sleep(0.05)
    assert row.match_method == "one_click_export"
    site["sync"]()  # LinkedIn holds it with the exported member as its manual match

    page.goto(f"{url}/login?next=/t/acme/candidates/{row.external_id}")
    page.get_by_label("Workspace").fill("acme")
    page.get_by_label("Email").fill("rita@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#li-member")).to_contain_text(f"{member['person']} (One-Click Export)")
    expect(page.locator("#li-link-reason")).to_contain_text("One-Click Export")
    expect(page.locator("#last-export")).to_contain_text("Created by a One-Click Export")
    frame = widget(page)
    frame.get_by_text("Sign in to LinkedIn").wait_for()
    frame.get_by_role("button", name="Sign in").click()
    person = member["person"]
    card = frame.locator(f'li.match[data-person="{person}"]')
    expect(card.locator(".link-origin")).to_have_text("One-Click Export")
    expect(frame.get_by_text("Linked manually")).to_have_count(0)
    page.locator(".li-profile-widget").scroll_into_view_if_needed()
    save_screenshot(page, "link_origin_01_one_click_export")
