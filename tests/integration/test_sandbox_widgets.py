"""The sandbox's widgets over HTTP (reference §1.2 validJsSdkDomains, §1.3 onboarding widget,
§6.1 profile plugin): who may frame them, and each state they show.

The widget pages carry their state in `<main data-state=...>` and what they post to the host
page in the `widget-config` JSON; the browser side (SDK, postMessage) is in
tests/e2e/test_widgets_browser.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import update

from recruitlink.linkedin import LinkedInClient
from recruitlink.sandbox.store import apps
from tests.conftest import CONTRACT, ORG, RunningSandbox
from tests.support.linkedin import Raw, body_key, candidate_key, candidate_record, ids_query

HOST = "http://localhost:8000"  # one of the demo app's validJsSdkDomains
FOREIGN = "http://evil.example.com"
ADMIN = "urn:li:person:m000001"  # holds a seat on the demo contract
STRANGER = "urn:li:person:m000100"  # holds no seat
RSC = "RECRUITER_SYSTEM_CONNECT_COMPANY,RECRUITER_SYSTEM_CONNECT_CONTRACT"


@pytest.fixture
def browser_like(li: RunningSandbox) -> Iterator[httpx.Client]:
    """An HTTP client standing in for the browser that shows the iframe (keeps cookies)."""
    with httpx.Client(base_url=li.url, timeout=30) as client:
        yield client


# -- helpers ----------------------------------------------------------------------------------

def query(li: RunningSandbox, **extra: str) -> dict[str, str]:
    return {"api_key": li.app.state.demo.client_id, "origin": HOST, "wid": "w1", **extra}


def profile_query(li: RunningSandbox, candidate: str = "C1", **extra: str) -> dict[str, str]:
    return query(li, widget_type="ATS", candidate=candidate, context=ORG, **extra)


def state_of(r: httpx.Response) -> str:
    found = re.search(r'<main class="widget" data-state="([a-z_]*)"', r.text)
    assert found, r.text
    return found.group(1)


def config_of(r: httpx.Response) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="widget-config">(.*?)</script>',
                      r.text, re.S)
    assert found, r.text
    return dict(json.loads(found.group(1)))


def csrf_of(r: httpx.Response) -> str:
    """The form token a signed-in widget page carries, as a browser would submit it."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', r.text)
    assert found, r.text
    return found.group(1)


