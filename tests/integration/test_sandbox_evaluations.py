"""The sandbox's LinkedIn Hiring Assistant evaluations (`rest/exportedApplicationEvaluations`,
reference §5.9, shape assumed in core.assumed): one per One-Click Export into a job,
deterministic from the seed, naming the job and the member; the finder's shape, paging,
child-token auth, parameter errors and the ENABLED gate; absent from /v2."""

from __future__ import annotations

from typing import Any

import pytest

from recruitlink.core.assumed import ASSESSMENTS, OVERALL_FITS
from recruitlink.sandbox.api.evaluations import assess
from tests.conftest import ORG
from tests.integration.test_sandbox_recruiter import (
    export,
    members,
    seats_of,
    sync_jobs,
    wire_callback,
)
from tests.support.evaluations_route import PATH
from tests.support.linkedin import job_posting

VERSION = {"LinkedIn-Version": "202604", "X-RestLi-Protocol-Version": "2.0.0"}
ORG_Q = ORG.replace(":", "%3A")


@pytest.fixture
def rest(li):
    return li


def find(li: Any, query: str, *, client: Any = None) -> Any:
    who = client or li.demo
    return who.http.get(f"{PATH}?{query}", headers=who.headers(**VERSION))


def exported(li: Any, receiver: Any, n: int) -> list[dict[str, Any]]:
    """n exports into REQ-1 by the demo customer's first seat; the export elements."""
    wire_callback(li, receiver)
    sync_jobs(li, job_posting("REQ-1", title="Data Scientist", location="Paris, France"))
    seat = seats_of(li)[0]
    done = []
    for member in members(li, count=n + 10)[:n]:
        r = export(li, seat["id"], member["person"], externalJobPostingId="REQ-1")
        assert r.status_code == 201, r.text
        done.append(r.json())
    return done


def test_each_export_into_a_job_gets_one_evaluation_naming_job_and_member(rest, receiver):
    (made,) = exported(rest, receiver, 1)
    page = find(rest, f"q=integrationContext&integrationContext={ORG_Q}")
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["paging"] == {"start": 0, "count": 1, "total": 1}
    (evaluation,) = body["elements"]
    assert evaluation["id"].startswith("urn:li:hiringAssistantEvaluation:")
    assert evaluation["integrationContext"] == ORG
    assert evaluation["requestId"] == made["requestId"]
    assert evaluation["candidate"] == made["person"]
    assert evaluation["job"] == {"externalJobPostingId": "REQ-1"}
    assert isinstance(evaluation["createdAt"], int)
    assert evaluation["overallFit"] in OVERALL_FITS
    assert "Data Scientist" in evaluation["summary"]
    assert made["candidate"]["headline"] in evaluation["summary"]
    assert len(evaluation["qualifications"]) == 3
    for q in evaluation["qualifications"]:
        assert set(q) == {"requirement", "assessment", "evidence"}
        assert q["assessment"] in ASSESSMENTS and q["requirement"] and q["evidence"]
    assert made["candidate"]["location"] in evaluation["qualifications"][2]["evidence"]

    # An export without a job (nothing to evaluate against) adds none.
    seat = seats_of(rest)[0]
    other = members(rest, start=150)[0]
    assert export(rest, seat["id"], other["person"]).status_code == 201
    again = find(rest, f"q=integrationContext&integrationContext={ORG_Q}").json()
    assert again["paging"]["total"] == 1


def test_exporting_a_member_into_the_same_job_again_evaluates_nothing_new(rest, receiver):
    (made,) = exported(rest, receiver, 1)
    seat = seats_of(rest)[0]
    again = export(rest, seat["id"], made["person"], externalJobPostingId="REQ-1")
    assert again.status_code == 201, again.text
    body = find(rest, f"q=integrationContext&integrationContext={ORG_Q}").json()
    assert body["paging"]["total"] == 1
    assert body["elements"][0]["requestId"] == made["requestId"]  # the first export's


