"""Recruiter seats: the seatsV2 finder (and legacy seats), CSA_API gating, and the admin's
seat changes through the control API."""

from __future__ import annotations

from tests.conftest import CONTRACT


def seats(li, *query: str):
    return li.demo.request("GET", "/v2/seatsV2?q=attributes&contracts=" + CONTRACT + "".join(
        f"&{q}" for q in query))


def test_demo_contract_has_seats_with_holders_emails(li):
    body = seats(li, "start=0").json()
    assert body["paging"]["total"] == 5 and len(body["elements"]) == 5
    seat = body["elements"][0]
    assert seat["seat"] == f"urn:li:seat:{seat['id']}" and seat["contract"] == CONTRACT
    holder = li.control.get(f"/members/{seat['person']}").json()
    assert seat["emailAddress"] == holder["emailAddresses"][0]
    assert (seat["firstName"], seat["lastName"]) == (holder["firstName"], holder["lastName"])
    assert seats(li, "start=0", "count=2").json()["paging"]["count"] == 2
    legacy = li.demo.request("GET", "/v2/seats?q=seatsByAttributes&active=true&contracts="
                             + CONTRACT + "&start=0&count=100").json()
    assert legacy["paging"]["total"] == 5


def test_finder_errors_and_the_csa_api_gate(li):
    assert seats(li).status_code == 400  # start is mandatory
    assert seats(li, "start=0", "states=SLEEPING").status_code == 400
    assert li.demo.request("GET", "/v2/seatsV2?q=attributes&start=0").status_code == 400
    other = li.demo.request("GET", "/v2/seatsV2?q=attributes&start=0&contracts="
                            "urn:li:contract:999")
    assert other.status_code == 403
    li.control.post("/integrations/status", json={"integrationContext": CONTRACT,
                                                  "status": "DISABLED"})
    assert seats(li, "start=0").status_code == 403


def test_seats_added_removed_and_reassigned(li):
    member = li.control.get("/members", params={"start": 100, "count": 2}).json()["elements"]
    added = li.control.post(f"/contracts/{CONTRACT}/seats",
                            json={"person": member[0]["person"],
                                  "emailAddress": "Recruiter@Acme.example"}).json()
    assert added["active"] and added["emailAddress"] == "Recruiter@Acme.example"
    assert seats(li, "start=0").json()["paging"]["total"] == 6
    removed = li.control.patch(f"/seats/{added['id']}", json={"active": False}).json()
    assert removed["active"] is False
    assert seats(li, "start=0", "states=ACTIVE").json()["paging"]["total"] == 5
    assert seats(li, "start=0", "states=INACTIVE").json()["paging"]["total"] == 1
    moved = li.control.patch(f"/seats/{added['id']}", json={"person": member[1]["person"],
                                                            "active": True}).json()
    assert moved["person"] == member[1]["person"]
    assert moved["emailAddress"] == member[1]["emailAddresses"][0]
    assert li.control.patch("/seats/9999", json={"active": False}).status_code == 404
    assert li.control.post(f"/contracts/{CONTRACT}/seats",
                           json={"person": "urn:li:person:nobody"}).status_code == 404
