"""Customer isolation and edge cases: one customer's app can never reach another's data, odd
input is a 4xx, and Recruiter keeps showing a job's previous version until its task is done."""

from __future__ import annotations

import json
import time
from urllib.parse import quote

import pytest

from recruitlink.core.restli import canonical
from tests.conftest import ORG
from tests.support.linkedin import (
    Raw,
    body_key,
    candidate_key,
    candidate_record,
    ids_query,
    job_posting,
)


def provision(li, foreign_id: str) -> Raw:
    created = li.partner.request("POST", "/v2/provisionedApplications", json={
        "uniqueForeignId": foreign_id, "name": f"MyATS - {foreign_id}",
        "description": "test customer"})
    assert created.status_code == 201, created.text
    creds = created.json()["credentials"]
    return Raw(li.url, creds["client_id"], creds["client_secret"])


def integration_key(context: str, itype: str) -> dict[str, str]:
    return {"integrationContext": context, "integrationType": itype, "tenantType": "RECRUITER",
            "dataProvider": "ATS"}


def claim(client: Raw, context: str, itype: str = "ONE_CLICK_EXPORT"):
    key = integration_key(context, itype)
    return client.request("POST", f"/v2/atsIntegrations?{ids_query([key])}",
                          method="batch_partial_update", json={"entities": {body_key(key): {
                              "patch": {"$set": {"integrationName": "x"}}}}})


def test_another_app_cannot_claim_an_organization_or_touch_its_data(li):
    key = candidate_key("C1", ORG)
    put = li.demo.request("PUT", f"/v2/atsCandidates?{ids_query([key])}", method="batch_update",
                          json={"entities": {body_key(key): candidate_record(1)}})
    assert put.status_code == 200
    intruder = provision(li, "intruder")
    refused = claim(intruder, ORG)
    assert refused.status_code == 200
    (error,) = refused.json()["errors"].values()
    assert error["status"] == 409
    # Without an integration it can neither delete nor read the demo customer's data.
    assert intruder.request("DELETE", f"/v2/atsCandidates?{ids_query([key])}"
                            ).status_code == 403
    assert intruder.request("GET", f"/v2/atsCandidates?{ids_query([key])}").status_code == 403
    # The admin switch only concerns the owning app: the intruder still gets nothing.
    li.control.post("/integrations/status", json={"integrationContext": ORG,
                                                  "status": "ENABLED"})
    assert intruder.request("GET", f"/v2/atsCandidates?{ids_query([key])}").status_code == 403
    still = li.demo.request("GET", f"/v2/atsCandidates?{ids_query([key])}").json()
    assert canonical(key) in still["results"]
    intruder.close()


@pytest.mark.parametrize("url", ["https://xn--/hook", "https://exa mple.com/hook",
                                 "https://a..b/hook", "https://hooks.example.com/x#frag"])
def test_unusable_callback_urls_are_refused(li, url):
    customer = provision(li, "hooks")
    assert claim(customer, "urn:li:organization:7001").status_code == 200
    path = quote(body_key(integration_key("urn:li:organization:7001", "ONE_CLICK_EXPORT")),
                 safe="=&:")
    put = customer.request("PUT", f"/v2/atsIntegrations/{path}/configurations?ids=CALLBACK_URL",
                           method="batch_update", json={"entities": {"CALLBACK_URL": {
                               "configurationValue": {"string": url}}}})
    assert put.json()["errors"]["CALLBACK_URL"]["status"] == 422
    customer.close()


@pytest.mark.parametrize("sandbox_config", [{"auto_enable": True}], indirect=True)
def test_auto_enabled_status_change_is_pushed_once_a_callback_exists(li, receiver):
    customer = provision(li, "auto")
    org = "urn:li:organization:7002"
    assert claim(customer, org).status_code == 200
    path = quote(body_key(integration_key(org, "ONE_CLICK_EXPORT")), safe="=&:")
    put = customer.request("PUT", f"/v2/atsIntegrations/{path}/configurations?ids=CALLBACK_URL",
                           method="batch_update", json={"entities": {"CALLBACK_URL": {
                               "configurationValue": {"string": receiver.url}}}})
    assert put.json()["results"] == {"CALLBACK_URL": {"status": 204}}
    (push,) = receiver.wait_for(1)
    event = json.loads(push.body)
    assert event["type"] == "INTEGRATION_STATUS_CHANGE" and event["integrationContext"] == org
    changed = customer.request("GET", f"/v2/atsIntegrations?q=request&requestId="
                                      f"{event['requestId']}").json()["elements"]
    assert [c["status"] for c in changed] == ["ENABLED"]
    time.sleep(0.2)
    assert len(receiver.received) == 1  # delivered once, not again
    customer.close()


