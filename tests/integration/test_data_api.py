"""The REST data API over real HTTP (uvicorn on loopback), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from recruitlink.settings import Settings
from recruitlink.store import ENTITIES, Store
from recruitlink.store.changelog import read_changes
from recruitlink.store.tenants import Tenant, create_api_key, revoke_api_key
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.support.servers import serve

MAX_BODY = 1_000_000  # small, so oversized bodies stay cheap; records stay at 10,000
NOW = 1_700_000_000_000


@dataclass
class Api:
    url: str
    store: Store
    tenant: Tenant
    key: str
    client: httpx.Client

    def as_tenant(self, tenant: Tenant) -> httpx.Client:
        return client_for(self.url, new_key(self.store, tenant))


def new_key(store: Store, tenant: Tenant) -> str:
    with store.db.write() as conn:
        return create_api_key(conn, tenant.id, name="tests", now_ms=NOW)


def client_for(url: str, key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=f"{url}/api/v1", headers=headers, timeout=60)


@pytest.fixture
def api(store: Store, tenant: Tenant) -> Iterator[Api]:
    app = create_app(Settings(database_url=store.db.url, max_body_bytes=MAX_BODY), store=store)
    with serve(app) as url:
        key = new_key(store, tenant)
        with client_for(url, key) as client:
            yield Api(url, store, tenant, key, client)


def changes(store: Store, tenant: Tenant) -> list[tuple[str, str, str]]:
    with store.reader() as conn:
        return [(c.entity, c.external_id, c.op)
                for c in read_changes(conn, tenant.id, 0, 100_000)]


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """The one error shape; returns {field: reason}."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "errors"}
    assert error["message"]
    return {e["field"]: e["reason"] for e in error["errors"]}


def errors_of(response: httpx.Response, status: int) -> list[tuple[str, str]]:
    error_of(response, status)
    return [(e["field"], e["reason"]) for e in response.json()["error"]["errors"]]


