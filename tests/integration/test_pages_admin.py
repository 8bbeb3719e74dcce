"""The LinkedIn admin pages (setup, sync logs, members, disconnect) over loopback, against the
sandbox, on SQLite and PostgreSQL: the admin's seed walk through HTTP, who may do what, forms
with errors next to their fields, and that every action changes the store."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from recruitlink.core.records import Candidate, Job, User
from recruitlink.runtime.servers import bound_socket
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, schema
from recruitlink.store.tenants import Tenant
from recruitlink.web import create_app
from recruitlink.web.pages import tasks
from tests.conftest import RunningSandbox, make_tenant
from tests.support.pages import csrf_of, field_error
from tests.support.servers import serve

KEY = "admin-pages-key-at-least-32-characters-long"
PASSWORD = "correct horse battery"
ORG = "urn:li:organization:7777"
CONTRACT = "urn:li:contract:3001"
CONTRACT2 = "urn:li:contract:3002"
BASE = "/t/acme/integrations/linkedin"
APPROVED = {"integrations": [
    {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": ORG},
    {"integrationType": "IN_ATS_INDICATOR", "integrationContext": ORG},
    {"integrationType": "PROFILE_PLUGIN", "integrationContext": ORG},
    {"integrationType": "CSA_API", "integrationContext": CONTRACT}]}


def wait_until(check: Callable[[], Any], timeout: float = 60, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check}")


@dataclass
class Site:
    url: str
    store: Store
    acme: Tenant
    li: RunningSandbox
    app: Any
    clients: list[httpx.Client]

    def client(self, email: str | None = None, workspace: str = "acme") -> httpx.Client:
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=60)
        self.clients.append(client)
        if email is not None:
            r = client.post("/login", data={"workspace": workspace, "email": email,
                                            "password": PASSWORD, "next": ""})
            assert r.status_code == 303, r.text
        return client

    def connection(self) -> Any:
        with self.store.reader() as conn:
            return conn.execute(select(schema.connections).where(
                schema.connections.c.tenant_id == self.acme.id)).first()


@pytest.fixture
def site(store, li) -> Iterator[Site]:
    with running_site(store, li) as running:
        yield running


@contextmanager
def running_site(store, li, **overrides: Any) -> Iterator[Site]:
    """acme (an ATS, its admins and recruiters, two jobs, six candidates) and globex (a CRM),
    served over loopback against the sandbox; `overrides`: of the server's settings."""
    acme = make_tenant(store, "acme")
    globex = make_tenant(store, "globex", kind="CRM")
    with store.writer(acme.id) as w:
        w.records("users", [
            (0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                     role="company_admin")),
            (1, User(id="D1", name="Dan Admin", email="dan@acme.example", role="admin")),
            (2, User(id="R1", name="Rita Recruiter", email="rita@acme.example",
                     role="recruiter")),
            (3, User(id="R2", name="Sam Sourcer", email="sam@acme.example",
                     role="recruiter"))], mode="create")
        for ext in ("A1", "D1", "R1"):
            accounts.set_password(w.conn, acme.id, ext, PASSWORD)
        w.records("jobs", [(i, Job(id=f"J{i}", title=f"Engineer {i}", location="Paris, FR",
                                   description="<p>" + "Build things with us. " * 8 + "</p>",
                                   published_at="2025-01-01T00:00:00Z")) for i in range(2)],
                  mode="create")
        w.records("candidates", [(i, Candidate(
            id=f"C{i}", first_name=f"First{i}", last_name=f"Last{i}",
            emails=["not-an-email"] if i == 3 else [f"c{i}@example.com"]))
            for i in range(6)], mode="create")
    with store.writer(globex.id) as w:
        w.records("users", [(0, User(id="G1", name="Gina", email="gina@globex.example",
                                     role="company_admin"))], mode="create")
        accounts.set_password(w.conn, globex.id, "G1", PASSWORD)
    # Bound before the app is built (it must know its URL): a port picked and let go could
    # be taken by another test's server meanwhile.
    sock = bound_socket()
    port = sock.getsockname()[1]
    settings = Settings(
        secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
        partner_client_id=li.app.state.partner.client_id,
        partner_client_secret=li.app.state.partner.client_secret,
        public_url=f"http://127.0.0.1:{port}", job_task_poll_seconds=0.0, pollers=False,
        **overrides)
    app = create_app(settings, store)
    with serve(app, sock=sock) as url:
        if app.state.inbound is not None:
            app.state.inbound.idle_s = 0.05
        if app.state.background is not None:
            app.state.background.idle_s = 0.05
        site = Site(url, store, acme, li, app, [])
        try:
            yield site
        finally:
            for client in site.clients:
                client.close()


