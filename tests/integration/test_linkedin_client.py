"""recruitlink's LinkedIn client against the sandbox over loopback, in both families of
LinkedIn's API (versioned /rest with Rest.li 2.0, unversioned /v2 with 1.0): tokens,
tunnelling, per-entity outcomes, LinkedIn's errors mapped onto recruitlink's error tree, and
the same v2-shaped answers whichever family carried them."""

from __future__ import annotations

import time

import httpx
import pytest

from recruitlink.core.api_families import rest_name
from recruitlink.core.restli import make_key
from recruitlink.errors import (
    LinkedInAuthError,
    LinkedInForbidden,
    LinkedInThrottled,
    LinkedInUnavailable,
)
from recruitlink.linkedin import LinkedInClient, TokenCache
from tests.conftest import CONTRACT, ORG, both_families
from tests.support.linkedin import (
    application_key,
    application_record,
    candidate_key,
    candidate_record,
    job_posting,
)

_open: list[LinkedInClient] = []


@pytest.fixture(autouse=True)
def _close_clients():
    yield
    while _open:
        _open.pop().close()


def make_client(url: str, client_id: str, client_secret: str, version: str,
                tokens: TokenCache | None = None,
                http: httpx.Client | None = None) -> LinkedInClient:
    client = LinkedInClient(api_url=url, oauth_url=url, client_id=client_id,
                            client_secret=client_secret, tokens=tokens or TokenCache(),
                            api_version=version, http=http)
    _open.append(client)
    return client


def client_for(li, version: str, *, partner: bool = False, tokens: TokenCache | None = None,
               http: httpx.Client | None = None) -> LinkedInClient:
    creds = li.app.state.partner if partner else li.app.state.demo
    return make_client(li.url, creds.client_id, creds.client_secret, version, tokens, http)


def minted(li) -> int:
    return li.control.get(f"/apps/{li.app.state.demo.app_urn}").json()["tokensMinted"]


@both_families
def test_one_token_is_reused_across_calls_and_renewed_once_on_401(li, linkedin_api_version):
    tokens = TokenCache()
    client = client_for(li, linkedin_api_version, tokens=tokens)
    keys = [candidate_key(f"C{i}", ORG) for i in range(3)]
    for _ in range(10):
        client.get("atsCandidates", keys)
    assert tokens.minted == 1 and minted(li) == 1
    # LinkedIn's clock passes the token's expiry while our cache still trusts it.
    li.control.post("/clock/advance", json={"seconds": 1801})
    client.get("atsCandidates", keys)
    assert tokens.minted == 2 and minted(li) == 2


@both_families
def test_refused_credentials_are_terminal(li, linkedin_api_version):
    li.control.patch(f"/apps/{li.app.state.demo.app_urn}", json={"canMintTokens": False})
    client = client_for(li, linkedin_api_version)
    with pytest.raises(LinkedInAuthError, match="not allowed"):
        client.get("atsCandidates", [candidate_key("C1", ORG)])
    wrong = make_client(li.url, "nobody", "x", linkedin_api_version)
    with pytest.raises(LinkedInAuthError):
        wrong.get("atsCandidates", [candidate_key("C1", ORG)])


@both_families
def test_hundred_records_are_tunnelled_and_each_outcome_is_classified(li, linkedin_api_version):
    client = client_for(li, linkedin_api_version)
    items = [(candidate_key(f"C{i}", ORG), candidate_record(i)) for i in range(100)]
    bad_key = candidate_key("C7", ORG)
    items[7] = (bad_key, candidate_record(7, emailAddresses=["not-an-email"]))
    outcomes = client.upsert("atsCandidates", items)
    assert len(outcomes) == 100
    rejected = {k: o for k, o in outcomes.items() if o.verdict != "synced"}
    assert list(rejected) == [make_key(bad_key)]
    assert rejected[make_key(bad_key)].status == 422
    assert "/emailAddresses/0" in rejected[make_key(bad_key)].message
    found = client.get("atsCandidates", [k for k, _ in items])
    assert sum(1 for v in found.values() if v is not None) == 99
    deleted = client.delete("atsCandidates", [k for k, _ in items])
    assert {o.verdict for o in deleted.values()} == {"synced"}  # the missing one is "gone"