def ndjson(records: list[Any]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def bulk(client: httpx.Client, segment: str, records: list[Any],
         as_ndjson: bool = False) -> httpx.Response:
    if as_ndjson:
        return client.post(f"/{segment}/bulk", content=ndjson(records),
                           headers={"Content-Type": "application/x-ndjson"})
    return client.post(f"/{segment}/bulk", json=records)


def seed(api: Api) -> None:
    """A candidate C1, a job J1 and an application A1 of C1 to J1."""
    for segment, record in (("candidates", {"id": "C1", "first_name": "Ada",
                                            "emails": ["ada@example.com"]}),
                            ("jobs", {"id": "J1", "title": "Engineer"}),
                            ("applications", {"id": "A1", "candidate_id": "C1",
                                              "job_id": "J1"})):
        assert api.client.post(f"/{segment}", json=record).status_code == 201


# -- every verb ------------------------------------------------------------------------------

def test_create_read_update_upsert_delete(api: Api) -> None:
    c = api.client
    created = c.post("/candidates", json={"id": "C1", "first_name": "Ada",
                                          "emails": ["ada@example.com"],
                                          "phones": [{"number": "+44 20 1234", "type": "work"}]})
    assert created.status_code == 201
    body = created.json()
    assert body["id"] == "C1" and body["first_name"] == "Ada" and body["tags"] == []
    assert body["created_at"].endswith("Z") and body["source_id"] is None
    assert c.get("/candidates/C1").json() == body

    assert error_of(c.post("/candidates", json={"id": "C1", "first_name": "X"}), 409) == {
        "id": "a candidate with id 'C1' already exists"}
    minted = c.post("/candidates", json={"last_name": "Minted"})
    assert minted.status_code == 201 and minted.json()["id"].startswith("rl-")

    patched = c.patch("/candidates/C1", json={"current_title": "CTO"})
    assert patched.status_code == 200
    assert patched.json()["current_title"] == "CTO"
    assert patched.json()["first_name"] == "Ada"  # not given: kept
    assert patched.json()["emails"] == ["ada@example.com"]
    assert error_of(c.patch("/candidates/NOPE", json={"first_name": "X"}), 404) == {
        "id": "no candidate with id 'NOPE'"}
    assert "id" in error_of(c.patch("/candidates/C1", json={"id": "C2"}), 422)

    put = c.put("/jobs/J1", json={"title": "Engineer", "location": "Leeds"})
    assert put.status_code == 201 and put.json()["id"] == "J1"
    again = c.put("/jobs/J1", json={"id": "J1", "title": "Senior Engineer"})
    assert again.status_code == 200
    assert again.json()["title"] == "Senior Engineer" and again.json()["location"] == "Leeds"
    assert "id" in error_of(c.put("/jobs/J1", json={"id": "J2", "title": "X"}), 422)
    assert c.get("/jobs/J2").status_code == 404

    app = c.post("/applications", json={"id": "A1", "candidate_id": "C1", "job_id": "J1"})
    assert app.status_code == 201 and app.json()["current_stage"] is None
    st = c.post("/stage-transitions", json={"id": "S1", "application_id": "A1",
                                            "stage": "Phone screen",
                                            "entered_at": "2024-03-01T10:00:00+01:00"})
    assert st.status_code == 201 and st.json()["entered_at"] == "2024-03-01T09:00:00Z"
    fb = c.post("/interview-feedback", json={"id": "F1", "application_id": "A1",
                                             "interview_type": "onsite",
                                             "evaluations": [{"attribute": "Python",
                                                              "result": "strong"}]})
    assert fb.status_code == 201
    assert c.get("/interview-feedback/F1").json()["evaluations"][0]["result"] == "strong"

    assert c.delete("/candidates/C1").status_code == 204  # cascades
    for path in ("/candidates/C1", "/applications/A1", "/stage-transitions/S1",
                 "/interview-feedback/F1"):
        assert error_of(c.get(path), 404)["id"].startswith("no ")
    assert error_of(c.delete("/candidates/C1"), 404) == {"id": "no candidate with id 'C1'"}
    assert c.get("/jobs/J1").status_code == 200
    ops = changes(api.store, api.tenant)
    assert ("candidates", "C1", "delete") in ops and ("applications", "A1", "delete") in ops


def test_every_entity_has_every_route(api: Api) -> None:
    """A user, a source, its contact, a project, its stage, a membership, an interaction,
    a note and a duplicate alert, through their hyphenated segments."""
    c = api.client
    steps = [
        ("users", {"id": "U1", "name": "Rita", "email": "rita@acme.test", "role": "recruiter"}),
        ("sources", {"id": "SRC1", "name": "Agency"}),
        ("source-contacts", {"id": "SC1", "source_id": "SRC1", "first_name": "Sam"}),
        ("candidates", {"id": "C1", "first_name": "Ada"}),
        ("candidates", {"id": "C2", "first_name": "Ada", "source_id": "SRC1"}),
        ("projects", {"id": "P1", "title": "Pipeline", "owner_id": "U1"}),
        ("project-stages", {"id": "PS1", "project_id": "P1", "name": "Lead",
                            "category": "lead"}),
        ("project-memberships", {"id": "PM1", "project_id": "P1", "candidate_id": "C1",
                                 "stage_id": "PS1"}),
        ("interactions", {"id": "I1", "candidate_id": "C1", "type": "email",
                          "occurred_at": "2024-01-01T00:00:00Z"}),
        ("notes", {"id": "N1", "candidate_id": "C1", "body": "Great", "author_id": "U1"}),
        ("duplicate-alerts", {"id": "D1", "candidate_id": "C1", "other_candidate_id": "C2",
                              "reason": "same name"}),
    ]
    for segment, record in steps:
        response = c.post(f"/{segment}", json=record)
        assert response.status_code == 201, (segment, response.text)
        assert c.get(f"/{segment}/{record['id']}").json() == response.json()
        listed = c.get(f"/{segment}").json()
        assert record["id"] in [i["id"] for i in listed["items"]]
    assert c.patch("/project-stages/PS1", json={"position": 3}).json()["position"] == 3
    assert c.delete("/users/U1").status_code == 204  # unlinks
    assert c.get("/projects/P1").json()["owner_id"] is None
    assert c.get("/notes/N1").json()["author_id"] is None
    assert c.delete("/projects/P1").status_code == 204  # deletes stages and memberships
    assert c.get("/project-memberships/PM1").status_code == 404
    assert c.get("/interactions/I1").json()["project_id"] is None


def test_ids_with_slashes_and_invalid_path_ids(api: Api) -> None:
    c = api.client
    assert c.put("/jobs/REQ/2024/7", json={"title": "Welder"}).status_code == 201
    assert c.get("/jobs/REQ/2024/7").json()["id"] == "REQ/2024/7"
    assert c.get("/jobs/REQ%2F2024%2F7").json()["id"] == "REQ/2024/7"
    too_long = "x" * 201
    assert "id" in error_of(c.put(f"/jobs/{too_long}", json={"title": "X"}), 422)
    assert error_of(c.get(f"/jobs/{too_long}"), 404)
    assert error_of(c.get("/jobs/a%00b"), 404)  # control characters are never an id
    assert error_of(c.delete("/jobs/a%00b"), 404)
    assert error_of(c.get("/nonsense"), 404)
    assert error_of(c.post("/jobs/J1", json={}), 405)


# -- listing -------------------------------------------------------------------------------

def test_list_pages_with_cursor_and_modified_filters(api: Api) -> None:
    c = api.client
    records = [{"id": f"J{i:02}", "title": f"Job {i}",
                "created_at": "2024-01-01T00:00:00Z",
                "modified_at": f"2024-01-01T{i // 60:02}:{i % 60:02}:00Z"} for i in range(25)]
    assert bulk(c, "jobs", records).json()["summary"]["created"] == 25

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        page = c.get("/jobs", params=params).json()
        pages += 1
        seen.extend(i["id"] for i in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == [r["id"] for r in records]
    assert len(c.get("/jobs").json()["items"]) == 25  # default limit 100

    window = {"modified_since": "2024-01-01T00:05:00Z", "modified_before": "2024-01-01T00:15:00Z"}
    first = c.get("/jobs", params={**window, "limit": 6}).json()
    assert [i["id"] for i in first["items"]] == [f"J{i:02}" for i in range(5, 11)]
    second = c.get("/jobs", params={**window, "limit": 6, "cursor": first["next_cursor"]}).json()
    assert [i["id"] for i in second["items"]] == [f"J{i:02}" for i in range(11, 15)]
    assert second["next_cursor"] is None
    since = c.get("/jobs", params={"modified_since": "2024-01-01T01:00:00+01:00"}).json()
    assert len(since["items"]) == 25  # 00:00Z
    # A time without its offset is ambiguous: refused, as `format: date-time` has it.
    naive = c.get("/jobs", params={"modified_since": "2024-01-01T00:20:00"})
    assert "modified_since" in error_of(naive, 422)

    # An update moves the record to the end of the modified order.
    c.patch("/jobs/J03", json={"title": "Moved"})
    assert c.get("/jobs").json()["items"][-1]["id"] == "J03"

    assert error_of(c.get("/jobs", params={"cursor": "garbage!"}), 400) == {
        "cursor": "cursor is not one this API returned"}
    assert "limit" in error_of(c.get("/jobs", params={"limit": 0}), 422)
    assert "limit" in error_of(c.get("/jobs", params={"limit": 1001}), 422)
    assert "limit" in error_of(c.get("/jobs", params={"limit": "ten"}), 422)
    assert "modified_since" in error_of(c.get("/jobs", params={"modified_since": "soon"}), 422)


def test_a_cursor_with_out_of_range_numbers_is_a_400(api: Api) -> None:
    import base64

    forged = base64.urlsafe_b64encode(b"99999999999999999999999:1").decode().rstrip("=")
    assert "cursor" in error_of(api.client.get("/jobs", params={"cursor": forged}), 400)


def test_every_cursor_the_api_returns_works_for_times_before_1970(api: Api) -> None:
    """Records may carry their own (historical) modified times, before 1970 too."""
    records = [{"id": f"J{i}", "title": "Old", "created_at": "1969-12-31T23:00:00Z",
                "modified_at": f"1969-12-31T23:5{i}:00Z"} for i in range(3)]
    assert bulk(api.client, "jobs", records).json()["summary"]["created"] == 3
    first = api.client.get("/jobs", params={"limit": 2}).json()
    assert [i["id"] for i in first["items"]] == ["J0", "J1"]
    second = api.client.get("/jobs", params={"limit": 2, "cursor": first["next_cursor"]})
    assert second.status_code == 200, second.text
    assert [i["id"] for i in second.json()["items"]] == ["J2"]


# -- bulk --------------------------------------------------------------------------------------

MIXED = [
    {"id": "C1", "first_name": "Ada", "emails": ["ada@example.com"]},
    {"id": "C2", "first_name": 5},
    {"id": "C3", "emails": "not-a-list"},
    {"id": "C4", "first_name": "Bo", "shoe_size": 44},
    {"first_name": "No id"},
    {"id": "C6", "first_name": "Cy", "source_id": "SRC404"},
    {"id": "C7"},
    "not an object",
    {"id": "C9", "last_name": "Lovelace", "phones": [{"number": "1"}, {"type": "fax"}]},
]


@pytest.mark.parametrize("as_ndjson", [False, True], ids=["json", "ndjson"])
def test_bulk_stores_the_good_and_reports_each_bad_record(api: Api, as_ndjson: bool) -> None:
    c = api.client
    before = changes(api.store, api.tenant)
    answer = bulk(c, "candidates", MIXED, as_ndjson)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 8}
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(MIXED)))
    assert [r["id"] for r in results] == ["C1", "C2", "C3", "C4", None, "C6", "C7", None, "C9"]
    assert results[0] == {"index": 0, "id": "C1", "status": "created"}
    reasons = [{e["field"]: e["reason"] for e in r.get("errors", [])} for r in results]
    assert reasons[1] == {"first_name": "Input should be a valid string"}
    assert reasons[2] == {"emails": "Input should be a valid list"}
    assert reasons[3] == {"shoe_size": "Extra inputs are not permitted"}
    assert set(reasons[4]) == {"id"}
    assert reasons[5] == {"source_id": "unknown source 'SRC404'"}
    assert set(reasons[6]) == {"first_name"}  # a candidate needs a name or an email
    assert reasons[7] == {"record": "must be a JSON object"}
    assert reasons[8] == {"phones.1.number": "Field required",
                          "phones.1.type": "Input should be 'mobile', 'work', 'home' or 'other'"}
    assert c.get("/candidates/C1").json()["emails"] == ["ada@example.com"]
    for rejected in ("C2", "C3", "C4", "C6", "C7", "C9"):
        assert c.get(f"/candidates/{rejected}").status_code == 404
    assert changes(api.store, api.tenant)[len(before):] == [("candidates", "C1", "create")]