def words(html: str) -> str:
    """A page's text as a person reads it: no tags, single spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def sign_in(client: httpx.Client, kind: str, params: dict[str, str],
            person: str = ADMIN) -> httpx.Response:
    return client.post(f"/widgets/{kind}/signin", params=params, data={"person": person})


def member(li: RunningSandbox, urn: str) -> dict[str, Any]:
    r = li.control.get(f"/members/{urn}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def sync_candidate(li: RunningSandbox, candidate_id: str, record: dict[str, Any]) -> None:
    key = candidate_key(candidate_id, ORG)
    r = li.demo.request("PUT", f"/v2/atsCandidates?{ids_query([key])}", method="batch_update",
                        json={"entities": {body_key(key): record}})
    assert r.status_code == 200 and not r.json()["errors"], r.text


def set_manual_match(li: RunningSandbox, candidate_id: str, person: str) -> None:
    key = candidate_key(candidate_id, ORG)
    r = li.demo.request("POST", f"/v2/atsCandidates?{ids_query([key])}",
                        method="batch_partial_update",
                        json={"entities": {body_key(key): {
                            "patch": {"$set": {"manualMatchedMember": person}}}}})
    assert r.status_code == 200 and not r.json()["errors"], r.text


def create_integration(raw: Raw, context: str, itype: str) -> None:
    key = {"integrationContext": context, "integrationType": itype, "tenantType": "RECRUITER",
           "dataProvider": "ATS"}
    r = raw.request("POST", f"/v2/atsIntegrations?{ids_query([key])}",
                    method="batch_partial_update",
                    json={"entities": {body_key(key): {
                        "patch": {"$set": {"integrationName": f"Test {itype}"}}}}})
    assert r.status_code == 200 and not r.json()["errors"], r.text


def provision_child(li: RunningSandbox, foreign_id: str) -> str:
    r = li.partner.request("POST", "/v2/provisionedApplications", json={
        "uniqueForeignId": foreign_id, "name": f"MyATS - {foreign_id}",
        "description": "widget test", "validJsSdkDomains": [HOST]})
    assert r.status_code == 201, r.text
    return str(r.json()["credentials"]["client_id"])


# -- who may show a widget --------------------------------------------------------------------

def test_sdk_is_served_as_javascript(li, browser_like):
    r = browser_like.get("/sdk.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/javascript")
    assert "Error trying to initialize the widget!" in r.text
    assert '"*"' not in r.text and "'*'" not in r.text


@pytest.mark.parametrize("kind", ["onboarding", "profile"])
def test_allowed_origin_gets_the_page_framed_only_by_that_origin(li, browser_like, kind):
    params = profile_query(li) if kind == "profile" else query(li)
    r = browser_like.get(f"/widgets/{kind}", params=params)
    assert r.status_code == 200, r.text
    csp = r.headers["content-security-policy"]
    assert f"frame-ancestors {HOST};" in csp
    assert "script-src 'nonce-" in csp
    assert r.headers["cache-control"] == "no-store"
    assert config_of(r)["origin"] == HOST
    # The host page's origin also arrives in the headers a browser sends.
    assert browser_like.get(f"/widgets/{kind}", params=params,
                            headers={"Referer": f"{HOST}/"}).status_code == 200


@pytest.mark.parametrize("kind", ["onboarding", "profile"])
def test_foreign_origin_is_refused_with_no_data(li, browser_like, kind):
    params = profile_query(li, origin=FOREIGN) if kind == "profile" else query(li, origin=FOREIGN)
    r = browser_like.get(f"/widgets/{kind}", params=params)
    assert r.status_code == 403
    assert state_of(r) == "refused"
    assert "Error trying to initialize the widget!" in r.text
    for secret in ("Demo Customer", ORG, CONTRACT, li.app.state.demo.client_id, "widget-config"):
        assert secret not in r.text
    assert "frame-ancestors" not in r.headers["content-security-policy"]
    assert "script" not in r.text


@pytest.mark.parametrize("headers", [
    {"Referer": f"{FOREIGN}/ats/candidates/1"},
    {"Origin": FOREIGN},
    {"Referer": "http://localhost:8001/"},
], ids=["referer", "origin", "other-port"])
def test_headers_naming_another_origin_than_the_parameter_are_refused(li, browser_like,
                                                                      headers):
    r = browser_like.get("/widgets/onboarding", params=query(li), headers=headers)
    assert r.status_code == 403
    assert state_of(r) == "refused"


def test_navigation_inside_the_widget_comes_from_the_sandbox_itself(li, browser_like):
    r = browser_like.get("/widgets/onboarding", params=query(li),
                         headers={"Referer": f"{li.url}/widgets/onboarding?x=1"})
    assert r.status_code == 200


@pytest.mark.parametrize("origin", ["", "null", f"{HOST}/path", "localhost:8000",
                                    "javascript:alert(1)", "http://localhost:8000\r\nX: y"])
def test_malformed_origins_are_refused(li, browser_like, origin):
    r = browser_like.get("/widgets/onboarding", params=query(li, origin=origin))
    assert r.status_code == 403


def test_only_a_child_app_client_id_works(li, browser_like):
    partner_id = li.app.state.partner.client_id
    with li.sandbox.store.tx() as conn:  # even with the host among its domains
        conn.execute(update(apps).where(apps.c.client_id == partner_id)
                     .values(js_domains=[HOST]))
    for api_key in (partner_id, "no-such-app", ""):
        r = browser_like.get("/widgets/onboarding", params=query(li, api_key=api_key))
        assert r.status_code == 403, api_key


def test_trailing_slash_and_case_in_domains_still_match(li, browser_like):
    r = li.partner.request("POST", f"/v2/provisionedApplications/"
                                   f"{quote(li.app.state.demo.app_urn, safe='')}",
                           json={"patch": {"$set": {"validJsSdkDomains": [
                               "http://ATS.example.com:8443"]}}})
    assert r.status_code == 204, r.text
    ok = browser_like.get("/widgets/onboarding",
                          params=query(li, origin="http://ats.example.com:8443"))
    assert ok.status_code == 200
    # The old domain is gone: $set replaced the list.
    assert browser_like.get("/widgets/onboarding", params=query(li)).status_code == 403


def test_init_answers_the_sdk_with_cors_and_refuses_foreign_pages(li, browser_like):
    ok = browser_like.get("/widgets/init", params=query(li), headers={"Origin": HOST})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == HOST
    assert ok.json()["extensions"] == ["ATSIntegrationWidget", "HcmWidget"]
    refused = browser_like.get("/widgets/init", params=query(li, origin=FOREIGN),
                               headers={"Origin": FOREIGN})
    assert refused.status_code == 403
    assert refused.json()["message"] == "Error trying to initialize the widget!"
    # A page on a foreign origin claiming the allowed one is caught by its Origin header.
    spoofed = browser_like.get("/widgets/init", params=query(li), headers={"Origin": FOREIGN})
    assert spoofed.status_code == 403


# -- onboarding (configuration) widget -----------------------------------------------------

def test_onboarding_asks_to_sign_in_then_approves_one_contract(li, browser_like):
    params = query(li, types=RSC)
    r = browser_like.get("/widgets/onboarding", params=params)
    assert state_of(r) == "signin"
    assert "Sign in to LinkedIn" in r.text and ADMIN in r.text
    assert sign_in(browser_like, "onboarding", params, STRANGER).status_code == 400
    signed = sign_in(browser_like, "onboarding", params)
    assert signed.status_code == 303
    assert signed.headers["location"].startswith("/widgets/onboarding?")
    r = browser_like.get("/widgets/onboarding", params=params)
    assert state_of(r) == "choose"
    value = f"{CONTRACT} {ORG}"
    assert re.search(rf'value="{value}"\s+checked', r.text)
    for itype in ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN", "CSA_API"):
        assert re.search(rf'value="{itype}" checked', r.text), itype
    assert "CRM_ONE_CLICK_EXPORT" not in r.text
    stale = browser_like.post("/widgets/onboarding", params=params, data={
        "customer": value, "type": "CSA_API"})
    assert stale.status_code == 403 and "This form has expired" in stale.text
    done = browser_like.post("/widgets/onboarding", params=params, data={
        "customer": value, "type": ["ONE_CLICK_EXPORT", "PROFILE_PLUGIN", "CSA_API"],
        "csrf": csrf_of(r)})
    assert done.status_code == 200, done.text
    assert state_of(done) == "approved"
    config = config_of(done)
    assert config["origin"] == HOST and config["wid"] == "w1"
    assert config["message"] == {"event": "integrate", "data": {"integrations": [
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": ORG},
        {"integrationType": "PROFILE_PLUGIN", "integrationContext": ORG},
        {"integrationType": "CSA_API", "integrationContext": CONTRACT}]}}


def test_onboarding_offers_the_admins_other_contract_to_add(li, browser_like):
    other = "urn:li:contract:9009"  # another contract of the same company
    r = li.control.post(f"/contracts/{other}/seats", json={"person": ADMIN,
                                                           "organization": ORG})
    assert r.status_code == 200, r.text
    params = query(li, types=RSC)
    sign_in(browser_like, "onboarding", params)
    page = browser_like.get("/widgets/onboarding", params=params)
    assert f'value="{other} {ORG}"' in page.text
    done = browser_like.post("/widgets/onboarding", params=params, data={
        "customer": f"{other} {ORG}", "type": ["CSA_API"], "csrf": csrf_of(page)})
    assert done.status_code == 200, done.text
    assert config_of(done)["message"]["data"]["integrations"] == [
        {"integrationType": "CSA_API", "integrationContext": other}]


def test_another_companys_contract_is_not_offered_and_the_widget_says_why(li, browser_like):
    # The admin also holds a seat on a contract of another company (as a consultant would).
    foreign, company = "urn:li:contract:9010", "urn:li:organization:9010"
    r = li.control.post(f"/contracts/{foreign}/seats", json={"person": ADMIN,
                                                             "organization": company})
    assert r.status_code == 200, r.text
    params = query(li, types=RSC)
    sign_in(browser_like, "onboarding", params)
    page = browser_like.get("/widgets/onboarding", params=params)
    assert state_of(page) == "choose"
    assert re.search(rf'value="{CONTRACT} {ORG}"\s+checked', page.text)
    assert f'value="{foreign}' not in page.text
    notice = re.search(r'<p class="notice foreign-contracts">(.*?)</p>', page.text, re.S)
    assert notice and words(notice.group(1)) == (
        f"Not offered: {foreign} belongs to {company}, not to {ORG}. A Recruiter contract "
        "belongs to one company.")
    # A hand-made choice of it is refused too.
    refused = browser_like.post("/widgets/onboarding", params=params, data={
        "customer": f"{foreign} {ORG}", "type": "CSA_API", "csrf": csrf_of(page)})
    assert refused.status_code == 400 and "Choose one customer" in refused.text
    assert config_of(refused)["message"] is None


def test_a_seat_holder_of_another_company_only_is_told_there_is_nothing_to_choose(
        li, browser_like):
    person = "urn:li:person:m000101"
    r = li.control.post("/contracts/urn:li:contract:9011/seats", json={
        "person": person, "organization": "urn:li:organization:9011"})
    assert r.status_code == 200, r.text
    params = query(li, types=RSC)
    sign_in(browser_like, "onboarding", params, person)
    page = browser_like.get("/widgets/onboarding", params=params)
    assert state_of(page) == "choose"
    assert re.search(rf'value="{CONTRACT} {ORG}"\s+disabled', page.text)
    text = words(page.text)
    assert "Not offered: urn:li:contract:9011 belongs to urn:li:organization:9011" in text
    assert f"You hold no Recruiter seat on a contract of {ORG}: there is no contract " \
           "to choose." in text
    assert ">Approve</button>" not in page.text


def test_linkedin_refuses_an_integration_on_another_companys_contract(li):
    foreign, company = "urn:li:contract:9012", "urn:li:organization:9012"
    r = li.control.post(f"/contracts/{foreign}/seats", json={
        "person": ADMIN, "organization": company})
    assert r.status_code == 200, r.text
    key = {"integrationContext": foreign, "integrationType": "CSA_API",
           "tenantType": "RECRUITER", "dataProvider": "ATS"}
    r = li.demo.request("POST", f"/v2/atsIntegrations?{ids_query([key])}",
                        method="batch_partial_update",
                        json={"entities": {body_key(key): {
                            "patch": {"$set": {"integrationName": "Demo CSA_API"}}}}})
    assert r.status_code == 200, r.text
    [error] = r.json()["errors"].values()
    assert error["status"] == 403
    assert error["message"] == f"{foreign} belongs to another company ({company}), not to {ORG}"
    assert li.control.get("/integrations", params={"context": foreign}).json() == []
    # A contract LinkedIn knows no company of becomes the integrating app's.
    unknown = "urn:li:contract:9013"
    create_integration(li.demo, unknown, "CSA_API")
    r = li.control.post(f"/contracts/{unknown}/seats", json={"person": ADMIN})
    assert r.status_code == 200, r.text
    fresh = query(li, api_key=provision_child(li, "fresh-9013"))
    with httpx.Client(base_url=li.url, timeout=30) as client:
        sign_in(client, "onboarding", fresh)
        page = client.get("/widgets/onboarding", params=fresh)
    assert f'value="{unknown} {ORG}"' in page.text


def test_onboarding_offers_the_crm_bundle_and_needs_a_type(li, browser_like):
    params = query(li, types="CANDIDATE_RELATIONSHIP_MANAGEMENT,APPLY_WITH_LINKEDIN_BUNDLE")
    sign_in(browser_like, "onboarding", params)
    r = browser_like.get("/widgets/onboarding", params=params)
    for itype in ("CRM_ONE_CLICK_EXPORT", "IN_CRM_INDICATOR", "PROFILE_PLUGIN", "CSA_API"):
        assert re.search(rf'value="{itype}" checked', r.text), itype
    assert 'value="ONE_CLICK_EXPORT"' not in r.text
    assert "Not offered by this sandbox: APPLY_WITH_LINKEDIN_BUNDLE" in r.text
    none = browser_like.post("/widgets/onboarding", params=params,
                             data={"customer": f"{CONTRACT} {ORG}", "csrf": csrf_of(r)})
    assert none.status_code == 400 and "at least one integration" in none.text
    # A type the host did not offer is not approved.
    only = browser_like.post("/widgets/onboarding", params=params, data={
        "customer": f"{CONTRACT} {ORG}", "type": ["ONE_CLICK_EXPORT", "IN_CRM_INDICATOR"],
        "csrf": csrf_of(r)})
    assert config_of(only)["message"]["data"] == {"integrations": [
        {"integrationType": "IN_CRM_INDICATOR", "integrationContext": ORG}]}


def test_a_customer_the_admin_holds_no_seat_for_cannot_be_approved(li, browser_like):
    other = "urn:li:contract:2002"
    create_integration(li.demo, other, "CSA_API")
    params = query(li)
    sign_in(browser_like, "onboarding", params)
    r = browser_like.get("/widgets/onboarding", params=params)
    assert re.search(rf'value="{other} {ORG}"\s+disabled', r.text)
    assert "cannot act for this customer" in r.text
    refused = browser_like.post("/widgets/onboarding", params=params,
                                data={"customer": f"{other} {ORG}", "type": "CSA_API",
                                      "csrf": csrf_of(r)})
    assert refused.status_code == 400
    assert f"You cannot act for {other}" in refused.text
    assert "widget-config" in refused.text and config_of(refused)["message"] is None


def test_a_fresh_child_app_offers_the_admins_seat_contracts_with_their_companies(
        li, browser_like):
    # A second contract of the admin's, whose company LinkedIn knows: nobody types a URN.
    other = "urn:li:contract:5005"
    r = li.control.post(f"/contracts/{other}/seats", json={
        "person": ADMIN, "organization": "urn:li:organization:5005"})
    assert r.status_code == 200, r.text
    params = query(li, api_key=provision_child(li, "fresh-customer"))
    sign_in(browser_like, "onboarding", params)
    r = browser_like.get("/widgets/onboarding", params=params)
    assert state_of(r) == "choose"
    # The contract's known organization belongs to another app: offered, with a warning.
    assert f'value="{CONTRACT} {ORG}"' in r.text
    assert "Already integrated with another application" in r.text
    assert f'value="{other} urn:li:organization:5005"' in r.text
    assert 'name="organization"' not in r.text  # no URN to type
    bad = browser_like.post("/widgets/onboarding", params=params, data={
        "customer": other, "type": "ONE_CLICK_EXPORT", "csrf": csrf_of(r)})
    assert bad.status_code == 400 and "Choose one customer" in bad.text
    done = browser_like.post("/widgets/onboarding", params=params, data={
        "customer": f"{other} urn:li:organization:5005",
        "type": ["ONE_CLICK_EXPORT", "CSA_API"], "csrf": csrf_of(r)})
    assert config_of(done)["message"]["data"] == {"integrations": [
        {"integrationType": "ONE_CLICK_EXPORT", "integrationContext": "urn:li:organization:5005"},
        {"integrationType": "CSA_API", "integrationContext": other}]}


def test_a_contract_without_a_recorded_company_offers_its_default_one(li, browser_like):
    fresh = "urn:li:contract:6006"
    r = li.control.post(f"/contracts/{fresh}/seats", json={"person": ADMIN})
    assert r.status_code == 200, r.text
    params = query(li, api_key=provision_child(li, "another-customer"))
    sign_in(browser_like, "onboarding", params)
    r = browser_like.get("/widgets/onboarding", params=params)
    assert f'value="{fresh} urn:li:organization:6006"' in r.text
    assert 'name="organization"' not in r.text


def test_sign_out_returns_to_the_sign_in_state(li, browser_like):
    params = query(li)
    sign_in(browser_like, "onboarding", params)
    r = browser_like.get("/widgets/onboarding", params=params)
    assert state_of(r) == "choose"
    kept = browser_like.post("/widgets/onboarding/signout", params=params)
    assert kept.status_code == 303  # without the form's token: still signed in
    assert state_of(browser_like.get("/widgets/onboarding", params=params)) == "choose"
    out = browser_like.post("/widgets/onboarding/signout", params=params,
                            data={"csrf": csrf_of(r)})
    assert out.status_code == 303
    assert state_of(browser_like.get("/widgets/onboarding", params=params)) == "signin"


def test_approving_needs_a_signed_in_admin_and_an_allowed_origin(li, browser_like):
    data = {"customer": f"{CONTRACT} {ORG}", "type": "CSA_API"}
    r = browser_like.post("/widgets/onboarding", params=query(li), data=data)
    assert r.status_code == 401 and state_of(r) == "signin"
    sign_in(browser_like, "onboarding", query(li))
    r = browser_like.post("/widgets/onboarding", params=query(li, origin=FOREIGN), data=data)
    assert r.status_code == 403
    r = browser_like.post("/widgets/onboarding", params=query(li), data=data,
                          headers={"Origin": FOREIGN})
    assert r.status_code == 403


# -- profile plugin -----------------------------------------------------------------------------

def test_profile_plugin_disabled_state(li, browser_like):
    r = li.control.post("/integrations/status", json={
        "integrationContext": ORG, "status": "DISABLED", "integrationTypes": ["PROFILE_PLUGIN"]})
    assert r.status_code == 200, r.text
    sign_in(browser_like, "profile", profile_query(li))
    r = browser_like.get("/widgets/profile", params=profile_query(li))
    assert r.status_code == 200
    assert state_of(r) == "disabled"
    assert "The profile plugin is not enabled" in r.text


def test_profile_needs_a_signed_in_seat_holder_of_the_company(li, browser_like):
    sync_candidate(li, "C1", candidate_record(1))
    params = profile_query(li)
    r = browser_like.get("/widgets/profile", params=params)
    assert state_of(r) == "signin" and "Sign in to LinkedIn" in r.text
    assert "John" not in r.text
    # A seat on another company's contract is not enough.
    seat = li.control.post("/contracts/urn:li:contract:2999/seats",
                           json={"person": "urn:li:person:m000050"})
    assert seat.status_code == 200, seat.text
    sign_in(browser_like, "profile", params, "urn:li:person:m000050")
    r = browser_like.get("/widgets/profile", params=params)
    assert state_of(r) == "signin"
    assert "no Recruiter seat on this company" in r.text
    sign_in(browser_like, "profile", params)
    assert state_of(browser_like.get("/widgets/profile", params=params)) == "ready"


def test_profile_of_a_candidate_not_synced_yet(li, browser_like):
    params = profile_query(li, candidate="NOPE-1")
    sign_in(browser_like, "profile", params)
    r = browser_like.get("/widgets/profile", params=params)
    assert state_of(r) == "not_synced"
    assert "This candidate is not synced yet" in r.text


@pytest.mark.parametrize("params", [
    {"context": "urn:li:contract:2001"}, {"candidate": ""}, {"widget_type": "OTHER"}])
def test_profile_with_bad_element_attributes(li, browser_like, params):
    r = browser_like.get("/widgets/profile", params={**profile_query(li), **params})
    assert r.status_code == 400 and state_of(r) == "error"


def test_profile_shows_the_matched_member_and_unlinks_with_confirmation(li, browser_like):
    matched = member(li, "urn:li:person:m000010")
    sync_candidate(li, "C1", candidate_record(1, emailAddresses=matched["emailAddresses"]))
    params = profile_query(li, show_unlink="1", confirm_unlink="1")
    sign_in(browser_like, "profile", params)
    r = browser_like.get("/widgets/profile", params=params)
    assert state_of(r) == "ready"
    name = f"{matched['firstName']} {matched['lastName']}"
    for shown in (name, matched["headline"], matched["location"], matched["publicProfileUrl"]):
        assert shown in r.text
    assert 'data-confirm="Unlink' in r.text
    token = csrf_of(r)
    ask = browser_like.post("/widgets/profile/unlink", params=params,
                            data={"person": matched["person"], "csrf": token})
    assert state_of(ask) == "confirm" and config_of(ask)["message"] is None
    done = browser_like.post("/widgets/profile/unlink", params=params,
                             data={"person": matched["person"], "confirmed": "1",
                                   "csrf": token})
    assert state_of(done) == "unlinked"
    assert config_of(done)["message"] == {"event": "unlink", "data": {
        "person": matched["person"], "atsCandidateId": "C1", "integrationContext": ORG}}
    # The widget stores nothing: the match is still there until the ATS syncs a change.
    assert matched["person"] in browser_like.get("/widgets/profile", params=params).text
    not_linked = browser_like.post("/widgets/profile/unlink", params=params,
                                   data={"person": "urn:li:person:m000011", "confirmed": "1",
                                         "csrf": token})
    assert not_linked.status_code == 409


def test_unlink_shows_only_when_asked_and_confirms_only_when_asked(li, browser_like):
    matched = member(li, "urn:li:person:m000010")
    sync_candidate(li, "C1", candidate_record(1, emailAddresses=matched["emailAddresses"]))
    sign_in(browser_like, "profile", profile_query(li))
    assert "/widgets/profile/unlink" not in browser_like.get(
        "/widgets/profile", params=profile_query(li)).text
    params = profile_query(li, show_unlink="1")
    r = browser_like.get("/widgets/profile", params=params)
    assert "/widgets/profile/unlink" in r.text and 'data-confirm="' not in r.text
    done = browser_like.post("/widgets/profile/unlink", params=params,
                             data={"person": matched["person"], "csrf": csrf_of(r)})
    assert state_of(done) == "unlinked"


def test_profile_search_and_link_call_back_with_the_person(li, browser_like):
    sync_candidate(li, "C7", candidate_record(7, emailAddresses=["nobody@example.org"],
                                              phoneNumbers=[], currentJobTitle="Nobody"))
    target = member(li, "urn:li:person:m000020")
    params = profile_query(li, candidate="C7")
    sign_in(browser_like, "profile", params)
    r = browser_like.get("/widgets/profile", params=params)
    assert state_of(r) == "ready" and "No LinkedIn profile matches" in r.text
    full_name = f"{target['firstName']} {target['lastName']}"
    for q in (full_name, target["publicProfileUrl"], f"{target['firstName']} "
                                                     f"{target['lastName'][:3]}"):
        found = browser_like.get("/widgets/profile", params={**params, "q": q})
        assert f'data-person="{target["person"]}"' in found.text, q
    by_url = browser_like.get("/widgets/profile", params={**params,
                                                          "q": target["publicProfileUrl"]})
    assert by_url.text.count('class="card result"') == 1
    forged = browser_like.post("/widgets/profile/link", params=params,
                               data={"person": target["person"]})
    assert forged.status_code == 403 and "This form has expired" in forged.text
    linked = browser_like.post("/widgets/profile/link", params=params,
                               data={"person": target["person"], "csrf": csrf_of(r)})
    assert state_of(linked) == "linked"
    assert config_of(linked)["message"] == {"event": "link", "data": {
        "person": target["person"], "atsCandidateId": "C7", "integrationContext": ORG}}
    unknown = browser_like.post("/widgets/profile/link", params=params,
                                data={"person": "urn:li:person:nobody", "csrf": csrf_of(r)})
    assert unknown.status_code == 400


def test_search_is_bounded(li, browser_like):
    sync_candidate(li, "C1", candidate_record(1))
    params = profile_query(li)
    sign_in(browser_like, "profile", params)
    r = browser_like.get("/widgets/profile", params={**params, "q": "a"})
    assert 0 < r.text.count('class="card result"') <= 10


def test_a_manual_match_synced_by_the_ats_wins(li, browser_like):
    algorithmic = member(li, "urn:li:person:m000010")
    manual = member(li, "urn:li:person:m000020")
    sync_candidate(li, "C1", candidate_record(1, emailAddresses=algorithmic["emailAddresses"]))
    set_manual_match(li, "C1", manual["person"])
    params = profile_query(li)
    sign_in(browser_like, "profile", params)
    r = browser_like.get("/widgets/profile", params=params)
    assert f'data-person="{manual["person"]}"' in r.text
    assert f'data-person="{algorithmic["person"]}"' not in r.text
    assert "Linked manually" in r.text


def test_the_widget_names_how_the_manual_match_was_made(li, browser_like):
    """A manual match of a member the company exported with One-Click Export is named as
    recruitlink names it (core.identity.ONE_CLICK_EXPORT); a Link in the widget made since is
    "Linked manually" (reviewer's walk: an export's candidate read "Linked manually")."""
    exported = member(li, "urn:li:person:m000030")
    demo = li.app.state.demo
    ats = LinkedInClient(api_url=li.url, oauth_url=li.url, client_id=demo.client_id,
                         client_secret=demo.client_secret)
    try:  # exports need a callback URL
        ats.set_configuration(ats.integration_key(ORG, "ONE_CLICK_EXPORT"), "CALLBACK_URL",
                              "http://127.0.0.1:9/linkedin/push/t")
    finally:
        ats.close()
    seat = next(s for s in li.control.get("/seats").json()["elements"]
                if s["person"] == ADMIN)
    r = li.control.post("/recruiter/exports", json={"seat": seat["id"],
                                                    "person": exported["person"]})
    assert r.status_code == 201, r.text
    for cid in ("C1", "C2"):
        sync_candidate(li, cid, candidate_record(int(cid[1:])))
        set_manual_match(li, cid, exported["person"])

    def origin(cid: str) -> str:
        page = browser_like.get("/widgets/profile", params=profile_query(li, candidate=cid))
        found = re.findall(r'<span class="tag link-origin">([^<]*)</span>', page.text)
        assert len(found) == 1, page.text
        return found[0]

    sign_in(browser_like, "profile", profile_query(li))
    assert origin("C1") == origin("C2") == "One-Click Export"
    # C2's recruiter links it to the member in the widget: from then on a manual link.
    params = profile_query(li, candidate="C2")
    shown = browser_like.get("/widgets/profile", params={**params, "q": exported["lastName"]})
    linked = browser_like.post("/widgets/profile/link", params=params,
                               data={"person": exported["person"], "csrf": csrf_of(shown)})
    assert state_of(linked) == "linked"
    assert (origin("C1"), origin("C2")) == ("One-Click Export", "Linked manually")
    # Another member, never exported, set as the match by the ATS: manual.
    set_manual_match(li, "C1", "urn:li:person:m000031")
    assert origin("C1") == "Linked manually"
