"""The sandbox's Recruiter pages in Debian's Chromium: a recruiter signs in, opens a member's
profile, sees the In-ATS indicator with data synced through the API, exports the member into a
job (the signed push reaches a test receiver), sends an InMail, writes and deletes a note; the
member replies and shares contact details; the Recruiter admin toggles an integration."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from recruitlink.core.limits import EXPORTS_PER_SEAT_PER_MONTH
from recruitlink.core.signing import verify
from tests.conftest import CONTRACT, ORG
from tests.support.browser import (  # noqa: F401  (pytest fixtures)
    browser,
    browser_context_options,
    page,
)
from tests.support.linkedin import (
    application_key,
    application_record,
    body_key,
    candidate_key,
    candidate_record,
    integration_key,
    job_posting,
    put_configuration,
    put_records,
)


def seat_holders(li: Any) -> list[dict[str, Any]]:
    return li.demo.request("GET", f"/v2/seatsV2?q=attributes&contracts={CONTRACT}&start=0"
                           ).json()["elements"]


def a_member(li: Any, n: int = 0) -> dict[str, Any]:
    found = li.control.get("/members", params={"start": 40, "count": 20}).json()["elements"]
    return [m for m in found if not m["exportBlocked"] and not m["privateProfile"]][n]


def sync_history(li: Any, member: dict[str, Any]) -> None:
    """A job, a candidate matching the member by email, an application with three stages,
    a note and interview feedback: all through the sandbox's /v2 API."""
    r = li.demo.request("POST", "/v2/simpleJobPostings", method="batch_create",
                        json={"elements": [job_posting("REQ-7", title="Staff Engineer")]})
    assert r.status_code == 200, r.text
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        jobs = li.control.get(f"/organizations/{ORG}/jobs", params={"state": "LISTED"}).json()
        if any(not j["processing"] for j in jobs["elements"]):
            break
        time.sleep(0.05)
    put_records(li.demo, "atsCandidates", {"c": (candidate_key("C7", ORG), candidate_record(
        7, firstName=member["firstName"], lastName=member["lastName"],
        emailAddresses=[member["emailAddresses"][0]],
        externalProfileUrl="https://ats.example.com/candidates/C7"))})
    app_key = application_key("A7", ORG)
    put_records(li.demo, "atsApplications", {"a": (app_key, application_record(
        "C7", "REQ-7", atsJobPostingName="Staff Engineer", source="Referral"))})
    base = f"/v2/atsApplications/{body_key(app_key)}"
    stages = {"S1": ("Applied", 1), "S2": ("Phone screen", 2), "S3": ("Onsite", 3)}
    r = li.demo.request("PUT", f"{base}/stages?ids=S1&ids=S2&ids=S3", method="batch_update",
                        json={"entities": {k: {"stage": v, "atsCreatedAt": 1700000000000 + n}
                                           for k, (v, n) in stages.items()}})
    assert r.status_code == 200 and not r.json()["errors"], r.text
    r = li.demo.request("PUT", f"{base}/notes?ids=N1", method="batch_update",
                        json={"entities": {"N1": {"note": "Strong systems design"}}})
    assert r.status_code == 200 and not r.json()["errors"], r.text


def sign_in(page: Any, li: Any, seat: dict[str, Any], next_path: str) -> None:  # noqa: F811
    page.goto(f"{li.url}/recruiter/login?next={next_path}")
    page.click(f"button[data-seat='{seat['id']}']")