@pytest.mark.parametrize("as_ndjson", [False, True], ids=["json", "ndjson"])
def test_bulk_is_idempotent_and_reports_updates(api: Api, as_ndjson: bool) -> None:
    c = api.client
    records = [{"id": f"C{i}", "first_name": f"N{i}", "tags": ["a", "b"],
                "addresses": [{"city": "Leeds", "country": "GB"}]} for i in range(50)]
    first = bulk(c, "candidates", records, as_ndjson).json()
    assert first["summary"] == {"created": 50, "updated": 0, "unchanged": 0, "rejected": 0}
    logged = changes(api.store, api.tenant)
    second = bulk(c, "candidates", records, as_ndjson).json()
    assert second["summary"] == {"created": 0, "updated": 0, "unchanged": 50, "rejected": 0}
    assert {r["status"] for r in second["results"]} == {"unchanged"}
    assert changes(api.store, api.tenant) == logged  # no changelog rows for unchanged

    records[7] = {**records[7], "tags": ["c"]}
    records.append({"id": "C50", "first_name": "New"})
    records.append({"id": "C51", "first_name": 7})
    third = bulk(c, "candidates", records, as_ndjson).json()
    assert third["summary"] == {"created": 1, "updated": 1, "unchanged": 49, "rejected": 1}
    assert changes(api.store, api.tenant)[len(logged):] == [
        ("candidates", "C50", "create"), ("candidates", "C7", "update")]
    assert c.get("/candidates/C7").json()["tags"] == ["c"]

    # Only the given fields change: a partial record leaves the rest as stored.
    partial = bulk(c, "candidates", [{"id": "C8", "current_title": "CTO"}], as_ndjson).json()
    assert partial["results"][0]["status"] == "updated"
    stored = c.get("/candidates/C8").json()
    assert stored["first_name"] == "N8" and stored["current_title"] == "CTO"


