"""Contract tests of the sandbox's setup surface over real HTTP: OAuth client credentials,
the Provisioning API, atsIntegrations and their configurations, enablement with its
INTEGRATION_STATUS_CHANGE push, and the data gate (reference §1, §2, §5.1, §10)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from recruitlink.core.restli import make_key, parse_key
from recruitlink.core.signing import sign, verify
from tests.support.linkedin import Raw, body_key, candidate_key, candidate_record, ids_query

ORG = "urn:li:organization:5001"
CONTRACT = "urn:li:contract:6001"
ORG_TYPES = ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN")
TOKEN_PATH = "/oauth/v2/accessToken"
PROBE = "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=x"


# -- helpers ---------------------------------------------------------------------------------

def api_error(r: httpx.Response, status: int, contains: str | None = None) -> dict[str, Any]:
    """A top-level LinkedIn error: exact status and `{"message","serviceErrorCode","status"}`."""
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"message", "serviceErrorCode", "status"}, body
    assert body["status"] == status and isinstance(body["serviceErrorCode"], int)
    assert body["message"]
    if status == 403:
        assert body["serviceErrorCode"] == 100
    if contains:
        assert contains.lower() in body["message"].lower(), body
    return body


def oauth_error(r: httpx.Response, status: int, error: str, contains: str = "") -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "error_description"}, body
    assert body["error"] == error
    assert contains.lower() in body["error_description"].lower(), body


def entity_error(err: dict[str, Any], status: int) -> None:
    assert err["status"] == status, err
    assert err["message"] and "serviceErrorCode" in err


def by_key(mapping: dict[str, Any]) -> dict[Any, Any]:
    """A batch response map keyed semantically (response keys may be URL-encoded)."""
    return {make_key(parse_key(k)): v for k, v in mapping.items()}


def ikey(context: str, itype: str) -> dict[str, str]:
    return {"integrationContext": context, "integrationType": itype,
            "tenantType": "RECRUITER", "dataProvider": "ATS"}


def rsc_keys(org: str = ORG, contract: str = CONTRACT) -> list[dict[str, str]]:
    return [ikey(org, t) for t in ORG_TYPES] + [ikey(contract, "CSA_API")]


def raw_ids(keys: list[dict[str, str]]) -> str:
    """`ids[N].field=value` with raw brackets and raw URN colons."""
    return "&".join(f"ids[{i}].{k}={v}" for i, key in enumerate(keys) for k, v in key.items())


def patch_entities(keys: list[dict[str, str]], name: str = "Acme RSC") -> dict[str, Any]:
    # Body keys in the reverse field order of the URL's.
    return {"entities": {body_key(dict(reversed(list(k.items())))):
                         {"patch": {"$set": {"integrationName": f"{name} {k['integrationType']}"}}}
                         for k in keys}}


def create_integrations(client: Raw, keys: list[dict[str, str]], *, query: str | None = None,
                        method: str | None = "batch_partial_update") -> httpx.Response:
    return client.request("POST", f"/v2/atsIntegrations?{query or ids_query(keys)}",
                          method=method, json=patch_entities(keys))


def config_url(key: dict[str, str], *names: str) -> str:
    ids = "&".join(f"ids={n}" for n in names)
    return f"/v2/atsIntegrations/{body_key(key)}/configurations?{ids}"


def put_config(client: Raw, key: dict[str, str], values: dict[str, str],
               method: str | None = "batch_update") -> httpx.Response:
    return client.request("PUT", config_url(key, *values), method=method, json={
        "entities": {n: {"configurationValue": {"string": v}} for n, v in values.items()}})


def put_candidate(client: Raw, org: str = ORG, n: int = 1) -> httpx.Response:
    key = candidate_key(f"C{n}", org)
    return client.request("PUT", f"/v2/atsCandidates?{ids_query([key])}", method="batch_update",
                          json={"entities": {body_key(key): candidate_record(n)}})


def set_status(li: Any, status: str, context: str = ORG) -> list[dict[str, Any]]:
    r = li.control.post("/integrations/status",
                        json={"integrationContext": context, "status": status})
    assert r.status_code == 200, r.text
    return r.json()["changes"]


def poll(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met before the deadline")
        time.sleep(0.02)


def push_rows(li: Any, request_id: str) -> list[dict[str, Any]]:
    return [p for p in li.control.get("/pushes").json()["elements"]
            if p["requestId"] == request_id]


def minted(li: Any, key: str) -> int:
    r = li.control.get(f"/apps/{key}")
    assert r.status_code == 200, r.text
    return int(r.json()["tokensMinted"])


def app_body(foreign_id: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uniqueForeignId": foreign_id, "name": f"MyATS - {foreign_id}",
        "description": f"TEST APP FOR {foreign_id}",
        "oauth2AuthorizedCallbackUrls": ["https://app.example.com/oauth2/callback"],
        "validJsSdkDomains": ["https://acme.myats.com", "http://localhost:5000"]}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def provision(li: Any, foreign_id: str, **overrides: Any) -> httpx.Response:
    return li.partner.request("POST", "/v2/provisionedApplications",
                              json=app_body(foreign_id, **overrides))


@dataclass
class Customer:
    app: dict[str, Any]
    client: Raw

    @property
    def secret(self) -> str:
        return str(self.app["credentials"]["client_secret"])


@pytest.fixture
def new_customer(li: Any) -> Iterator[Callable[[str], Customer]]:
    made: list[Raw] = []

    def make(foreign_id: str) -> Customer:
        r = provision(li, foreign_id)
        assert r.status_code == 201, r.text
        app = r.json()
        client = Raw(li.url, app["credentials"]["client_id"], app["credentials"]["client_secret"])
        made.append(client)
        return Customer(app, client)

    yield make
    for client in made:
        client.close()


@pytest.fixture
def acme(new_customer: Callable[[str], Customer]) -> Customer:
    return new_customer("acme-123")


@pytest.fixture
def wired(li: Any, acme: Customer, receiver: Any) -> Customer:
    """Acme with its four RSC integrations (PENDING) and CALLBACK_URL on the receiver."""
    assert create_integrations(acme.client, rsc_keys()).status_code == 200
    r = put_config(acme.client, ikey(ORG, "ONE_CLICK_EXPORT"), {"CALLBACK_URL": receiver.url})
    assert r.json()["results"] == {"CALLBACK_URL": {"status": 204}}, r.text
    return acme


# -- 1. OAuth --------------------------------------------------------------------------------

def test_token_is_minted_from_a_form_post(li):
    r = li.partner.http.post(TOKEN_PATH, data={"grant_type": "client_credentials",
                                               "client_id": li.partner.client_id,
                                               "client_secret": li.partner.client_secret})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["expires_in"] == 1800 and body["access_token"]
    probe = li.partner.http.get(PROBE, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert probe.status_code == 200, probe.text


def test_token_endpoint_refuses_json_bodies_and_get(li):
    form = {"grant_type": "client_credentials", "client_id": li.partner.client_id,
            "client_secret": li.partner.client_secret}
    oauth_error(li.partner.http.post(TOKEN_PATH, json=form), 400, "invalid_request")
    r = li.partner.http.get(TOKEN_PATH, params=form)
    assert 400 <= r.status_code < 500 and "access_token" not in r.text, r.text
    oauth_error(r, r.status_code, "invalid_request")


def test_token_endpoint_documented_errors(li):
    good = {"grant_type": "client_credentials", "client_id": li.partner.client_id,
            "client_secret": li.partner.client_secret}

    def post(**form: str) -> httpx.Response:
        return li.partner.http.post(TOKEN_PATH, data=form)

    for missing in ("grant_type", "client_id", "client_secret"):
        form = {k: v for k, v in good.items() if k != missing}
        oauth_error(post(**form), 400, "invalid_request", missing)
    r = post(**{**good, "grant_type": "authorization_code"})
    assert r.json().get("error") in ("invalid_request", "unsupported_grant_type"), r.text
    oauth_error(r, 400, r.json()["error"], "grant_type")
    oauth_error(post(**{**good, "client_id": "nobody"}), 400, "invalid_request", "client_id")
    oauth_error(post(**{**good, "client_secret": "wrong"}), 401, "invalid_client_id",
                "Client authentication failed")


def test_an_app_refused_two_legged_tokens_gets_access_denied(li):
    key = li.app.state.demo.app_urn
    form = {"grant_type": "client_credentials", "client_id": li.demo.client_id,
            "client_secret": li.demo.client_secret}
    r = li.control.patch(f"/apps/{key}", json={"canMintTokens": False})
    assert r.status_code == 200 and r.json()["canMintTokens"] is False, r.text
    oauth_error(li.demo.http.post(TOKEN_PATH, data=form), 401, "access_denied")
    assert li.control.patch(f"/apps/{key}", json={"canMintTokens": True}).status_code == 200
    assert li.demo.http.post(TOKEN_PATH, data=form).status_code == 200


@pytest.mark.parametrize("sandbox_config", [{"token_ttl": 1}], indirect=True)
def test_tokens_expire_after_their_ttl(li):
    r = li.partner.http.post(TOKEN_PATH, data={"grant_type": "client_credentials",
                                               "client_id": li.partner.client_id,
                                               "client_secret": li.partner.client_secret})
    # Issued before its answer came back (not after the request was sent: a slow answer
    # would leave the token alive at the look below): it has expired 1.2 s after this.
    issued_by = time.monotonic()
    assert r.json()["expires_in"] == 1
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert li.partner.http.get(PROBE, headers=auth).status_code == 200
    time.sleep(max(0.0, 1.2 - (time.monotonic() - issued_by)))
    api_error(li.partner.http.get(PROBE, headers=auth), 401, "expired")


def test_tokens_expire_when_the_sandbox_clock_moves(li):
    auth = {"Authorization": f"Bearer {li.partner.token()}"}
    assert li.control.post("/clock/advance", json={"seconds": 1790}).status_code == 200
    assert li.partner.http.get(PROBE, headers=auth).status_code == 200
    assert li.control.post("/clock/advance", json={"seconds": 20}).status_code == 200
    api_error(li.partner.http.get(PROBE, headers=auth), 401, "expired")
    fresh = {"Authorization": f"Bearer {li.partner.token(fresh=True)}"}
    assert li.partner.http.get(PROBE, headers=fresh).status_code == 200


def test_the_control_api_expires_an_apps_tokens_without_moving_the_clock(li):
    (key,) = [a["key"] for a in li.control.get("/apps").json() if a["parent"]]
    auth = {"Authorization": f"Bearer {li.partner.token()}"}
    offset = li.control.get("/clock").json()["offsetMs"]
    r = li.control.post(f"/apps/{key}/tokens/expire")
    assert r.status_code == 200 and r.json()["expired"] >= 1, r.text
    api_error(li.partner.http.get(PROBE, headers=auth), 401, "expired")
    assert li.control.get("/clock").json()["offsetMs"] == offset
    fresh = {"Authorization": f"Bearer {li.partner.token(fresh=True)}"}
    assert li.partner.http.get(PROBE, headers=fresh).status_code == 200
    assert li.control.post("/apps/urn:li:developerApplication:0/tokens/expire"
                           ).status_code == 404


def test_missing_or_invalid_bearer_is_401(li):
    api_error(li.partner.http.get(PROBE), 401)
    api_error(li.partner.http.get(PROBE, headers={"Authorization": "Bearer AQVnot-a-token"}), 401)
    api_error(li.partner.http.get(PROBE, headers={"Authorization": "Basic Zm9vOmJhcg=="}), 401)


def test_tokens_minted_counts_mints_not_calls(li, acme):
    key = acme.app["key"]
    assert minted(li, key) == 0
    acme.client.token()
    assert minted(li, key) == 1
    for _ in range(3):
        r = acme.client.request("GET", f"/v2/atsIntegrations?{ids_query(rsc_keys()[:1])}")
        assert r.status_code == 200, r.text
    assert minted(li, key) == 1
    acme.client.token(fresh=True)
    assert minted(li, key) == 2


# -- 2. Provisioning -------------------------------------------------------------------------

def test_provisioning_creates_a_child_app_whose_credentials_mint_tokens(li):
    body = app_body("acme-123")
    r = provision(li, "acme-123")
    assert r.status_code == 201, r.text
    app = r.json()
    assert re.fullmatch(r"urn:li:developerApplication:\d+", app["key"])
    for field in ("name", "description", "uniqueForeignId", "validJsSdkDomains",
                  "oauth2AuthorizedCallbackUrls"):
        assert app[field] == body[field]
    creds = app["credentials"]
    assert creds["client_id"] and creds["client_secret"]
    assert creds["client_id"] != li.partner.client_id
    child = Raw(li.url, creds["client_id"], creds["client_secret"])
    try:
        assert child.token()
    finally:
        child.close()
    assert minted(li, app["key"]) == 1


def test_provisioning_validation(li):
    assert provision(li, "dup").status_code == 201
    api_error(provision(li, "dup", name="Another name"), 409)
    api_error(provision(li, "long", name="x" * 51), 400, "name")
    assert provision(li, "fifty", name="x" * 50).status_code == 201
    for name in ("MyATS LinkedIn", "myats - linkedin acme", "ACME LINKEDIN"):
        api_error(provision(li, f"li-{len(name)}-{name[0]}", name=name), 400, "LinkedIn")
    api_error(provision(li, "nodesc", description=None), 400, "description")
    api_error(provision(li, "slash", validJsSdkDomains=["https://acme.myats.com/"]), 400,
              "validJsSdkDomains")
    found = li.partner.request(
        "GET", "/v2/provisionedApplications?q=credentialsByUniqueForeignId&uniqueForeignId=long")
    assert found.json()["elements"] == []


def test_set_patch_changes_domains_visible_by_get_and_finder(li, acme):
    path = f"/v2/provisionedApplications/{quote(acme.app['key'], safe='')}"
    domains = ["http://localhost:8000", "http://localhost:5000"]
    r = li.partner.request("POST", path, json={"patch": {"$set": {"validJsSdkDomains": domains}}})
    assert r.status_code == 204, r.text
    got = li.partner.request("GET", path)
    assert got.status_code == 200 and got.json()["validJsSdkDomains"] == domains
    assert got.json()["name"] == acme.app["name"]
    api_error(li.partner.request("POST", path, json={
        "patch": {"$set": {"validJsSdkDomains": ["https://acme.myats.com/"]}}}), 400)
    found = li.partner.request("GET", "/v2/provisionedApplications?q=credentialsByUniqueForeignId"
                                      "&uniqueForeignId=acme-123")
    (element,) = found.json()["elements"]
    assert element["validJsSdkDomains"] == domains
    assert element["credentials"] == acme.app["credentials"]
    assert element["key"] == acme.app["key"]


def test_credentials_finder(li, acme):
    r = li.partner.request("GET", "/v2/provisionedApplications?q=credentialsByUniqueForeignId"
                                  "&uniqueForeignId=acme-123")
    assert r.status_code == 200, r.text
    (element,) = r.json()["elements"]
    assert r.json()["paging"] == {"start": 0, "count": 1, "total": 1}
    assert element["uniqueForeignId"] == "acme-123"
    assert element["credentials"] == acme.app["credentials"]
    r = li.partner.request("GET", "/v2/provisionedApplications?q=credentialsByUniqueForeignId"
                                  "&uniqueForeignId=nobody")
    assert r.status_code == 200 and r.json()["elements"] == [], r.text
    assert r.json()["paging"]["total"] == 0


def test_each_app_token_only_reaches_its_own_apis(li, acme):
    api_error(acme.client.request("GET", PROBE), 403)
    api_error(acme.client.request("POST", "/v2/provisionedApplications",
                                  json=app_body("by-child")), 403)
    api_error(put_candidate(li.partner, "urn:li:organization:1001"), 403)
    api_error(create_integrations(li.partner, rsc_keys()), 403)
    api_error(li.partner.request("GET", f"/v2/atsIntegrations?{ids_query(rsc_keys())}"), 403)


# -- 3. atsIntegrations and configurations ---------------------------------------------------

@pytest.mark.parametrize("style", ["raw", "encoded"])
def test_batch_partial_update_of_the_four_rsc_integrations(li, acme, style):
    keys = rsc_keys()
    query = raw_ids(keys) if style == "raw" else ids_query(keys)
    assert ("[" in query and "urn:li:" in query) == (style == "raw")
    assert ("%5B" in query and "%3A" in query) == (style == "encoded")
    r = create_integrations(acme.client, keys, query=query)
    assert r.status_code == 200, r.text
    assert r.json()["errors"] == {}
    assert by_key(r.json()["results"]) == {make_key(k): {"status": 204} for k in keys}
    got = acme.client.request("GET", f"/v2/atsIntegrations?{query}")
    assert got.status_code == 200, got.text
    results = by_key(got.json()["results"])
    assert set(results) == {make_key(k) for k in keys}
    for k in keys:
        record = results[make_key(k)]
        assert record["status"] == "PENDING"
        assert record["integrationName"] == f"Acme RSC {k['integrationType']}"


def test_batch_partial_update_needs_the_restli_method(li, acme):
    api_error(create_integrations(acme.client, rsc_keys(), method=None), 400,
              "X-RestLi-Method")


def test_crm_integration_types_are_accepted(li, acme):
    keys = [ikey(ORG, "CRM_ONE_CLICK_EXPORT"), ikey(ORG, "IN_CRM_INDICATOR")]
    r = create_integrations(acme.client, keys)
    assert r.status_code == 200 and r.json()["errors"] == {}, r.text
    assert by_key(r.json()["results"]) == {make_key(k): {"status": 204} for k in keys}


def test_bad_integration_keys_fail_per_entity(li, acme):
    good = ikey(ORG, "ONE_CLICK_EXPORT")
    bad = [ikey(ORG, "NOT_A_TYPE"), {**ikey(ORG, "PROFILE_PLUGIN"), "tenantType": "SALES"},
           ikey(ORG, "CSA_API")]
    r = create_integrations(acme.client, [good, *bad])
    assert r.status_code == 200, r.text
    assert by_key(r.json()["results"]) == {make_key(good): {"status": 204}}
    errors = by_key(r.json()["errors"])
    assert set(errors) == {make_key(k) for k in bad}
    for err in errors.values():
        assert 400 <= err["status"] < 500
        entity_error(err, err["status"])


def test_body_entity_not_in_url_ids_is_400(li, acme):
    keys = rsc_keys()[:2]
    body = patch_entities([keys[0], ikey(ORG, "PROFILE_PLUGIN")])
    r = acme.client.request("POST", f"/v2/atsIntegrations?{ids_query(keys)}",
                            method="batch_partial_update", json=body)
    api_error(r, 400)


def test_callback_url_round_trip(li, acme, receiver):
    oce = ikey(ORG, "ONE_CLICK_EXPORT")
    assert create_integrations(acme.client, [oce]).status_code == 200
    r = put_config(acme.client, oce, {"CALLBACK_URL": receiver.url})
    assert r.status_code == 200 and r.json() == {"results": {"CALLBACK_URL": {"status": 204}},
                                                 "errors": {}}, r.text
    got = acme.client.request("GET", config_url(oce, "CALLBACK_URL"))
    assert got.status_code == 200, got.text
    assert got.json()["results"] == {"CALLBACK_URL": {"configurationValue":
                                                      {"string": receiver.url}}}
    gone = acme.client.request("DELETE", config_url(oce, "CALLBACK_URL"))
    assert gone.status_code == 200 and gone.json()["results"] == {"CALLBACK_URL":
                                                                  {"status": 204}}
    got = acme.client.request("GET", config_url(oce, "CALLBACK_URL"))
    assert got.status_code == 200 and got.json()["results"] == {}
    entity_error(got.json()["errors"]["CALLBACK_URL"], 404)
    api_error(put_config(acme.client, oce, {"CALLBACK_URL": receiver.url}, method=None), 400)


def test_viewer_configurations(li, acme):
    oce, indicator = ikey(ORG, "ONE_CLICK_EXPORT"), ikey(ORG, "IN_ATS_INDICATOR")
    assert create_integrations(acme.client, [oce, indicator]).status_code == 200
    r = put_config(acme.client, oce, {"JOB_POSTING_VIEWERS": "ALL_PRODUCT_USERS"})
    assert r.json()["results"] == {"JOB_POSTING_VIEWERS": {"status": 204}}, r.text
    r = put_config(acme.client, indicator, {"APPLICATION_VIEWERS": "ALL_PRODUCT_USERS"})
    assert r.json()["results"] == {"APPLICATION_VIEWERS": {"status": 204}}, r.text
    got = acme.client.request("GET", config_url(indicator, "APPLICATION_VIEWERS"))
    assert got.json()["results"]["APPLICATION_VIEWERS"] == {
        "configurationValue": {"string": "ALL_PRODUCT_USERS"}}
    for key, name, value in [(oce, "JOB_POSTING_VIEWERS", "SOME_USERS"),
                             (indicator, "APPLICATION_VIEWERS", "ADMINS"),
                             (indicator, "JOB_POSTING_VIEWERS", "ALL_PRODUCT_USERS"),
                             (oce, "APPLICATION_VIEWERS", "ALL_PRODUCT_USERS"),
                             (indicator, "CALLBACK_URL", "https://hooks.myats.com/acme")]:
        r = put_config(acme.client, key, {name: value})
        assert r.status_code == 200 and r.json()["results"] == {}, (name, value, r.text)
        entity_error(r.json()["errors"][name], 422)


def test_callback_url_rules(li, new_customer, receiver):
    acme, globex = new_customer("acme-123"), new_customer("globex-9")
    oce, other_oce = ikey(ORG, "ONE_CLICK_EXPORT"), ikey("urn:li:organization:5002",
                                                        "ONE_CLICK_EXPORT")
    assert create_integrations(acme.client, [oce]).status_code == 200
    assert create_integrations(globex.client, [other_oce]).status_code == 200
    r = put_config(acme.client, oce, {"CALLBACK_URL": "http://example.com:8080/x"})
    assert r.json()["results"] == {}, r.text
    entity_error(r.json()["errors"]["CALLBACK_URL"], 422)
    r = put_config(acme.client, oce, {"CALLBACK_URL": "https://hooks.myats.com/linkedin/acme"})
    assert r.json()["results"] == {"CALLBACK_URL": {"status": 204}}, r.text
    r = put_config(globex.client, other_oce,
                   {"CALLBACK_URL": "https://hooks.myats.com/linkedin/acme"})
    assert r.status_code == 200 and r.json()["results"] == {}, r.text
    entity_error(r.json()["errors"]["CALLBACK_URL"], 409)
    r = put_config(globex.client, other_oce, {"CALLBACK_URL": receiver.url})
    assert r.json()["results"] == {"CALLBACK_URL": {"status": 204}}, r.text


def test_configurations_of_a_missing_integration_are_404(li, acme):
    api_error(put_config(acme.client, ikey(ORG, "ONE_CLICK_EXPORT"),
                         {"CALLBACK_URL": "https://hooks.myats.com/acme"}), 404)
    api_error(acme.client.request("GET", config_url(ikey(ORG, "ONE_CLICK_EXPORT"),
                                                    "CALLBACK_URL")), 404)


# -- 4. Enablement, pushes and the data gate -------------------------------------------------

def test_enablement_push_finder_and_data_gate(li, wired, receiver):
    api_error(put_candidate(wired.client), 403, ORG)
    (change,) = set_status(li, "ENABLED")
    (push,) = receiver.wait_for(1)
    assert push.path == "/linkedin/hooks/acme"
    body = json.loads(push.body)
    assert set(body) == {"type", "requestId", "integrationContext", "createdAt"}
    assert body["type"] == "INTEGRATION_STATUS_CHANGE"
    assert body["integrationContext"] == ORG
    assert body["requestId"] == change["requestId"]
    assert isinstance(body["createdAt"], int) and body["createdAt"] > 0
    assert push.headers["x-li-signature"] == sign(wired.secret, push.body)
    assert verify(wired.secret, push.body, push.headers["x-li-signature"])
    assert not verify(li.demo.client_secret, push.body, push.headers["x-li-signature"])

    r = wired.client.request("GET", f"/v2/atsIntegrations?q=request&requestId={body['requestId']}")
    assert r.status_code == 200, r.text
    elements = r.json()["elements"]
    assert {e["integrationType"] for e in elements} == set(ORG_TYPES)
    assert {e["status"] for e in elements} == {"ENABLED"}
    assert {e["integrationContext"] for e in elements} == {ORG}
    assert r.json()["paging"]["total"] == 3
    r = wired.client.request("GET", "/v2/atsIntegrations?q=request&requestId=nope")
    assert r.status_code == 200 and r.json()["elements"] == []

    r = put_candidate(wired.client)
    assert r.status_code == 200, r.text
    assert list(r.json()["results"].values()) == [{"status": 204}]

    (change2,) = set_status(li, "DISABLED")
    pushes = receiver.wait_for(2)
    second = json.loads(pushes[1].body)
    assert second["type"] == "INTEGRATION_STATUS_CHANGE"
    assert second["requestId"] == change2["requestId"] != change["requestId"]
    assert verify(wired.secret, pushes[1].body, pushes[1].headers["x-li-signature"])
    got = wired.client.request("GET", f"/v2/atsIntegrations?{ids_query(rsc_keys()[:3])}")
    assert {v["status"] for v in got.json()["results"].values()} == {"DISABLED"}
    api_error(put_candidate(wired.client, n=2), 403)


def test_push_is_retried_until_delivered(li, wired, receiver):
    receiver.script = [500, 500]
    (change,) = set_status(li, "ENABLED")
    pushes = receiver.wait_for(3)
    assert len({p.body for p in pushes}) == 1
    assert all(verify(wired.secret, p.body, p.headers["x-li-signature"]) for p in pushes)
    (row,) = poll(lambda: [p for p in push_rows(li, change["requestId"])
                           if p["status"] != "PENDING"])
    assert row["status"] == "DELIVERED" and row["attempts"] == 3
    assert row["type"] == "INTEGRATION_STATUS_CHANGE" and row["url"] == receiver.url
    assert len(receiver.received) == 3


@pytest.mark.parametrize("sandbox_config", [{"push_retries": 2}], indirect=True)
def test_push_gives_up_after_the_configured_retries(li, wired, receiver):
    receiver.script = [500] * 20
    (change,) = set_status(li, "ENABLED")
    (row,) = poll(lambda: [p for p in push_rows(li, change["requestId"])
                           if p["status"] != "PENDING"])
    assert row["status"] == "FAILED" and row["attempts"] == 3
    assert row["lastStatus"] == 500
    assert len(receiver.received) == 3


@pytest.mark.parametrize("sandbox_config", [{"auto_enable": True}], indirect=True)
def test_auto_enable_enables_new_integrations_at_once(li, acme):
    assert create_integrations(acme.client, rsc_keys()).status_code == 200
    got = acme.client.request("GET", f"/v2/atsIntegrations?{ids_query(rsc_keys())}")
    assert {v["status"] for v in got.json()["results"].values()} == {"ENABLED"}
    r = put_candidate(acme.client)
    assert r.status_code == 200 and list(r.json()["results"].values()) == [{"status": 204}]
