"""The sandbox's Rest.li front end over real HTTP: tunnelling, URL limits, body limits,
throttles and injected faults."""

from __future__ import annotations

import time

import httpx
import pytest

from recruitlink.core.restli import canonical
from tests.conftest import ORG
from tests.support.linkedin import body_key, candidate_key, candidate_record, ids_query


def put_candidates(li, n: int, start: int = 0) -> httpx.Response:
    keys = [candidate_key(f"C{i}", ORG) for i in range(start, start + n)]
    body = {"entities": {body_key(k): candidate_record(i) for i, k in enumerate(keys, start)}}
    return li.demo.tunnel("PUT", "/v2/atsCandidates", ids_query(keys), method="batch_update",
                          json=body)


def assert_linkedin_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert isinstance(body["message"], str) and body["message"]
    assert "serviceErrorCode" in body
    return body


# -- tunnelling and URL limits -----------------------------------------------------------------

def test_hundred_candidates_need_tunnelling_and_work_through_it(li):
    keys = [candidate_key(f"C{i}", ORG) for i in range(100)]
    query = ids_query(keys)
    assert len(query) > 4096
    direct = li.demo.request("GET", f"/v2/atsCandidates?{query}")
    assert_linkedin_error(direct, 414)

    response = put_candidates(li, 100)
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]) == 100
    assert response.json()["errors"] == {}

    read = li.demo.tunnel("GET", "/v2/atsCandidates", query)
    assert read.status_code == 200
    assert set(read.json()["results"]) == {canonical(k) for k in keys}

    gone = li.demo.tunnel("DELETE", "/v2/atsCandidates", query)
    assert gone.status_code == 200
    assert all(v == {"status": 204} for v in gone.json()["results"].values())
    summary = li.control.get(f"/organizations/{ORG}/summary").json()
    assert summary["records"].get("atsCandidates", 0) == 0


def test_url_over_8kb_is_414_even_with_a_short_query(li):
    response = li.demo.request("GET", "/v2/atsCandidates/" + "x" * 8300)
    assert_linkedin_error(response, 414)


def test_override_on_get_is_rejected(li):
    response = li.demo.http.get("/v2/atsCandidates", headers={
        **li.demo.headers(), "X-HTTP-Method-Override": "PUT"})
    assert_linkedin_error(response, 400)


def test_tunnel_with_wrong_content_type_is_415(li):
    response = li.demo.http.post("/v2/atsCandidates", content=b"ids=1", headers={
        **li.demo.headers(), "X-HTTP-Method-Override": "GET", "Content-Type": "text/plain"})
    assert_linkedin_error(response, 415)


# -- bodies ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [b"{", b'{"entities": {"a": 1, "a": 2}}', b"NaN",
                                 b"\xff\xfe", b'{"entities": [1, 2]}'])
def test_malformed_bodies_are_400(li, raw):
    key = candidate_key("C1", ORG)
    response = li.demo.http.put(f"/v2/atsCandidates?{ids_query([key])}", content=raw, headers={
        **li.demo.headers("batch_update"), "Content-Type": "application/json"})
    assert_linkedin_error(response, 400)


@pytest.mark.parametrize("sandbox_config", [{"max_body_bytes": 10_000}], indirect=True)
def test_huge_body_is_413(li):
    key = candidate_key("C1", ORG)
    record = candidate_record(1, lastName="x" * 20_000)
    response = li.demo.request("PUT", f"/v2/atsCandidates?{ids_query([key])}",
                               method="batch_update",
                               json={"entities": {body_key(key): record}})
    assert_linkedin_error(response, 413)


def test_non_json_content_type_is_415(li):
    key = candidate_key("C1", ORG)
    response = li.demo.http.put(f"/v2/atsCandidates?{ids_query([key])}", content=b"{}",
                                headers={**li.demo.headers("batch_update"),
                                         "Content-Type": "text/xml"})
    assert_linkedin_error(response, 415)


def test_unknown_resource_is_404_and_every_response_has_a_request_id(li):
    response = li.demo.request("GET", "/v2/noSuchThing")
    assert_linkedin_error(response, 404)
    assert response.headers["x-li-uuid"]


# -- throttles -------------------------------------------------------------------------------

