"""Page sign-in, sessions, tenants, roles and CSRF, over loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select, update

from recruitlink.core.records import User
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, schema
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
    with pages_server(store) as url:
        yield {"url": url, "acme": acme, "globex": other}


@contextmanager
def pages_server(store: Store, **settings: Any) -> Iterator[str]:
    """The app on loopback (with the probe pages), with these settings."""
    app = create_app(Settings(secret_key=KEY, inbound_worker=False, **settings), store)
    app.include_router(probe_router())
    with serve(app) as url:
        yield url


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


@pytest.mark.parametrize("raw", [b"abc.\xc3\xa9", b"\xe9.abc", b"x.\xff"])
def test_a_cookie_of_non_ascii_bytes_is_signed_out_not_a_500(site, raw):
    """A browser sends what a page of a sibling domain (or a careless proxy) set: the sign-in
    page, a page and sign-out must still answer (it was a 500 on every page, the sign-in
    page included, until the cookie was cleared by hand)."""
    headers = {"Cookie": COOKIE.encode() + b"=" + raw}
    with httpx.Client(base_url=site["url"], follow_redirects=False, timeout=30) as c:
        assert c.get("/login", headers=headers).status_code == 200
        page = c.get("/t/acme/candidates", headers=headers)
        assert page.status_code == 303 and page.headers["location"].startswith("/login")
        assert c.post("/logout", headers=headers).status_code == 303


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


# -- sessions kept on the server (issue 14, point 7) -------------------------------------------

def page_sessions_of(store: Store) -> list[Any]:
    with store.reader() as conn:
        return list(conn.execute(select(schema.page_sessions)))


def test_logout_ends_the_session_so_a_copied_cookie_stops_working(client, site):
    assert sign_in(client).status_code == 303
    copied = client.cookies[COOKIE]
    token = csrf_of(client, "/t/acme/candidates")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    with httpx.Client(base_url=site["url"], follow_redirects=False,
                      cookies={COOKIE: copied}) as thief:
        r = thief.get("/t/acme/candidates")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert thief.post("/t/acme/probe/post", data={"csrf_token": token}).status_code == 401


def test_a_signed_out_session_can_sign_out_again_without_an_error(client, store):
    assert sign_in(client).status_code == 303
    with store.db.write() as conn:
        conn.execute(update(schema.page_sessions).values(ended_at=1))
    r = client.post("/logout")  # a dead session has nothing to protect with a CSRF token
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_an_idle_session_ends_and_activity_keeps_it_alive(client, store):
    assert sign_in(client).status_code == 303
    [row] = page_sessions_of(store)
    assert row.ended_at is None and row.expires_at - row.created_at == 12 * 3600 * 1000
    now_ms = int(time.time() * 1000)
    with store.db.write() as conn:  # idle for a little less than the 30 minutes allowed
        conn.execute(update(schema.page_sessions).values(last_seen_at=now_ms - 1700_000))
    assert client.get("/t/acme/candidates").status_code == 200
    [row] = page_sessions_of(store)
    assert row.last_seen_at >= now_ms  # the page view counted as activity
    with store.db.write() as conn:  # now idle for longer than allowed
        conn.execute(update(schema.page_sessions).values(last_seen_at=now_ms - 1801_000))
    r = client.get("/t/acme/candidates")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_idle_timeout_and_lifetime_are_settings(store, site):
    with pages_server(store, session_idle_seconds=600, session_lifetime_seconds=3600) as url, \
            httpx.Client(base_url=url, follow_redirects=False) as c:
        signed = sign_in(c)
        assert "max-age=3600" in signed.headers["set-cookie"].lower()
        now_ms = int(time.time() * 1000)
        with store.db.write() as conn:
            conn.execute(update(schema.page_sessions).values(last_seen_at=now_ms - 601_000))
        assert c.get("/t/acme/candidates").status_code == 303
        assert sign_in(c).status_code == 303
        with store.db.write() as conn:  # past the absolute lifetime, however active
            conn.execute(update(schema.page_sessions).values(expires_at=now_ms - 1))
        assert c.get("/t/acme/candidates").status_code == 303


def test_changing_the_password_ends_every_session_of_that_user(client, store, site):
    assert sign_in(client).status_code == 303
    with httpx.Client(base_url=site["url"], follow_redirects=False) as ada:
        assert sign_in(ada, email="ada@acme.example").status_code == 303
        with store.db.write() as conn:
            accounts.set_password(conn, site["acme"].id, "R1", "a brand new password")
        assert client.get("/t/acme/candidates").status_code == 303
        assert ada.get("/t/acme/candidates").status_code == 200  # another user: untouched
    ended = [row for row in page_sessions_of(store) if row.ended_at is not None]
    assert len(ended) == 1


@pytest.mark.parametrize(("public_url", "forced", "secure"), [
    ("https://ats.example.com", None, True),  # TLS at a proxy: the request itself is http
    ("http://127.0.0.1:8000", None, False),
    ("https://ats.example.com", False, False),
    ("http://127.0.0.1:8000", True, True),
])
def test_the_cookie_is_secure_when_the_public_url_is_https(store, site, public_url, forced,
                                                           secure):
    extra = {} if forced is None else {"session_cookie_secure": forced}
    with pages_server(store, public_url=public_url, **extra) as url, \
            httpx.Client(base_url=url, follow_redirects=False) as c:
        cookie = sign_in(c).headers["set-cookie"]
        assert cookie.startswith(f"{COOKIE}=")
        assert ("secure" in [part.strip().lower() for part in cookie.split(";")]) is secure
        token = csrf_of_raw(c, cookie)
        out = c.post("/logout", data={"csrf_token": token},
                     headers={"Cookie": cookie.split(";")[0]})
        cleared = out.headers["set-cookie"].lower()
        assert cleared.startswith(f"{COOKIE}=") and ("secure" in cleared) is secure


def csrf_of_raw(client: httpx.Client, set_cookie: str) -> str:
    """The CSRF token of a page, sending the cookie by hand (httpx keeps a Secure cookie for
    https only)."""
    page = client.get("/t/acme/candidates", headers={"Cookie": set_cookie.split(";")[0]})
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf-token" content="([0-9a-f]+)"', page.text)
    assert found
    return found.group(1)


def old_scrypt_hash(password: str) -> str:
    """A hash made as recruitlink did before issue 14 (N=2**14)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    salt_text, digest_text = (base64.urlsafe_b64encode(raw).decode().rstrip("=")
                              for raw in (salt, digest))
    return f"scrypt${2**14}$8$1${salt_text}${digest_text}"


