"""The server's input boundary (issue 14, points 3, 4, 5 and 12), over real HTTP on SQLite and
PostgreSQL: NUL characters, integers past 64 bits, huge and deeply nested JSON, long NDJSON
lines and LinkedIn pushes with a bad `requestId` are all answered 4xx naming the field, on a
connection that stays open; an unexpected 500 logs no value the client sent."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Request
from sqlalchemy import func, insert, select, text

from recruitlink.core.records import Candidate, User
from recruitlink.core.signing import sign
from recruitlink.crypto import SecretBox
from recruitlink.settings import Settings
from recruitlink.store import Store, accounts, schema
from recruitlink.store.tenants import Tenant, create_api_key
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.support.pages import csrf_of
from tests.support.servers import serve

KEY = "input-boundary-test-secret-key-0123456789"
PASSWORD = "correct horse battery"
CLIENT_SECRET = "push-client-secret"
TOKEN = "callback-token-1"
SEAT = "urn:li:seat:1"
PAST_64_BITS = str(2**64)
BIGINT_MAX = str(2**63 - 1)
PUSH = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "req-1",
        "integrationContext": "urn:li:organization:1", "createdAt": 1}


@dataclass
class Site:
    url: str
    store: Store
    tenant: Tenant
    api: httpx.Client
    """The data API (`/api/v1`) with the tenant's key."""
    web: httpx.Client
    """The pages, signed in as a company admin."""
    anonymous: httpx.Client


def probe_router() -> APIRouter:
    """A route that fails the way a bug would: SQL that errors, holding what the client
    sent (the fix must keep those values out of the logs)."""
    router = APIRouter()

    @router.get("/probe/fail/{token}")
    def fail(token: str, email: str, request: Request) -> None:
        with request.app.state.store.reader() as conn:
            conn.execute(text("SELECT * FROM no_such_table WHERE a = :token AND b = :email"),
                         {"token": token, "email": email})

    return router


@pytest.fixture
def site(store: Store) -> Iterator[Site]:
    acme = make_tenant(store, "acme")
    with store.writer(acme.id) as w:
        w.records("users", [(0, User(id="A1", name="Ada Admin", email="ada@acme.example",
                                     role="company_admin"))], mode="create")
        w.records("candidates", [(0, Candidate(id="C1", first_name="Ann"))], mode="create")
        accounts.set_password(w.conn, acme.id, "A1", PASSWORD)
    with store.db.write() as conn:
        key = create_api_key(conn, acme.id, name="tests", now_ms=1)
        conn.execute(insert(schema.connections).values(
            tenant_id=acme.id, kind="RSC", organization="urn:li:organization:1", contracts=[],
            callback_token=TOKEN, status="ENABLED", status_changed_at=1, paused=False,
            policy={}, created_at=1, client_secret=SecretBox(KEY).seal(CLIENT_SECRET)))
        conn.execute(insert(schema.linkedin_seats).values(
            tenant_id=acme.id, seat=SEAT, contract="urn:li:contract:1", active=True,
            updated_at=1))
    settings = Settings(secret_key=KEY, inbound_worker=False, pollers=False,
                        background_sync=False)
    app = create_app(settings, store)
    app.include_router(probe_router())
    with serve(app) as url, \
            httpx.Client(base_url=f"{url}/api/v1", timeout=60,
                         headers={"Authorization": f"Bearer {key}"}) as api, \
            httpx.Client(base_url=url, timeout=60) as web, \
            httpx.Client(base_url=url, timeout=60) as anonymous:
        signed = web.post("/login", data={"workspace": "acme", "email": "ada@acme.example",
                                          "password": PASSWORD})
        assert signed.status_code == 303, signed.text
        yield Site(url, store, acme, api, web, anonymous)


def refused(client: httpx.Client, status: int, method: str, url: str,
            **kwargs: Any) -> dict[str, str]:
    """Sends the request; checks the status, the one error shape and that the connection
    is kept (the next request goes over the same one); returns {field: reason}."""
    response = answered(client, status, method, url, **kwargs)
    error = response.json()["error"]
    assert set(error) == {"code", "message", "errors"} and error["message"], error
    return {e["field"]: e["reason"] for e in error["errors"]}


