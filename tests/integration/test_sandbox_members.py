"""The sandbox's member directory and LinkedIn's matching of synced candidates."""

from __future__ import annotations

from recruitlink.core.restli import canonical
from recruitlink.sandbox.recruiter.directory import generate
from tests.conftest import ORG
from tests.support.linkedin import body_key, candidate_key, candidate_record, ids_query


def put(li, candidate_id: str, **fields) -> None:
    key = candidate_key(candidate_id, ORG)
    neutral = {"emailAddresses": [], "currentJobTitle": None, "currentCompanyName": None,
               "phoneNumbers": [], "firstName": "Someone", "lastName": "Else"}
    record = candidate_record(1, **{**neutral, **fields})
    record = {k: v for k, v in record.items() if v is not None}
    response = li.demo.request("PUT", f"/v2/atsCandidates?{ids_query([key])}",
                               method="batch_update", json={"entities": {body_key(key): record}})
    assert response.json()["errors"] == {}, response.text


def matched(li, candidate_id: str) -> list[str]:
    key = candidate_key(candidate_id, ORG)
    body = li.demo.request("GET", f"/v2/atsCandidates?{ids_query([key])}").json()
    return body["results"][canonical(key)]["matchedMembers"]


def test_directory_is_deterministic_and_browsable(li):
    assert list(generate(7, 50)) == list(generate(7, 50))
    assert list(generate(7, 50)) != list(generate(8, 50))
    page = li.control.get("/members", params={"count": 5}).json()
    assert page["paging"]["total"] == 300 and len(page["elements"]) == 5
    first = page["elements"][0]
    assert li.control.get(f"/members/{first['person']}").json() == first
    assert li.control.get("/members/urn:li:person:nobody").status_code == 404


def test_candidates_match_members_by_each_signal_and_two_can_share_one(li):
    member = li.control.get("/members", params={"count": 1, "start": 41}).json()["elements"][0]
    urn = member["person"]
    put(li, "BY-URL", linkedInProfileUrl=member["publicProfileUrl"] + "?trk=ats")
    put(li, "BY-EMAIL", emailAddresses=[member["emailAddresses"][0].upper()])
    put(li, "BY-PHONE", firstName=member["firstName"], lastName=member["lastName"],
        phoneNumbers=[{"number": member["phoneNumbers"][0].replace(" ", "-")}])
    put(li, "BY-JOB", firstName=member["firstName"], lastName=member["lastName"],
        currentJobTitle=member["currentJobTitle"],
        currentCompanyName=member["currentCompanyName"])
    put(li, "NOBODY", firstName="Zz", lastName="Qq")
    for candidate in ("BY-URL", "BY-EMAIL", "BY-PHONE", "BY-JOB"):
        assert urn in matched(li, candidate), candidate
    assert matched(li, "NOBODY") == []
    view = li.control.get(f"/organizations/{ORG}/candidates/BY-URL").json()
    assert urn in view["matchedMembers"]


def test_private_and_opted_out_members_are_not_matched_into_the_ats(li):
    found = li.control.get("/members", params={"count": 300}).json()["elements"]
    private = next(m for m in found if m["privateProfile"])
    opted_out = next(m for m in found if m["exportBlocked"])
    for name, m in (("PRIVATE", private), ("OPTED-OUT", opted_out)):
        put(li, name, emailAddresses=[m["emailAddresses"][0]],
            linkedInProfileUrl=m["publicProfileUrl"])
        assert m["person"] not in matched(li, name), name