def test_new_passwords_use_scrypt_at_n_2_17(real_password_hashing):
    assert accounts.hash_password(PASSWORD).startswith("scrypt$131072$8$1$")


def test_an_old_hash_is_rehashed_on_sign_in_and_still_works(client, store, site,
                                                            real_password_hashing):
    old = old_scrypt_hash(PASSWORD)
    with store.db.write() as conn:
        conn.execute(update(schema.users).where(schema.users.c.external_id == "R1")
                     .values(password_hash=old))
    assert sign_in(client, password="wrong password!").status_code == 401
    with store.reader() as conn:  # a wrong password changes nothing
        assert conn.execute(select(schema.users.c.password_hash).where(
            schema.users.c.external_id == "R1")).scalar() == old
    assert sign_in(client).status_code == 303
    assert client.get("/t/acme/candidates").status_code == 200  # this session survives it
    with store.reader() as conn:
        new = conn.execute(select(schema.users.c.password_hash).where(
            schema.users.c.external_id == "R1")).scalar()
    assert new.startswith("scrypt$131072$8$1$") and new != old
    with httpx.Client(base_url=site["url"], follow_redirects=False) as again:
        assert sign_in(again).status_code == 303


# -- sign-in budgets, in the database (issue 14, point 8) -------------------------------------

def from_address(client: httpx.Client, address: str, **kwargs: Any) -> httpx.Response:
    """A sign-in from `address` (uvicorn trusts X-Forwarded-For from loopback, as from a
    proxy on the same host)."""
    data = {"workspace": "acme", "email": "rita@acme.example", "password": PASSWORD,
            "next": ""}
    data.update(kwargs)
    return client.post("/login", data=data, headers={"X-Forwarded-For": address})


def assert_refused(r: httpx.Response, words: str) -> None:
    assert r.status_code == 429, r.text
    wait = int(r.headers["retry-after"])
    assert 0 < wait <= 900
    message = field_error(r.text, "password") or ""
    assert words in message, message
    assert "try again in" in message and "UTC" in message
    assert "set-cookie" not in r.headers


def test_the_per_address_budget_refuses_with_429(store, site):
    with pages_server(store, signin_failures_per_address=3) as url, \
            httpx.Client(base_url=url, follow_redirects=False) as c:
        for n in range(3):  # three accounts, one address
            r = from_address(c, "203.0.113.7", email=f"guess{n}@acme.example")
            assert r.status_code == 401
        # Even the right password, for an account never tried, waits now from this address ...
        assert_refused(from_address(c, "203.0.113.7"), "from your network address")
        # ... but not from another one.
        assert from_address(c, "198.51.100.1").status_code == 303


