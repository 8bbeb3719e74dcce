"""Integrations -> LinkedIn -> Webhooks over loopback, on SQLite and PostgreSQL: a company
admin adds an endpoint (errors next to their fields, the secret shown once), edits, disables
and enables it, rotates its secret, reads the delivery log (filter, paging, attempts),
replays one delivery or a time range, deletes it after a confirmation; an endpoint disabled by
failing deliveries is shown with its reason; an admin only reads; CSRF on every form; another
tenant's endpoints do not exist (issue 18)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from recruitlink.core.records import User
from recruitlink.crypto import SecretBox
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, schema, webhooks
from recruitlink.store.tenants import Tenant
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.support.keys import TEST_SECRET_KEY
from tests.support.pages import csrf_of, field_error
from tests.support.servers import serve
from tests.support.webhook_rows import seed_deliveries

PASSWORD = "correct horse battery"
LINKEDIN = "http://127.0.0.1:9"  # never called
HOOKS = "/t/acme/integrations/linkedin/webhooks"
NOW = 1_750_000_000_000
BOX = SecretBox(TEST_SECRET_KEY)  # the key tests/conftest.py gives the server


@dataclass
class Site:
    url: str
    store: Store
    tenant: Tenant
    clients: list[httpx.Client]

    def client(self, email: str, workspace: str = "acme") -> httpx.Client:
        client = httpx.Client(base_url=self.url, follow_redirects=False, timeout=60)
        self.clients.append(client)
        r = client.post("/login", data={"workspace": workspace, "email": email,
                                        "password": PASSWORD, "next": ""})
        assert r.status_code == 303, r.text
        return client

    def endpoints(self) -> list[webhooks.Endpoint]:
        with self.store.reader() as conn:
            return webhooks.list_endpoints(conn, self.tenant.id)


def users(store: Store, tenant: Tenant, people: list[tuple[str, str, str]]) -> None:
    with store.writer(tenant.id) as w:
        w.records("users", [(i, User(id=ext, name=ext, email=email, role=role))
                            for i, (ext, email, role) in enumerate(people)], mode="create")
        for ext, _, _ in people:
            accounts.set_password(w.conn, tenant.id, ext, PASSWORD)


@pytest.fixture
def site(store: Store, tenant: Tenant) -> Iterator[Site]:
    users(store, tenant, [("A1", "ada@acme.example", "company_admin"),
                          ("A2", "alan@acme.example", "admin"),
                          ("R1", "rita@acme.example", "recruiter")])
    other = make_tenant(store, "globex")
    users(store, other, [("G1", "gina@globex.example", "company_admin")])
    app = create_app(Settings(database_url=store.db.url, inbound_worker=False,
                              background_sync=False, pollers=False, webhooks=False,
                              linkedin_api_url=LINKEDIN), store=store)
    with serve(app) as url:
        s = Site(url, store, tenant, [])
        try:
            yield s
        finally:
            for c in s.clients:
                c.close()


def add(c: httpx.Client, **form: object) -> httpx.Response:
    data: dict[str, object] = {"csrf_token": csrf_of(c, HOOKS), "url": "", "description": "",
                               **form}
    return c.post(HOOKS, data=data)


def secret_on(page: str) -> str | None:
    found = re.search(r'id="signing-secret" type="text" readonly value="(whsec_[^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def test_a_company_admin_adds_an_endpoint_and_sees_its_secret_once(site: Site) -> None:
    c = site.client("ada@acme.example")
    page = c.get(HOOKS)
    assert page.status_code == 200 and "No endpoint yet" in page.text
    for name, description in (("export.refused", "A One-Click Export was refused"),
                              ("record.rejected", "could not be synced to LinkedIn")):
        assert f'value="{name}"' in page.text and description in page.text

    refused = add(c, url="http://ats.example.com/hooks", description="Our ATS",
                  types=["candidate.created", "export.refused"])
    assert refused.status_code == 400
    assert "must use https" in (field_error(refused.text, "url") or "")
    # What was typed and ticked is kept.
    assert 'value="http://ats.example.com/hooks"' in refused.text
    assert 'value="Our ATS"' in refused.text
    assert re.search(r'value="export.refused" checked', refused.text)
    assert not re.search(r'value="note.created" checked', refused.text)
    assert site.endpoints() == []
    assert "credentials" in (field_error(add(c, url="https://u:p@ats.example.com/").text,
                                         "url") or "")

    added = add(c, url="https://ats.example.com/hooks", description="Our ATS",
                types=["candidate.created", "export.refused"])
    [endpoint] = site.endpoints()
    # Post/redirect/get: the endpoint's page shows the secret once, a reload no more.
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"{HOOKS}/{endpoint.id}?done=added"
    assert "whsec_" not in added.headers["set-cookie"]  # sealed on its way
    created = c.get(added.headers["location"])
    secret = secret_on(created.text)
    assert secret is not None and secret.startswith("whsec_")
    assert "shown only once" in created.text and "has been added" in created.text
    assert secret_on(c.get(added.headers["location"]).text) is None
    assert (endpoint.url, endpoint.description, endpoint.types) == (
        "https://ats.example.com/hooks", "Our ATS", ("candidate.created", "export.refused"))
    with site.store.reader() as conn:
        assert webhooks.signing_secrets(conn, BOX, endpoint.id, NOW) == [secret]
    listed = c.get(HOOKS).text
    assert secret not in listed and secret not in c.get(f"{HOOKS}/{endpoint.id}").text
    assert "candidate.created, export.refused" in listed and "none yet" in listed


def test_no_type_ticked_means_every_type(site: Site) -> None:
    c = site.client("ada@acme.example")
    assert add(c, url="http://127.0.0.1:9000/hooks").status_code == 303
    [endpoint] = site.endpoints()
    assert endpoint.types == () and "all event types" in c.get(HOOKS).text


def test_edit_disable_enable_rotate_and_delete(site: Site) -> None:
    c = site.client("ada@acme.example")
    add(c, url="https://ats.example.com/hooks", types=["note.created"])
    [endpoint] = site.endpoints()
    here = f"{HOOKS}/{endpoint.id}"
    token = csrf_of(c, here)

    bad = c.post(here, data={"csrf_token": token, "url": "https://ats.example.com/h#x",
                             "description": "x" * 201, "types": ["note.created"]})
    assert bad.status_code == 400
    assert "fragment" in (field_error(bad.text, "url") or "")
    assert "at most 200" in (field_error(bad.text, "description") or "")
    saved = c.post(here, data={"csrf_token": token, "url": "https://ats.example.com/v2",
                               "description": "v2", "types": ["note.created", "note.deleted"]})
    assert saved.status_code == 303 and saved.headers["location"] == here + "?done=saved"
    [endpoint] = site.endpoints()
    assert (endpoint.url, endpoint.types) == ("https://ats.example.com/v2",
                                              ("note.created", "note.deleted"))

    assert c.post(here + "/disable", data={"csrf_token": token}).status_code == 303
    page = c.get(here + "?done=disabled").text
    assert "nothing is sent to it until you enable it" in page and "by an admin" in page
    assert not site.endpoints()[0].enabled
    assert c.post(here + "/enable", data={"csrf_token": token}).status_code == 303
    assert site.endpoints()[0].enabled

    rotated = c.post(here + "/rotate", data={"csrf_token": token})
    assert rotated.status_code == 303, rotated.text
    first = c.get(rotated.headers["location"])
    second = c.get(c.post(here + "/rotate", data={"csrf_token": token}).headers["location"])
    one, two = secret_on(first.text), secret_on(second.text)
    assert one and two and one != two
    assert "both the new and the previous secret" in second.text
    assert "the previous secret signs too until" in c.get(here).text

    confirm = c.get(here + "/delete")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.text
    assert site.endpoints()  # asking is not deleting
    gone = c.post(here + "/delete", data={"csrf_token": token})
    assert gone.status_code == 303 and gone.headers["location"] == HOOKS + "?done=deleted"
    assert site.endpoints() == []
    assert c.get(here).status_code == 404


def test_an_endpoint_disabled_by_failing_deliveries_says_why(site: Site) -> None:
    c = site.client("ada@acme.example")
    add(c, url="https://ats.example.com/hooks")
    [endpoint] = site.endpoints()
    reason = "deliveries failed for 3 days (last: HTTP 503)"
    with site.store.db.write() as conn:
        webhooks.disable_endpoint(conn, endpoint.id, reason=reason, now_ms=NOW)
    for path in (HOOKS, f"{HOOKS}/{endpoint.id}"):
        page = c.get(path).text
        alert = re.search(r'class="flash error hook-disabled" role="alert"(.*?)</div>', page,
                          re.S)
        assert alert and reason in html.unescape(alert.group(1)), path


def test_the_delivery_log_attempts_and_replays(site: Site) -> None:
    c = site.client("ada@acme.example")
    add(c, url="https://ats.example.com/hooks")
    [endpoint] = site.endpoints()
    here = f"{HOOKS}/{endpoint.id}"
    statuses = ["delivered"] * 50 + ["failed", "pending"]
    ids = seed_deliveries(site.store, site.tenant.id, endpoint.id, statuses, NOW)

    page = c.get(here).text
    rows = re.findall(r'<tr data-delivery="(\d+)"', page)
    assert [int(r) for r in rows] == ids[::-1][:50]  # newest first, a page of 50
    older = re.search(r'href="([^"]+)" rel="next">Older deliveries', page)
    assert older is not None
    rest = c.get(html.unescape(older.group(1))).text
    assert [int(r) for r in re.findall(r'<tr data-delivery="(\d+)"', rest)] == ids[:2][::-1]
    failed = c.get(here, params={"status": "failed"}).text
    assert [int(r) for r in re.findall(r'<tr data-delivery="(\d+)"', failed)] == [ids[50]]
    assert "HTTP 500" in failed and "12 ms" in failed

    attempts = c.get(f"{here}/deliveries/{ids[50]}")
    assert attempts.status_code == 200
    assert "HTTP 500" in attempts.text and "candidate:C50" in attempts.text
    assert len(re.findall(r'<tr data-attempt=', attempts.text)) == 1

    token = csrf_of(c, here)
    replayed = c.post(f"{here}/deliveries/{ids[50]}/replay", data={"csrf_token": token})
    assert replayed.status_code == 303 and replayed.headers["location"].endswith("replayed")
    with site.store.reader() as conn:
        again = webhooks.get_delivery(conn, site.tenant.id, ids[50])
        assert again is not None and again.status == "pending"

    bad = c.post(f"{here}/replay", data={"csrf_token": token, "since": "soon",
                                         "until": "2025-06-15T15:00"})
    assert bad.status_code == 400 and field_error(bad.text, "since")
    backwards = c.post(f"{here}/replay", data={"csrf_token": token,
                                               "since": "2025-06-15T16:00",
                                               "until": "2025-06-15T15:00"})
    assert "must not be before" in (field_error(backwards.text, "until") or "")
    # NOW is 2025-06-15 15:06:40 UTC: deliveries 0..3 were created by 15:09:40.
    ranged = c.post(f"{here}/replay", data={"csrf_token": token, "since": "2025-06-15T15:00",
                                            "until": "2025-06-15T15:09"})
    assert ranged.status_code == 200 and "4 deliveries from" in ranged.text, ranged.text
    with site.store.reader() as conn:
        pending = webhooks.list_deliveries(conn, site.tenant.id, endpoint.id,
                                           status="pending", limit=100)
    assert sorted(d.id for d in pending) == sorted([*ids[:4], ids[50], ids[51]])


def test_who_may_see_and_act(site: Site) -> None:
    ada = site.client("ada@acme.example")
    add(ada, url="https://ats.example.com/hooks")
    [endpoint] = site.endpoints()
    here = f"{HOOKS}/{endpoint.id}"

    alan = site.client("alan@acme.example")  # an admin: reads, never acts
    page = alan.get(HOOKS)
    assert page.status_code == 200 and "ats.example.com" in page.text
    assert "Add an endpoint" not in page.text and "Rotate secret" not in alan.get(here).text
    token = csrf_of(alan, HOOKS)
    for path in (HOOKS, here, here + "/disable", here + "/rotate", here + "/delete",
                 here + "/replay"):
        assert alan.post(path, data={"csrf_token": token,
                                     "url": "https://x.example/"}).status_code == 403, path
    assert alan.get(here + "/delete").status_code == 403

    rita = site.client("rita@acme.example")  # a recruiter: not at all
    assert rita.get(HOOKS).status_code == 403 and rita.get(here).status_code == 403

    # Without the CSRF token nothing happens, even for a company admin.
    assert ada.post(here + "/delete", data={}).status_code == 403
    assert ada.post(HOOKS, data={"url": "https://y.example/"}).status_code == 403
    assert len(site.endpoints()) == 1

    gina = site.client("gina@globex.example", workspace="globex")
    assert gina.get(f"/t/globex/integrations/linkedin/webhooks/{endpoint.id}"
                    ).status_code == 404
    gtoken = csrf_of(gina, "/t/globex/integrations/linkedin/webhooks")
    assert gina.post(f"/t/globex/integrations/linkedin/webhooks/{endpoint.id}/delete",
                     data={"csrf_token": gtoken}).status_code == 404
    with site.store.reader() as conn:
        assert conn.execute(select(schema.webhook_endpoints.c.id)).scalars().all() == [
            endpoint.id]


def test_the_tab_leads_to_the_page(site: Site) -> None:
    c = site.client("ada@acme.example")
    setup = c.get("/t/acme/integrations/linkedin/members").text
    assert f'href="{HOOKS}"' in setup and ">Webhooks</a>" in setup


def test_the_secret_rides_only_to_its_user_once(site: Site) -> None:
    ada = site.client("ada@acme.example")
    added = add(ada, url="https://ats.example.com/hooks")
    sealed = added.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    page = added.headers["location"]
    alan = site.client("alan@acme.example")  # another user given ada's cookie: nothing
    alan.cookies.set("rl_webhook_secret", sealed)
    assert secret_on(alan.get(page).text) is None
    forged = site.client("ada@acme.example")  # a cookie not sealed by the server: nothing
    forged.cookies.set("rl_webhook_secret", "whsec_forged")
    shown = forged.get(page)
    assert shown.status_code == 200 and secret_on(shown.text) is None
    assert secret_on(ada.get(page).text) is not None  # its own user, once