def test_profile_indicator_and_export_into_a_job(li, receiver, page):  # noqa: F811
    r = put_configuration(li.demo, integration_key(ORG, "ONE_CLICK_EXPORT"),
                          {"CALLBACK_URL": receiver.url})
    assert r.status_code == 200, r.text
    member = a_member(li)
    sync_history(li, member)
    seat = seat_holders(li)[0]
    sign_in(page, li, seat, f"/recruiter/profile/{member['person']}")

    assert page.inner_text("#indicator") == "In ATS"
    tab = page.inner_text("#ats-tab")
    assert "Staff Engineer" in tab and "Onsite" in tab
    assert "Applied → Phone screen" in tab and "Strong systems design" in tab
    assert page.get_attribute("#deep-link", "href") == "https://ats.example.com/candidates/C7"
    assert not page.is_visible("#contact")  # contact details show on hover only
    page.hover(".reveal")
    assert member["emailAddresses"][0] in page.inner_text("#contact")

    options = page.eval_on_selector_all("#target option", "els => els.map(e => e.value)")
    assert options == ["", "JOB:REQ-7"]
    page.select_option("#target", "JOB:REQ-7")
    page.fill("#export-note", "Met at a meetup")
    page.click("#export-button")
    assert "Sent to your ATS into Staff Engineer (job REQ-7)" in page.inner_text(
            "[role=status]")

    push = receiver.wait_for(1)[0]
    assert verify(li.app.state.demo.client_secret, push.body, push.headers["x-li-signature"])
    request_id = json.loads(push.body)["requestId"]
    element = li.demo.request("GET", f"/v2/exportedCandidates?q=request&requestId={request_id}"
                              ).json()["elements"][0]
    assert element["externalJobPostingId"] == "REQ-7" and element["note"] == "Met at a meetup"
    assert element["person"] == member["person"]
    assert element["exporter"]["seat"] == seat["seat"]


def test_export_refusal_is_shown_on_the_page(li, receiver, page):  # noqa: F811
    # No CALLBACK_URL (not set up yet, or the ATS disconnected, which removes it): no export
    # is offered, and the reason is one the recruiter can read. Before, the button was there,
    # counting exports left, and a click failed with "the ATS has no CALLBACK_URL configured".
    member = a_member(li)
    sign_in(page, li, seat_holders(li)[0], f"/recruiter/profile/{member['person']}")
    assert page.locator("#export-button").count() == 0
    assert ("Export unavailable: your ATS is not connected to receive exports"
            in page.inner_text("#export"))
    assert receiver.received == []
    # Configured again: Export is back.
    r = put_configuration(li.demo, integration_key(ORG, "ONE_CLICK_EXPORT"),
                          {"CALLBACK_URL": receiver.url})
    assert r.status_code == 200, r.text
    page.reload()
    assert page.is_enabled("#export-button")


def test_inmail_reply_with_contact_info_and_notes(li, page):  # noqa: F811
    member = a_member(li, 1)
    seat = seat_holders(li)[0]
    start = int(li.control.get("/clock").json()["nowMs"])
    sign_in(page, li, seat, f"/recruiter/profile/{member['person']}")
    page.fill("#subject", "Staff role")
    page.fill("#body", "Would you talk to us?")
    page.click("#inmail button[type=submit]")
    assert page.inner_text("[role=status]") == "InMail sent"
    page.fill("#note", "Prefers remote")
    page.click("#notes button[type=submit]:has-text('Save note')")
    assert "Prefers remote" in page.inner_text("#notes")
    page.click("#notes .note button:has-text('Delete')")
    assert page.query_selector_all("#notes .note") == []

    # The member signs in, replies and shares contact details.
    page.goto(f"{li.url}/recruiter/login?next=/recruiter/inbox")
    page.fill("#person", member["person"])
    page.click("form:has(#person) button")
    page.fill("textarea[name=body]", "Sure, call me")
    page.check("input[name=share]")
    page.click(".thread button[type=submit]")
    assert page.inner_text("[role=status]") == "Reply sent"

    end = start + 3600 * 1000
    events = li.demo.request("GET", f"/v2/conversationEvents?q=criteria&viewer={seat['seat']}"
                                    f"&timeRange.start={start}&timeRange.end={end}").json()
    assert [e["body"] for e in events["elements"]] == ["Would you talk to us?", "Sure, call me"]
    stubs = li.demo.request("GET", f"/v2/mailStubs?q=contract&contract={CONTRACT}"
                                   f"&owners={seat['seat']}&createdDateStart={start}"
                                   f"&createdDateEnd={end}").json()
    assert stubs["elements"][0]["emailAddress"] == member["emailAddresses"][0]
    notes = li.demo.request("GET", f"/v2/prospectNotes?q=criteria&contract={CONTRACT}"
                                   f"&owners={seat['seat']}&cutoffDate={start}"
                                   f"&beforeDate={end}").json()
    assert [(n["note"], n["active"]) for n in notes["elements"]] == [("Prefers remote", False)]