def test_bulk_references_are_resolved_within_the_tenant(api: Api) -> None:
    c = api.client
    seed(api)
    answer = bulk(c, "applications", [
        {"id": "A2", "candidate_id": "C1", "job_id": "J404"},
        {"id": "A3", "candidate_id": "C1", "job_id": "J1"},  # C1/J1 is A1's pair
        {"id": "A1", "candidate_id": "C1", "job_id": "J1", "current_stage": "Offer"},
    ]).json()
    assert [r["status"] for r in answer["results"]] == ["rejected", "rejected", "updated"]
    assert {"field": "job_id", "reason": "unknown job 'J404'"} in answer["results"][0]["errors"]
    assert answer["results"][1]["errors"] == [{
        "field": "candidate_id, job_id", "reason": "already taken by application 'A1'"}]
    assert c.get("/applications/A1").json()["current_stage"] == "Offer"


def test_an_unknown_required_reference_is_reported_once(api: Api) -> None:
    """Store bug: a required reference that is given but unknown is also reported as
    'is required' (store/records.py write_records: the required check runs on the value
    `_ref_value` nulled)."""
    seed(api)
    expected = [{"field": "job_id", "reason": "unknown job 'J404'"}]
    single = api.client.post("/applications", json={"id": "A2", "candidate_id": "C1",
                                                     "job_id": "J404"})
    assert single.json()["error"]["errors"] == expected
    answer = bulk(api.client, "applications", [{"id": "A2", "candidate_id": "C1",
                                                "job_id": "J404"}]).json()
    assert answer["results"][0]["errors"] == expected


