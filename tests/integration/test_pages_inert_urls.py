"""Issue 14, point 1 on the pages: a URL that slipped into the database before the store
checked schemes is shown as text, never linked; and every answer of the server (page, API,
404, static file, docs) carries the security headers. Over loopback, SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from recruitlink.core.records import Candidate, Job, User
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, schema
from recruitlink.store.tenants import Tenant, create_api_key
from recruitlink.web import create_app
from tests.support.servers import serve

PASSWORD = "correct horse battery"
LINKEDIN = "http://127.0.0.1:9"  # the LinkedIn origin the CSP allows (no server needed)
EVIL = [" JaVaScRiPt:alert(document.domain)", "javascript:fetch('/logout',{method:'POST'})",
        "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"]
GOOD = "https://www.linkedin.com/in/ada-lovelace"


@pytest.fixture
def site(store: Store, tenant: Tenant) -> Iterator[dict[str, Any]]:
    with store.writer(tenant.id) as w:
        w.records("users", [(0, User(id="U1", name="Rita Recruiter", email="rita@acme.example",
                                     role="company_admin"))], mode="create")
        accounts.set_password(w.conn, tenant.id, "U1", PASSWORD)
        w.records("candidates", [(0, Candidate(id="C1", first_name="Ada", linkedin_url=GOOD)),
                                 (1, Candidate(id="C2", first_name="Eve"))], mode="create")
        w.records("jobs", [(0, Job(id="J1", title="Engineer", apply_url=GOOD,
                                   description="Line one\nline two"))], mode="create")
        key = create_api_key(w.conn, tenant.id, name="tests", now_ms=1_700_000_000_000)
    app = create_app(Settings(database_url=store.db.url, inbound_worker=False,
                              linkedin_api_url=LINKEDIN, max_body_bytes=100_000), store=store)
    with serve(app) as url, httpx.Client(base_url=url, follow_redirects=False,
                                         timeout=30) as c:
        signed = c.post("/login", data={"workspace": tenant.slug, "email": "rita@acme.example",
                                        "password": PASSWORD})
        assert signed.status_code == 303, signed.text
        yield {"client": c, "url": url, "key": key, "base": f"/t/{tenant.slug}"}


def slip_in(store: Store, candidate_url: str, job_url: str) -> None:
    """Write URLs straight into the database, as a store before the scheme check did."""
    with store.db.write() as conn:
        conn.execute(update(schema.candidates).where(schema.candidates.c.external_id == "C2")
                     .values(linkedin_url=candidate_url))
        conn.execute(update(schema.jobs).where(schema.jobs.c.external_id == "J1")
                     .values(apply_url=job_url))


def hrefs(html: str) -> list[str]:
    return [h.replace("&amp;", "&") for h in re.findall(r'(?:href|src)="([^"]*)"', html)]


@pytest.mark.parametrize("evil", EVIL)
def test_a_stored_non_http_url_is_shown_as_text_never_linked(site: dict[str, Any],
                                                             store: Store, evil: str) -> None:
    c, base = site["client"], site["base"]
    slip_in(store, evil, evil)
    for path in (f"{base}/candidates/C2", f"{base}/jobs/J1"):
        page = c.get(path)
        assert page.status_code == 200, page.text
        links = hrefs(page.text)
        assert not [h for h in links if not h.startswith(("/", "?", "#", "mailto:", "http"))]
        assert not [h for h in links if "script" in h.lower() or h.startswith("data:")]
        assert '<span class="inert-url">' in page.text  # shown, as text


def test_a_stored_http_url_is_still_a_link(site: dict[str, Any]) -> None:
    c, base = site["client"], site["base"]
    assert f'<a href="{GOOD}" rel="noopener noreferrer" target="_blank">{GOOD}</a>' in c.get(
        f"{base}/candidates/C1").text
    assert f'<a href="{GOOD}" rel="noopener noreferrer">{GOOD}</a>' in c.get(
        f"{base}/jobs/J1").text


def test_a_stored_address_that_is_no_email_is_text_not_a_mailto_link(
        site: dict[str, Any], store: Store) -> None:
    """Found on the Comeet walk: an ATS record's "mark at example dot com" was a
    `mailto:mark at example dot com` link (a mail program opens nothing useful); only an
    email address is a link now, the rest is shown as it is stored."""
    c, base = site["client"], site["base"]
    with store.db.write() as conn:
        conn.execute(update(schema.candidates).where(schema.candidates.c.external_id == "C2")
                     .values(emails=["eve@example.com", "mark at example dot com",
                                     "mailto:ivan@example.com;"]))
    page = c.get(f"{base}/candidates/C2").text
    assert [h for h in hrefs(page) if h.startswith("mailto:")] == ["mailto:eve@example.com"]
    assert '<a href="mailto:eve@example.com">eve@example.com</a>' in page
    shown = re.findall(r'<span class="inert-email"[^>]*>([^<]*)</span>', page)
    assert shown == ["mark at example dot com", "mailto:ivan@example.com;"]


# -- the security headers --------------------------------------------------------------------

def directives(response: httpx.Response) -> dict[str, list[str]]:
    policy = response.headers.get("content-security-policy")
    assert policy, (response.request.url, dict(response.headers))
    out: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def assert_secure(response: httpx.Response) -> dict[str, list[str]]:
    csp = directives(response)
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"] and csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("same-origin", "no-referrer",
                                                   "strict-origin-when-cross-origin",
                                                   "strict-origin")
    assert "strict-transport-security" not in response.headers  # served over http
    return csp


def test_every_answer_carries_the_security_headers(site: dict[str, Any]) -> None:
    c, base = site["client"], site["base"]
    api = {"Authorization": f"Bearer {site['key']}"}
    answers = [c.get(f"{base}/candidates/C1"), c.get(f"{base}/jobs"), c.get("/login"),
               c.get(f"{base}/candidates/NOPE"), c.get("/no/such/page"),
               c.get("/api/v1/candidates", headers=api), c.get("/api/v1/candidates/NOPE",
                                                                headers=api),
               c.get("/api/v1/candidates"), c.post("/api/v1/candidates", headers=api,
                                                   json={"linkedin_url": "javascript:x"}),
               c.get("/static/app.css"), c.get("/static/nope.js"), c.get("/healthz"),
               c.get("/openapi.json"), c.post("/logout"),
               c.post("/api/v1/candidates/bulk", headers=api, content=b" " * 200_000)]
    assert sorted({a.status_code for a in answers}) == [200, 303, 401, 403, 404, 413, 422]
    for answer in answers:
        csp = assert_secure(answer)
        assert csp["script-src"] == ["'self'", LINKEDIN], answer.request.url
        assert csp["frame-src"] == [LINKEDIN] and LINKEDIN in csp["connect-src"]
        assert csp["default-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    page = answers[0].text
    assert "<script>" not in page  # no inline script
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page)  # no inline event handler


def test_the_docs_pages_allow_exactly_their_own_inline_script(site: dict[str, Any]) -> None:
    c = site["client"]
    hashed = 0
    for path in ("/docs", "/docs/oauth2-redirect", "/redoc"):
        answer = c.get(path)
        assert answer.status_code == 200
        csp = assert_secure(answer)
        scripts = re.findall(r"<script>(.*?)</script>", answer.text, re.DOTALL)
        wanted = {"'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()
                  + "'" for s in scripts}
        assert {v for v in csp["script-src"] if v.startswith("'sha256-")} == wanted
        hashed += len(wanted)
    assert hashed >= 2  # Swagger UI's start-up script and the OAuth2 redirect page's


def test_hsts_only_over_https(store: Store) -> None:
    plain = create_app(Settings(database_url=store.db.url, inbound_worker=False), store=store)
    behind_tls = create_app(Settings(database_url=store.db.url, inbound_worker=False,
                                     public_url="https://ats.example.com"), store=store)
    with serve(plain) as url, httpx.Client(base_url=url) as c:
        assert "strict-transport-security" not in c.get("/healthz").headers
        # A TLS proxy in front (on loopback: trusted) says the request came over https.
        proxied = c.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers["strict-transport-security"].startswith("max-age=")
    with serve(behind_tls) as url, httpx.Client(base_url=url) as c:
        for answer in (c.get("/healthz"), c.get("/login"), c.get("/static/app.css")):
            assert answer.headers["strict-transport-security"].startswith("max-age=")


def test_no_cache_keeps_an_answer_but_a_static_file(site: dict[str, Any]) -> None:
    """Pages, downloads and API answers hold personal data and secrets: a browser or proxy
    cache must not keep them (a shared computer's next user, a caching proxy); only the
    static files, the same for everyone, may be cached."""
    c, base = site["client"], site["base"]
    api = {"Authorization": f"Bearer {site['key']}"}
    hook = c.post("/api/v1/webhooks", headers=api,
                  json={"url": "https://ats.example.com/hooks"})
    assert hook.status_code == 201 and hook.json()["secret"].startswith("whsec_")
    resume = c.put("/api/v1/candidates/C1/resume", headers={
        **api, "Content-Type": "application/pdf"}, content=b"%PDF-1.4\n%%EOF\n")
    assert resume.status_code in (200, 201), resume.text
    answers = [hook, c.post(f"/api/v1/webhooks/{hook.json()['id']}/rotate", headers=api),
               c.get("/api/v1/candidates/C1", headers=api),
               c.get("/api/v1/candidates/C1/resume", headers=api),
               c.get(f"{base}/candidates/C1/files/{resume.json()['id']}"),
               c.get(f"{base}/candidates/C1"), c.get("/api/v1/candidates/NOPE", headers=api),
               c.get("/healthz")]
    for answer in answers:
        assert answer.status_code < 500, (answer.request.url, answer.text)
        assert answer.headers.get("cache-control") == "no-store", (
            answer.request.method, answer.request.url, answer.status_code)
    assert "no-store" not in c.get("/static/app.css").headers.get("cache-control", "")