def answered(client: httpx.Client, status: int, method: str, url: str,
             **kwargs: Any) -> httpx.Response:
    """Sends the request; checks the status and that the connection is kept (the next
    request goes over the same one)."""
    response = client.request(method, url, **kwargs)
    assert response.status_code == status, (url, response.status_code, response.text[:300])
    stream = response.extensions["network_stream"]
    after = client.get("/healthz" if client.base_url.path == "/" else "/candidates")
    assert after.status_code == 200, after.text
    assert after.extensions["network_stream"] is stream, "the connection was dropped"
    return response


def signed_push(site: Site, body: bytes, token: str = TOKEN) -> httpx.Response:
    return site.anonymous.post(f"/linkedin/push/{token}", content=body, headers={
        "Content-Type": "application/json", "X-LI-Signature": sign(CLIENT_SECRET, body)})


def stored_pushes(site: Site) -> int:
    with site.store.reader() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.inbox_events))
                   .scalar_one())


# -- point 3: NUL characters -----------------------------------------------------------------

@pytest.mark.parametrize(("who", "method", "path"), [
    ("anonymous", "POST", "/linkedin/push/ab%00cd"),
    ("api", "GET", "/candidates/ab%00cd"),
    ("api", "DELETE", "/jobs/J%001"),
    ("api", "PUT", f"/linkedin/seats/{SEAT}%00/user"),
    ("web", "GET", "/t/acme/candidates/ab%00cd"),
    ("web", "GET", "/t/acme/jobs/J%00"),
    ("web", "GET", "/t/acme/projects/P%00"),
    ("web", "GET", "/t/ac%00me/candidates"),
])
def test_a_nul_in_the_path_is_a_404(site: Site, who: str, method: str, path: str) -> None:
    client = getattr(site, who)
    body = {"json": {"user": "A1"}} if method == "PUT" else {}
    fields = refused(client, 404, method, path, **body)
    assert "NUL" in fields["path"]


@pytest.mark.parametrize(("who", "path", "field"), [
    ("web", "/t/acme/candidates?q=%00", "q"),
    ("web", "/t/acme/jobs?q=a%00b", "q"),
    ("web", "/t/acme/projects?q=%00", "q"),
    ("web", "/t/acme/candidates?after=1%00", "after"),
    ("web", "/t/acme/integrations/linkedin/sync-logs?status=%00", "status"),
    ("api", "/candidates?cursor=%00", "cursor"),
    ("api", "/linkedin/events?status=%00", "status"),
    ("anonymous", "/login?next=%00", "next"),
])
def test_a_nul_in_a_query_parameter_is_a_400_naming_it(site: Site, who: str, path: str,
                                                       field: str) -> None:
    fields = refused(getattr(site, who), 400, "GET", path)
    assert "NUL" in fields[field]


def test_a_nul_in_a_form_field_is_a_400_naming_it(site: Site) -> None:
    """Unauthenticated sign-in first: on PostgreSQL it used to be a 500."""
    form = {"workspace": "ac\x00me", "email": "ada@acme.example", "password": PASSWORD}
    assert "NUL" in refused(site.anonymous, 400, "POST", "/login", data=form)["workspace"]
    as_multipart = {k: (None, v) for k, v in form.items()}
    assert "NUL" in refused(site.anonymous, 400, "POST", "/login",
                            files=as_multipart)["workspace"]
    token = csrf_of(site.web, "/t/acme/integrations/linkedin/members")
    fields = refused(site.web, 400, "POST", "/t/acme/integrations/linkedin/members/map",
                     data={"seat": SEAT + "\x00", "user": "A1", "csrf_token": token})
    assert "NUL" in fields["seat"]
    # The same forms without a NUL still work.
    assert site.anonymous.post("/login", data={**form, "workspace": "acme"}
                               ).status_code == 303


