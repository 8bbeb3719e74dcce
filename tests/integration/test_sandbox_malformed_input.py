"""Malformed input of any kind gets a 4xx with a LinkedIn-style error, never a 500 and never a
crash: hypothesis throws bad JSON, wrong types, unknown keys, bad encodings and odd Rest.li
syntax at every endpoint over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ORG, start_sandbox
from tests.support.linkedin import Raw, body_key, candidate_key, ids_query
from tests.support.servers import serve

PATHS = [
    "/v2/atsCandidates", "/v2/atsApplications", "/v2/atsEntityAcls",
    "/v2/atsEntityAclAssignees", "/v2/tcrmPipelines", "/v2/tcrmPipelineStages",
    "/v2/tcrmCandidatePipelines", "/v2/tcrmInteractions", "/v2/simpleJobPostings",
    "/v2/simpleJobPostingTasks", "/v2/atsIntegrations", "/v2/provisionedApplications",
    f"/v2/atsCandidates/{body_key(candidate_key('C1', ORG))}/notes",
    f"/v2/atsApplications/atsJobApplicationId=A1&dataProvider=ATS&integrationContext={ORG}"
    "/stages",
    "/v2/atsIntegrations/integrationContext=x/configurations",
]
RESTLI_METHODS = [None, "batch_update", "batch_partial_update", "batch_create", "batch_get",
                  "nonsense", "BATCH_UPDATE"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=15), children, max_size=5),
    max_leaves=25)

query_text = st.text(alphabet=st.sampled_from(list("ids[]0123.=&%:;()Lt,abcX_-+ ")), max_size=80)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Raw, Raw]]:
    app = start_sandbox()
    with serve(app) as url:
        demo = Raw(url, app.state.demo.client_id, app.state.demo.client_secret)
        partner = Raw(url, app.state.partner.client_id, app.state.partner.client_secret)
        # Something to find, so that reads and patches reach deeper code paths.
        key = candidate_key("C1", ORG)
        demo.request("PUT", f"/v2/atsCandidates?{ids_query([key])}", method="batch_update",
                     json={"entities": {body_key(key): {
                         "addresses": [], "atsCreatedAt": 1, "atsLastModifiedAt": 1,
                         "emailAddresses": [], "phoneNumbers": [], "firstName": "A",
                         "externalProfileUrl": "https://x.example/1"}}})
        yield url, demo, partner
        demo.close()
        partner.close()


def check(response: httpx.Response) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:500])
    body: Any = response.json()
    if response.status_code >= 400:
        assert body["status"] == response.status_code or "error" in body
        assert isinstance(body.get("message", body.get("error_description")), str)
        return
    for error in (body.get("errors") or {}).values():
        assert 400 <= error["status"] < 500 and isinstance(error["message"], str)
    for element in body.get("elements") or []:
        if isinstance(element, dict) and "error" in element:
            assert 400 <= element["status"] < 500


fuzz = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@fuzz
@given(path=st.sampled_from(PATHS), verb=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
       restli=st.sampled_from(RESTLI_METHODS), query=query_text,
       body=st.one_of(json_values.map(lambda v: json.dumps(v).encode()),
                      st.binary(max_size=200),
                      st.sampled_from([b"Infinity", b'{"entities": {"k": NaN}}', b"[" * 5000])),
       content_type=st.sampled_from(["application/json", "text/plain", None,
                                     "application/x-www-form-urlencoded"]),
       as_partner=st.booleans())
def test_arbitrary_requests_never_5xx(server, path, verb, restli, query, body, content_type,
                                      as_partner):
    _url, demo, partner = server
    client = partner if as_partner else demo
    headers = client.headers(restli)
    if content_type:
        headers["Content-Type"] = content_type
    response = client.http.request(verb, f"{path}?{query}", headers=headers,
                                   content=body if verb != "GET" else None)
    check(response)


@fuzz
@given(entity=json_values, key_text=st.text(max_size=60) | st.just(
    f"atsCandidateId=C1&dataProvider=ATS&integrationContext={ORG}"),
    method=st.sampled_from(["batch_update", "batch_partial_update"]))
def test_well_framed_batches_with_junk_entities_get_per_entity_errors(server, entity, key_text,
                                                                      method):
    _url, demo, _ = server
    key = candidate_key("C1", ORG)
    verb = "PUT" if method == "batch_update" else "POST"
    response = demo.request(verb, f"/v2/atsCandidates?{ids_query([key])}", method=method,
                            json={"entities": {key_text: entity}})
    check(response)


@fuzz
@given(element=json_values | st.dictionaries(
    st.sampled_from(["integrationContext", "externalJobPostingId", "jobPostingOperationType",
                     "title", "description", "location", "availability", "companyApplyUrl",
                     "listedAt", "workplaceTypes", "expireAt", "industries", "categories"]),
    json_values, max_size=12))
def test_job_elements_of_any_shape_get_element_errors(server, element):
    _url, demo, _ = server
    response = demo.request("POST", "/v2/simpleJobPostings", method="batch_create",
                            json={"elements": [element]})
    check(response)


@fuzz
@given(form=st.dictionaries(st.sampled_from(["grant_type", "client_id", "client_secret", "x"]),
                            st.text(max_size=20), max_size=4),
       raw=st.binary(max_size=100), use_raw=st.booleans())
def test_token_endpoint_never_5xx(server, form, raw, use_raw):
    url, _demo, _ = server
    if use_raw:
        response = httpx.post(f"{url}/oauth/v2/accessToken", content=raw, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
    else:
        response = httpx.post(f"{url}/oauth/v2/accessToken", data=form)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert set(response.json()) == {"error", "error_description"}


@pytest.mark.parametrize("secret", ["\u00e9", "s\u00e9cret", "%FF"])
def test_a_non_ascii_client_secret_is_a_failed_authentication(server, secret):
    """A known client id with a secret of non-ASCII characters (or bytes that are not UTF-8,
    read as U+FFFD) is refused like any wrong secret; it was a 500."""
    url, demo, _ = server
    body = (f"grant_type=client_credentials&client_id={demo.client_id}&client_secret="
            + (secret if secret.startswith("%") else quote(secret)))
    response = httpx.post(f"{url}/oauth/v2/accessToken", content=body.encode(), headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client_id"