def test_bulk_duplicates_in_one_call(api: Api) -> None:
    c = api.client
    for as_ndjson in (False, True):
        answer = bulk(c, "jobs", [{"id": "J1", "title": "A"}, {"id": "J2", "title": "B"},
                                  {"id": "J1", "title": "C"}, {"id": "J1", "title": 3}],
                      as_ndjson).json()
        statuses = [r["status"] for r in answer["results"]]
        assert statuses[1:] == ["created" if not as_ndjson else "unchanged", "rejected",
                                "rejected"]
        for dup in answer["results"][2:]:
            assert dup["errors"] == [{"field": "id", "reason": "appears more than once in this "
                                                               "call (first at index 0)"}]
    assert c.get("/jobs/J1").json()["title"] == "A"


def test_bulk_malformed_bodies_write_nothing(api: Api) -> None:
    c = api.client
    lines = b'{"id": "C1", "first_name": "A"}\n\n{"id": "C2", "first_name": "B"}\n{"id": "C3",\n'
    fields = error_of(c.post("/candidates/bulk", content=lines,
                             headers={"Content-Type": "application/x-ndjson"}), 400)
    assert list(fields) == ["line 4"] and "not valid JSON" in fields["line 4"]
    fields = error_of(c.post("/candidates/bulk", content=b'[{"id": "C1"},\n  {"id": ]',
                             headers={"Content-Type": "application/json"}), 400)
    assert list(fields) == ["line 2"]
    assert "body" in error_of(c.post("/candidates/bulk", json={"id": "C1"}), 422)
    assert "body" in error_of(c.post("/candidates/bulk", content=b""), 400)
    assert "Content-Type" in error_of(c.post("/candidates/bulk", content=b"[]",
                                             headers={"Content-Type": "text/csv"}), 415)
    deep = b"[" * 100_000 + b"]" * 100_000
    assert list(error_of(c.post("/candidates/bulk", content=deep), 400)) == ["line 1"]
    assert list(error_of(c.post("/candidates/bulk", content=b'{"id": "C1"}\n' + deep,
                                headers={"Content-Type": "application/x-ndjson"}), 400)
                ) == ["line 2"]
    assert "body" in error_of(c.post("/candidates", content=deep,
                                     headers={"Content-Type": "application/json"}), 400)
    assert "body" in error_of(c.post("/candidates", content=b'{"first_name": "\xff"}',
                                     headers={"Content-Type": "application/json"}), 400)
    # Lone surrogates are valid JSON escapes but not text: refused, and echoed safely.
    odd = c.post("/candidates/bulk", content=b'[{"id": "\\ud800", "first_name": "A"},'
                                             b' {"id": "C2", "\\udfff": 1}]')
    assert odd.status_code == 200
    assert [r["status"] for r in odd.json()["results"]] == ["rejected", "rejected"]
    assert c.get("/candidates").json()["items"] == []
    empty = c.post("/candidates/bulk", json=[]).json()
    assert empty == {"summary": {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0},
                     "results": []}