def test_a_nul_in_a_json_string_is_refused_naming_its_field(site: Site) -> None:
    api = site.api
    assert "NUL" in refused(api, 422, "POST", "/candidates",
                            json={"id": "C2", "first_name": "A\x00"})["first_name"]
    assert "NUL" in refused(api, 422, "PATCH", "/candidates/C1",
                            json={"addresses": [{"city": "x\x00"}]})["addresses.0.city"]
    assert "user" in refused(api, 422, "PUT", f"/linkedin/seats/{SEAT}/user",
                             json={"user": "A\x001"})
    # In a bulk call, the record is rejected with its field; the others are kept.
    answer = api.post("/candidates/bulk", json=[{"id": "C3", "first_name": "Ok"},
                                               {"id": "C4", "tags": ["a", "b\x00"]}])
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected"]
    assert [(e["field"], "NUL" in e["reason"]) for e in results[1]["errors"]] == [
        ("tags", True)]
    # The candidate page's link call (JSON) names the field too.
    token = csrf_of(site.web, "/t/acme/candidates/C1")
    link = site.web.post("/t/acme/candidates/C1/linkedin-link",
                         json={"person_urn": "urn:li:person:a\x00b"},
                         headers={"X-CSRF-Token": token})
    assert link.status_code == 400 and link.json()["error"]["field"] == "person_urn"


def test_a_push_with_a_nul_anywhere_is_refused_and_not_stored(site: Site) -> None:
    """Point 12: `requestId` with a NUL or another control character; and a NUL in any
    other field (the push is stored as JSON, which PostgreSQL's JSONB refuses)."""
    for request_id in ("req\x00-1", "req\n1", "req\x7f", "\x1b[31m"):
        body = json.dumps({**PUSH, "requestId": request_id}).encode()
        fields = refused(site.anonymous, 400, "POST", f"/linkedin/push/{TOKEN}",
                         content=body, headers={"Content-Type": "application/json",
                                                "X-LI-Signature": sign(CLIENT_SECRET, body)})
        assert list(fields) == ["requestId"], fields
    body = json.dumps({**PUSH, "integrationContext": "urn:li:organization:\x00"}).encode()
    assert "NUL" in refused(site.anonymous, 400, "POST", f"/linkedin/push/{TOKEN}",
                            content=body, headers={"X-LI-Signature": sign(CLIENT_SECRET,
                                                                            body)}
                            )["integrationContext"]
    assert stored_pushes(site) == 0
    good = signed_push(site, json.dumps(PUSH).encode())
    assert good.status_code == 200 and good.json()["duplicate"] is False
    assert stored_pushes(site) == 1


def test_a_push_with_a_lone_surrogate_is_refused_and_not_stored(site: Site) -> None:
    """`"\\ud800"` is valid JSON but not text: it cannot be stored (a 500 before)."""
    for body, field in ((b'{"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "\\ud800"}',
                         "requestId"),
                        (b'{"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "r", '
                         b'"createdAt": "\\udfff"}', "createdAt")):
        fields = refused(site.anonymous, 400, "POST", f"/linkedin/push/{TOKEN}",
                         content=body, headers={"X-LI-Signature": sign(CLIENT_SECRET, body)})
        assert "surrogate" in fields[field], fields
    assert stored_pushes(site) == 0
    record = refused(site.api, 422, "POST", "/candidates", content=b'{"first_name": "\\ud800"}',
                     headers={"Content-Type": "application/json"})
    assert "first_name" in record


# -- point 4: integers past 64 bits, huge integers, deep JSON -----------------------------------

@pytest.mark.parametrize(("who", "method", "path", "field"), [
    ("api", "GET", f"/linkedin/events?before={PAST_64_BITS}", "before"),
    ("api", "GET", "/linkedin/events?before=0", "before"),
    ("api", "POST", f"/linkedin/events/{PAST_64_BITS}/replay", "event_id"),
    ("api", "POST", f"/linkedin/events/-{PAST_64_BITS}/replay", "event_id"),
    ("web", "GET", f"/t/acme/integrations/linkedin/sync-logs/batches/{PAST_64_BITS}",
     "batch_id"),
])
def test_an_integer_parameter_past_64_bits_is_a_422_naming_it(site: Site, who: str,
                                                               method: str, path: str,
                                                               field: str) -> None:
    assert field in refused(getattr(site, who), 422, method, path)


@pytest.mark.parametrize("review_id", [PAST_64_BITS, str(2**63)])
def test_a_review_item_id_past_64_bits_is_a_422_not_a_500(site: Site, review_id: str) -> None:
    """The review page's Resolve form posts to a path whose id reached the database whole:
    an id past 64 bits overflowed there (a 500; found on the attacker review)."""
    token = csrf_of(site.web, "/t/acme/integrations/linkedin/review")
    assert "review_id" in refused(
        site.web, 422, "POST", f"/t/acme/integrations/linkedin/review/{review_id}/resolve",
        data={"action": "link", "candidate": "C1", "csrf_token": token})