def test_ipv6_addresses_share_the_budget_of_their_64(store, site):
    with pages_server(store, signin_failures_per_address=2) as url, \
            httpx.Client(base_url=url, follow_redirects=False) as c:
        assert from_address(c, "2001:db8:1:2::1", password="nope nope").status_code == 401
        assert from_address(c, "2001:db8:1:2::ffff", password="nope nope").status_code == 401
        assert_refused(from_address(c, "2001:db8:1:2:aaaa::9"), "from your network address")
        assert from_address(c, "2001:db8:1:3::1").status_code == 303


def test_the_global_budget_refuses_everyone(store, site):
    with pages_server(store, signin_failures_global=4) as url, \
            httpx.Client(base_url=url, follow_redirects=False) as c:
        for n in range(4):  # four addresses, four accounts
            r = from_address(c, f"203.0.113.{n}", email=f"guess{n}@acme.example")
            assert r.status_code == 401
        assert_refused(from_address(c, "198.51.100.1"), "for everyone")


def test_the_per_account_budget_says_when_to_retry(client):
    for _ in range(10):
        assert sign_in(client, password="not it at all").status_code == 401
    assert_refused(sign_in(client), "for this email")


def test_two_servers_share_the_counters(store, site):
    limits = {"signin_failures_per_account": 3}
    with pages_server(store, **limits) as one, pages_server(store, **limits) as two, \
            httpx.Client(base_url=one, follow_redirects=False) as a, \
            httpx.Client(base_url=two, follow_redirects=False) as b:
        assert sign_in(a, password="wrong one").status_code == 401
        assert sign_in(b, password="wrong two").status_code == 401
        assert sign_in(a, password="wrong three").status_code == 401
        assert_refused(sign_in(b), "for this email")
        assert_refused(sign_in(a), "for this email")


def test_old_windows_are_pruned(store, site):
    with pages_server(store, signin_window_seconds=60) as url, \
            httpx.Client(base_url=url, follow_redirects=False) as c:
        assert sign_in(c, password="wrong one").status_code == 401
        with store.db.write() as conn:  # as if that failure were an hour old
            conn.execute(update(schema.signin_failures).values(
                window_start=schema.signin_failures.c.window_start - 3600_000))
        assert sign_in(c, password="wrong two").status_code == 401
        with store.reader() as conn:
            starts = set(conn.execute(select(schema.signin_failures.c.window_start)).scalars())
        assert len(starts) == 1 and min(starts) > int(time.time() * 1000) - 120_000


def test_concurrent_guesses_get_no_more_password_checks_than_the_budget(store, site,
                                                                         real_password_hashing):
    """Guesses sent all at once: each is counted before its password is checked, so no more
    than the account's budget (10) get an answer other than 429. Counted after the check,
    25 of 60 got a password check on `recruitlink demo`."""
    with httpx.Client(base_url=site["url"], follow_redirects=False, timeout=120) as c:
        sign_in(c, email="nobody@acme.example", password="warm up")  # the dummy hash, once
    limits = httpx.Limits(max_connections=40)

    def guess(n: int) -> int:
        with httpx.Client(base_url=site["url"], follow_redirects=False, timeout=120,
                          limits=limits) as c:
            return sign_in(c, email="nobody@acme.example", password=f"guess {n}").status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        codes = list(pool.map(guess, range(30)))
    assert codes.count(401) == 9 and codes.count(429) == 21, sorted(codes)


def test_a_right_password_is_no_failure_of_its_address_nor_of_everyone(store, site):
    with pages_server(store, signin_failures_global=3, signin_failures_per_address=3) as url, \
            httpx.Client(base_url=url, follow_redirects=False) as c:
        for _ in range(5):
            assert sign_in(c).status_code == 303
        assert sign_in(c, password="wrong once").status_code == 401
        assert sign_in(c, password="wrong twice").status_code == 401
        assert sign_in(c).status_code == 303  # account forgiven; 2 of 3 spent elsewhere
        with store.reader() as conn:
            rows = conn.execute(select(schema.signin_failures.c.scope,
                                       schema.signin_failures.c.failures)).all()
        assert sorted(rows) == [("account", 0), ("address", 2), ("all", 2)] or \
            sorted(rows) == [("address", 2), ("all", 2)], rows
