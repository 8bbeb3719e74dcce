"""Stored XSS through URLs (issue 14, point 1): the store keeps only absolute http(s) URLs,
whichever way a record arrives (data API create / PATCH / PUT / bulk JSON and NDJSON, One-Click
Export, InMail stubs), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from recruitlink.core.export_rules import parse_export
from recruitlink.inbound.exports import apply_export
from recruitlink.inbound.stubs import apply_stub
from recruitlink.settings import Settings
from recruitlink.store import Store, schema
from recruitlink.store.tenants import Tenant, create_api_key
from recruitlink.web import create_app
from tests.support.servers import serve

NOW = 1_700_000_000_000
PERSON = "urn:li:person:abc123"

BAD_URLS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(document.cookie)",  # leading space and mixed case: browsers ignore both
    "java\tscript:alert(1)",  # browsers drop tabs inside a URL
    "JAVASCRIPT:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "/relative/path",
    "//evil.example/protocol-relative",
    "www.linkedin.com/in/no-scheme",
    "https://",  # no host
    "ftp://files.example.com/cv.pdf",
]
# (segment, field, record with the URL in `field`): every URL field the API accepts.
URL_FIELDS: list[tuple[str, str, Any]] = [
    ("candidates", "linkedin_url", lambda url: {"first_name": "Ada", "linkedin_url": url}),
    ("jobs", "apply_url", lambda url: {"title": "Engineer", "apply_url": url}),
    ("candidates", "resume.url", lambda url: {"first_name": "Ada", "resume": {
        "filename": "cv.pdf", "content_type": "application/pdf", "size": 10, "url": url}}),
]
URL_FIELD_IDS = [f"{segment}.{field}" for segment, field, _ in URL_FIELDS]


@pytest.fixture
def client(store: Store, tenant: Tenant) -> Iterator[httpx.Client]:
    app = create_app(Settings(database_url=store.db.url), store=store)
    with serve(app) as url:
        with store.db.write() as conn:
            key = create_api_key(conn, tenant.id, name="tests", now_ms=NOW)
        with httpx.Client(base_url=f"{url}/api/v1", timeout=60,
                          headers={"Authorization": f"Bearer {key}"}) as c:
            yield c


def refused(response: httpx.Response, field: str) -> str:
    """The 422's reason for `field` (the one error shape)."""
    assert response.status_code == 422, response.text
    reasons = {e["field"]: e["reason"] for e in response.json()["error"]["errors"]}
    assert field in reasons, reasons
    return str(reasons[field])


def stored_urls(store: Store) -> set[str]:
    """Every URL the store holds."""
    with store.reader() as conn:
        found = [*conn.execute(select(schema.candidates.c.linkedin_url)).scalars(),
                 *conn.execute(select(schema.jobs.c.apply_url)).scalars(),
                 *(r["url"] for r in conn.execute(select(schema.candidates.c.resume)).scalars()
                   if r)]
    return {url for url in found if url is not None}


@pytest.mark.parametrize(("segment", "field", "make"), URL_FIELDS, ids=URL_FIELD_IDS)
def test_create_patch_and_put_refuse_a_url_that_is_not_http(client: httpx.Client, store: Store,
                                                            segment: str, field: str,
                                                            make: Any) -> None:
    good = make("https://www.example.com/ok")
    assert client.post(f"/{segment}", json={"id": "R2", **good}).status_code == 201
    for bad in BAD_URLS:
        reason = refused(client.post(f"/{segment}", json=make(bad)), field)
        assert "is not a valid absolute http(s) URL" in reason, (bad, reason)
        refused(client.put(f"/{segment}/R1", json=make(bad)), field)
        refused(client.patch(f"/{segment}/R2", json=make(bad)), field)
    assert stored_urls(store) == {"https://www.example.com/ok"}


