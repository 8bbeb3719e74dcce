"""The webhook endpoints through the API (`/api/v1/webhooks`), over loopback, on SQLite and
PostgreSQL: the secret only in the create and rotate answers (sealed at rest), every error a
422 or 404 naming the field, another tenant's endpoints invisible, the delivery log with
keyset paging and a status filter, attempts, replay of one delivery and of a time range
(issue 18)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from recruitlink.settings import Settings
from recruitlink.store import Store, schema
from recruitlink.store.tenants import Tenant, create_api_key
from recruitlink.web import create_app
from tests.conftest import make_tenant
from tests.support.servers import serve
from tests.support.webhook_rows import seed_deliveries

NOW = 1_750_000_000_000
LINKEDIN = "http://127.0.0.1:9"  # never called
P = "/api/v1/webhooks"


@dataclass
class Api:
    client: httpx.Client
    other: httpx.Client  # another tenant's key
    store: Store
    tenant: Tenant


@pytest.fixture
def api(store: Store, tenant: Tenant) -> Iterator[Api]:
    other = make_tenant(store, "globex")
    with store.db.write() as conn:
        key = create_api_key(conn, tenant.id, name="tests", now_ms=NOW)
        other_key = create_api_key(conn, other.id, name="tests", now_ms=NOW)
    app = create_app(Settings(database_url=store.db.url, inbound_worker=False,
                              background_sync=False, pollers=False, webhooks=False,
                              linkedin_api_url=LINKEDIN), store=store)
    with serve(app) as url, \
            httpx.Client(base_url=url, timeout=30,
                         headers={"Authorization": f"Bearer {key}"}) as c, \
            httpx.Client(base_url=url, timeout=30,
                         headers={"Authorization": f"Bearer {other_key}"}) as o:
        yield Api(c, o, store, tenant)


def fields(response: httpx.Response) -> dict[str, str]:
    return {e["field"]: e["reason"] for e in response.json()["error"]["errors"]}


def add(api: Api, **body: Any) -> dict[str, Any]:
    created = api.client.post(P, json={"url": "https://ats.example.com/hooks", **body})
    assert created.status_code == 201, created.text
    answer: dict[str, Any] = created.json()
    return answer


def test_an_endpoint_is_added_changed_and_removed(api: Api) -> None:
    created = add(api, types=["candidate.created", "export.refused", "candidate.created"],
                  description="Our ATS")
    secret = created.pop("secret")
    assert secret.startswith("whsec_")
    assert created["types"] == ["candidate.created", "export.refused"]
    assert created["enabled"] is True and created["disabledReason"] is None
    assert created["description"] == "Our ATS" and created["lastDelivery"] is None
    # Never again: not in the list, not in the endpoint, not in the database in clear.
    listed = api.client.get(P).json()["items"]
    assert [e["id"] for e in listed] == [created["id"]]
    one = api.client.get(f"{P}/{created['id']}")
    assert one.status_code == 200 and secret not in api.client.get(P).text + one.text
    assert "secret" not in one.json()
    with api.store.reader() as conn:
        assert secret not in str(conn.execute(select(schema.webhook_endpoints)).one())

    changed = api.client.patch(f"{P}/{created['id']}", json={
        "url": "http://127.0.0.1:9000/hooks", "types": [], "description": "Local receiver"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["url"] == "http://127.0.0.1:9000/hooks"
    assert changed.json()["types"] == [] and changed.json()["description"] == "Local receiver"

    off = api.client.patch(f"{P}/{created['id']}", json={"enabled": False}).json()
    assert off["enabled"] is False and off["disabledReason"] == "disabled by an admin"
    assert off["disabledAt"] is not None
    on = api.client.patch(f"{P}/{created['id']}", json={"enabled": True}).json()
    assert on["enabled"] is True and on["disabledReason"] is None
    assert on["url"] == "http://127.0.0.1:9000/hooks"  # the fields not given are unchanged

    gone = api.client.delete(f"{P}/{created['id']}")
    assert gone.status_code == 204 and gone.content == b""
    assert api.client.get(f"{P}/{created['id']}").status_code == 404
    assert api.client.delete(f"{P}/{created['id']}").status_code == 404
    assert api.client.get(P).json()["items"] == []


@pytest.mark.parametrize(("body", "field", "why"), [
    ({"url": "http://ats.example.com/hooks"}, "url", "must use https"),
    ({"url": "https://bob:pw@ats.example.com/hooks"}, "url", "credentials"),
    ({"url": "javascript:alert(1)"}, "url", "scheme must be http or https"),
    ({"url": "https://169.254.169.254/"}, "url", "link-local"),
    ({"url": ""}, "url", "is required"),
    ({"url": "https://a.example/" + "x" * 2000}, "url", "at most 2000"),
    ({"url": "https://a.example/", "types": ["candidate.eaten"]}, "types.0",
     "unknown event type"),
    ({"url": "https://a.example/", "description": "x" * 201}, "description", "at most 200"),
    ({"url": "https://a.example/", "description": "a\x00b"}, "description",
     "control characters"),
    ({"url": "https://a.example/", "secret": "whsec_mine"}, "secret", "xtra"),
    ({}, "url", "required"),
])
def test_a_bad_endpoint_is_refused_naming_the_field(api: Api, body: dict[str, Any],
                                                    field: str, why: str) -> None:
    refused = api.client.post(P, json=body)
    assert refused.status_code == 422, refused.text
    assert why.lower() in fields(refused).get(field, "").lower(), refused.text
    assert api.client.get(P).json()["items"] == []


def test_a_change_is_checked_as_a_new_endpoint_is(api: Api) -> None:
    created = add(api)
    for body, field in (({"url": "http://ats.example.com/"}, "url"),
                        ({"types": ["nope"]}, "types.0"),
                        ({"description": "\x07"}, "description")):
        refused = api.client.patch(f"{P}/{created['id']}", json=body)
        assert refused.status_code == 422 and field in fields(refused), refused.text
    assert api.client.get(f"{P}/{created['id']}").json()["url"] == "https://ats.example.com/hooks"


def test_another_tenants_endpoints_do_not_exist(api: Api) -> None:
    created = add(api)
    path = f"{P}/{created['id']}"
    assert api.other.get(P).json()["items"] == []
    for method, suffix, body in (("GET", "", None), ("PATCH", "", {"enabled": False}),
                                 ("DELETE", "", None), ("POST", "/rotate", None),
                                 ("GET", "/deliveries", None),
                                 ("POST", "/replay", {"since": "2020-01-01T00:00:00Z",
                                                      "until": "2030-01-01T00:00:00Z"})):
        answer = api.other.request(method, path + suffix, json=body)
        assert answer.status_code == 404, (method, suffix, answer.text)
        assert fields(answer) == {"endpoint_id": "not found"}
    assert api.client.get(path).json()["enabled"] is True


def test_rotating_gives_a_new_secret_once_and_the_old_one_signs_for_a_day(api: Api) -> None:
    created = add(api)
    first = created["secret"]
    rotated = api.client.post(f"{P}/{created['id']}/rotate")
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["secret"]
    assert second.startswith("whsec_") and second != first
    until = datetime.fromisoformat(rotated.json()["rotatingUntil"])
    hours = (until - datetime.now(UTC)).total_seconds() / 3600
    assert 23.9 < hours <= 24
    shown = api.client.get(f"{P}/{created['id']}").json()
    assert shown["rotatingUntil"] == rotated.json()["rotatingUntil"]
    assert second not in api.client.get(P).text
    assert api.client.post(P + "/999999/rotate").status_code == 404


def seed(api: Api, endpoint_id: int, statuses: list[str]) -> list[int]:
    return seed_deliveries(api.store, api.tenant.id, endpoint_id, statuses, NOW)


def test_the_delivery_log_pages_newest_first_and_filters_by_status(api: Api) -> None:
    endpoint = add(api)["id"]
    ids = seed(api, endpoint, ["delivered", "failed", "pending", "delivered",
                                          "failed"])
    first = api.client.get(f"{P}/{endpoint}/deliveries", params={"limit": 2}).json()
    assert [d["id"] for d in first["items"]] == [ids[4], ids[3]]
    assert first["next_cursor"] == str(ids[3])
    rest = api.client.get(f"{P}/{endpoint}/deliveries",
                          params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [d["id"] for d in rest["items"]] == [ids[2], ids[1]]
    last = api.client.get(f"{P}/{endpoint}/deliveries",
                          params={"limit": 2, "cursor": rest["next_cursor"]}).json()
    assert [d["id"] for d in last["items"]] == [ids[0]] and last["next_cursor"] is None
    failed = api.client.get(f"{P}/{endpoint}/deliveries", params={"status": "failed"}).json()
    assert [d["id"] for d in failed["items"]] == [ids[4], ids[1]]
    d = first["items"][1]
    assert d["eventType"] == "candidate.updated" and d["record"] == "candidate:C3"
    assert d["eventId"].startswith("evt_") and d["status"] == "delivered"
    assert d["lastCode"] == 204 and d["lastLatencyMs"] == 12 and d["deliveredAt"]
    listed = api.client.get(P).json()["items"][0]["lastDelivery"]
    assert listed == {"status": "failed", "code": 500, "at": first["items"][0]["createdAt"]}
    for params, field in (({"cursor": "abc"}, "cursor"), ({"status": "lost"}, "status"),
                          ({"limit": 0}, "limit"), ({"limit": 501}, "limit")):
        refused = api.client.get(f"{P}/{endpoint}/deliveries", params=params)
        assert refused.status_code == 422 and field in fields(refused), refused.text


def test_attempts_and_replays(api: Api) -> None:
    endpoint = add(api)["id"]
    other = add(api, url="https://other.example.com/hooks")["id"]
    ids = seed(api, endpoint, ["failed", "delivered", "failed"])
    attempts = api.client.get(f"{P}/{endpoint}/deliveries/{ids[0]}/attempts")
    assert attempts.status_code == 200, attempts.text
    assert [(a["code"], a["latencyMs"], a["error"]) for a in attempts.json()["items"]] == [
        (500, 12, "HTTP 500")]
    # A delivery is reached through its own endpoint only.
    assert api.client.get(f"{P}/{other}/deliveries/{ids[0]}/attempts").status_code == 404
    assert fields(api.client.post(f"{P}/{other}/deliveries/{ids[0]}/replay")) == {
        "delivery_id": "not found"}

    replayed = api.client.post(f"{P}/{endpoint}/deliveries/{ids[0]}/replay")
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["status"] == "pending" and replayed.json()["attempts"] == 0
    assert api.client.get(f"{P}/{endpoint}/deliveries/{ids[0]}").json()["status"] == "pending"

    def iso(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, UTC).isoformat()

    # Created at NOW, NOW+1 min, NOW+2 min: the range takes the last two.
    in_range = api.client.post(f"{P}/{endpoint}/replay", json={"since": iso(NOW + 60_000),
                                                            "until": iso(NOW + 120_000)})
    assert in_range.status_code == 202 and in_range.json() == {"replayed": 2}, in_range.text
    statuses = [d["status"] for d in api.client.get(f"{P}/{endpoint}/deliveries").json()["items"]]
    assert statuses == ["pending", "pending", "pending"]
    backwards = api.client.post(f"{P}/{endpoint}/replay", json={"since": iso(NOW + 1),
                                                             "until": iso(NOW)})
    assert backwards.status_code == 422 and "until" in fields(backwards)
    naive = api.client.post(f"{P}/{endpoint}/replay", json={"since": "yesterday",
                                                         "until": iso(NOW)})
    assert naive.status_code == 422 and "since" in fields(naive)