def test_evaluation_is_deterministic_from_seed_member_and_job():
    profile = {"person": "urn:li:person:m000001", "firstName": "Ada",
               "headline": "Data Scientist at Acme", "currentJobTitle": "Data Scientist",
               "location": "Paris, France"}
    posting = {"title": "Data Scientist", "location": "Paris, France"}
    first = assess(1, profile, posting, "REQ-1")
    assert first == assess(1, profile, posting, "REQ-1")
    assert first["overallFit"] == "STRONG_FIT"
    assert [q["assessment"] for q in first["qualifications"]] == ["MEETS", "MEETS", "MEETS"]
    nurse = assess(1, {**profile, "headline": "Nurse at Acme", "currentJobTitle": "Nurse",
                       "location": "Tokyo, Japan"}, posting, "REQ-1")
    assert nurse["overallFit"] in ("PARTIAL_FIT", "NOT_A_FIT")
    assert nurse["qualifications"][0]["assessment"] == "DOES_NOT_MEET"


def test_paging_and_created_after(rest, receiver):
    made = exported(rest, receiver, 3)
    query = f"q=integrationContext&integrationContext={ORG_Q}"
    pages = [find(rest, f"{query}&start={s}&count=2").json() for s in (0, 2)]
    assert [p["paging"] for p in pages] == [{"start": 0, "count": 2, "total": 3},
                                            {"start": 2, "count": 1, "total": 3}]
    ids = [e["requestId"] for p in pages for e in p["elements"]]
    assert ids == [m["requestId"] for m in made]
    first = pages[0]["elements"][0]["createdAt"]
    later = find(rest, f"{query}&createdAfter={first}").json()
    assert all(e["createdAt"] > first for e in later["elements"])
    assert later["paging"]["total"] == len(later["elements"]) < 3


@pytest.mark.parametrize(("query", "named"), [
    ("integrationContext=" + ORG_Q, "q=integrationContext"),
    ("q=request&integrationContext=" + ORG_Q, "q=integrationContext"),
    ("q=integrationContext", "integrationContext is required"),
    ("q=integrationContext&integrationContext=acme", "urn:li:organization"),
    (f"q=integrationContext&integrationContext={ORG_Q}&createdAfter=yesterday", "createdAfter"),
    (f"q=integrationContext&integrationContext={ORG_Q}&count=101", "count"),
    (f"q=integrationContext&integrationContext={ORG_Q}&start=-1", "start"),
    (f"q=integrationContext&integrationContext={ORG_Q}&job=REQ-1", "job"),
])
def test_bad_parameters_are_400s_naming_the_parameter(rest, query, named):
    r = find(rest, query)
    assert r.status_code == 400, r.text
    assert named in r.json()["message"]


def test_child_token_only_and_only_for_enabled_organizations(rest, receiver):
    exported(rest, receiver, 1)
    query = f"q=integrationContext&integrationContext={ORG_Q}"
    parent = find(rest, query, client=rest.partner)
    assert parent.status_code == 403 and "child" in parent.json()["message"]
    assert rest.demo.http.get(f"{PATH}?{query}", headers=VERSION).status_code == 401  # no token
    other = find(rest, "q=integrationContext&integrationContext=urn%3Ali%3Aorganization%3A999")
    assert other.status_code == 403 and "ENABLED" in other.json()["message"]
    rest.control.post("/integrations/status", json={"integrationContext": ORG,
                                                    "status": "DISABLED"})
    disabled = find(rest, query)
    assert disabled.status_code == 403 and "ENABLED" in disabled.json()["message"]


def test_not_on_the_unversioned_family(li, receiver):
    exported(li, receiver, 1)
    r = li.demo.request("GET", "/v2/exportedApplicationEvaluations?q=integrationContext"
                               f"&integrationContext={ORG_Q}")
    assert r.status_code == 404, r.text


@pytest.mark.parametrize("official", [("rest", "202604")], indirect=True)
def test_linkedins_official_client_reads_the_finder(rest, official, receiver):
    (made,) = exported(rest, receiver, 1)
    token = official.token(rest.app.state.demo.client_id, rest.app.state.demo.client_secret)
    found = official.call("finder", resource_path="/exportedApplicationEvaluations",
                          finder_name="integrationContext",
                          query_params={"integrationContext": ORG, "start": 0, "count": 10},
                          access_token=token)
    assert found.status_code == 200, found.response.text
    (element,) = found.elements
    assert element["requestId"] == made["requestId"] and element["candidate"] == made["person"]
    assert found.paging.total == 1