@both_families
def test_sub_resources_and_patch(li, linkedin_api_version):
    client = client_for(li, linkedin_api_version)
    key = candidate_key("C1", ORG)
    client.upsert("atsCandidates", [(key, candidate_record(1))])
    notes = client.upsert("atsCandidates", [("N1", {"note": "hi", "atsCreatedAt": 1})],
                          parent=key, child="notes")
    assert notes["N1"].verdict == "synced"
    patched = client.patch("atsCandidates", [(key, {"manualMatchedMember":
                                                    "urn:li:person:abc"})])
    assert patched[make_key(key)].verdict == "synced"
    record = client.get("atsCandidates", [key], fields=["manualMatchedMember"])[make_key(key)]
    assert record == {"manualMatchedMember": "urn:li:person:abc"}
    assert client.get("atsCandidates", ["N1"], parent=key, child="notes")["N1"]["note"] == "hi"


@both_families
def test_throttle_is_transient_with_linkedins_retry_after(li, linkedin_api_version):
    li.control.put("/throttles", json={"family": "atsCandidates", "perMinute": 5})
    client = client_for(li, linkedin_api_version)
    items = [(candidate_key(f"C{i}", ORG), candidate_record(i)) for i in range(5)]
    client.upsert("atsCandidates", items)
    with pytest.raises(LinkedInThrottled) as caught:
        client.upsert("atsCandidates", items[:1])
    assert caught.value.transient and 1 <= (caught.value.retry_after or 0) <= 60


@both_families
@pytest.mark.parametrize("fault", [{"error_rate": 1.0}, {"drop_rate": 1.0}])
def test_server_errors_and_dropped_connections_are_transient(li, linkedin_api_version, fault):
    # The fault is set under the resource's name in either family.
    for name in {"atsCandidates", rest_name("atsCandidates")[0]}:
        li.control.put(f"/faults/{name}", json=fault)
    client = client_for(li, linkedin_api_version)
    with pytest.raises(LinkedInUnavailable) as caught:
        client.upsert("atsCandidates", [(candidate_key("C1", ORG), candidate_record(1))])
    assert caught.value.transient


@both_families
def test_organization_not_enabled_is_forbidden(li, linkedin_api_version):
    client = client_for(li, linkedin_api_version)
    with pytest.raises(LinkedInForbidden):
        client.upsert("atsCandidates", [(candidate_key("C1", "urn:li:organization:999"),
                                         candidate_record(1))])


@both_families
def test_jobs_and_their_tasks(li, linkedin_api_version):
    client = client_for(li, linkedin_api_version)
    results = client.submit_jobs([job_posting("REQ-1"), job_posting("REQ-2", title="")])
    (ok, task), (bad, no_task) = results
    assert ok.verdict == "synced" and task.startswith("urn:li:simpleJobPostingTask:")
    assert bad.verdict == "rejected" and "/title" in bad.message and no_task is None
    deadline = time.monotonic() + 10
    while (status := client.job_tasks([task])[task]["status"]) == "IN_PROGRESS":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert status == "SUCCEEDED"


