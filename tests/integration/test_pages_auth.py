"""Page sign-in, sessions, tenants, roles and CSRF, over loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from recruitlink.core.records import User
from recruitlink.settings import Settings
from recruitlink.store import accounts
from recruitlink.web import create_app
from recruitlink.web.pages.render import render
from recruitlink.web.pages.security import (
    COOKIE,
    PageUser,
    company_admin,
    page_user,
    require_csrf,
)
from tests.conftest import make_tenant
from tests.support.pages import csrf_of, field_error
from tests.support.servers import serve

KEY = "pages-test-key-at-least-32-characters-long"
PASSWORD = "correct horse battery"


def probe_router() -> APIRouter:
    """A tiny admin-only page and a POST, to test the dependencies on their own."""
    router = APIRouter()

    @router.get("/t/{slug}/probe/admin")
    def admin_page(request: Request, user: PageUser = Depends(company_admin)) -> HTMLResponse:
        return render(request, "forbidden.html", {"title": "Admin probe",
                                                  "message": f"hello {user.name}",
                                                  "status": 200})

    @router.post("/t/{slug}/probe/post", dependencies=[Depends(require_csrf)])
    def post(user: PageUser = Depends(page_user)) -> Response:
        return Response(f"posted by {user.external_id}", media_type="text/plain")

    return router


@pytest.fixture
def site(store) -> Iterator[dict]:
    acme = make_tenant(store, "acme")
    other = make_tenant(store, "globex", kind="CRM")
    with store.writer(acme.id) as w:
        w.records("users", [
            (0, User(id="R1", name="Rita Recruiter", email="Rita@Acme.example",
                     role="recruiter")),
            (1, User(id="A1", name="Ada Admin", email="ada@acme.example",
                     role="company_admin")),
            (2, User(id="GONE", name="Old Timer", email="old@acme.example", role="recruiter",
                     active=False))], mode="create")
        for ext in ("R1", "A1", "GONE"):
            accounts.set_password(w.conn, acme.id, ext, PASSWORD)
    with store.writer(other.id) as w:
        w.records("users", [(0, User(id="G1", name="Gina", email="gina@globex.example",
                                     role="company_admin"))], mode="create")
        accounts.set_password(w.conn, other.id, "G1", PASSWORD)
    app = create_app(Settings(secret_key=KEY, inbound_worker=False), store)
    app.include_router(probe_router())
    with serve(app) as url:
        yield {"url": url, "acme": acme, "globex": other}


@pytest.fixture
def client(site) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site["url"], follow_redirects=False, timeout=30) as c:
        yield c


def sign_in(client: httpx.Client, workspace: str = "acme", email: str = "rita@acme.example",
            password: str = PASSWORD, next_url: str = "") -> httpx.Response:
    return client.post("/login", data={"workspace": workspace, "email": email,
                                       "password": password, "next": next_url})


def test_signed_out_get_redirects_to_login_and_back(client):
    r = client.get("/t/acme/candidates?q=ann")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/t/acme/candidates%3Fq%3Dann"
    assert client.get("/").headers["location"] == "/login"
    form = client.get(r.headers["location"])
    assert form.status_code == 200 and 'name="password"' in form.text
    assert 'value="/t/acme/candidates?q=ann"' in form.text
    signed = sign_in(client, next_url="/t/acme/candidates?q=ann")
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"] == "/t/acme/candidates?q=ann"
    cookie = signed.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert client.get("/t/acme/candidates").status_code == 200
    assert client.get("/").headers["location"] == "/t/acme/candidates"


def test_signed_out_post_is_401(client):
    r = client.post("/t/acme/probe/post", data={"csrf_token": "x"})
    assert r.status_code == 401
    assert "sign in" in r.text.lower()


def test_email_is_case_insensitive_and_next_must_be_local(client):
    r = sign_in(client, email="  RITA@acme.EXAMPLE ", next_url="https://evil.example/")
    assert r.status_code == 303 and r.headers["location"] == "/t/acme/candidates"


BAD_SIGN_INS = [
    ("acme", "rita@acme.example", "wrong password"),
    ("acme", "nobody@acme.example", PASSWORD),
    ("nowhere", "rita@acme.example", PASSWORD),
    ("globex", "rita@acme.example", PASSWORD),  # right user, wrong workspace
    ("acme", "old@acme.example", PASSWORD),  # deactivated
]


def test_bad_sign_in_says_one_thing_next_to_the_password(client):
    for workspace, email, password in BAD_SIGN_INS:
        r = sign_in(client, workspace, email, password)
        assert r.status_code == 401, (workspace, email)
        assert field_error(r.text, "password") == "email or password is wrong"
        assert field_error(r.text, "email") is None
        assert "set-cookie" not in r.headers
        assert f'value="{workspace}"' in r.text  # the form keeps what was typed ...
        assert password not in r.text  # ... but not the password
    r = client.post("/login", data={"workspace": "", "email": "", "password": ""})
    assert r.status_code == 422
    assert field_error(r.text, "workspace") and field_error(r.text, "email")
    assert field_error(r.text, "password")


def test_failed_attempts_are_throttled(client):
    for _ in range(10):
        assert sign_in(client, password="not it at all").status_code == 401
    r = sign_in(client)  # even the right password waits now
    assert r.status_code == 429
    assert "Too many failed attempts" in (field_error(r.text, "password") or "")
    assert sign_in(client, email="ada@acme.example").status_code == 303  # per email


def test_another_tenants_pages_are_404(client):
    assert sign_in(client).status_code == 303
    for path in ("/t/globex/candidates", "/t/globex/jobs", "/t/nope/candidates",
                 "/t/globex/probe/admin"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "globex" not in r.text.lower().replace("/t/globex", "")


def test_csrf_missing_or_wrong_is_403(client):
    assert sign_in(client).status_code == 303
    token = csrf_of(client, "/t/acme/candidates")
    assert client.post("/t/acme/probe/post").status_code == 403
    assert client.post("/t/acme/probe/post", data={"csrf_token": "0" * 64}).status_code == 403
    assert client.post("/t/acme/probe/post",
                       headers={"X-CSRF-Token": token[:-1] + "x"}).status_code == 403
    ok = client.post("/t/acme/probe/post", data={"csrf_token": token})
    assert (ok.status_code, ok.text) == (200, "posted by R1")
    ok = client.post("/t/acme/probe/post", headers={"X-CSRF-Token": token})
    assert ok.status_code == 200
    # A token is bound to its session: another session's token is refused.
    with httpx.Client(base_url=str(client.base_url), follow_redirects=False) as other:
        assert sign_in(other).status_code == 303
        assert other.post("/t/acme/probe/post", data={"csrf_token": token}).status_code == 403


def test_a_forged_or_tampered_cookie_is_signed_out(client):
    assert sign_in(client).status_code == 303
    value = client.cookies[COOKIE]
    payload, mac = value.split(".")
    client.cookies.set(COOKIE, payload + "." + ("0" if mac[0] != "0" else "1") + mac[1:])
    assert client.get("/t/acme/candidates").status_code == 303
    client.cookies.set(COOKIE, "garbage")
    assert client.get("/t/acme/candidates").status_code == 303


def test_password_change_signs_out(client, store, site):
    assert sign_in(client).status_code == 303
    assert client.get("/t/acme/candidates").status_code == 200
    with store.db.write() as conn:
        accounts.set_password(conn, site["acme"].id, "R1", "a brand new password")
    r = client.get("/t/acme/candidates")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert sign_in(client).status_code == 401
    assert sign_in(client, password="a brand new password").status_code == 303


def test_deactivated_user_is_signed_out(client, store, site):
    assert sign_in(client).status_code == 303
    with store.writer(site["acme"].id) as w:
        w.records("users", [(0, User(id="R1", active=False))], mode="update")
    assert client.get("/t/acme/candidates").status_code == 303


def test_recruiter_vs_company_admin(client, site):
    assert sign_in(client).status_code == 303
    r = client.get("/t/acme/probe/admin")
    assert r.status_code == 403
    assert "Only a company admin can open this page" in r.text
    assert "Integrations" not in r.text  # a recruiter's navigation has no admin pages
    token = csrf_of(client, "/t/acme/candidates")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/t/acme/candidates").status_code == 303
    assert sign_in(client, email="ada@acme.example").status_code == 303
    r = client.get("/t/acme/probe/admin")
    assert r.status_code == 200 and "hello Ada Admin" in r.text
    assert "/t/acme/integrations/linkedin/sync-logs" in r.text


def test_logout_needs_the_csrf_token(client):
    assert sign_in(client).status_code == 303
    assert client.post("/logout").status_code == 403
    assert client.get("/t/acme/candidates").status_code == 200
    r = client.post("/logout", data={"csrf_token": csrf_of(client, "/t/acme/candidates")})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert COOKIE not in client.cookies


def test_set_password_rules(store, site):
    with store.db.write() as conn:
        with pytest.raises(ValueError, match="password: must be at least 8"):
            accounts.set_password(conn, site["acme"].id, "R1", "short")
        with pytest.raises(LookupError, match="NOPE"):
            accounts.set_password(conn, site["acme"].id, "NOPE", PASSWORD)
    with store.reader() as conn:
        row = accounts.verify(conn, "acme", "rita@acme.example", PASSWORD)
        assert row is not None and row.external_id == "R1"
        assert row.password_hash.startswith("scrypt$") and PASSWORD not in row.password_hash
        assert accounts.verify(conn, "acme", "rita@acme.example", PASSWORD + "x") is None