@pytest.mark.parametrize("as_ndjson", [False, True], ids=["json", "ndjson"])
def test_bulk_over_10000_records_is_413(api: Api, as_ndjson: bool) -> None:
    records = [{"id": f"C{i}"} for i in range(10_001)]
    fields = error_of(bulk(api.client, "candidates", records, as_ndjson), 413)
    assert "10000" in fields["body"]
    assert api.client.get("/candidates").json()["items"] == []


def test_oversized_bodies_are_413(api: Api) -> None:
    c = api.client
    big = [{"id": f"C{i}", "first_name": "x" * 200} for i in range(MAX_BODY // 200)]
    fields = error_of(bulk(c, "candidates", big), 413)  # by its Content-Length
    assert str(MAX_BODY) in fields["body"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b"["
        for i in range(MAX_BODY // 200):
            yield json.dumps({"id": f"C{i}", "first_name": "x" * 200}).encode() + b","
        yield b'{"id": "last", "first_name": "y"}]'

    fields = error_of(c.post("/candidates/bulk", content=chunks(),
                             headers={"Content-Type": "application/json"}), 413)
    assert str(MAX_BODY) in fields["body"]
    single = c.post("/jobs", content=chunks(), headers={"Content-Type": "application/json"})
    assert "body" in error_of(single, 413)
    assert c.get("/candidates").json()["items"] == []
    # A field over its own limit names the field.
    assert "first_name" in error_of(c.post("/candidates", json={"first_name": "x" * 201}), 422)
    assert "description" in error_of(c.post("/jobs", json={"title": "T",
                                                           "description": "x" * 100_001}), 422)


def test_concurrent_bulk_calls_with_the_same_new_ids(api: Api) -> None:
    records = [{"id": f"J{i}", "title": f"T{i}"} for i in range(200)]
    answers: list[dict[str, Any]] = []

    def call() -> None:
        with client_for(api.url, api.key) as client:
            answers.append(bulk(client, "jobs", records).json())

    threads = [threading.Thread(target=call) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 4
    assert sum(a["summary"]["created"] for a in answers) == 200
    assert all(a["summary"]["rejected"] == 0 for a in answers)
    assert len(changes(api.store, api.tenant)) == 1 + 200  # the integration user + jobs


# -- bad input on single records ---------------------------------------------------------------

def test_single_record_bad_input_names_the_field(api: Api) -> None:
    c = api.client
    seed(api)
    assert error_of(c.post("/candidates", json={"id": "X", "emails": "ada"}), 422) == {
        "emails": "Input should be a valid list"}
    assert error_of(c.post("/candidates", json={"id": "X", "emails": [7]}), 422) == {
        "emails.0": "Input should be a valid string"}
    assert error_of(c.post("/candidates", json={"id": "X", "first_name": "A", "hat": 1}),
                    422) == {"hat": "Extra inputs are not permitted"}
    assert error_of(c.post("/jobs", json={"id": "X", "status": "maybe", "title": "T"}),
                    422) == {"status": "Input should be 'open' or 'closed'"}
    assert error_of(c.post("/jobs", json={"id": "X"}), 422) == {"title": "is required"}
    assert error_of(c.post("/jobs", json=[{"title": "T"}]), 422) == {
        "body": "Input should be a valid dictionary or object to extract fields from"}
    assert "body" in error_of(c.post("/jobs", content=b"",
                                     headers={"Content-Type": "application/json"}), 422)
    broken = error_of(c.post("/jobs", content=b'{"title": \n "T",,}',
                             headers={"Content-Type": "application/json"}), 400)
    assert "line 2" in broken["body"]
    assert ("job_id", "unknown job 'J404'") in errors_of(c.post("/applications", json={
        "id": "A9", "candidate_id": "C1", "job_id": "J404"}), 422)
    assert ("candidate_id", "unknown candidate 'C404'") in errors_of(
        c.patch("/applications/A1", json={"candidate_id": "C404"}), 422)
    assert "candidate_id, job_id" in error_of(
        c.post("/applications", json={"id": "A2", "candidate_id": "C1", "job_id": "J1"}), 409)
    assert "candidate_id" in error_of(c.post("/notes", json={"body": "hi"}), 422)
    assert "stage" in error_of(c.post("/stage-transitions", json={
        "application_id": "A1", "entered_at": "2024-01-01T00:00:00Z"}), 422)
    assert "entered_at" in error_of(c.post("/stage-transitions", json={
        "application_id": "A1", "stage": "S", "entered_at": "yesterday"}), 422)
    assert c.get("/applications/A1").json()["candidate_id"] == "C1"


def test_text_with_a_nul_character_is_refused_not_a_500(api: Api) -> None:
    """PostgreSQL cannot store NUL in text or JSONB; the API must answer 4xx, on both
    databases alike."""
    c = api.client
    response = c.post("/candidates", json={"id": "C1", "first_name": "A\u0000B"})
    assert "first_name" in error_of(response, 422)
    answer = bulk(c, "candidates", [{"id": "C2", "first_name": "Ok"},
                                    {"id": "C3", "tags": ["a\u0000"]}])
    assert answer.status_code == 200
    assert [r["status"] for r in answer.json()["results"]] == ["created", "rejected"]


def test_times_outside_years_1_to_9999_in_utc_are_refused(api: Api) -> None:
    """Core bug: a time whose UTC instant falls outside years 1..9999 passes validation and is
    stored, but `core.records.from_millis` cannot show it: the create answers 500, and a bulk
    call stores a record that every later read of it (and every list page) answers 500."""
    c = api.client
    assert "published_at" in error_of(c.post("/jobs", json={
        "id": "J1", "title": "T", "published_at": "0001-01-01T00:00:00+01:00"}), 422)
    answer = bulk(c, "jobs", [{"id": "J2", "title": "T",
                               "closed_at": "9999-12-31T23:59:59-14:00"}])
    assert answer.json()["results"][0]["status"] == "rejected"
    assert c.get("/jobs").status_code == 200


# -- tenants and keys ------------------------------------------------------------------------

def test_one_tenant_never_reads_or_changes_another_tenants_data(api: Api) -> None:
    seed(api)
    other = make_tenant(api.store, "globex")
    mine = api.client.get("/candidates/C1").json()
    logged = changes(api.store, api.tenant)
    with api.as_tenant(other) as theirs:
        assert theirs.get("/candidates/C1").status_code == 404
        assert theirs.get("/applications/A1").status_code == 404
        assert theirs.get("/candidates").json() == {"items": [], "next_cursor": None}
        assert theirs.patch("/candidates/C1", json={"first_name": "Eve"}).status_code == 404
        assert theirs.delete("/candidates/C1").status_code == 404
        assert theirs.delete("/jobs/J1").status_code == 404
        unknown = errors_of(theirs.post("/applications", json={
            "id": "A9", "candidate_id": "C1", "job_id": "J1"}), 422)
        assert ("candidate_id", "unknown candidate 'C1'") in unknown
        assert ("job_id", "unknown job 'J1'") in unknown
        answer = bulk(theirs, "applications", [{"id": "A1", "candidate_id": "C1",
                                                "job_id": "J1"}]).json()
        assert answer["summary"]["rejected"] == 1
        answer = bulk(theirs, "notes", [{"id": "N1", "candidate_id": "C1", "body": "x"}]).json()
        assert answer["results"][0]["errors"] == [{"field": "candidate_id",
                                                   "reason": "unknown candidate 'C1'"}]
        # The same external id in another tenant is another record.
        put = theirs.put("/candidates/C1", json={"first_name": "Eve"})
        assert put.status_code == 201 and put.json()["first_name"] == "Eve"
        created = bulk(theirs, "candidates", [{"id": "C1", "first_name": "Eve"},
                                              {"id": "C2", "first_name": "Mal"}]).json()
        assert [r["status"] for r in created["results"]] == ["unchanged", "created"]
        assert [i["id"] for i in theirs.get("/candidates").json()["items"]] == ["C1", "C2"]
        assert theirs.delete("/candidates/C1").status_code == 204
    assert api.client.get("/candidates/C1").json() == mine
    assert api.client.get("/applications/A1").status_code == 200
    assert [i["id"] for i in api.client.get("/candidates").json()["items"]] == ["C1"]
    assert changes(api.store, api.tenant) == logged
    assert {e for e, _, _ in changes(api.store, other)} == {"users", "candidates"}


def test_missing_unknown_and_revoked_keys_are_401(api: Api) -> None:
    for key in (None, "rlk_nope_nope", "not-even-a-key", ""):
        with client_for(api.url, key) as anonymous:
            for response in (anonymous.get("/candidates"), anonymous.get("/candidates/C1"),
                             anonymous.post("/candidates", json={"first_name": "x"}),
                             anonymous.post("/candidates/bulk", json=[{"id": "x"}]),
                             anonymous.delete("/candidates/C1")):
                assert error_of(response, 401) == {"Authorization": response.json()[
                    "error"]["errors"][0]["reason"]}
                assert response.json()["error"]["code"] == "unauthorized"
                assert response.headers["www-authenticate"] == "Bearer"
    basic = api.client.get("/candidates", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401
    key = new_key(api.store, api.tenant)
    with client_for(api.url, key) as client:
        assert client.get("/candidates").status_code == 200
        with api.store.db.write() as conn:
            assert revoke_api_key(conn, key.split("_")[1], NOW)
        assert client.get("/candidates").status_code == 401
    assert api.client.get("/candidates").status_code == 200  # other keys still work


def test_docs_openapi_and_health(api: Api) -> None:
    with httpx.Client(base_url=api.url, timeout=60) as plain:  # the first /openapi.json builds it
        assert plain.get("/healthz").json()["status"] == "ok"
        docs = plain.get("/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        spec = plain.get("/openapi.json").json()
    paths = spec["paths"]
    assert len(ENTITIES) == 14
    for name, entity in ENTITIES.items():
        segment = name.replace("_", "-")
        model = entity.model.__name__
        assert set(paths[f"/api/v1/{segment}"]) == {"get", "post"}
        assert set(paths[f"/api/v1/{segment}/{{item_id}}"]) == {"get", "put", "patch", "delete"}
        assert set(paths[f"/api/v1/{segment}/bulk"]) == {"post"}
        create = paths[f"/api/v1/{segment}"]["post"]
        assert create["requestBody"]["content"]["application/json"]["schema"] == {
            "$ref": f"#/components/schemas/{model}"}
        assert create["security"] == [{"ApiKey": []}]
        bulk_body = paths[f"/api/v1/{segment}/bulk"]["post"]["requestBody"]["content"]
        assert set(bulk_body) == {"application/json", "application/x-ndjson"}
        assert model in spec["components"]["schemas"]
    assert "emails" in spec["components"]["schemas"]["Candidate"]["properties"]