@both_families
def test_provisioning_integrations_and_configuration(li, linkedin_api_version, receiver):
    partner = client_for(li, linkedin_api_version, partner=True)
    app = partner.create_child_app(unique_foreign_id="t-1", name="recruitlink - T1",
                                   description="tenant t-1")
    assert partner.find_child_app("t-1")["key"] == app["key"]
    partner.set_child_app(app["key"], {"validJsSdkDomains": ["http://localhost:8000"]})
    assert partner.find_child_app("t-1")["validJsSdkDomains"] == ["http://localhost:8000"]
    customer = make_client(li.url, app["credentials"]["client_id"],
                           app["credentials"]["client_secret"], linkedin_api_version)
    org = "urn:li:organization:4242"
    keys = [customer.integration_key(org, t) for t in ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR")]
    named = customer.name_integrations([(k, "T1 integration") for k in keys])
    assert {o.verdict for o in named.values()} == {"synced"}
    assert {r["status"] for r in customer.integrations(keys).values()} == {"PENDING"}
    assert customer.set_configuration(keys[0], "CALLBACK_URL", receiver.url).verdict == \
        "synced"
    assert customer.configuration(keys[0], "CALLBACK_URL") == receiver.url
    li.control.post("/integrations/status", json={"integrationContext": org,
                                                  "status": "ENABLED"})
    (push,) = receiver.wait_for(1)
    request_id = httpx.Response(200, content=push.body).json()["requestId"]
    changed = customer.integrations_for_request(request_id)
    assert {c["status"] for c in changed} == {"ENABLED"}
    assert customer.delete_configuration(keys[0], "CALLBACK_URL").verdict == "synced"
    assert customer.configuration(keys[0], "CALLBACK_URL") is None


@both_families
def test_each_family_speaks_its_url_headers_and_key_syntax(li, linkedin_api_version):
    sent: list[httpx.Request] = []
    with httpx.Client(timeout=30, event_hooks={"request": [sent.append]}) as http:
        client = client_for(li, linkedin_api_version, http=http)
        client.upsert("atsCandidates", [(candidate_key("C1", ORG), candidate_record(1))])
        client.get("atsCandidates", [candidate_key("C1", ORG)])
    calls = [r for r in sent if "/oauth/" not in r.url.path]
    assert len(calls) == 2
    for request in calls:
        if linkedin_api_version == "v2":
            assert request.url.path.startswith("/v2/atsCandidates")
            assert "LinkedIn-Version" not in request.headers
            assert "X-RestLi-Protocol-Version" not in request.headers
            assert "ids%5B0%5D.atsCandidateId=C1" in str(request.url.query, "ascii")
        else:
            assert request.url.path.startswith("/rest/candidates")
            assert request.headers["LinkedIn-Version"] == linkedin_api_version
            assert request.headers["X-RestLi-Protocol-Version"] == "2.0.0"
            assert str(request.url.query, "ascii").startswith("ids=List((externalCandidateId:C1")


def test_a_record_reads_the_same_whichever_family_wrote_or_reads_it(li):
    rest, v2 = client_for(li, "202604"), client_for(li, "v2")
    candidate, application = candidate_key("C1", ORG), application_key("A1", ORG)
    for writer, n in ((rest, 1), (v2, 2)):
        key = candidate_key(f"C{n}", ORG)
        assert writer.upsert("atsCandidates", [(key, candidate_record(n))])[
            make_key(key)].verdict == "synced"
    assert rest.upsert("atsCandidates", [("N1", {"note": "hi", "atsCreatedAt": 5})],
                       parent=candidate, child="notes")["N1"].verdict == "synced"
    assert rest.upsert("atsApplications", [(application, application_record("C1"))])[
        make_key(application)].verdict == "synced"
    for child, record in (("notes", {"note": "onsite", "atsCreatedAt": 6}),
                          ("stages", {"stage": "Interview", "atsCreatedAt": 7})):
        assert rest.upsert("atsApplications", [("X1", record)], parent=application,
                           child=child)["X1"].verdict == "synced"

    keys = [candidate_key("C1", ORG), candidate_key("C2", ORG), candidate_key("C9", ORG)]
    through_rest, through_v2 = rest.get("atsCandidates", keys), v2.get("atsCandidates", keys)
    assert through_rest == through_v2  # v2-shaped keys and records from either family
    assert through_rest[make_key(keys[0])]["atsCreatedAt"] == 1700000000000
    assert through_rest[make_key(keys[2])] is None
    for reader in (rest, v2):
        assert reader.get("atsCandidates", ["N1"], parent=candidate, child="notes")["N1"][
            "note"] == "hi"
        assert reader.get("atsApplications", [application])[make_key(application)][
            "atsCandidateId"] == "C1"
        assert reader.get("atsApplications", ["X1"], parent=application, child="notes")[
            "X1"]["note"] == "onsite"
    deleted = rest.delete("atsCandidates", ["N1"], parent=candidate, child="notes")
    assert deleted["N1"].verdict == "synced"
    assert v2.get("atsCandidates", ["N1"], parent=candidate, child="notes")["N1"] is None


def test_seats_read_the_same_through_either_family(li):
    holder = li.control.get("/members", params={"start": 200, "count": 1}).json()["elements"][0]
    seat = li.control.post(f"/contracts/{CONTRACT}/seats", json={"person": holder["person"]})
    assert seat.is_success, seat.text
    params = [("q", "attributes"), ("contracts", CONTRACT)]
    through_rest = client_for(li, "202604").find("seatsV2", params)
    through_v2 = client_for(li, "v2").find("seatsV2", params)
    assert through_rest == through_v2 and len(through_v2) >= 1
    assert {"id", "created"} <= set(through_rest[0])  # renamed back from seatId, createdAt