def test_admin_turns_the_indicator_off_and_on(li, page):  # noqa: F811
    seat = seat_holders(li)[0]
    sign_in(page, li, seat, "/recruiter/admin")
    row = "[data-integration='IN_ATS_INDICATOR']"
    assert page.inner_text(f"{row} .status") == "ENABLED"
    page.click(f"{row} button")
    assert page.inner_text(f"{row} .status") == "DISABLED"
    found = {(i["integrationType"], i["status"]) for i in httpx.get(
        f"{li.url}/sandbox/integrations", params={"context": ORG}).json()}
    assert ("IN_ATS_INDICATOR", "DISABLED") in found
    page.click(f"{row} button")
    assert page.inner_text(f"{row} .status") == "ENABLED"
    stub_row = "[data-setting='INMAIL_STUB_PROFILE']"
    page.click(f"{stub_row} button")
    assert page.inner_text(f"{stub_row} .status") == "OFF"


def test_forms_need_the_session_token(li):
    member = a_member(li)
    seat = seat_holders(li)[0]
    with httpx.Client(base_url=li.url) as client:
        client.post("/recruiter/login", data={"person": seat["person"], "next": "/"})
        r = client.post(f"/recruiter/profile/{member['person']}/inmail",
                        data={"subject": "s", "body": "b", "csrf": "forged"})
        assert r.status_code == 403
        anonymous = httpx.post(f"{li.url}/recruiter/profile/{member['person']}/inmail",
                               data={"subject": "s", "body": "b"})
        assert anonymous.status_code == 303 and "/recruiter/login" in anonymous.headers[
            "location"]


def test_export_is_greyed_out_with_its_reason_for_opted_out_and_private_members(
        li, receiver, page):  # noqa: F811
    r = put_configuration(li.demo, integration_key(ORG, "ONE_CLICK_EXPORT"),
                          {"CALLBACK_URL": receiver.url})
    assert r.status_code == 200, r.text
    found = li.control.get("/members", params={"count": 300}).json()["elements"]
    seat = seat_holders(li)[0]
    for member, why in ((next(m for m in found if m["exportBlocked"]), "does not allow"),
                        (next(m for m in found if m["privateProfile"]
                              and not m["exportBlocked"]), "private")):
        sign_in(page, li, seat, f"/recruiter/profile/{member['person']}")
        assert page.is_disabled("#export-button")
        assert why in page.inner_text("#export-refused")
        greyed = background(page)
    sign_in(page, li, seat, f"/recruiter/profile/{a_member(li)['person']}")
    assert page.is_enabled("#export-button")
    # Greyed out, as LinkedIn shows it: not the blue of a button that can be clicked.
    assert greyed != background(page) == "rgb(10, 102, 194)"


def background(page: Any) -> str:  # noqa: F811
    return str(page.eval_on_selector("#export-button", "b => getComputedStyle(b).backgroundColor"))


def test_export_is_greyed_out_once_the_seat_used_its_monthly_exports(li, receiver, page):  # noqa: F811
    """Beamery's FAQ: "LinkedIn will show users a notification once they have reached their
    monthly limit". The page read "0 exports left this month" beside a live button, and only
    a click said the limit was reached; the button is greyed out now, with why."""
    r = put_configuration(li.demo, integration_key(ORG, "ONE_CLICK_EXPORT"),
                          {"CALLBACK_URL": receiver.url})
    assert r.status_code == 200, r.text
    seat, member = seat_holders(li)[0], a_member(li)
    for _ in range(EXPORTS_PER_SEAT_PER_MONTH - 1):
        r = li.control.post("/recruiter/exports",
                            json={"seat": seat["id"], "person": member["person"]})
        assert r.status_code in (200, 201), r.text
    sign_in(page, li, seat, f"/recruiter/profile/{member['person']}")
    assert page.is_enabled("#export-button")
    assert "1 export left this month" in page.inner_text("#export")
    page.click("#export-button")
    page.wait_for_load_state()
    assert page.is_disabled("#export-button")
    assert (f"you have used all {EXPORTS_PER_SEAT_PER_MONTH} of this month's exports"
            in page.inner_text("#export-refused"))