def test_the_largest_64_bit_ids_are_simply_not_found(site: Site) -> None:
    assert site.api.get(f"/linkedin/events?before={BIGINT_MAX}").json()["events"] == []
    assert "event_id" in refused(site.api, 404, "POST",
                                 f"/linkedin/events/{BIGINT_MAX}/replay")
    page = site.web.get(f"/t/acme/integrations/linkedin/sync-logs/batches/{BIGINT_MAX}")
    assert page.status_code == 404
    token = csrf_of(site.web, "/t/acme/integrations/linkedin/review")
    review = site.web.post(f"/t/acme/integrations/linkedin/review/{BIGINT_MAX}/resolve",
                           data={"action": "link", "candidate": "C1", "csrf_token": token})
    assert review.status_code == 404, review.text[:300]


LOGS = "/t/acme/integrations/linkedin/sync-logs"


@pytest.mark.parametrize(("path", "status"), [
    ("/t/acme/candidates?after=%C2%B2", 400),  # "²" is a digit to str.isdigit, not to int()
    ("/t/acme/jobs?after=" + "9" * 5000, 400),
    (f"{LOGS}?before=%C2%B2&after=" + "9" * 5000, 200),
    (f"{LOGS}?done=retried&n=%C2%B2", 200),
    (f"{LOGS}?done=retried&n=" + "9" * 5000, 200),
    (f"{LOGS}/batches/1?after=%C2%B2", 404),
])
def test_numbers_the_pages_read_by_hand_are_ascii_digits_of_a_sane_length(
        site: Site, path: str, status: int) -> None:
    answered(site.web, status, "GET", path)


def test_a_form_number_in_other_digits_is_a_field_error(site: Site) -> None:
    token = csrf_of(site.web, "/t/acme/integrations/linkedin")
    page = answered(site.web, 400, "POST", "/t/acme/integrations/linkedin/policy", data={
        "history_window": "all", "default_availability": "PUBLIC", "phone_region": "GB",
        "batch_size": "\u00b2", "csrf_token": token})
    assert 'id="batch_size-error"' in page.text


@pytest.mark.parametrize("merge", ["\u00b2", "9" * 19])
def test_an_unmerge_of_a_merge_id_in_other_digits_is_a_400(site: Site, merge: str) -> None:
    """"²" passed the form's isdigit check and failed in int(): a 409 showing Python's
    "invalid literal for int()" (found on the attacker review)."""
    token = csrf_of(site.web, "/t/acme/candidates/C1")
    page = answered(site.web, 400, "POST", "/t/acme/candidates/C1/unmerge",
                    data={"merge": merge, "csrf_token": token})
    assert "not a merge id" in page.text and "int()" not in page.text


def test_integers_of_more_than_4300_digits_are_a_400_with_a_reason(site: Site) -> None:
    huge = b"9" * 5000
    record = b'{"id": "C9", "first_name": ' + huge + b"}"
    fields = refused(site.api, 400, "POST", "/candidates/bulk", content=b"[" + record + b"]",
                     headers={"Content-Type": "application/json"})
    assert "4300 digits" in fields["line 1"]
    fields = refused(site.api, 400, "POST", "/candidates/bulk",
                     content=b'{"id": "C8"}\n' + record + b"\n",
                     headers={"Content-Type": "application/x-ndjson"})
    assert "4300 digits" in fields["line 2"]
    fields = refused(site.api, 400, "POST", "/candidates", content=record,
                     headers={"Content-Type": "application/json"})
    assert "4300 digits" in fields["body"]
    assert site.api.get("/candidates").json()["items"][0]["id"] == "C1"  # nothing else


