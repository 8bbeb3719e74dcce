"""The change feed, GET /api/v1/events, over real HTTP on SQLite and PostgreSQL: oldest first,
stable paging by cursor, a cursor always returned, one tenant's events only, type filters,
clear 422s naming the parameter (issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from recruitlink.settings import Settings
from recruitlink.store import Store, host_events
from recruitlink.store.tenants import Tenant, create_api_key
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.support.servers import serve

NOW = 1_700_000_000_000


@dataclass
class Feed:
    url: str
    store: Store
    tenant: Tenant
    client: httpx.Client

    def get(self, **params: object) -> httpx.Response:
        return self.client.get("/events", params=params)


def key_for(store: Store, tenant: Tenant) -> str:
    with store.db.write() as conn:
        return create_api_key(conn, tenant.id, name="feed", now_ms=NOW)


@pytest.fixture
def feed(store: Store, tenant: Tenant) -> Iterator[Feed]:
    app = create_app(Settings(database_url=store.db.url), store=store)
    with serve(app) as url, httpx.Client(
            base_url=f"{url}/api/v1", timeout=60,
            headers={"Authorization": f"Bearer {key_for(store, tenant)}"}) as client:
        yield Feed(url, store, tenant, client)


def emit(store: Store, tenant: Tenant, type_: str, subject: str | None, **data: object) -> int:
    with store.db.write() as conn:
        return host_events.emit(conn, tenant.id, type_, subject, dict(data), at_ms=NOW)


def test_a_poller_pages_through_every_event_once_in_order(feed):
    seqs = [emit(feed.store, feed.tenant, "candidate.created", f"c-{i}", candidate=f"c-{i}")
            for i in range(5)]
    seqs.append(emit(feed.store, feed.tenant, "candidate.deleted", "c-0", candidate="c-0"))

    seen, cursor = [], "0"
    for _ in range(10):
        answer = feed.get(after=cursor, limit=2)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"items", "next_cursor"}
        seen += body["items"]
        cursor = body["next_cursor"]
        if not body["items"]:
            break
    assert [e["id"] for e in seen] == [f"evt_{s}" for s in seqs]
    assert [e["cursor"] for e in seen] == [str(s) for s in seqs]
    assert seen[-1] == {"id": f"evt_{seqs[-1]}", "cursor": str(seqs[-1]),
                        "type": "candidate.deleted", "timestamp": "2023-11-14T22:13:20.000Z",
                        "data": {"candidate": "c-0"}}
    assert cursor == str(seqs[-1])

    # Nothing new: an empty page that still says where to continue; then a new event.
    empty = feed.get(after=cursor).json()
    assert empty == {"items": [], "next_cursor": cursor}
    later = emit(feed.store, feed.tenant, "note.created", "n-1", note="n-1")
    assert [e["id"] for e in feed.get(after=cursor).json()["items"]] == [f"evt_{later}"]
    # Without `after`: from the first event.
    assert feed.get(limit=1).json()["items"][0]["id"] == f"evt_{seqs[0]}"


def test_types_filter_and_the_cursor_moves_past_unwanted_events(feed):
    emit(feed.store, feed.tenant, "candidate.created", "c-1", candidate="c-1")
    refused = emit(feed.store, feed.tenant, "export.refused", None, reason="the job is closed")
    newest = emit(feed.store, feed.tenant, "candidate.updated", "c-1", candidate="c-1",
                  changed={"email": "a@b.c"})

    body = feed.get(types="export.refused,record.rejected").json()
    assert [e["id"] for e in body["items"]] == [f"evt_{refused}"]
    assert body["items"][0]["data"] == {"reason": "the job is closed"}
    # The page was short: every event up to the newest has been looked at.
    assert body["next_cursor"] == str(newest)
    body = feed.get(types="", after=0).json()
    assert len(body["items"]) == 3


def test_a_tenant_sees_only_its_own_events(feed):
    other = make_tenant(feed.store, "globex")
    theirs = emit(feed.store, other, "candidate.created", "c-9", candidate="c-9")
    mine = emit(feed.store, feed.tenant, "candidate.created", "c-1", candidate="c-1")
    assert [e["id"] for e in feed.get().json()["items"]] == [f"evt_{mine}"]
    with httpx.Client(base_url=f"{feed.url}/api/v1", timeout=60,
                      headers={"Authorization": f"Bearer {key_for(feed.store, other)}"}) as c:
        assert [e["id"] for e in c.get("/events").json()["items"]] == [f"evt_{theirs}"]


@pytest.mark.parametrize(("params", "field", "words"), [
    ({"after": "evt_3"}, "after", "integer"),
    ({"after": "-1"}, "after", "greater than or equal to 0"),
    ({"after": str(2**63)}, "after", "less than or equal to"),
    ({"limit": "0"}, "limit", "greater than or equal to 1"),
    ({"limit": "1001"}, "limit", "less than or equal to 1000"),
    ({"limit": "ten"}, "limit", "integer"),
    ({"types": "candidate.created,candidate.exploded"}, "types", "candidate.exploded"),
    ({"types": "candidate.created, note.created"}, "types", "separated by commas"),
])
def test_bad_parameters_are_422_naming_the_parameter(feed, params, field, words):
    answer = feed.get(**params)
    assert answer.status_code == 422, answer.text
    errors = {e["field"]: e["reason"] for e in answer.json()["error"]["errors"]}
    assert list(errors) == [field]
    assert words in errors[field]


def test_the_feed_needs_an_api_key(feed):
    answer = httpx.get(f"{feed.url}/api/v1/events", timeout=60)
    assert answer.status_code == 401
    assert answer.json()["error"]["errors"][0]["field"] == "Authorization"


def test_the_feed_is_described_in_openapi(feed):
    spec = httpx.get(f"{feed.url}/openapi.json", timeout=60).json()
    operation = spec["paths"]["/api/v1/events"]["get"]
    assert "next_cursor" in operation["description"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert set(params) == {"after", "types", "limit"}
    assert "candidate\\.created" in params["types"]["schema"]["pattern"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert page == {"$ref": "#/components/schemas/FeedPage"}
    assert spec["components"]["schemas"]["FeedPage"]["required"] == ["items", "next_cursor"]
