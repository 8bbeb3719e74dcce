"""`Idempotency-Key` on the data API's writes (issue 18, point 4), over real HTTP on SQLite and
PostgreSQL: the same request sent again gets the stored answer and writes nothing more;
another request under the key is a 409; a request while the first runs is a 409 "in
progress"; keys are per tenant, kept a day, freed by a 5xx."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import func, select, update

from recruitlink.core.files import PDF
from recruitlink.store import Store, now_ms, schema
from recruitlink.store import idempotency as stored
from recruitlink.store.tenants import Tenant
from recruitlink.web.auth import ApiError
from recruitlink.web.idempotency import HEADER, REPLAYED, IdempotentRoute
from tests.conftest import make_tenant
from tests.integration.test_data_api import Api, api, changes, error_of, new_key
from tests.support import files
from tests.support.servers import serve

__all__ = ["api"]  # the fixture, used by the tests below

JANE = {"id": "C1", "first_name": "Jane", "emails": ["jane@example.com"]}


def keyed(key: str) -> dict[str, str]:
    return {HEADER: key}


def count(store: Store, table: Any) -> int:
    with store.reader() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_same_request_again_gets_the_stored_answer_and_writes_nothing(api: Api) -> None:
    first = api.client.post("/candidates", json={"first_name": "Jane"},
                            headers=keyed("create-jane-1"))
    assert first.status_code == 201, first.text
    assert REPLAYED not in first.headers
    written = changes(api.store, api.tenant)
    again = api.client.post("/candidates", json={"first_name": "Jane"},
                            headers=keyed("create-jane-1"))
    assert again.status_code == 201
    assert again.headers[REPLAYED] == "true"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.content == first.content  # the same minted id: one candidate, not two
    assert changes(api.store, api.tenant) == written
    assert count(api.store, schema.candidates) == 1
    # Without a key, the same body is a new request: a second candidate.
    assert api.client.post("/candidates", json={"first_name": "Jane"}).status_code == 201
    assert count(api.store, schema.candidates) == 2


def test_another_request_under_a_used_key_is_a_409_naming_the_key(api: Api) -> None:
    assert api.client.post("/candidates", json=JANE, headers=keyed("k-1")).status_code == 201
    other_body = api.client.post("/candidates", json={**JANE, "id": "C2"}, headers=keyed("k-1"))
    assert "was used for another request" in error_of(other_body, 409)[HEADER]
    assert "'k-1'" in other_body.json()["error"]["message"]
    other_path = api.client.post("/jobs", json={"title": "Engineer"}, headers=keyed("k-1"))
    assert HEADER in error_of(other_path, 409)
    other_method = api.client.put("/candidates", json=JANE, headers=keyed("k-1"))
    assert other_method.status_code == 405  # no such route: the key is not even looked at
    other_query = api.client.post("/candidates?x=1", json=JANE, headers=keyed("k-1"))
    assert HEADER in error_of(other_query, 409)
    assert count(api.store, schema.candidates) == 1
    assert count(api.store, schema.jobs) == 0


def test_refusals_are_kept_and_replayed_too(api: Api) -> None:
    refused = api.client.post("/applications", json={"job_id": "J404"},
                              headers=keyed("bad-1"))
    assert refused.status_code == 422
    again = api.client.post("/applications", json={"job_id": "J404"},
                            headers=keyed("bad-1"))
    assert again.status_code == 422 and again.headers[REPLAYED] == "true"
    assert again.json() == refused.json()


def test_put_patch_delete_and_bulk_replay(api: Api) -> None:
    put = api.client.put("/candidates/C1", json=JANE, headers=keyed("put"))
    assert put.status_code == 201
    assert api.client.put("/candidates/C1", json=JANE, headers=keyed("put")).status_code == 201
    patch = {"last_name": "Doe"}
    assert api.client.patch("/candidates/C1", json=patch, headers=keyed("patch")).json()[
        "last_name"] == "Doe"
    assert api.client.patch("/candidates/C1", json=patch,
                            headers=keyed("patch")).headers[REPLAYED] == "true"
    body = [{"id": "J1", "title": "One"}, {"id": "J2", "title": "Two"}]
    bulk = api.client.post("/jobs/bulk", json=body, headers=keyed("bulk"))
    assert bulk.json()["summary"]["created"] == 2
    replayed = api.client.post("/jobs/bulk", json=body, headers=keyed("bulk"))
    assert replayed.json() == bulk.json()  # still "created": the first answer, as it was
    assert api.client.delete("/candidates/C1", headers=keyed("del")).status_code == 204
    gone = api.client.delete("/candidates/C1", headers=keyed("del"))
    assert gone.status_code == 204 and gone.headers[REPLAYED] == "true"  # not a 404
    assert gone.content == b""
    assert api.client.delete("/candidates/C1").status_code == 404


@pytest.mark.parametrize("value", ["", "x" * 256, "tab\there"])
def test_a_bad_key_is_a_422_naming_the_header(api: Api, value: str) -> None:
    response = api.client.post("/candidates", json=JANE, headers=keyed(value))
    assert HEADER in error_of(response, 422)
    assert count(api.store, schema.candidates) == 0


def test_a_non_ascii_key_is_a_422_and_the_longest_key_works(api: Api) -> None:
    response = api.client.post("/candidates", json=JANE,
                               headers=[(HEADER.encode(), "clé".encode("latin-1"))])
    assert HEADER in error_of(response, 422)
    longest = "k" * 254 + "~"
    assert api.client.post("/candidates", json=JANE, headers=keyed(longest)).status_code == 201
    assert api.client.post("/candidates", json=JANE,
                           headers=keyed(longest)).headers[REPLAYED] == "true"


def test_without_a_valid_api_key_the_answer_is_a_401(api: Api) -> None:
    response = httpx.post(f"{api.url}/api/v1/candidates", json=JANE,
                          headers={HEADER: "", "Authorization": "Bearer nope"})
    assert "Authorization" in error_of(response, 401)


def test_keys_are_per_tenant(api: Api) -> None:
    other = make_tenant(api.store, "globex")
    assert api.client.post("/candidates", json=JANE, headers=keyed("shared")).status_code == 201
    with api.as_tenant(other) as theirs:
        answer = theirs.post("/candidates", json={**JANE, "first_name": "June"},
                             headers=keyed("shared"))
        assert answer.status_code == 201 and REPLAYED not in answer.headers
        assert answer.json()["first_name"] == "June"


def test_a_request_while_the_first_runs_is_409_in_progress(api: Api) -> None:
    """The first call streams its body slowly; the key is claimed before it is read."""
    go_on = threading.Event()
    records = [{"id": f"J{i}", "title": f"Job {i}"} for i in range(3)]
    body = b"[" + b",".join(httpx.Request("POST", "/", json=r).content for r in records) + b"]"

    def slow_body() -> Iterator[bytes]:
        yield body[:5]
        go_on.wait(30)
        yield body[5:]

    answers: list[httpx.Response] = []
    first = threading.Thread(target=lambda: answers.append(api.client.post(
        "/jobs/bulk", content=slow_body(), headers={**keyed("slow"),
                                                    "Content-Type": "application/json"})))
    first.start()
    try:
        deadline = now_ms() + 20_000
        while now_ms() < deadline:
            with api.store.reader() as conn:
                if stored.state(conn, api.tenant.id, "slow") == "in_progress":
                    break
        busy = api.client.post("/jobs/bulk", content=body,
                               headers={**keyed("slow"), "Content-Type": "application/json"})
        assert "in progress" in error_of(busy, 409)[HEADER]
        assert busy.headers["Retry-After"] == "1"
    finally:
        go_on.set()
        first.join(30)
    assert answers[0].status_code == 200 and answers[0].json()["summary"]["created"] == 3
    again = api.client.post("/jobs/bulk", content=body,
                            headers={**keyed("slow"), "Content-Type": "application/json"})
    assert again.headers[REPLAYED] == "true" and again.json() == answers[0].json()


def race(api: Api, key: str) -> list[httpx.Response]:
    """Two threads send the same keyed create at the same moment."""
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def send() -> None:
        barrier.wait(10)
        answer = api.client.post("/candidates", json={"first_name": "Racer"},
                                 headers=keyed(key))
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_two_concurrent_requests_with_one_key_write_once(api: Api) -> None:
    for round_ in range(4):
        answers = race(api, f"race-{round_}")
        statuses = sorted(a.status_code for a in answers)
        # The second either waited for the first's answer (a replay) or found it running.
        assert statuses in ([201, 201], [201, 409]), [a.text for a in answers]
        if statuses == [201, 201]:
            assert answers[0].content == answers[1].content
        assert count(api.store, schema.candidates) == round_ + 1


def test_an_upload_is_hashed_as_it_streams_and_replayed(api: Api) -> None:
    assert api.client.post("/candidates", json=JANE).status_code == 201
    data = files.pdf(600_000)  # several chunks of the store and of the body

    def upload(content: bytes, key: str) -> httpx.Response:
        return api.client.put("/candidates/C1/resume", content=files.pieces(content),
                              headers={**keyed(key), "Content-Type": PDF})

    first = upload(data, "resume-1")
    assert first.status_code == 201, first.text
    again = upload(data, "resume-1")
    assert again.status_code == 201 and again.headers[REPLAYED] == "true"
    assert again.json() == first.json()
    other = upload(files.pdf(600_001), "resume-1")
    assert HEADER in error_of(other, 409)
    assert count(api.store, schema.files) == 1
    # A refusal before the body is read (no such candidate) is kept with the whole body's hash.
    missing = api.client.put("/candidates/C9/resume", content=files.pieces(data),
                             headers={**keyed("resume-2"), "Content-Type": PDF})
    assert missing.status_code == 404
    assert api.client.put("/candidates/C9/resume", content=files.pieces(data),
                          headers={**keyed("resume-2"), "Content-Type": PDF}
                          ).headers[REPLAYED] == "true"


def test_an_expired_key_is_a_new_key(api: Api) -> None:
    assert api.client.post("/candidates", json=JANE, headers=keyed("old")).status_code == 201
    with api.store.db.write() as conn:
        conn.execute(update(schema.idempotency_keys).values(expires_at=now_ms() - 1))
    fresh = api.client.post("/candidates", json={**JANE, "id": "C2"}, headers=keyed("old"))
    assert fresh.status_code == 201 and REPLAYED not in fresh.headers


def test_a_key_purged_while_it_is_claimed_is_claimed_again(api: Api) -> None:
    """The purge that runs after any keyed write may delete an expired key between the
    claim's statements (CI saw a 409 "still in progress" for it): the key is free, and the
    claim takes it rather than send the client away. (No request here: the server's own
    purge after one would race this test's.)"""
    with api.store.db.write() as conn:
        first = stored.claim(conn, api.tenant.id, "old", now_ms=now_ms())
        assert isinstance(first, stored.Claimed)
        assert stored.complete(conn, api.tenant.id, "old", first.token, request_hash="h1",
                               status_code=201, body=b"{}", content_type="application/json",
                               now_ms=now_ms())
        conn.execute(update(schema.idempotency_keys).values(expires_at=now_ms() - 1))

    class PurgedMidway:
        """The connection, with the purge landing just before the claim's takeover."""

        def __init__(self, conn: Any) -> None:
            self.conn, self.purged = conn, False

        def begin_nested(self) -> Any:
            return self.conn.begin_nested()

        def execute(self, statement: Any, *args: Any) -> Any:
            if not self.purged and statement.is_update:
                self.purged = True
                assert stored.purge_expired(self.conn, now_ms=now_ms()) == 1
            return self.conn.execute(statement, *args)

    with api.store.db.write() as conn:
        midway = PurgedMidway(conn)
        claim = stored.claim(midway, api.tenant.id, "old", now_ms=now_ms())  # type: ignore[arg-type]
    assert midway.purged and isinstance(claim, stored.Claimed), claim


def test_a_claim_left_by_a_dead_process_frees_itself_after_its_lease(api: Api) -> None:
    with api.store.db.write() as conn:
        assert isinstance(stored.claim(conn, api.tenant.id, "orphan",
                                       now_ms=now_ms() - stored.LEASE_MS - 1), stored.Claimed)
    answer = api.client.post("/candidates", json=JANE, headers=keyed("orphan"))
    assert answer.status_code == 201 and REPLAYED not in answer.headers


def test_the_write_routes_document_the_header(api: Api) -> None:
    paths = httpx.get(f"{api.url}/openapi.json", timeout=60).json()["paths"]
    documented = {(method, path) for path, methods in paths.items()
                  for method, operation in methods.items()
                  if any(p["name"] == HEADER for p in operation.get("parameters", ()))}
    for path in ("/api/v1/candidates", "/api/v1/jobs/bulk"):
        assert ("post", path) in documented
    for method in ("put", "patch", "delete"):
        assert (method, "/api/v1/candidates/{item_id}") in documented
    assert ("put", "/api/v1/candidates/{item_id}/resume") in documented
    assert not any(method == "get" for method, _ in documented)
    operation = paths["/api/v1/candidates/{item_id}"]["delete"]
    assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"}
    header = next(p for p in operation["parameters"] if p["name"] == HEADER)
    assert header["in"] == "header" and header["schema"]["maxLength"] == 255


# -- a 5xx frees the key: a route of our own, over the real store, that fails on demand --------

def failing_app(store: Store, failures: list[str]) -> FastAPI:
    """One idempotent route answering 503 or crashing while `failures` lists it."""
    app = FastAPI()
    app.state.store = store
    router = APIRouter(route_class=IdempotentRoute)
    written: list[int] = []

    @router.post("/things", status_code=201)
    def make() -> dict[str, int]:
        failure = failures.pop(0) if failures else None
        if failure == "503":
            raise ApiError(503, "busy", [{"field": "body", "reason": "busy"}])
        if failure == "crash":
            raise RuntimeError("a bug")
        if failure == "429":
            raise ApiError(429, "slow down", [{"field": "body", "reason": "slow down"}])
        if failure == "lost race":  # as web/api.py's write() answers one
            raise ApiError(409, "send it again", [{"field": "id", "reason": "send it again"}],
                           headers={"Retry-After": "1"})
        written.append(1)
        return {"written": len(written)}

    app.include_router(router)
    return app


def test_a_5xx_a_crash_or_a_retry_later_answer_frees_the_key(store: Store,
                                                             tenant: Tenant) -> None:
    key = new_key(store, tenant)
    with serve(failing_app(store, ["503", "crash", "429", "lost race"])) as url:
        headers = {"Authorization": f"Bearer {key}", HEADER: "retry-me"}
        assert httpx.post(f"{url}/things", headers=headers).status_code == 503
        with store.reader() as conn:
            assert stored.state(conn, tenant.id, "retry-me") == "absent"
        assert httpx.post(f"{url}/things", headers=headers).status_code == 500
        assert httpx.post(f"{url}/things", headers=headers).status_code == 429
        lost = httpx.post(f"{url}/things", headers=headers)
        assert lost.status_code == 409 and REPLAYED not in lost.headers
        ok = httpx.post(f"{url}/things", headers=headers)
        assert ok.status_code == 201 and ok.json() == {"written": 1}
        again = httpx.post(f"{url}/things", headers=headers)
        assert again.headers[REPLAYED] == "true" and again.json() == {"written": 1}


def test_the_purge_deletes_expired_keys_in_batches(store: Store, tenant: Tenant) -> None:
    now = now_ms()
    with store.db.write() as conn:
        conn.execute(schema.idempotency_keys.insert(), [
            {"tenant_id": tenant.id, "key": f"k{i}", "request_hash": "h", "status_code": 201,
             "response": b"{}", "content_type": "application/json", "created_at": now,
             "expires_at": now - 1 if i < 1200 else now + 1000} for i in range(1210)])
    purged = []
    while True:
        with store.db.write() as conn:
            gone = stored.purge_expired(conn, now_ms=now, batch=500)
        if not gone:
            break
        purged.append(gone)
    assert purged == [500, 500, 200]
    assert count(store, schema.idempotency_keys) == 10


def test_keyed_writes_purge_expired_keys_as_they_go(api: Api) -> None:
    now = now_ms()
    with api.store.db.write() as conn:
        conn.execute(schema.idempotency_keys.insert(), [
            {"tenant_id": api.tenant.id, "key": f"old{i}", "request_hash": "h",
             "status_code": 201, "response": b"{}", "content_type": "application/json",
             "created_at": now - stored.KEEP_MS - 1, "expires_at": now - 1} for i in range(3)])
    assert api.client.post("/candidates", json=JANE, headers=keyed("new")).status_code == 201
    deadline = time.monotonic() + 20  # the purge runs once the answer is sent
    while True:
        with api.store.reader() as conn:
            left = conn.execute(select(schema.idempotency_keys.c.key)).scalars().all()
        if left == ["new"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert left == ["new"]
