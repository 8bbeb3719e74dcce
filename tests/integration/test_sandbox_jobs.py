"""Contract tests: `/v2/simpleJobPostings` (batch_create of CREATE/UPDATE/CLOSE operations) and
`/v2/simpleJobPostingTasks` against the reference, §3.1, §3.11 and §4.

Processing is asynchronous: a 202 element only means "task accepted". Tests wait for tasks by
polling with a deadline, or move the sandbox clock past a long task delay.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest

from tests.conftest import ORG
from tests.support.linkedin import ids_query, job_posting

POSTINGS = "/v2/simpleJobPostings"
TASKS = "/v2/simpleJobPostingTasks"
TASK_URN = re.compile(r"urn:li:simpleJobPostingTask:\S+")
JOB_URN = re.compile(r"urn:li:jobPosting:\d+")


# -- helpers --------------------------------------------------------------------------------

def submit(li: Any, elements: list[Any], *, method: str | None = "batch_create"
           ) -> httpx.Response:
    return li.demo.request("POST", POSTINGS, method=method, json={"elements": elements})


def outcomes(r: httpx.Response, expected: list[int]) -> list[dict[str, Any]]:
    """Assert the per-element statuses, in request order; return the elements."""
    assert r.status_code == 200, r.text
    elements = r.json()["elements"]
    assert [e["status"] for e in elements] == expected, elements
    for e in elements:
        if e["status"] == 202:
            assert set(e) == {"id", "status"}, e
            assert TASK_URN.fullmatch(e["id"]), e
        else:
            assert set(e) == {"error", "status"}, e
            assert e["error"]["status"] == e["status"], e
            assert e["error"]["message"], e
    return elements


def accepted(r: httpx.Response, n: int) -> list[str]:
    """Assert all n elements were accepted; return their task URNs."""
    return [e["id"] for e in outcomes(r, [202] * n)]


def close(external_id: str) -> dict[str, Any]:
    return {"integrationContext": ORG, "externalJobPostingId": external_id,
            "jobPostingOperationType": "CLOSE"}


def read_tasks(li: Any, urns: list[str]) -> dict[str, Any]:
    r = li.demo.request("GET", f"{TASKS}?{ids_query(urns)}")
    assert r.status_code == 200, r.text
    return r.json()


def finished(li: Any, urns: list[str], timeout: float = 10.0) -> list[dict[str, Any]]:
    """Poll the tasks until none is IN_PROGRESS; return them in the given order."""
    deadline = time.monotonic() + timeout
    while True:
        body = read_tasks(li, urns)
        assert body["errors"] == {}, body
        tasks = [body["results"][u] for u in urns]
        if all(t["status"] != "IN_PROGRESS" for t in tasks):
            return tasks
        if time.monotonic() > deadline:
            raise AssertionError(f"tasks still IN_PROGRESS after {timeout}s: {tasks}")
        time.sleep(0.05)


def run(li: Any, elements: list[Any]) -> list[dict[str, Any]]:
    """Submit elements that must all be accepted and wait for their tasks."""
    return finished(li, accepted(submit(li, elements), len(elements)))


def listed_jobs(li: Any) -> dict[str, dict[str, Any]]:
    r = li.control.get(f"/organizations/{ORG}/jobs", params={"count": 1000})
    assert r.status_code == 200, r.text
    return {e["externalJobPostingId"]: e for e in r.json()["elements"]}


def summary_jobs(li: Any) -> dict[str, int]:
    r = li.control.get(f"/organizations/{ORG}/summary")
    assert r.status_code == 200, r.text
    return r.json()["jobs"]


def control_ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()


# -- batch_create ---------------------------------------------------------------------------

def test_batch_create_answers_task_urns_in_request_order(li):
    ids = ["REQ-3", "REQ-1", "REQ-2"]
    urns = accepted(submit(li, [job_posting(i) for i in ids]), 3)
    assert len(set(urns)) == 3
    tasks = finished(li, urns)
    assert [t["externalJobPostingId"] for t in tasks] == ids
    assert [t["status"] for t in tasks] == ["SUCCEEDED"] * 3
    assert [t["id"] for t in tasks] == urns
    assert set(listed_jobs(li)) == set(ids)


def test_batch_create_without_the_method_header_is_403(li):
    r = submit(li, [job_posting("REQ-1")], method=None)
    assert r.status_code == 403, r.text
    assert r.json()["status"] == 403
    assert listed_jobs(li) == {}


def test_at_most_100_jobs_per_request(li):
    r = submit(li, [job_posting(f"REQ-{n}") for n in range(101)])
    assert r.status_code == 400, r.text
    assert r.json()["status"] == 400
    assert listed_jobs(li) == {}
    accepted(submit(li, [job_posting(f"REQ-{n}") for n in range(100)]), 100)
    assert len(listed_jobs(li)) == 100


def test_the_same_external_id_twice_in_one_request(li):
    r = submit(li, [job_posting("REQ-1"), job_posting("REQ-2"),
                    job_posting("REQ-1", title="Duplicate")])
    assert r.status_code == 200, r.text
    elements = r.json()["elements"]
    assert elements[1]["status"] == 202, elements
    assert elements[2]["status"] == 422, elements
    assert elements[2]["error"]["message"].startswith("ERROR :: /externalJobPostingId :: ")
    finished(li, [elements[1]["id"]])
    jobs = listed_jobs(li)
    assert "REQ-2" in jobs
    if "REQ-1" in jobs:  # the first occurrence may stand; the duplicate never does
        assert jobs["REQ-1"]["posting"]["title"] != "Duplicate"


def _future_listed_at(li: Any) -> int:
    return control_ok(li.control.get("/clock"))["nowMs"] + 86_400_000


def _without_title() -> dict[str, Any]:
    posting = job_posting("BAD-title")
    del posting["title"]
    return posting


def test_invalid_elements_fail_in_place(li):
    cases: list[tuple[dict[str, Any], int, str | None]] = [
        (job_posting("OK-1"), 202, None),
        (_without_title(), 422, "/title"),
        (job_posting("BAD-short", description="<p>Too short.</p>"), 422, "/description"),
        (job_posting("OK-2"), 202, None),
        (job_posting("BAD-div", description="<div>" + "Lots of detail here. " * 8 + "</div>"),
         422, "/description"),
        (job_posting("BAD-url", companyApplyUrl="not a url"), 400, "/companyApplyUrl"),
        (job_posting("BAD-future", listedAt=_future_listed_at(li)), 422, "/listedAt"),
        (job_posting("BAD-status", employmentStatus="SOMETIMES"), 422, "/employmentStatus"),
        (job_posting("BAD-alt", alternateLocations=["Austin, TX, US"]), 422,
         "/alternateLocations"),
        (job_posting("OK-3"), 202, None),
    ]
    elements = outcomes(submit(li, [c[0] for c in cases]), [c[1] for c in cases])
    for (_, _, path), element in zip(cases, elements, strict=True):
        if path is not None:
            lines = element["error"]["message"].splitlines()
            assert any(line.startswith(f"ERROR :: {path} :: ") for line in lines), element
    assert any("field is required but not found" in line
               for line in elements[1]["error"]["message"].splitlines())
    finished(li, [e["id"] for e in elements if e["status"] == 202])
    assert set(listed_jobs(li)) == {"OK-1", "OK-2", "OK-3"}


# -- tasks ----------------------------------------------------------------------------------

def test_tasks_stay_in_progress_until_the_delay_has_passed(li):
    assert control_ok(li.control.put("/settings", json={"jobTaskDelay": 30}))[
        "jobTaskDelay"] == 30
    urns = accepted(submit(li, [job_posting("REQ-1"), job_posting("REQ-2")]), 2)
    body = read_tasks(li, urns)
    assert body["errors"] == {}
    assert [body["results"][u]["status"] for u in urns] == ["IN_PROGRESS"] * 2
    assert [body["results"][u]["externalJobPostingId"] for u in urns] == ["REQ-1", "REQ-2"]
    assert summary_jobs(li) == {"LISTED": 0, "CLOSED": 0, "processing": 2}

    control_ok(li.control.post("/clock/advance", json={"seconds": 31}))
    tasks = finished(li, urns, timeout=0.5)
    assert [t["status"] for t in tasks] == ["SUCCEEDED"] * 2
    assert all(JOB_URN.fullmatch(t["jobPosting"]) for t in tasks), tasks
    assert tasks[0]["jobPosting"] != tasks[1]["jobPosting"]
    jobs = listed_jobs(li)
    assert [jobs[i]["jobPosting"] for i in ("REQ-1", "REQ-2")] == [
        t["jobPosting"] for t in tasks]
    assert summary_jobs(li) == {"LISTED": 2, "CLOSED": 0, "processing": 0}


def test_update_of_a_job_that_never_existed_fails_its_task(li):
    (task,) = run(li, [job_posting("REQ-404", operation="UPDATE")])
    assert task["status"] == "FAILED", task
    assert task["externalJobPostingId"] == "REQ-404"
    assert task["errorMessage"]
    assert listed_jobs(li) == {}


def test_update_of_a_listed_job_succeeds(li):
    (created,) = run(li, [job_posting("REQ-1")])
    (updated,) = run(li, [job_posting("REQ-1", operation="UPDATE", title="Staff Engineer")])
    assert updated["status"] == "SUCCEEDED", updated
    assert updated["jobPosting"] == created["jobPosting"]
    assert listed_jobs(li)["REQ-1"]["posting"]["title"] == "Staff Engineer"


def test_unknown_task_id_is_a_per_entity_404(li):
    (urn,) = accepted(submit(li, [job_posting("REQ-1")]), 1)
    unknown = "urn:li:simpleJobPostingTask:00000000-0000-0000-0000-000000000000"
    body = read_tasks(li, [urn, unknown])
    assert set(body["results"]) == {urn}
    assert body["results"][urn]["id"] == urn
    assert {k: e["status"] for k, e in body["errors"].items()} == {unknown: 404}


# -- CLOSE, availability, counts ------------------------------------------------------------

def test_close_then_close_again_and_close_unknown(li):
    (created,) = run(li, [job_posting("REQ-1")])
    (closed,) = run(li, [close("REQ-1")])
    assert closed["status"] == "SUCCEEDED", closed
    assert closed["jobPosting"] == created["jobPosting"]
    job = listed_jobs(li)["REQ-1"]
    assert (job["state"], job["processing"]) == ("CLOSED", False)

    elements = outcomes(submit(li, [close("REQ-1"), close("REQ-404")]), [409, 404])
    assert "REQ-404" not in listed_jobs(li)
    assert elements[0]["error"]["status"] == 409
    assert listed_jobs(li)["REQ-1"]["state"] == "CLOSED"


@pytest.mark.parametrize("availability", ["PUBLIC", "PRIVATE_TO_ATS_INTEGRATION"])
def test_availability_is_stored(li, availability):
    run(li, [job_posting("REQ-1", availability=availability)])
    assert listed_jobs(li)["REQ-1"]["posting"]["availability"] == availability


def test_public_and_private_jobs_side_by_side(li):
    run(li, [job_posting("PUB-1", availability="PUBLIC"),
             job_posting("PRIV-1", availability="PRIVATE_TO_ATS_INTEGRATION")])
    jobs = listed_jobs(li)
    assert {k: v["posting"]["availability"] for k, v in jobs.items()} == {
        "PUB-1": "PUBLIC", "PRIV-1": "PRIVATE_TO_ATS_INTEGRATION"}
    assert {v["state"] for v in jobs.values()} == {"LISTED"}


def test_summary_counts_listed_and_closed_jobs(li):
    run(li, [job_posting(f"REQ-{n}", availability=a)
             for n, a in enumerate(["PUBLIC", "PRIVATE_TO_ATS_INTEGRATION", "PUBLIC"])])
    assert summary_jobs(li) == {"LISTED": 3, "CLOSED": 0, "processing": 0}
    run(li, [close("REQ-0")])
    assert summary_jobs(li) == {"LISTED": 2, "CLOSED": 1, "processing": 0}
    r = li.control.get(f"/organizations/{ORG}/jobs", params={"state": "CLOSED"})
    assert [e["externalJobPostingId"] for e in control_ok(r)["elements"]] == ["REQ-0"]
