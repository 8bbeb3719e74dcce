"""Reference §7 Modules 1, 2, 4 and 5, walked through raw HTTP against `recruitlink sandbox`
run as a subprocess, checking what the inspection API (what Recruiter holds) shows after
each step."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import httpx
import pytest

from recruitlink.core.restli import canonical
from recruitlink.core.signing import verify
from tests.support.linkedin import (
    Raw,
    application_key,
    application_record,
    body_key,
    candidate_key,
    candidate_record,
    ids_query,
    job_posting,
)
from tests.support.process import sandbox_process
from tests.support.servers import PushReceiver, serve

ORG = "urn:li:organization:5001"
CONTRACT = "urn:li:contract:6001"
RSC_TYPES = ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN")


def integration_key(context: str, itype: str) -> dict[str, str]:
    return {"integrationContext": context, "integrationType": itype, "tenantType": "RECRUITER",
            "dataProvider": "ATS"}


def ok_batch(response: httpx.Response, n: int) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["errors"] == {}, body["errors"]
    assert len(body["results"]) == n
    return body


@pytest.fixture
def world():
    receiver = PushReceiver()
    with serve(receiver.app()) as hook_base, sandbox_process(
            "--partner-client-id", "acme-partner", "--partner-client-secret", "partner-secret",
            "--job-task-delay", "0.3", "--no-demo") as (url, _lines):
        receiver.url = f"{hook_base}/hooks/customer-a"
        partner = Raw(url, "acme-partner", "partner-secret")
        inspect = httpx.Client(base_url=f"{url}/sandbox", timeout=30)
        try:
            yield url, partner, inspect, receiver
        finally:
            partner.close()
            inspect.close()


def provision(partner: Raw, foreign_id: str, name: str) -> dict:
    response = partner.request("POST", "/v2/provisionedApplications", json={
        "uniqueForeignId": foreign_id, "name": name, "description": f"{name} instance",
        "validJsSdkDomains": ["https://acme.myats.example"]})
    assert response.status_code == 201, response.text
    return response.json()


def test_certification_modules_1_2_4_5(world):
    url, partner, inspect, receiver = world

    # ---- Module 1: onboarding ------------------------------------------------------------
    app_a = provision(partner, "tenant-a", "MyATS - Customer A")
    app_b = provision(partner, "tenant-b", "MyATS - Customer B")  # RSC-103: one app each
    assert app_a["key"] != app_b["key"]
    assert app_a["credentials"]["client_id"] != app_b["credentials"]["client_id"]

    # RSC-105: JS SDK domains patched onto the child app.
    patched = partner.request(
        "POST", f"/v2/provisionedApplications/{quote(app_a['key'], safe='')}",
        json={"patch": {"$set": {"validJsSdkDomains": ["https://acme.myats.example",
                                                       "http://localhost:5000"]}}})
    assert patched.status_code == 204
    found = partner.request("GET", "/v2/provisionedApplications?q=credentialsByUniqueForeignId"
                                   "&uniqueForeignId=tenant-a").json()["elements"]
    assert found[0]["validJsSdkDomains"] == ["https://acme.myats.example",
                                             "http://localhost:5000"]

    customer = Raw(url, app_a["credentials"]["client_id"], app_a["credentials"]["client_secret"])
    secret = app_a["credentials"]["client_secret"]
    keys = [integration_key(ORG, t) for t in RSC_TYPES] + [integration_key(CONTRACT, "CSA_API")]
    named = customer.request("POST", f"/v2/atsIntegrations?{ids_query(keys)}",
                             method="batch_partial_update", json={"entities": {
                                 body_key(k): {"patch": {"$set": {
                                     "integrationName": f"Customer A {k['integrationType']}"}}}
                                 for k in keys}})
    ok_batch(named, 4)
    status = customer.request("GET", f"/v2/atsIntegrations?{ids_query(keys)}").json()
    assert {r["status"] for r in status["results"].values()} == {"PENDING"}

    # RSC-104: callback URL and ALL_PRODUCT_USERS viewers.
    oce = quote(body_key(keys[0]), safe="=&:")
    indicator = quote(body_key(keys[1]), safe="=&:")
    for path, name, value in (
            (oce, "CALLBACK_URL", receiver.url), (oce, "JOB_POSTING_VIEWERS", "ALL_PRODUCT_USERS"),
            (indicator, "APPLICATION_VIEWERS", "ALL_PRODUCT_USERS")):
        put = customer.request("PUT", f"/v2/atsIntegrations/{path}/configurations?ids={name}",
                               method="batch_update", json={"entities": {
                                   name: {"configurationValue": {"string": value}}}})
        ok_batch(put, 1)
        got = customer.request("GET", f"/v2/atsIntegrations/{path}/configurations?ids={name}")
        assert got.json()["results"][name] == {"configurationValue": {"string": value}}

    # No data before the Recruiter admin enables the integration.
    cand_keys = [candidate_key(f"C{i}", ORG) for i in range(1, 4)]
    refused = customer.request("PUT", f"/v2/atsCandidates?{ids_query(cand_keys[:1])}",
                               method="batch_update",
                               json={"entities": {body_key(cand_keys[0]): candidate_record(1)}})
    assert refused.status_code == 403

    # RSC-101: the admin enables; the push arrives signed; the finder shows ENABLED.
    for context in (ORG, CONTRACT):
        enabled = inspect.post("/integrations/status", json={"integrationContext": context,
                                                             "status": "ENABLED"})
        assert enabled.status_code == 200, enabled.text
    pushes = receiver.wait_for(2)
    for push in pushes:
        assert verify(secret, push.body, push.headers["x-li-signature"])
        event = json.loads(push.body)
        assert event["type"] == "INTEGRATION_STATUS_CHANGE"
        changed = customer.request("GET", f"/v2/atsIntegrations?q=request&requestId="
                                          f"{event['requestId']}").json()["elements"]
        assert changed and {c["status"] for c in changed} == {"ENABLED"}
        assert {c["integrationContext"] for c in changed} == {event["integrationContext"]}

    # ---- Module 2: sync ATS -> LinkedIn ---------------------------------------------------
    # RSC-201: public and private jobs, one of them closed, all history.
    jobs = [job_posting("REQ-1", ORG, availability="PUBLIC", listedAt=1600000000000),
            job_posting("REQ-2", ORG, listedAt=1650000000000),
            job_posting("REQ-3", ORG, listedAt=1690000000000),
            job_posting("BAD-1", ORG, title=None)]  # old TC5: missing required field
    jobs[3].pop("title")
    created = customer.request("POST", "/v2/simpleJobPostings", method="batch_create",
                               json={"elements": jobs}).json()["elements"]
    assert [e["status"] for e in created] == [202, 202, 202, 422]
    assert "/title" in created[3]["error"]["message"]
    closed = customer.request("POST", "/v2/simpleJobPostings", method="batch_create",
                              json={"elements": [{"integrationContext": ORG,
                                                  "externalJobPostingId": "REQ-3",
                                                  "jobPostingOperationType": "CLOSE"}]})
    tasks = [e["id"] for e in created[:3]] + [closed.json()["elements"][0]["id"]]
    deadline = time.monotonic() + 10
    while True:
        got = customer.request("GET", "/v2/simpleJobPostingTasks?"
                                      + "&".join(f"ids={quote(t, safe='')}" for t in tasks))
        states = {r["status"] for r in got.json()["results"].values()}
        if states == {"SUCCEEDED"}:
            break
        assert states <= {"IN_PROGRESS", "SUCCEEDED"}
        assert time.monotonic() < deadline, states
        time.sleep(0.1)
    summary = inspect.get(f"/organizations/{ORG}/summary").json()
    assert summary["jobs"] == {"LISTED": 2, "CLOSED": 1, "processing": 0}

    # RSC-202/204: candidates.
    ok_batch(customer.request("PUT", f"/v2/atsCandidates?{ids_query(cand_keys)}",
                              method="batch_update", json={"entities": {
                                  body_key(k): candidate_record(i)
                                  for i, k in enumerate(cand_keys, 1)}}), 3)
    # Candidate notes.
    c1 = quote(body_key(cand_keys[0]), safe="=&:")
    ok_batch(customer.request("PUT", f"/v2/atsCandidates/{c1}/notes?ids=N1&ids=N2",
                              method="batch_update", json={"entities": {
                                  "N1": {"atsCreatedAt": 1700000000000, "note": "Strong Python",
                                         "author": {"firstName": "Rita", "lastName": "Book"}},
                                  "N2": {"atsCreatedAt": 1700000100000, "note": "Call Monday"}}}
                              ), 2)
    # RSC-203: applications with notes, stages and feedback.
    a_keys = [application_key("A1", ORG), application_key("A2", ORG)]
    ok_batch(customer.request("PUT", f"/v2/atsApplications?{ids_query(a_keys)}",
                              method="batch_update", json={"entities": {
                                  body_key(a_keys[0]): application_record("C1", "REQ-1"),
                                  body_key(a_keys[1]): application_record("C1", "REQ-2")}}), 2)
    a1 = quote(body_key(a_keys[0]), safe="=&:")
    ok_batch(customer.request("PUT", f"/v2/atsApplications/{a1}/stages?ids=S1&ids=S2&ids=S3",
                              method="batch_update", json={"entities": {
                                  "S1": {"atsCreatedAt": 1700000000000, "stage": "New"},
                                  "S2": {"atsCreatedAt": 1700000100000,
                                         "stage": "Phone Interview"},
                                  "S3": {"atsCreatedAt": 1700000200000,
                                         "stage": "Offer Extended"}}}), 3)
    ok_batch(customer.request("PUT", f"/v2/atsApplications/{a1}/notes?ids=AN1",
                              method="batch_update", json={"entities": {"AN1": {
                                  "atsCreatedAt": 1700000000000, "note": "Great fit"}}}), 1)
    ok_batch(customer.request("PUT", f"/v2/atsApplications/{a1}/interviewFeedback?ids=F1",
                              method="batch_update", json={"entities": {"F1": {
                                  "atsCreatedAt": 1700000150000, "feedback": "Great interview!",
                                  "interviewType": "PHONE_SCREEN",
                                  "interviewer": {"firstName": "Rita", "lastName": "Book"},
                                  "evaluations": [{"attribute": "Communication",
                                                   "result": "4/5"}]}}}), 1)
    view = inspect.get(f"/organizations/{ORG}/candidates/C1").json()
    assert view["record"]["lastName"] == "Doe1"
    assert [n["id"] for n in view["notes"]] == ["N1", "N2"]
    by_job = {a["record"]["atsJobPostingId"]: a for a in view["applications"]}
    assert by_job["REQ-1"]["currentStage"] == "Offer Extended"
    assert [s["stage"] for s in by_job["REQ-1"]["stages"]] == ["New", "Phone Interview",
                                                              "Offer Extended"]
    assert by_job["REQ-1"]["interviewFeedback"][0]["feedback"] == "Great interview!"
    assert by_job["REQ-2"]["stages"] == []

    # Old TC4: an update in the ATS is reflected.
    ok_batch(customer.request("PUT", f"/v2/atsCandidates?{ids_query(cand_keys[:1])}",
                              method="batch_update", json={"entities": {
                                  body_key(cand_keys[0]): candidate_record(
                                      1, currentJobTitle="Staff Engineer")}}), 1)
    view = inspect.get(f"/organizations/{ORG}/candidates/C1").json()
    assert view["record"]["currentJobTitle"] == "Staff Engineer"

    # ---- Module 4: ACLs -------------------------------------------------------------------
    acl = {"atsEntityAclId": "SECURE_JOBS", "dataProvider": "ATS", "integrationContext": ORG,
           "atsEntityType": "JOB_POSTING", "atsEntityId": "REQ-2"}
    ok_batch(customer.request("PUT", f"/v2/atsEntityAcls?{ids_query([acl])}",
                              method="batch_update", json={"entities": {
                                  body_key(dict(reversed(list(acl.items())))): {}}}), 1)
    assignee = {"atsEntityAclId": "SECURE_JOBS", "integrationContext": ORG,
                "dataProvider": "ATS", "assignee": "urn:li:person:AbC123",
                "atsEntityType": "JOB_POSTING"}
    assignee_path = f"/v2/atsEntityAclAssignees?{ids_query([assignee])}"
    finder = (f"/v2/atsEntityAclAssignees?q=criteria&assignee=urn:li:person:AbC123"
              f"&dataProvider=ATS&integrationContext={ORG}")
    ok_batch(customer.request("PUT", assignee_path, method="batch_update",
                              json={"entities": {body_key(assignee): {}}}), 1)
    assert len(customer.request("GET", finder).json()["elements"]) == 1  # RSC-401
    ok_batch(customer.request("DELETE", assignee_path), 1)
    assert customer.request("GET", finder).json()["elements"] == []  # RSC-403
    ok_batch(customer.request("PUT", assignee_path, method="batch_update",
                              json={"entities": {body_key(assignee): {}}}), 1)
    assert len(customer.request("GET", finder).json()["elements"]) == 1  # RSC-404
    acls = customer.request("GET", f"/v2/atsEntityAcls?q=criteria&atsEntityId=REQ-2"
                                   f"&atsEntityType=JOB_POSTING&dataProvider=ATS"
                                   f"&integrationContext={ORG}&start=0&count=100").json()
    assert acls["elements"] == [acl]

    # ---- Module 5: deletion ---------------------------------------------------------------
    # RSC-501: candidate notes, then the candidate.
    ok_batch(customer.request("DELETE", f"/v2/atsCandidates/{c1}/notes?ids=N1"), 1)
    assert [n["id"] for n in inspect.get(f"/organizations/{ORG}/candidates/C1").json()["notes"]
            ] == ["N2"]
    # RSC-503: application notes, stages and feedback, then the application.
    ok_batch(customer.request("DELETE", f"/v2/atsApplications/{a1}/notes?ids=AN1"), 1)
    ok_batch(customer.request("DELETE", f"/v2/atsApplications/{a1}/stages?ids=S3"), 1)
    ok_batch(customer.request("DELETE", f"/v2/atsApplications/{a1}/interviewFeedback?ids=F1"), 1)
    view = inspect.get(f"/organizations/{ORG}/candidates/C1").json()
    a1_view = next(a for a in view["applications"] if a["record"]["atsJobPostingId"] == "REQ-1")
    assert a1_view["currentStage"] == "Phone Interview"
    assert a1_view["notes"] == [] and a1_view["interviewFeedback"] == []
    # RSC-504: a whole application with cascade.
    ok_batch(customer.request("DELETE", f"/v2/atsApplications?{ids_query(a_keys)}"), 2)
    stages = inspect.get(f"/organizations/{ORG}/records/atsApplications/stages").json()
    assert stages["paging"]["total"] == 0
    # RSC-502: the whole candidate.
    ok_batch(customer.request("DELETE", f"/v2/atsCandidates?{ids_query(cand_keys[:1])}"), 1)
    assert inspect.get(f"/organizations/{ORG}/candidates/C1").status_code == 404
    gone = customer.request("GET", f"/v2/atsCandidates?{ids_query(cand_keys[:1])}").json()
    assert gone["errors"][canonical(cand_keys[0])]["status"] == 404
    summary = inspect.get(f"/organizations/{ORG}/summary").json()
    # C1's remaining note went with it; only C2, C3 and the ACL records are left.
    assert summary["records"] == {"atsCandidates": 2, "atsEntityAcls": 1,
                                  "atsEntityAclAssignees": 1}

    # Tokens were reused, not minted per call (RSC-106 / CRM-002).
    app_info = inspect.get(f"/apps/{app_a['key']}").json()
    assert app_info["tokensMinted"] == 1
    customer.close()