@pytest.mark.parametrize("as_ndjson", [False, True], ids=["json", "ndjson"])
@pytest.mark.parametrize(("segment", "field", "make"), URL_FIELDS, ids=URL_FIELD_IDS)
def test_bulk_rejects_each_record_with_a_bad_url_and_stores_the_good(
        client: httpx.Client, store: Store, segment: str, field: str, make: Any,
        as_ndjson: bool) -> None:
    records = [{"id": f"B{i}", **make(url)} for i, url in enumerate(
        ["https://www.example.com/a", "javascript:alert(1)", "data:text/html,x",
         "HTTP://www.example.com/b"])]
    if as_ndjson:
        body = b"".join(json.dumps(r).encode() + b"\n" for r in records)
        answer = client.post(f"/{segment}/bulk", content=body,
                             headers={"Content-Type": "application/x-ndjson"})
    else:
        answer = client.post(f"/{segment}/bulk", json=records)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "rejected", "created"]
    for result in results[1:3]:
        (error,) = result["errors"]
        assert error["field"] == field and "scheme must be http or https" in error["reason"]
    assert stored_urls(store) == {"https://www.example.com/a", "HTTP://www.example.com/b"}


def test_an_empty_url_is_no_url_and_http_urls_are_kept_as_sent(client: httpx.Client) -> None:
    url = "https://www.linkedin.com/in/ada-lovelace-1815/?trk=public"
    assert client.post("/candidates", json={"id": "C1", "first_name": "Ada",
                                            "linkedin_url": url}).status_code == 201
    assert client.get("/candidates/C1").json()["linkedin_url"] == url
    assert client.patch("/candidates/C1", json={"linkedin_url": ""}).status_code == 200


# -- data from LinkedIn ----------------------------------------------------------------------

def export_element(profile_url: str) -> dict[str, Any]:
    return {"requestId": "req-1", "integrationContext": "urn:li:organization:1001",
            "exporter": {"seat": "urn:li:seat:7"}, "person": PERSON,
            "candidate": {"firstName": "Jane", "lastName": "Doe", "headline": "Data wrangler",
                          "publicProfileUrl": profile_url},
            "exportedAt": NOW}


def candidate_row(store: Store) -> Any:
    with store.reader() as conn:
        return conn.execute(select(schema.candidates).where(
            schema.candidates.c.person_urn == PERSON)).one()


def test_an_export_with_a_javascript_profile_url_is_created_without_it(
        store: Store, tenant: Tenant) -> None:
    with store.writer(tenant.id) as w:
        result = apply_export(w, parse_export(export_element("javascript:alert(1)")), NOW)
    assert result.outcome == "created"
    assert result.reason is not None and result.reason.startswith("publicProfileUrl: not stored")
    row = candidate_row(store)
    assert (row.first_name, row.headline, row.linkedin_url) == ("Jane", "Data wrangler", None)


def test_an_export_with_an_http_profile_url_keeps_it(store: Store, tenant: Tenant) -> None:
    url = "https://www.linkedin.com/in/jane-doe-42"
    with store.writer(tenant.id) as w:
        result = apply_export(w, parse_export(export_element(url)), NOW)
    assert (result.outcome, result.reason) == ("created", None)
    assert candidate_row(store).linkedin_url == url


def test_a_stub_with_a_data_profile_url_is_applied_without_it(store: Store,
                                                              tenant: Tenant) -> None:
    element = {"id": 11, "owner": "urn:li:seat:7", "person": PERSON, "firstName": "Jane",
               "lastName": "Doe", "emailAddress": "jane@example.com",
               "publicProfileUrl": "data:text/html,<script>alert(1)</script>",
               "createdAt": NOW}
    with store.writer(tenant.id) as w:
        assert apply_stub(w, element, NOW) == "created"
    row = candidate_row(store)
    assert (row.emails, row.linkedin_url) == (["jane@example.com"], None)
    with store.reader() as conn:
        item = conn.execute(select(schema.inbound_items)).one()
    assert "publicProfileUrl: not stored" in item.reason and "http or https" in item.reason


def test_the_openapi_description_says_which_urls_are_accepted(client: httpx.Client) -> None:
    spec = client.get(str(client.base_url).removesuffix("/api/v1/") + "/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for model, field in (("Candidate", "linkedin_url"), ("Job", "apply_url"), ("Resume", "url")):
        (text, _null) = schemas[model]["properties"][field]["anyOf"]
        assert "absolute http or https URL" in text["description"], (model, field, text)