@pytest.mark.parametrize("sandbox_config", [{"records_per_minute": 150}], indirect=True)
def test_records_per_minute_gives_429_with_retry_after_and_consumes_nothing(li):
    assert put_candidates(li, 100).status_code == 200
    throttled = put_candidates(li, 100, start=100)
    body = assert_linkedin_error(throttled, 429)
    assert "throttle" in body["message"].lower()
    retry_after = int(throttled.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    # The refused batch stored nothing.
    summary = li.control.get(f"/organizations/{ORG}/summary").json()
    assert summary["records"]["atsCandidates"] == 100
    # 50 more still fit in the window.
    assert put_candidates(li, 50, start=200).status_code == 200
    # Once the window has slid past, the 100 go through.
    li.control.post("/clock/advance", json={"seconds": retry_after})
    assert put_candidates(li, 100, start=100).status_code == 200


@pytest.mark.parametrize("sandbox_config", [{"requests_per_day": 3}], indirect=True)
def test_requests_per_day_reset_at_utc_midnight(li):
    key = candidate_key("C1", ORG)
    path = f"/v2/atsCandidates?{ids_query([key])}"
    for _ in range(3):
        assert li.demo.request("GET", path).status_code == 200
    throttled = li.demo.request("GET", path)
    assert_linkedin_error(throttled, 429)
    wait = int(throttled.headers["Retry-After"])
    assert 1 <= wait <= 86400
    # Other resources have their own counters.
    app_key = {"atsJobApplicationId": "A1", "dataProvider": "ATS", "integrationContext": ORG}
    assert li.demo.request("GET", f"/v2/atsApplications?{ids_query([app_key])}").status_code \
        == 200
    # Past midnight, and at least the token's 30 minutes (run after 23:30 UTC, midnight is
    # nearer than that: the token would still be good).
    li.control.post("/clock/advance", json={"seconds": max(wait, 1800)})
    assert li.demo.request("GET", path).status_code == 401  # the token outlived its 30 min
    li.demo.token(fresh=True)
    assert li.demo.request("GET", path).status_code == 200
    usage = li.control.get("/throttles", params={"app": li.app.state.demo.app_urn}).json()
    assert usage["usage"]["atsCandidates"]["requestsToday"] == 1


def test_throttles_are_per_app(li):
    li.control.put("/throttles", json={"family": "atsCandidates", "perDay": 1})
    key = candidate_key("C1", ORG)
    path = f"/v2/atsCandidates?{ids_query([key])}"
    assert li.demo.request("GET", path).status_code == 200
    assert li.demo.request("GET", path).status_code == 429
    # The partner app's counter is its own (it is refused for permissions, not throttle).
    assert li.partner.request("GET", path).status_code == 403


# -- faults ----------------------------------------------------------------------------------

def test_injected_errors_are_linkedin_shaped_and_counted(li):
    li.control.put("/faults/atsCandidates", json={"error_rate": 1.0})
    key = candidate_key("C1", ORG)
    statuses = {li.demo.request("GET", f"/v2/atsCandidates?{ids_query([key])}").status_code
                for _ in range(30)}
    assert statuses <= {500, 503, 504} and len(statuses) >= 2
    injected = li.control.get("/faults").json()["injected"]
    assert injected["500"] + injected["503"] + injected["504"] == 30
    # Other endpoints are untouched.
    assert li.demo.request("GET", f"/v2/atsApplications?ids%5B0%5D.atsJobApplicationId=A"
                                  f"&ids%5B0%5D.dataProvider=ATS"
                                  f"&ids%5B0%5D.integrationContext={ORG}").status_code == 200
    li.control.delete("/faults")
    assert li.demo.request("GET", f"/v2/atsCandidates?{ids_query([key])}").status_code == 200


def test_gateway_timeout_happens_after_the_write(li):
    li.control.put("/faults/atsCandidates", json={"error_rate": 1.0})
    sandbox = li.sandbox
    sandbox.faults.rng.choice = lambda options: 504  # pin the status for this test
    response = put_candidates(li, 3)
    assert response.status_code == 504
    summary = li.control.get(f"/organizations/{ORG}/summary").json()
    assert summary["records"]["atsCandidates"] == 3


def test_dropped_connection_after_processing(li):
    li.control.put("/faults/atsCandidates", json={"drop_rate": 1.0})
    with pytest.raises(httpx.TransportError):
        put_candidates(li, 2)
    summary = li.control.get(f"/organizations/{ORG}/summary").json()
    assert summary["records"]["atsCandidates"] == 2
    # The server is still healthy afterwards.
    li.control.delete("/faults")
    assert put_candidates(li, 2).status_code == 200


def test_latency_is_added(li):
    li.control.put("/faults/*", json={"latency_ms": 300})
    started = time.monotonic()
    li.demo.request("GET", f"/v2/atsCandidates?{ids_query([candidate_key('C1', ORG)])}")
    assert time.monotonic() - started >= 0.3


def test_invalid_fault_settings_are_rejected(li):
    response = li.control.put("/faults/x", json={"error_rate": 0.8, "drop_rate": 1.5})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "drop_rate"]


def test_concurrent_api_writes_and_control_reads_stay_consistent(li):
    from concurrent.futures import ThreadPoolExecutor

    li.demo.token()  # mint once, before the threads share it

    def writer(worker: int) -> list[int]:
        statuses = []
        for batch in range(5):
            start = worker * 1000 + batch * 10
            statuses.append(put_candidates(li, 10, start=start).status_code)
        return statuses

    def reader(_: int) -> list[int]:
        with httpx.Client(base_url=f"{li.url}/sandbox", timeout=30) as control:
            return [control.get(path).status_code for path in
                    ["/pushes", f"/organizations/{ORG}/summary", "/apps", "/integrations"] * 5]

    with ThreadPoolExecutor(max_workers=8) as pool:
        write_futures = [pool.submit(writer, i) for i in range(4)]
        read_futures = [pool.submit(reader, i) for i in range(4)]
        writes = [f.result() for f in write_futures]
        reads = [f.result() for f in read_futures]
    assert {s for batch in writes for s in batch} == {200}
    assert {s for batch in reads for s in batch} == {200}
    summary = li.control.get(f"/organizations/{ORG}/summary").json()
    assert summary["records"]["atsCandidates"] == 4 * 5 * 10