def post(client: httpx.Client, path: str, **data: str) -> httpx.Response:
    return client.post(path, data={"csrf_token": csrf_of(client, BASE), **data})


def status_json(client: httpx.Client) -> dict[str, Any]:
    r = client.get(f"{BASE}/status.json")
    assert r.status_code == 200, r.text
    return dict(r.json())


def enable(li: RunningSandbox) -> None:
    """The customer's Recruiter admin turns the integrations on (the sandbox pushes)."""
    for context in (CONTRACT, ORG):
        r = li.control.post("/integrations/status", json={"integrationContext": context,
                                                          "status": "ENABLED"})
        assert r.status_code == 200, r.text


def connect_through_pages(site: Site, admin: httpx.Client) -> None:
    """Acknowledge, activate, and post what the onboarding widget approved."""
    r = post(admin, f"{BASE}/activate", acknowledge="on")
    assert r.status_code == 303 and "step=choose" in r.headers["location"], r.text
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps(APPROVED))
    assert r.status_code == 303, r.text


def connected_and_synced(site: Site, admin: httpx.Client) -> None:
    connect_through_pages(site, admin)
    enable(site.li)
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED")
    wait_until(lambda: (status_json(admin).get("run") or {}).get("status") == "done",
               what="the initial sync")


FOREIGN_CONTRACT, FOREIGN_COMPANY = "urn:li:contract:3009", "urn:li:organization:8888"


def seat_on_foreign_contract(li: RunningSandbox, n: int) -> None:
    """A member seated on another company's contract: LinkedIn knows whose it is."""
    person = li.control.get("/members", params={"start": n, "count": 1}
                            ).json()["elements"][0]["person"]
    r = li.control.post(f"/contracts/{FOREIGN_CONTRACT}/seats", json={
        "person": person, "organization": FOREIGN_COMPANY})
    assert r.status_code == 200, r.text