def test_json_nested_5000_levels_is_a_400_with_a_reason(site: Site) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    fields = refused(site.anonymous, 400, "POST", f"/linkedin/push/{TOKEN}", content=deep,
                     headers={"X-LI-Signature": sign(CLIENT_SECRET, deep)})
    assert "nested too deeply" in fields["push"]
    token = csrf_of(site.web, "/t/acme/candidates/C1")
    link = site.web.post("/t/acme/candidates/C1/linkedin-link", content=deep,
                         headers={"X-CSRF-Token": token, "Content-Type": "application/json"})
    assert link.status_code == 400, link.text
    assert "nested too deeply" in link.json()["error"]["message"]
    assert "nested too deeply" in refused(site.api, 400, "POST", "/candidates", content=deep,
                                          headers={"Content-Type": "application/json"})["body"]
    # 64 levels is the limit: a push one level deeper is refused, at the limit it is read.
    at_limit = {**PUSH, "extra": json.loads("[" * 63 + "]" * 63)}
    assert signed_push(site, json.dumps(at_limit).encode()).status_code == 200
    past = {**PUSH, "requestId": "req-2", "extra": json.loads("[" * 64 + "]" * 64)}
    assert signed_push(site, json.dumps(past).encode()).status_code == 400
    assert stored_pushes(site) == 1


# -- point 5: NDJSON lines ----------------------------------------------------------------------

def test_an_ndjson_line_over_1_mib_is_refused_with_its_number(site: Site) -> None:
    long_line = json.dumps({"id": "C7", "first_name": "x" * (1024 * 1024)}).encode()

    def body() -> Iterator[bytes]:  # streamed in odd pieces, no Content-Length
        yield b'{"id": "C5", "first_name": "A"}\n\n{"id": "C6"'
        yield b', "first_name": "B"}\n'
        for start in range(0, len(long_line), 65_537):
            yield long_line[start:start + 65_537]
        yield b"\n"

    fields = refused(site.api, 413, "POST", "/candidates/bulk", content=body(),
                     headers={"Content-Type": "application/x-ndjson"})
    assert list(fields) == ["line 4"] and "1048576 bytes" in fields["line 4"]
    assert [c["id"] for c in site.api.get("/candidates").json()["items"]] == ["C1"]


def test_a_large_ndjson_body_of_many_lines_is_read_whole(site: Site) -> None:
    lines = [json.dumps({"id": f"N{i}", "first_name": f"Name {i}", "tags": ["t" * 50]})
             for i in range(10_000)]
    payload = ("\n".join(lines) + "\n").encode()

    def body() -> Iterator[bytes]:  # pieces that split lines anywhere
        for start in range(0, len(payload), 4093):
            yield payload[start:start + 4093]

    answer = site.api.post("/candidates/bulk", content=body(),
                           headers={"Content-Type": "application/x-ndjson"})
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["summary"]["created"] == 10_000
    assert [r["id"] for r in answer.json()["results"]] == [f"N{i}" for i in range(10_000)]


# -- what a 500 logs ------------------------------------------------------------------------------

def test_an_unexpected_error_logs_no_request_values(site: Site,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    token, email = "tok-sekrit-4242", "private.person@example.com"
    server_log = logging.getLogger("uvicorn")  # does not propagate: watch it directly
    server_log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO):
            response = site.anonymous.get(f"/probe/fail/{token}", params={"email": email})
            stream = response.extensions["network_stream"]
            after = site.anonymous.get("/healthz")
    finally:
        server_log.removeHandler(caplog.handler)
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    assert request_id in response.json()["error"]["message"]
    assert after.status_code == 200 and after.extensions["network_stream"] is stream
    server = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(caplog.handler.format(r) for r in server)
    assert token not in logged and email not in logged and "private" not in logged
    assert request_id in logged and "/probe/fail/{token}" in logged
    assert "ProgrammingError" in logged or "OperationalError" in logged
    assert len(server) == 1 and len(logged.splitlines()) < 20, logged


def test_a_form_over_the_body_limit_is_a_413_while_it_streams(store: Store) -> None:
    """The input guard reads forms inside the body limit: a streamed form past it is a 413,
    not a 500 (the limit's error is raised while the guard reads)."""
    app = create_app(Settings(secret_key=KEY, inbound_worker=False, pollers=False,
                              background_sync=False, max_body_bytes=1000), store)

    def form() -> Iterator[bytes]:  # no Content-Length
        yield b"workspace=acme&email=a%40b.example&password="
        for _ in range(10):
            yield b"x" * 500

    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        fields = refused(client, 413, "POST", "/login", content=form(), headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        assert "1000" in fields["body"]