@pytest.mark.parametrize("raw", [b'{"entities": {"k": "\\ud800"}}',
                                 b'{"entities": ' + b'{"a": ' * 40 + b"1" + b"}" * 41])
def test_lone_surrogates_and_deep_nesting_are_400(li, raw):
    key = candidate_key("C1", ORG)
    response = li.demo.http.put(f"/v2/atsCandidates?{ids_query([key])}", content=raw, headers={
        **li.demo.headers("batch_update"), "Content-Type": "application/json"})
    assert response.status_code == 400, response.text


def test_non_ascii_digits_in_paging_are_400(li):
    response = li.demo.request("GET", f"/v2/atsEntityAcls?q=criteria&integrationContext={ORG}"
                                      "&count=%C2%B2")
    assert response.status_code == 400


@pytest.mark.parametrize(("verb", "method", "path"), [
    ("DELETE", "batch_update", "/v2/atsCandidates?{ids}"),
    ("GET", "batch_update", "/v2/atsCandidates?{ids}"),
    ("PUT", "batch_partial_update", "/v2/atsCandidates?{ids}"),
    ("POST", "batch_update", "/v2/simpleJobPostings"),
])
def test_restli_method_must_match_the_request(li, verb, method, path):
    ids = ids_query([candidate_key("C1", ORG)])
    body = {"elements": [job_posting()]} if "simpleJob" in path else {"entities": {}}
    response = li.demo.request(verb, path.format(ids=ids), method=method,
                               json=None if verb in ("GET", "DELETE") else body)
    assert response.status_code == 400, response.text
    assert "does not match" in response.json()["message"]


def jobs_view(li) -> dict:
    elements = li.control.get(f"/organizations/{ORG}/jobs").json()["elements"]
    return {e["externalJobPostingId"]: e for e in elements}


def test_recruiter_shows_the_previous_job_version_until_the_task_is_done(li):
    # Tasks take 30 s of the sandbox's clock (the tests' default 50 ms can pass between two
    # requests on a loaded machine); the clock is moved past them.
    li.control.put("/settings", json={"jobTaskDelay": 30})
    create = li.demo.request("POST", "/v2/simpleJobPostings", method="batch_create",
                             json={"elements": [job_posting("REQ-9")]})
    assert create.json()["elements"][0]["status"] == 202
    assert jobs_view(li)["REQ-9"]["state"] is None  # not yet listed in Recruiter
    li.control.post("/clock/advance", json={"seconds": 31})
    assert jobs_view(li)["REQ-9"]["state"] == "LISTED"

    li.control.put("/settings", json={"jobTaskDelay": 60})
    update = job_posting("REQ-9", operation="UPDATE", title="Principal Engineer")
    li.demo.request("POST", "/v2/simpleJobPostings", method="batch_create",
                    json={"elements": [update]})
    shown = jobs_view(li)["REQ-9"]
    assert shown["posting"]["title"] == "Senior Software Engineer" and shown["processing"]
    li.demo.request("POST", "/v2/simpleJobPostings", method="batch_create", json={"elements": [
        {"integrationContext": ORG, "externalJobPostingId": "REQ-9",
         "jobPostingOperationType": "CLOSE"}]})
    assert jobs_view(li)["REQ-9"]["state"] == "LISTED"
    summary = li.control.get(f"/organizations/{ORG}/summary").json()["jobs"]
    assert summary == {"LISTED": 1, "CLOSED": 0, "processing": 1}

    li.control.post("/clock/advance", json={"seconds": 61})
    shown = jobs_view(li)["REQ-9"]
    assert shown["state"] == "CLOSED" and shown["posting"]["title"] == "Principal Engineer"
    assert not shown["processing"]


@pytest.mark.parametrize("sandbox_config", [{"records_per_minute": 50}], indirect=True)
def test_a_batch_larger_than_the_minute_limit_says_so(li):
    keys = [candidate_key(f"C{i}", ORG) for i in range(60)]
    response = li.demo.tunnel("PUT", "/v2/atsCandidates", ids_query(keys),
                              method="batch_update",
                              json={"entities": {body_key(k): candidate_record(i)
                                                 for i, k in enumerate(keys)}})
    assert response.status_code == 429
    assert "smaller batches" in response.json()["message"]