def add_seat(li: RunningSandbox, n: int, email: str | None = None) -> dict[str, Any]:
    person = li.control.get("/members", params={"start": 200 + n, "count": 1}
                            ).json()["elements"][0]["person"]
    body: dict[str, Any] = {"person": person}
    if email:
        body["emailAddress"] = email
    r = li.control.post(f"/contracts/{CONTRACT}/seats", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


# -- the setup walk -----------------------------------------------------------------------------

def test_setup_walk_acknowledge_activate_pending_enabled_and_synced(site):
    admin = site.client("ada@acme.example")
    page = admin.get(BASE)
    assert page.status_code == 200
    assert "What will be shared with LinkedIn" in page.text
    assert "Email addresses" in page.text and "Confidential candidates and jobs" in page.text
    assert 'data-status="NOT_CONNECTED"' in page.text
    # Activating without acknowledging: the error is next to the checkbox.
    r = post(admin, f"{BASE}/activate")
    assert r.status_code == 400
    assert "acknowledge" in (field_error(r.text, "acknowledge") or "")
    r = post(admin, f"{BASE}/activate", acknowledge="on")
    assert r.status_code == 303
    choose = admin.get(r.headers["location"])
    assert choose.status_code == 200 and 'data-state="choose"' in choose.text
    # The widget is loaded from LinkedIn (the sandbox) with the new child app's client id.
    key = re.search(r'src="([^"]+)/sdk.js" data-api-key="([^"]+)"', choose.text)
    assert key and key.group(1) == site.li.url
    apps = site.li.control.get("/apps").json()
    child = next(a for a in apps if a.get("uniqueForeignId") == "recruitlink-acme")
    assert child["clientId"] == key.group(2)
    assert site.url in child["validJsSdkDomains"]
    assert 'data-onintegrate="recruitlinkOnIntegrate"' in choose.text
    assert "RECRUITER_SYSTEM_CONNECT_COMPANY,RECRUITER_SYSTEM_CONNECT_CONTRACT" in choose.text
    # What the widget approved, posted by the page's script: PENDING.
    bad = post(admin, f"{BASE}/integrate", integrations=json.dumps({"integrations": [
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": ORG}]}))
    assert bad.status_code == 400 and "contract" in (field_error(bad.text, "integrations")
                                                     or "")
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps(APPROVED))
    assert r.status_code == 303 and "done=connected" in r.headers["location"]
    pending = admin.get(r.headers["location"])
    assert "Activation is pending" in pending.text and 'data-status="PENDING"' in pending.text
    row = site.connection()
    assert (row.status, row.organization) == ("PENDING", ORG)
    assert [c["urn"] for c in row.contracts] == [CONTRACT]
    assert status_json(admin)["status"] == "PENDING"
    # LinkedIn's push turns it ENABLED; the historical sync runs in the server.
    enable(site.li)
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED")
    state = wait_until(lambda: (s := status_json(admin)).get("run", {}) and
                       s["run"]["status"] == "done" and s, what="sync done")
    assert state["run"]["percent"] == 100 and state["lastSyncText"] != "not yet"
    page = admin.get(BASE)
    assert "has been activated for" in page.text and CONTRACT in page.text
    assert "Pause Sync" in page.text and state["lastSyncText"] in page.text


def test_add_another_contract_and_the_widget_payload_is_checked(site):
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    add = admin.get(f"{BASE}?step=add")
    assert 'data-state="add"' in add.text and "data-api-key=" in add.text
    other_org = json.dumps({"integrations": [
        {"integrationType": "CSA_API", "integrationContext": CONTRACT2},
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": "urn:li:organization:1"}]})
    r = post(admin, f"{BASE}/integrate", integrations=other_org)
    assert r.status_code == 400
    assert html.unescape(field_error(r.text, "integrations") or "") == (
        f"{CONTRACT2} was not added: the widget approved it for urn:li:organization:1, but "
        f"this workspace is connected to {ORG}. A Recruiter contract belongs to one company: "
        f"choose a contract of {ORG}.")
    assert [c["urn"] for c in site.connection().contracts] == [CONTRACT]
    r = post(admin, f"{BASE}/integrate", integrations="not json")
    assert r.status_code == 400 and field_error(r.text, "integrations")
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps({"integrations": [
        {"integrationType": "CSA_API", "integrationContext": CONTRACT2},
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": ORG}]}))
    assert r.status_code == 303 and "done=added" in r.headers["location"], r.text
    assert [c["urn"] for c in site.connection().contracts] == [CONTRACT, CONTRACT2]
    again = post(admin, f"{BASE}/integrate", integrations=json.dumps(APPROVED))
    assert "done=known" in again.headers["location"]
    # What to do next (it said only "That contract is already connected."): the admin
    # approved the contract LinkedIn chose again, as it does while signed in to Recruiter.
    told = admin.get(again.headers["location"]).text
    assert "nothing was added. To add another one, choose it in LinkedIn&#39;s widget" in told
    assert "sign out of LinkedIn Recruiter first" in told
    names = site.li.control.get("/integrations", params={"context": CONTRACT2}).json()
    assert [i["integrationType"] for i in names] == ["CSA_API"]


def test_a_contract_linkedin_says_is_another_companys_is_refused_and_nothing_added(site):
    """The widget reports the workspace's organization with a contract LinkedIn knows as
    another company's: LinkedIn refuses to integrate it, the page says so next to the
    widget, and the workspace keeps its one contract (never "1 of 2")."""
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    foreign, company = FOREIGN_CONTRACT, FOREIGN_COMPANY
    seat_on_foreign_contract(site.li, 210)
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps({"integrations": [
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": ORG},
        {"integrationType": "CSA_API", "integrationContext": CONTRACT2},
        {"integrationType": "CSA_API", "integrationContext": foreign}]}))
    assert r.status_code == 400, r.text
    assert 'data-state="add"' in r.text  # the widget again, to choose another contract
    assert html.unescape(field_error(r.text, "integrations") or "") == (
        f"{foreign} was not added: LinkedIn refused it ({foreign} belongs to another "
        f"company ({company}), not to {ORG}).")
    # Neither contract of that approval is added, nor does LinkedIn hold the foreign one.
    assert [c["urn"] for c in site.connection().contracts] == [CONTRACT]
    assert status_json(admin)["statusText"] == "Activation pending"
    assert site.li.control.get("/integrations", params={"context": foreign}).json() == []
    enable(site.li)
    wait_until(lambda: status_json(admin)["statusText"] == "Active", what="Active")
    page = admin.get(BASE).text
    assert f'data-contract="{foreign}"' not in page and f'data-contract="{CONTRACT2}"' \
        not in page


def test_a_first_connect_on_another_companys_contract_connects_nothing(site):
    """The first approval names a contract LinkedIn knows as another company's: LinkedIn
    refuses its integration, the page says which and why, and the workspace is not left
    "Activation pending" for an activation that cannot come; the right contract then
    connects as usual."""
    admin = site.client("ada@acme.example")
    foreign, company = FOREIGN_CONTRACT, FOREIGN_COMPANY
    seat_on_foreign_contract(site.li, 211)
    r = post(admin, f"{BASE}/activate", acknowledge="on")
    assert r.status_code == 303, r.text
    r = post(admin, f"{BASE}/integrate", integrations=json.dumps({"integrations": [
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": ORG},
        {"integrationType": "CSA_API", "integrationContext": foreign}]}))
    assert r.status_code == 400, r.text
    assert html.unescape(field_error(r.text, "integrations") or "") == (
        f"{foreign} was not connected: LinkedIn refused it ({foreign} belongs to another "
        f"company ({company}), not to {ORG}).")
    assert site.connection() is None
    assert site.li.control.get("/integrations", params={"context": foreign}).json() == []
    connect_through_pages(site, admin)
    assert [c["urn"] for c in site.connection().contracts] == [CONTRACT]
    enable(site.li)
    wait_until(lambda: status_json(admin)["statusText"] == "Active", what="Active")


# -- who may do what ----------------------------------------------------------------------------

ACTIONS = [f"{BASE}/activate", f"{BASE}/integrate", f"{BASE}/refresh", f"{BASE}/pause",
           f"{BASE}/resume", f"{BASE}/policy", f"{BASE}/disconnect",
           f"{BASE}/sync-logs/retry", f"{BASE}/members/refresh", f"{BASE}/members/map",
           f"{BASE}/members/unmap"]
PAGES = [BASE, f"{BASE}/status.json", f"{BASE}/sync-logs", f"{BASE}/members",
         f"{BASE}/disconnect/report"]


def test_roles_and_tenants(site):
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    recruiter = site.client("rita@acme.example")
    token = csrf_of(recruiter, "/t/acme/candidates")
    for path in PAGES:
        assert recruiter.get(path).status_code == 403, path
    for path in ACTIONS:
        r = recruiter.post(path, data={"csrf_token": token, "acknowledge": "on",
                                       "confirm": "on"})
        assert r.status_code == 403, (path, r.status_code)
    # An admin (not company admin) sees the pages, without the buttons, and cannot act.
    viewer = site.client("dan@acme.example")
    for path in PAGES:
        assert viewer.get(path).status_code == 200, path
    page = viewer.get(BASE).text
    assert "Pause Sync" not in page and "Disconnect…" not in page
    assert viewer.get(f"{BASE}/disconnect").status_code == 403
    token = csrf_of(viewer, BASE)
    for path in ACTIONS:
        assert viewer.post(path, data={"csrf_token": token}).status_code == 403, path
    assert site.connection().paused is False
    # Another tenant's admin: these pages do not exist.
    gina = site.client("gina@globex.example", workspace="globex")
    token = csrf_of(gina, "/t/globex/integrations/linkedin")
    for path in PAGES:
        assert gina.get(path).status_code == 404, path
    for path in ACTIONS:
        assert gina.post(path, data={"csrf_token": token}).status_code == 404, path
    # Signed out: GETs go to sign in; a POST without the CSRF token is refused.
    anonymous = site.client()
    assert anonymous.get(BASE).status_code == 303
    assert admin.post(f"{BASE}/pause", data={}).status_code == 403
    assert site.connection().paused is False


# -- pause, resume, policy ----------------------------------------------------------------------

def test_pause_resume_and_policy_form(site):
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    r = post(admin, f"{BASE}/pause")
    assert r.status_code == 303 and site.connection().paused is True
    page = admin.get(r.headers["location"]).text
    assert "Resume Sync" in page and "The sync is paused" in page
    r = post(admin, f"{BASE}/resume")
    assert r.status_code == 303 and site.connection().paused is False
    assert "Pause Sync" in admin.get(BASE).text
    r = post(admin, f"{BASE}/pause", contract=CONTRACT)
    assert r.status_code == 303
    assert site.connection().contracts == [{"urn": CONTRACT, "paused": True}]
    page = admin.get(r.headers["location"]).text  # the contract's pause, not the sync's
    assert "is no longer imported until you resume it" in page
    assert "The sync is paused" not in page and "Pause Sync" in page
    r = post(admin, f"{BASE}/resume", contract=CONTRACT)
    assert site.connection().contracts == [{"urn": CONTRACT, "paused": False}]
    assert "is imported again" in admin.get(r.headers["location"]).text
    # Bad input: each message next to its field, nothing saved.
    r = post(admin, f"{BASE}/policy", history_window="5y", default_availability="PUBLIC",
             phone_region="ZZ", batch_size="12")
    assert r.status_code == 400
    assert field_error(r.text, "history_window") and field_error(r.text, "phone_region")
    assert "between 100 and 10000" in (field_error(r.text, "batch_size") or "")
    assert field_error(r.text, "default_availability") is None
    assert 'value="ZZ"' in r.text  # what was typed is kept
    assert site.connection().policy["history_window"] == "all"
    r = post(admin, f"{BASE}/policy", history_window="2y", default_availability="PUBLIC",
             phone_region="fr", batch_size="500")
    assert r.status_code == 303, r.text
    policy = site.connection().policy
    assert (policy["history_window"], policy["default_availability"], policy["phone_region"],
            policy["batch_size"]) == ("2y", "PUBLIC", "FR", 500)


def test_pause_before_activation_says_and_does_hold_the_first_sync(site):
    """'Pause Sync' under 'The sync has not started' says what it does then: it holds the
    first sync, which does not start when LinkedIn enables the contract until resumed."""
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    page = admin.get(BASE).text
    assert "The sync has not started" in page and "Pause Sync" in page
    assert "Pausing now holds the first sync" in page
    r = post(admin, f"{BASE}/pause")
    assert r.status_code == 303
    page = admin.get(BASE).text
    assert "Resume Sync" in page and "the first sync does not start" in page
    assert "Pausing now holds the first sync" not in page
    enable(site.li)
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED")
    time.sleep(1.0)  # the server's workers would have synced by now, were it not held
    assert status_json(admin)["lastSyncText"] == "not yet"
    assert "nothing is sent to LinkedIn until you resume it" in admin.get(BASE).text
    assert post(admin, f"{BASE}/resume").status_code == 303
    wait_until(lambda: (status_json(admin).get("run") or {}).get("status") == "done",
               what="the initial sync, once resumed")


# -- sync logs ----------------------------------------------------------------------------------

def test_sync_logs_batches_errors_and_retry(site):
    admin = site.client("ada@acme.example")
    connected_and_synced(site, admin)
    logs = admin.get(f"{BASE}/sync-logs")
    assert logs.status_code == 200
    assert "Candidate sync completed" in logs.text and "Job sync completed" in logs.text
    assert "complete" in logs.text
    with site.store.reader() as conn:
        failed = conn.execute(select(schema.sync_errors).where(
            schema.sync_errors.c.tenant_id == site.acme.id)).all()
        batches = conn.execute(select(schema.sync_batches).where(
            schema.sync_batches.c.tenant_id == site.acme.id)).all()
    # The invalid email fails two checks: two errors on one record of one batch.
    assert {(e.entity, e.external_id, e.status, e.field) for e in failed} == {
        ("candidates", "C3", "open", "emailAddresses.0")}
    assert len({e.batch_id for e in failed}) == 1
    error = failed[0]
    assert f'data-batch="{error.batch_id}"' in logs.text
    assert f"/sync-logs/batches/{error.batch_id}" in logs.text  # View errors
    # Filters: by status, entity, date; a bad date is explained next to its field.
    only = admin.get(f"{BASE}/sync-logs", params={"status": "errors"}).text
    assert f'data-batch="{error.batch_id}"' in only
    assert only.count('data-batch="') == 1
    jobs = admin.get(f"{BASE}/sync-logs", params={"entity": "jobs"}).text
    assert f'data-batch="{error.batch_id}"' not in jobs and 'data-batch="' in jobs
    today = time.strftime("%Y-%m-%d", time.gmtime())
    dated = admin.get(f"{BASE}/sync-logs", params={"since": today, "until": today}).text
    assert dated.count('data-batch="') == len(batches)
    assert 'data-batch="' not in admin.get(f"{BASE}/sync-logs",
                                           params={"until": "2001-01-01"}).text
    bad = admin.get(f"{BASE}/sync-logs", params={"since": "yesterday"})
    assert bad.status_code == 400 and field_error(bad.text, "since") == (
        "Enter a date as YYYY-MM-DD.")
    # Keyset paging: one batch per page walks them all, newest first.
    seen, params = [], {"status": "committed"}
    for _ in range(len(batches) + 1):
        found = re.findall(r'data-batch="(\d+)"', admin.get(
            f"{BASE}/sync-logs", params=params).text)
        seen += found
        older = re.search(r'href="[^"]*before=(\d+)[^"]*" rel="next"', admin.get(
            f"{BASE}/sync-logs", params=params).text)
        if not older:
            break
        params = {"status": "committed", "before": older.group(1)}
    assert [int(s) for s in seen[:1]] == [max(b.id for b in batches if b.status ==
                                              "committed")]
    # View errors: entity, id, field and reason of each failed record.
    page = admin.get(f"{BASE}/sync-logs/batches/{error.batch_id}")
    assert page.status_code == 200
    row = re.search(rf'<tr data-error="{error.id}".*?</tr>', page.text, re.S)
    assert row and "C3" in row.group(0) and "candidates" in row.group(0)
    assert error.field and f"<code>{error.field}</code>" in row.group(0)
    assert "email" in error.field.lower() and error.reason in html.unescape(row.group(0))
    assert admin.get(f"{BASE}/sync-logs/batches/999999").status_code == 404
    # Retry the batch: the error is replayed in a new batch (and fails again, as it is).
    r = post(admin, f"{BASE}/sync-logs/retry", batch_id=str(error.batch_id))
    assert r.status_code == 303, r.text
    with site.store.reader() as conn:
        after = conn.execute(select(schema.sync_errors).where(
            schema.sync_errors.c.tenant_id == site.acme.id).order_by(
            schema.sync_errors.c.id)).all()
    assert [e.status for e in after[:len(failed)]] == ["replayed"] * len(failed)
    assert after[-1].status == "open" and after[-1].batch_id != error.batch_id
    assert "failed records were sent again" in admin.get(r.headers["location"]).text
    # Fix the record and retry everything: it syncs; no open error is left.
    with site.store.writer(site.acme.id) as w:
        w.records("candidates", [(0, Candidate(id="C3", first_name="First3",
                                               last_name="Last3",
                                               emails=["c3@example.com"]))], mode="upsert")
    r = post(admin, f"{BASE}/sync-logs/retry")
    assert r.status_code == 303 and "done=retrying" in r.headers["location"]
    tasks.wait(site.acme.id, "retry", 60)
    wait_until(lambda: ">0</strong>" in admin.get(f"{BASE}/sync-logs").text,
               what="no open errors")


# -- members ------------------------------------------------------------------------------------

def test_members_refresh_map_and_unmap(site):
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    enable(site.li)
    wait_until(lambda: status_json(admin)["status"] == "ENABLED", what="ENABLED")
    mapped = add_seat(site.li, 0, email="RITA@acme.example")
    loose = add_seat(site.li, 1)
    page = admin.get(f"{BASE}/members")
    assert page.status_code == 200 and "No Recruiter seats yet" in page.text
    r = post(admin, f"{BASE}/members/refresh")
    assert r.status_code == 303, r.text
    page = admin.get(r.headers["location"]).text
    assert "Refreshed from LinkedIn: 2 seats" in page
    # Notes too (SmartRecruiters: seats are mapped "so that historical InMails and Prospect
    # Notes are also synced"); the warning named InMails only.
    assert "their InMails and notes will not be synced" in page and "1 active\n    member" in page
    rows = {m: re.search(rf'<tr data-seat="{m}".*?</tr>', page, re.S).group(0)  # type: ignore[union-attr]
            for m in (mapped["seat"], loose["seat"])}
    assert "Rita Recruiter" in rows[mapped["seat"]] and ">auto<" in rows[mapped["seat"]]
    assert ">unmapped<" in rows[loose["seat"]]
    # Edit -> choose an ATS user -> Save.
    edit = admin.get(f"{BASE}/members", params={"edit": loose["seat"]}).text
    assert "Sam Sourcer" in edit and 'name="user"' in edit
    r = post(admin, f"{BASE}/members/map", seat=loose["seat"], user="")
    assert r.status_code == 400 and field_error(r.text, "user")
    r = post(admin, f"{BASE}/members/map", seat=loose["seat"], user="NOPE")
    assert r.status_code == 400 and "deactivated" in (field_error(r.text, "user") or "")
    r = post(admin, f"{BASE}/members/map", seat=loose["seat"], user="R2")
    assert r.status_code == 303
    with site.store.reader() as conn:
        seat = conn.execute(select(schema.linkedin_seats, schema.users.c.external_id).join(
            schema.users, schema.users.c.id == schema.linkedin_seats.c.user_id).where(
            schema.linkedin_seats.c.seat == loose["seat"])).one()
    assert (seat.external_id, seat.mapping) == ("R2", "manual")
    page = admin.get(f"{BASE}/members").text
    assert "their InMails and notes will not be synced" not in page
    # Unmap: it stays unmapped (manual), and the warning is back.
    r = post(admin, f"{BASE}/members/unmap", seat=mapped["seat"])
    assert r.status_code == 303
    with site.store.reader() as conn:
        seat = conn.execute(select(schema.linkedin_seats).where(
            schema.linkedin_seats.c.seat == mapped["seat"])).one()
    assert (seat.user_id, seat.mapping) == (None, "manual")
    assert "their InMails and notes will not be synced" in admin.get(f"{BASE}/members").text


# -- disconnect ---------------------------------------------------------------------------------

def test_disconnect_confirms_then_shows_the_deletion_report(site):
    admin = site.client("ada@acme.example")
    connected_and_synced(site, admin)
    confirm = admin.get(f"{BASE}/disconnect")
    assert confirm.status_code == 200 and "Disconnect and delete" in confirm.text
    assert "candidates" in confirm.text
    # What LinkedIn holds now, by resource (not only what the initial sync sent).
    assert re.search(r"<code>atsCandidates</code></td><td class=\"num\">5</td>", confirm.text)
    # In the admin's words first (an admin read bare API names such as tcrmCandidatePipelines
    # and atsCandidates/notes), LinkedIn's name beside each for support.
    assert "<td>Candidates <code>atsCandidates</code></td>" in confirm.text
    assert "<td>Jobs <code>simpleJobPostings</code></td>" in confirm.text
    r = post(admin, f"{BASE}/disconnect")
    assert r.status_code == 400 and field_error(r.text, "confirm")
    assert site.connection().status == "ENABLED"
    r = post(admin, f"{BASE}/disconnect", confirm="on")
    assert r.status_code == 303 and r.headers["location"].endswith("/disconnect/report")
    task = tasks.wait(site.acme.id, "disconnect", 120)
    assert task is not None and not task.running and task.error is None, task
    assert site.connection().status == "DISCONNECTED"
    report = admin.get(f"{BASE}/disconnect/report")
    assert report.status_code == 200 and 'data-state="done"' in report.text
    assert "atsCandidates" in report.text and "simpleJobPostings" in report.text
    assert "still present on LinkedIn" in report.text
    deleted = task.result["deleted"]
    assert deleted["atsCandidates"] == 5 and deleted["simpleJobPostings"] == 2
    assert re.search(r"<code>atsCandidates</code></td>\s*<td class=\"num\">5</td>",
                     report.text)
    assert "<td>Candidates <code>atsCandidates</code></td>" in report.text
    # The setup page starts over, with a link to the report.
    page = admin.get(BASE).text
    assert 'data-state="start"' in page and "/disconnect/report" in page
    assert admin.get(f"{BASE}/disconnect").headers["location"].endswith("/disconnect/report")
