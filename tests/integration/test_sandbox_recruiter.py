"""The sandbox's Recruiter side through its control API and `/v2` finders: One-Click Export
(picker, ACLs, opt-out, quota, signed push with retries, exportedCandidates), InMail with
12-hour windows, stub profiles, notes with tombstones, member closures."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import httpx
import pytest

from recruitlink.core.signing import verify
from tests.conftest import CONTRACT, ORG
from tests.support.linkedin import (
    body_key,
    candidate_key,
    candidate_record,
    ids_query,
    integration_key,
    job_posting,
    put_configuration,
    put_records,
)

HOUR_MS = 3600 * 1000
CREATED = 1700000000000


# -- helpers ---------------------------------------------------------------------------------

def seats_of(li: Any) -> list[dict[str, Any]]:
    body = li.demo.request("GET", f"/v2/seatsV2?q=attributes&contracts={CONTRACT}&start=0"
                           ).json()
    return body["elements"]


def members(li: Any, start: int = 50, count: int = 10) -> list[dict[str, Any]]:
    found = li.control.get("/members", params={"start": start, "count": count}).json()
    return [m for m in found["elements"] if not m["exportBlocked"] and not m["privateProfile"]]


def wire_callback(li: Any, receiver: Any, itype: str = "ONE_CLICK_EXPORT") -> None:
    r = put_configuration(li.demo, integration_key(ORG, itype), {"CALLBACK_URL": receiver.url})
    assert r.status_code == 200 and not r.json()["errors"], r.text


def sync_jobs(li: Any, *postings: dict[str, Any]) -> None:
    r = li.demo.request("POST", "/v2/simpleJobPostings", method="batch_create",
                        json={"elements": list(postings)})
    assert r.status_code == 200, r.text
    wanted = {p["externalJobPostingId"] for p in postings}
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        jobs = li.control.get(f"/organizations/{ORG}/jobs", params={"state": "LISTED"}).json()
        if wanted <= {j["externalJobPostingId"] for j in jobs["elements"]
                      if not j["processing"]}:
            return
        time.sleep(0.05)
    raise AssertionError("jobs not listed in time")


def export(li: Any, seat: int, person: str, **extra: Any) -> Any:
    return li.control.post("/recruiter/exports", json={"seat": seat, "person": person, **extra})


def picker(li: Any, seat: int) -> set[str]:
    r = li.control.get(f"/recruiter/seats/{seat}/export-targets")
    assert r.status_code == 200, r.text
    return {t["id"] for t in r.json()["elements"]}


def now_ms(li: Any) -> int:
    return int(li.control.get("/clock").json()["nowMs"])


def finder(li: Any, path: str) -> Any:
    return li.demo.request("GET", path)


# -- One-Click Export ----------------------------------------------------------------------------

def test_export_into_a_job_sends_a_signed_push_and_the_finder_answers(li, receiver):
    wire_callback(li, receiver)
    sync_jobs(li, job_posting("REQ-1"))
    seat = seats_of(li)[0]
    member = members(li)[0]
    assert picker(li, seat["id"]) == {"REQ-1"}
    r = export(li, seat["id"], member["person"], externalJobPostingId="REQ-1", note="Great fit")
    assert r.status_code == 201, r.text
    request_id = r.json()["requestId"]

    push = receiver.wait_for(1)[0]
    assert verify(li.app.state.demo.client_secret, push.body, push.headers["x-li-signature"])
    body = json.loads(push.body)
    assert body["type"] == "EXPORT_CANDIDATE_PROFILE" and body["requestId"] == request_id
    assert body["integrationContext"] == ORG

    found = finder(li, f"/v2/exportedCandidates?q=request&requestId={request_id}").json()
    assert found["paging"]["total"] == 1
    element = found["elements"][0]
    assert element["person"] == member["person"] and element["contract"] == CONTRACT
    assert element["externalJobPostingId"] == "REQ-1" and element["note"] == "Great fit"
    assert element["exporter"]["seat"] == seat["seat"]
    assert element["exporter"]["emailAddress"] == seat["emailAddress"]
    assert element["candidate"] == {k: member[k] for k in (
        "firstName", "lastName", "headline", "currentJobTitle", "currentCompanyName",
        "location", "publicProfileUrl")}
    assert "emailAddress" not in element["candidate"]  # 1CE carries no contact details

    # Exporting with no job at all is allowed ("export without a requisition").
    assert export(li, seat["id"], members(li)[1]["person"]).status_code == 201


def test_push_is_retried_until_the_callback_answers_2xx(li, receiver):
    wire_callback(li, receiver)
    receiver.script = [500, 503, 502]
    seat = seats_of(li)[0]
    request_id = export(li, seat["id"], members(li)[0]["person"]).json()["requestId"]
    pushes = receiver.wait_for(4)
    assert {json.loads(p.body)["requestId"] for p in pushes} == {request_id}
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = next(p for p in li.control.get("/pushes").json()["elements"]
                   if p["requestId"] == request_id)
        if row["status"] == "DELIVERED":
            break
        time.sleep(0.05)
    assert row["status"] == "DELIVERED" and row["attempts"] == 4 and row["lastStatus"] == 200


def test_export_refusals_say_why(li, receiver):
    seat = seats_of(li)[0]
    person = members(li)[0]["person"]
    r = export(li, seat["id"], person)
    assert r.status_code == 409 and "CALLBACK_URL" in r.json()["detail"]
    wire_callback(li, receiver)
    blocked = next(m for m in li.control.get("/members", params={"count": 300}).json()[
        "elements"] if m["exportBlocked"])
    r = export(li, seat["id"], blocked["person"])
    assert r.status_code == 403 and "does not allow" in r.json()["detail"]
    # Beamery's seed: a private profile cannot be brought into the ATS.
    private = next(m for m in li.control.get("/members", params={"count": 300}).json()[
        "elements"] if m["privateProfile"] and not m["exportBlocked"])
    r = export(li, seat["id"], private["person"])
    assert r.status_code == 403 and "private" in r.json()["detail"]
    r = export(li, seat["id"], person, externalJobPostingId="NOPE")
    assert r.status_code == 403 and "NOPE" in r.json()["detail"]
    r = export(li, seat["id"], person, externalPipelineId="P1")
    assert r.status_code == 422 and "job" in r.json()["detail"][0]["msg"]
    assert export(li, seat["id"], "urn:li:person:ghost").status_code == 404
    li.control.patch(f"/seats/{seat['id']}", json={"active": False})
    assert export(li, seat["id"], person).status_code == 403
    li.control.patch(f"/seats/{seat['id']}", json={"active": True})
    li.control.post("/integrations/status", json={
        "integrationContext": ORG, "status": "DISABLED", "integrationTypes": ["ONE_CLICK_EXPORT"]})
    r = export(li, seat["id"], person)
    assert r.status_code == 409 and "not enabled" in r.json()["detail"]
    assert li.control.post("/recruiter/exports", json={"seat": 1, "person": "bad"}
                           ).status_code == 422
    # The status push is sent asynchronously: wait for it, then check it is the only one.
    assert [json.loads(p.body)["type"] for p in receiver.wait_for(1)] == [
        "INTEGRATION_STATUS_CHANGE"]
    assert [json.loads(p.body)["type"] for p in receiver.received] == [
        "INTEGRATION_STATUS_CHANGE"]  # no export was pushed


def test_closed_members_cannot_be_exported(li, receiver):
    wire_callback(li, receiver)
    person = members(li)[0]["person"]
    assert li.control.post(f"/recruiter/members/{person}/close").status_code == 200
    r = export(li, seats_of(li)[0]["id"], person)
    assert r.status_code == 410


def test_picker_honours_acls_and_job_posting_viewers(li, receiver):
    wire_callback(li, receiver)
    first, second = seats_of(li)[:2]
    sync_jobs(li, job_posting("OPEN-1"), job_posting("SECRET-1", accessRestricted=True),
              job_posting("ACL-1"))
    acl = {"atsEntityAclId": "HIRING-TEAM", "dataProvider": "ATS", "integrationContext": ORG,
           "atsEntityType": "JOB_POSTING"}
    put_records(li.demo, "atsEntityAcls", {
        "secret": ({**acl, "atsEntityId": "SECRET-1"}, {}),
        "acl": ({**acl, "atsEntityId": "ACL-1"}, {})})
    assignee = {"atsEntityAclId": "HIRING-TEAM", "dataProvider": "ATS", "integrationContext": ORG,
                "atsEntityType": "JOB_POSTING", "assignee": first["person"]}
    put_records(li.demo, "atsEntityAclAssignees", {"first": (assignee, {})})

    assert picker(li, first["id"]) == {"OPEN-1", "SECRET-1", "ACL-1"}
    assert picker(li, second["id"]) == {"OPEN-1"}
    person = members(li)[0]["person"]
    assert export(li, second["id"], person, externalJobPostingId="SECRET-1").status_code == 403
    assert export(li, first["id"], person, externalJobPostingId="SECRET-1").status_code == 201

    # Removing the assignee removes visibility (RSC-403); ALL_PRODUCT_USERS opens everything.
    r = li.demo.request("DELETE", f"/v2/atsEntityAclAssignees?{ids_query([assignee])}",
                        method="batch_delete")
    assert r.status_code == 200, r.text
    assert picker(li, first["id"]) == {"OPEN-1"}
    r = put_configuration(li.demo, integration_key(ORG, "ONE_CLICK_EXPORT"),
                          {"JOB_POSTING_VIEWERS": "ALL_PRODUCT_USERS"})
    assert r.status_code == 200, r.text
    assert picker(li, second["id"]) == {"OPEN-1", "SECRET-1", "ACL-1"}


def test_closed_jobs_leave_the_picker(li, receiver):
    wire_callback(li, receiver)
    sync_jobs(li, job_posting("REQ-9"))
    seat = seats_of(li)[0]["id"]
    assert picker(li, seat) == {"REQ-9"}
    r = li.demo.request("POST", "/v2/simpleJobPostings", method="batch_create", json={
        "elements": [{"integrationContext": ORG, "externalJobPostingId": "REQ-9",
                      "jobPostingOperationType": "CLOSE"}]})
    assert r.status_code == 200
    deadline = time.monotonic() + 10
    while picker(li, seat) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert picker(li, seat) == set()


def test_picker_finds_a_job_by_its_requisition_code(li, receiver):
    # SmartRecruiters: "Type a job name that you know exists". The ATS's Jobs page shows its
    # recruiters the title and the requisition code (companyJobCode), not LinkedIn's id: the
    # code typed into Export's search found nothing.
    wire_callback(li, receiver)
    sync_jobs(li, job_posting("J9", title="Principal Data Engineer",
                              companyJobCode="REQ-2026-0009"),
              job_posting("J10", title="Nurse"))
    holder = seats_of(li)[0]
    r = li.control.get(f"/recruiter/seats/{holder['id']}/export-targets",
                       params={"q": "req-2026-0009"})
    assert r.status_code == 200, r.text
    assert [(t["id"], t.get("code")) for t in r.json()["elements"]] == [
        ("J9", "REQ-2026-0009")]
    person = members(li)[0]["person"]
    with httpx.Client(base_url=li.url, timeout=30) as page:
        page.post("/recruiter/login", data={"person": holder["person"], "next": "/recruiter/"})
        shown = page.get(f"/recruiter/profile/{person}", params={"find": "REQ-2026-0009"}).text
        options = re.findall(r'<option value="(JOB:[^"]+)"[^>]*>([^<]*)<', shown)
        assert options == [("JOB:J9", "Principal Data Engineer (J9) · REQ-2026-0009")], options
        assert "1 match" in shown
        # A job without a code is listed as before.
        assert "Nurse (J10)<" in page.get(f"/recruiter/profile/{person}").text


def test_300_exports_per_seat_per_month_then_refused(li, receiver):
    wire_callback(li, receiver)
    seat = seats_of(li)[0]["id"]
    people = [m["person"] for m in li.control.get("/members", params={"count": 300}).json()[
        "elements"] if not m["exportBlocked"] and not m["privateProfile"]]
    for n in range(300):
        r = export(li, seat, people[n % len(people)])
        assert r.status_code == 201, (n, r.text)
    r = export(li, seat, people[0])
    assert r.status_code == 429 and "300 of 300" in r.json()["detail"]
    targets = li.control.get(f"/recruiter/seats/{seat}/export-targets").json()
    assert targets["exportsLeft"] == 0
    # Another seat still has its own quota; a new month resets it.
    assert export(li, seats_of(li)[1]["id"], people[0]).status_code == 201
    li.control.post("/clock/advance", json={"seconds": 32 * 86400})
    assert export(li, seat, people[0]).status_code == 201


def crm_connect(li: Any, receiver: Any) -> None:
    """The organization exports to a CRM: CRM integrations named, enabled and wired."""
    crm_keys = [integration_key(ORG, "CRM_ONE_CLICK_EXPORT"),
                integration_key(ORG, "IN_CRM_INDICATOR")]
    r = li.demo.request("POST", f"/v2/atsIntegrations?{ids_query(crm_keys)}",
                        method="batch_partial_update", json={"entities": {
                            body_key(k): {"patch": {"$set": {"integrationName": "CRM"}}}
                            for k in crm_keys}})
    assert r.status_code == 200, r.text
    li.control.post("/integrations/status", json={
        "integrationContext": ORG, "status": "DISABLED", "integrationTypes": ["ONE_CLICK_EXPORT"]})
    li.control.post("/integrations/status", json={
        "integrationContext": ORG, "status": "ENABLED",
        "integrationTypes": ["CRM_ONE_CLICK_EXPORT", "IN_CRM_INDICATOR"]})
    wire_callback(li, receiver, "CRM_ONE_CLICK_EXPORT")


def test_crm_export_goes_into_a_pipeline(li, receiver):
    crm_connect(li, receiver)
    pipeline = {"tcrmPipelineId": "POOL-1", "integrationContext": ORG, "dataProvider": "ATS"}
    put_records(li.demo, "tcrmPipelines", {"p": (pipeline, {"title": "Data engineers",
                                                         "tcrmCreatedAt": 1700000000000})})
    seat = seats_of(li)[0]["id"]
    targets = li.control.get(f"/recruiter/seats/{seat}/export-targets").json()
    assert targets["integrationType"] == "CRM_ONE_CLICK_EXPORT"
    assert [t["title"] for t in targets["elements"]] == ["Data engineers"]
    person = members(li)[0]["person"]
    r = export(li, seat, person, externalPipelineId="POOL-1")
    assert r.status_code == 201, r.text
    assert r.json()["externalPipelineId"] == "POOL-1"
    assert export(li, seat, person, externalJobPostingId="REQ-1").status_code == 422


def test_export_finder_is_scoped_to_the_app(li, receiver):
    wire_callback(li, receiver)
    request_id = export(li, seats_of(li)[0]["id"], members(li)[0]["person"]).json()["requestId"]
    assert li.partner.request("GET", f"/v2/exportedCandidates?q=request&requestId={request_id}"
                              ).status_code == 403
    assert finder(li, "/v2/exportedCandidates?q=request&requestId=nope").status_code == 404
    assert finder(li, "/v2/exportedCandidates?q=criteria").status_code == 400
    assert finder(li, "/v2/exportedCandidates?q=request").status_code == 400


# -- InMail, stub profiles ---------------------------------------------------------------------

def test_inmail_thread_reply_and_twelve_hour_windows(li):
    seat = seats_of(li)[0]
    person = members(li)[0]["person"]
    start = now_ms(li)
    sent = li.control.post("/recruiter/inmails", json={
        "seat": seat["id"], "person": person, "subject": "Hello", "body": "Interested?"})
    assert sent.status_code == 201, sent.text
    thread = sent.json()
    li.control.post("/clock/advance", json={"seconds": 60})
    replied = li.control.post(f"/recruiter/threads/{thread['id']}/replies",
                              json={"body": "Yes!"})
    assert replied.status_code == 201 and len(replied.json()["messages"]) == 2

    def events(begin: int, end: int, extra: str = "") -> Any:
        return finder(li, f"/v2/conversationEvents?q=criteria&viewer={seat['seat']}"
                          f"&timeRange.start={begin}&timeRange.end={end}{extra}")

    body = events(start, start + 12 * HOUR_MS).json()
    assert body["paging"]["total"] == 2
    out, back = body["elements"]
    assert out["sender"] == seat["person"] and out["recipients"] == [person]
    assert back["sender"] == person and back["recipients"] == [seat["person"]]
    assert out["thread"] == thread["thread"] and out["subject"] == "Hello"
    assert out["visibility"] == "ORGANIZATION" and out["seat"] == seat["seat"]
    # Start inclusive, end exclusive; the window may not exceed 12 hours.
    sent_at = out["occurredAt"]
    assert events(sent_at, sent_at + 1).json()["paging"]["total"] == 1
    assert events(sent_at + 1, sent_at + 12 * HOUR_MS).json()["paging"]["total"] == 1
    r = events(start, start + 12 * HOUR_MS + 1)
    assert r.status_code == 400 and "12 hours" in r.json()["message"]
    assert events(start + 5, start).status_code == 400
    assert events(start, start + HOUR_MS, f"&threadUrn={thread['thread']}").json()[
        "paging"]["total"] == 2
    assert finder(li, f"/v2/conversationEvents?q=criteria&viewer=urn:li:seat:9999"
                      f"&timeRange.start={start}&timeRange.end={start + 1}").status_code == 404
    # Another seat sees nothing of this thread.
    other = seats_of(li)[1]["seat"]
    assert finder(li, f"/v2/conversationEvents?q=criteria&viewer={other}"
                      f"&timeRange.start={start}&timeRange.end={start + HOUR_MS}"
                  ).json()["paging"]["total"] == 0


def test_private_inmails_are_marked_private(li):
    seat = seats_of(li)[0]
    start = now_ms(li)
    li.control.post("/recruiter/inmails", json={
        "seat": seat["id"], "person": members(li)[0]["person"], "subject": "s", "body": "b",
        "visibility": "PRIVATE"})
    body = finder(li, f"/v2/conversationEvents?q=criteria&viewer={seat['seat']}"
                      f"&timeRange.start={start}&timeRange.end={start + HOUR_MS}").json()
    assert [e["visibility"] for e in body["elements"]] == ["PRIVATE"]


def test_shared_contact_info_becomes_a_stub_profile(li):
    seat = seats_of(li)[0]
    member = members(li)[0]
    start = now_ms(li)
    thread = li.control.post("/recruiter/inmails", json={
        "seat": seat["id"], "person": member["person"], "subject": "s", "body": "b"}).json()
    li.control.post(f"/recruiter/threads/{thread['id']}/replies",
                    json={"body": "Call me", "shareContactInfo": True})

    def stubs(extra: str = "") -> Any:
        return finder(li, f"/v2/mailStubs?q=contract&contract={CONTRACT}&owners={seat['seat']}"
                          f"&createdDateStart={start}&createdDateEnd={start + HOUR_MS}{extra}")

    body = stubs().json()
    assert body["paging"]["total"] == 1
    stub = body["elements"][0]
    assert stub["owner"] == seat["seat"] and stub["person"] == member["person"]
    assert stub["emailAddress"] == member["emailAddresses"][0]  # a string (March 2024)
    assert stub["phoneNumber"] == member["phoneNumbers"][0]
    assert stub["firstName"] == member["firstName"]
    assert stub["publicProfileUrl"] == member["publicProfileUrl"]
    # Owners must be seats of the contract; a window longer than 12 hours is refused.
    assert finder(li, f"/v2/mailStubs?q=contract&contract={CONTRACT}&owners=urn:li:seat:999"
                      f"&createdDateStart={start}&createdDateEnd={start + 1}").status_code == 400
    assert finder(li, f"/v2/mailStubs?q=contract&contract={CONTRACT}&owners={seat['seat']}"
                      f"&createdDateStart={start}&createdDateEnd={start + 13 * HOUR_MS}"
                  ).status_code == 400
    # The admin turns InMail stub profiles off: sharing no longer creates one.
    r = li.control.put(f"/recruiter/settings/{CONTRACT}/INMAIL_STUB_PROFILE",
                       json={"value": "OFF"})
    assert r.json()["settings"]["INMAIL_STUB_PROFILE"] == "OFF"
    li.control.post(f"/recruiter/threads/{thread['id']}/replies",
                    json={"body": "Again", "shareContactInfo": True})
    assert stubs().json()["paging"]["total"] == 1


# -- Recruiter notes -------------------------------------------------------------------------------

def test_notes_written_edited_and_deleted_leave_tombstones(li):
    seat = seats_of(li)[0]
    person = members(li)[0]["person"]
    start = now_ms(li)
    note = li.control.post("/recruiter/notes", json={
        "seat": seat["id"], "person": person, "note": "Strong Python"}).json()
    assert note["active"] is True and note["owner"] == seat["seat"]
    li.control.post("/clock/advance", json={"seconds": 10})
    edited = li.control.patch(f"/recruiter/notes/{note['id']}", json={"note": "Strong Go"})
    assert edited.json()["note"] == "Strong Go"
    li.control.post("/clock/advance", json={"seconds": 10})
    gone = li.control.delete(f"/recruiter/notes/{note['id']}").json()
    assert gone["active"] is False
    assert li.control.patch(f"/recruiter/notes/{note['id']}", json={"note": "x"}
                            ).status_code == 410

    def notes(begin: int, end: int) -> Any:
        return finder(li, f"/v2/prospectNotes?q=criteria&contract={CONTRACT}"
                          f"&owners={seat['seat']}&cutoffDate={begin}&beforeDate={end}")

    body = notes(start, start + HOUR_MS).json()
    assert [(e["note"], e["active"]) for e in body["elements"]] == [("Strong Go", False)]
    deleted_at = body["elements"][0]["lastModifiedAt"]
    assert deleted_at >= start + 20_000
    # Windows are on the last-modified time: before the deletion it is not in the window.
    assert notes(start, deleted_at).json()["paging"]["total"] == 0
    assert notes(start, start + 12 * HOUR_MS + 1).status_code == 400
    assert finder(li, f"/v2/prospectNotes?q=criteria&contract={CONTRACT}"
                      f"&cutoffDate={start}&beforeDate={start + 1}").status_code == 400


# -- closures ----------------------------------------------------------------------------------

def test_closed_accounts_known_to_the_customer_are_listed(li):
    seat = seats_of(li)[0]
    messaged, matched, stranger = members(li, start=60, count=20)[:3]
    li.control.post("/recruiter/inmails", json={
        "seat": seat["id"], "person": messaged["person"], "subject": "s", "body": "b"})
    key = candidate_key("C77", ORG)
    put_records(li.demo, "atsCandidates", {"c": (key, candidate_record(
        77, emailAddresses=[matched["emailAddresses"][0]]))})
    since = now_ms(li)
    for member in (messaged, matched, stranger):
        assert li.control.post(f"/recruiter/members/{member['person']}/close"
                               ).status_code == 200
    body = finder(li, f"/v2/closedMemberProfiles?q=contract&contract={CONTRACT}&since={since}"
                  ).json()
    assert {e["person"] for e in body["elements"]} == {messaged["person"], matched["person"]}
    assert all(e["closedAt"] >= since for e in body["elements"])
    later = now_ms(li) + 1000
    assert finder(li, f"/v2/closedMemberProfiles?q=contract&contract={CONTRACT}&since={later}"
                  ).json()["paging"]["total"] == 0
    # Closing twice keeps the first closing time.
    again = li.control.post(f"/recruiter/members/{messaged['person']}/close").json()
    assert again["closedAt"] <= now_ms(li)


def test_prospect_finders_need_csa_api_and_share_a_daily_budget(li):
    seat = seats_of(li)[0]["seat"]
    start = now_ms(li)
    path = (f"/v2/prospectNotes?q=criteria&contract={CONTRACT}&owners={seat}"
            f"&cutoffDate={start}&beforeDate={start + 1}")
    li.control.put("/throttles", json={"family": "prospectInteractions", "perDay": 2})
    assert finder(li, path).status_code == 200
    assert finder(li, f"/v2/conversationEvents?q=criteria&viewer={seat}"
                      f"&timeRange.start={start}&timeRange.end={start + 1}").status_code == 200
    r = finder(li, path)
    assert r.status_code == 429 and r.headers["Retry-After"]
    li.control.put("/throttles", json={"family": "prospectInteractions", "perDay": 1000})
    li.control.post("/integrations/status", json={"integrationContext": CONTRACT,
                                                  "status": "DISABLED"})
    assert finder(li, path).status_code == 403


@pytest.mark.parametrize("path", [
    "/v2/conversationEvents?q=criteria&viewer=urn:li:seat:1&timeRange.start=x&timeRange.end=1",
    "/v2/conversationEvents?q=criteria&timeRange.start=1&timeRange.end=2",
    "/v2/mailStubs?q=contract&contract=urn:li:contract:2001&createdDateStart=1&createdDateEnd=2",
    "/v2/prospectNotes?q=criteria&contract=nope&owners=urn:li:seat:1&cutoffDate=1&beforeDate=2",
    "/v2/closedMemberProfiles?q=contract",
    "/v2/mailStubs?q=criteria",
])
def test_finder_parameters_are_checked(li, path):
    r = finder(li, path)
    assert r.status_code == 400, r.text
    assert r.json()["message"]


def test_crm_picker_offers_public_pools_and_vacancies_searchable_by_name_or_id(li, receiver):
    # Beamery: "LinkedIn Pipelines are Public Pools and Public Vacancies. You can search for
    # them by name or by the Beamery Vacancy ID."
    crm_connect(li, receiver)
    holder = seats_of(li)[0]
    sync_jobs(li, job_posting("REQ-9", title="Backend engineer"))

    def key(pipeline_id: str) -> dict[str, str]:
        return {"tcrmPipelineId": pipeline_id, "integrationContext": ORG, "dataProvider": "ATS"}

    put_records(li.demo, "tcrmPipelines", {
        "pool": (key("POOL-1"), {"title": "Data engineers", "accessRestricted": False,
                                 "tcrmCreatedAt": CREATED}),
        "vacancy": (key("VAC-77"), {"title": "Backend vacancy", "accessRestricted": False,
                                    "externalJobPostingIds": ["REQ-9"],
                                    "tcrmCreatedAt": CREATED}),
        # Not public (even for its owner): never a LinkedIn pipeline.
        "private": (key("PRIV-1"), {"title": "Confidential search", "accessRestricted": True,
                                    "ownerEmailAddress": holder["emailAddress"],
                                    "tcrmCreatedAt": CREATED})})
    assert picker(li, holder["id"]) == {"POOL-1", "VAC-77"}

    def search(q: str) -> list[tuple[str, str]]:
        r = li.control.get(f"/recruiter/seats/{holder['id']}/export-targets", params={"q": q})
        assert r.status_code == 200, r.text
        return [(t["id"], t["kind"]) for t in r.json()["elements"]]

    assert search("vac-77") == [("VAC-77", "Vacancy")]
    assert search("DATA") == [("POOL-1", "Pool")]
    assert search("confidential") == [] and search("nothing like it") == []

    # The same search on the Recruiter page's Export picker.
    person = members(li)[0]["person"]
    with httpx.Client(base_url=li.url, timeout=30) as page:
        page.post("/recruiter/login", data={"person": holder["person"], "next": "/recruiter/"})
        shown = page.get(f"/recruiter/profile/{person}", params={"find": "77"}).text
        options = re.findall(r'<option value="(PIPELINE:[^"]+)"[^>]*>([^<]*)<', shown)
        assert options == [("PIPELINE:VAC-77", "Vacancy: Backend vacancy (VAC-77)")]
        assert 'id="find"' in shown and "1 match" in shown
        everything = page.get(f"/recruiter/profile/{person}").text
        assert "Pool: Data engineers (POOL-1)" in everything and "PRIV-1" not in everything
