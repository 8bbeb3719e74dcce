"""SmartRecruiters' "Setup LinkedIn Recruiter System Connect", walked in a browser against
`recruitlink demo` on free ports (seed page /work/shared/seeds/001_6ed942dc826b2068.txt).

The demo's `demo` workspace is connected already, so the admin requests the integration in a
fresh ATS workspace, `smartrecruiters`, added beside the running demo with the CLI
(`recruitlink seed --kind ATS`, `recruitlink users set-password`). LinkedIn's side: the admin
of the company's two Recruiter contracts holds a seat on each under the same email, and a
colleague a seat under another email (the sandbox's control API: no page sells contracts);
LinkedIn's auto-enable is off, so the integration waits for the Recruiter admin's switches.

Not walkable: "LinkedIn Recruiter Lite is not supported" and the CSA migration (LinkedIn
products the sandbox does not imitate); typing a user's name in a combobox (our Members page
offers a list to choose from).

Seed step, in the page's order -> what the walk does:

Request integration
 1. "Log in to SmartRecruiters as an Administrator" -> the company admin signs in.
 2. "Access the LinkedIn Recruiter System Connect page" -> main menu "Integrations →
    LinkedIn": "LinkedIn Recruiter System Connect".
 3. "share data (list here) about your current and future candidates, jobs, and
    applications. Check the box next to 'I recognize[...]'" -> the list names jobs (title,
    description, location, job URL, publish date), candidates, applications (status,
    source); Activate without the box is refused with the reason; ticked, Activate.
 4.-6. "+ Add Contract", "In the popup, click Sign in", "Enter your LinkedIn Recruiter
    credentials" -> LinkedIn's widget asks to sign in; the admin signs in as the seat
    holder.
 7. "select which contract to connect ... and click Continue" -> both of the admin's
    contracts are offered (with their company: nobody types a URN); the first is chosen.
 8.-10. "click Request to set up the integration's company-level access", "Wait a moment",
    "Click Finish" -> Approve; "Saved: the integrations LinkedIn approved are registered".
11. "Find the contract in the list, and click Enable in LinkedIn" -> the contract is listed
    "Pending in LinkedIn" with why; nothing says the sync runs; "Enable in LinkedIn" opens
    LinkedIn Recruiter's admin settings for that contract (signing in to Recruiter first).
Enable in LinkedIn Recruiter
 1.-2. "More → Admin Settings", "the ATS tab" -> Recruiter's admin settings, the contract
    first.
 3. "toggle for Company Level Access" -> 1-Click Export, In-ATS indicator, profile widget
    turned on; back in recruitlink the contract still waits for contract-level access.
 4. "toggle for Contract Level access" -> turned on.
 5.-6. "the overall integration is activated", "Go back into SmartRecruiters and reload" ->
    reloaded: "Active", "has been activated for urn:li:contract:…".
Historical data sync
 - "a one time sync of historical jobs, candidates, and applications" -> the initial sync
    completes (Setup's progress, live).
 - "To check that the data sync has completed": 1.-4. in LinkedIn Recruiter the admin opens a
    member's profile, "Export to..." and types the name of an open job read on recruitlink's
    Jobs page: the job is found in the picker ("1 match").
 - "updates to the candidate status ... continuously updated" -> the admin exports the member
    into that job: the candidate is in recruitlink with an application to it (its activity
    says "Exported from LinkedIn Recruiter by …"), and Recruiter's
    profile then shows "In ATS" with that application, at the same current stage.
Add another contract
 - "+ Add Contract again" -> the page says to sign out of Recruiter if LinkedIn offers no
    other contract; the widget offers the second contract; approved: "The contract has been
    added", listed pending; "Enable in LinkedIn" -> contract-level access turned on ->
    both contracts active.
Connect users
 1.-2. "click Connect Users", "automatically pull in your LIR seatholders" -> the
    contract's row counts its seats, its "Connect users" opens Members,
    "Refresh from LinkedIn" (the pollers pull seats every 30 minutes): the seat holders of
    both contracts; the admin's seats mapped by email ("auto"), the colleague's unmapped.
 3.-5. "start typing their name in the SmartRecruiters User field ... click Close" -> Edit,
    the user chosen, Save: mapped by hand.
 - "InMails and Prospect Notes created by your seat holders will continuously sync" -> the
    colleague writes a note and sends an InMail on the exported member in Recruiter; both
    show on the candidate's page, attributed to the mapped user.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journeys.steps import (
    candidate_of_member,
    control,
    new_workspace,
    reload_until,
    shareable_members,
    sign_in,
    turn_on,
)
from tests.support.demo import Demo, eventually

WORKSPACE = "smartrecruiters"
ORGANIZATION = "urn:li:organization:2001016"
CONTRACT = "urn:li:contract:3001016"
SECOND_CONTRACT = "urn:li:contract:3001017"
PASSWORD = "smartrecruiters walk password 1"
SLOW_MS = 90_000


@pytest.fixture(scope="module")
def company(demo: Demo) -> dict[str, Any]:
    """The fresh ATS workspace beside the demo, and LinkedIn's side: the admin's seats on
    both contracts (under the ATS admin's email), a colleague's seat under another email."""
    people = new_workspace(demo, WORKSPACE, "ATS", PASSWORD)
    control(demo, "PUT", "/settings", json={"autoEnable": False})
    chosen = shareable_members(demo, 500)
    seats = [control(demo, "POST", f"/contracts/{contract}/seats", json={
        "person": chosen[0]["person"], "organization": ORGANIZATION,
        "emailAddress": people["admin"].email}) for contract in (CONTRACT, SECOND_CONTRACT)]
    colleague_seat = control(demo, "POST", f"/contracts/{CONTRACT}/seats", json={
        "person": chosen[1]["person"], "emailAddress": "jo.colleague@recruiting.example"})
    return {**people, "admin_seats": seats, "colleague_seat": colleague_seat,
            "member": chosen[2]}


def enable_in_linkedin(journey: Any, admin: Page, contract: str, seat_id: int) -> Page:
    """The contract's "Enable in LinkedIn": Recruiter's admin settings open in a new tab,
    for that contract, after signing in to Recruiter if need be."""
    row = admin.locator(f"tr[data-contract='{contract}']")
    with admin.context.expect_page() as opened:
        row.get_by_role("link", name="Enable in LinkedIn").click()
    recruiter = opened.value
    recruiter.wait_for_load_state()
    if "/recruiter/login" in recruiter.url:
        recruiter.locator(f"button[data-seat='{seat_id}']").click()
    expect(recruiter.get_by_role("heading", name=f"Contract {contract}")).to_be_visible()
    expect(recruiter.locator(f"section[data-contract='{contract}']")).to_have_id("focus")
    return recruiter


def test_smartrecruiters_setup_linkedin_recruiter_system_connect(journey, demo, company):
    admin = journey.person()
    admin_seat, second_seat = company["admin_seats"]

    # Request integration 1.-2.
    sign_in(admin, demo.server, WORKSPACE, company["admin"].email, PASSWORD)
    admin.get_by_role("link", name="Integrations → LinkedIn").click()
    expect(admin.get_by_role("heading", name="LinkedIn Recruiter System Connect", exact=True)
           ).to_be_visible()
    # The top bar holds on one line (with the current menu item in bold, Sign out fell
    # alone onto a second line): who is signed in, and Sign out beside it.
    who = admin.locator(".topbar .who").bounding_box()
    sign_out = admin.get_by_role("button", name="Sign out").bounding_box()
    assert who and sign_out and abs(who["y"] - sign_out["y"]) < who["height"], (who, sign_out)

    # 3. What is shared, and the acknowledgement.
    shared = admin.locator(".shared-data")
    for group, item in (("Jobs", "Job URL"), ("Jobs", "Publish date"),
                        ("Candidates", "First and last name"),
                        ("Applications", "Application status and stages"),
                        ("Applications", "Source")):
        expect(shared.locator(".shared-group", has=admin.get_by_role(
            "heading", name=group, exact=True))).to_contain_text(item)
    admin.get_by_role("button", name="Activate").click()
    expect(admin.get_by_role("alert")).to_contain_text("acknowledge")
    journey.shot(admin, "request integration acknowledgement required")
    admin.get_by_label("I recognize that recruitlink will share").check()
    admin.get_by_role("button", name="Activate").click()

    # 4.-6. LinkedIn's widget: sign in.
    widget = admin.frame_locator("#onboarding-widget iframe")
    widget.get_by_text("Sign in to LinkedIn").first.wait_for()
    journey.shot(admin, "widget sign in")
    widget.locator(f"input[name=person][value='{admin_seat['person']}']").check()
    widget.get_by_role("button", name="Sign in").click()

    # 7. The admin's contracts, each with its company; the first is chosen.
    first = widget.locator(f"input[name=customer][value='{CONTRACT} {ORGANIZATION}']")
    second = widget.locator(f"input[name=customer][value='{SECOND_CONTRACT} {ORGANIZATION}']")
    expect(first).to_be_enabled()
    expect(second).to_be_enabled()
    expect(widget.get_by_label("Organization URN")).to_have_count(0)
    first.check()
    journey.shot(admin, "widget choose contract")

    # 8.-10. Request, Finish.
    widget.get_by_role("button", name="Approve").click()
    expect(admin.get_by_role("status").filter(has_text="Saved: the integrations LinkedIn "
                                                        "approved are registered")
           ).to_be_visible(timeout=SLOW_MS)

    # 11. The contract, pending, with why and "Enable in LinkedIn"; nothing said to run.
    row = admin.locator(f"tr[data-contract='{CONTRACT}']")
    expect(row.locator(".contract-status")).to_contain_text("Pending in LinkedIn")
    expect(row.locator(".reason")).to_contain_text("Company-level access is not turned on")
    expect(admin.locator("[data-live=status]")).to_have_text("Activation pending")
    expect(admin.get_by_text("The sync is running")).to_have_count(0)
    journey.shot(admin, "contract pending enable in LinkedIn")

    # Enable in LinkedIn Recruiter 1.-2.: Admin Settings, this contract first.
    recruiter = enable_in_linkedin(journey, admin, CONTRACT, admin_seat["id"])
    section = recruiter.locator(f"section[data-contract='{CONTRACT}']")
    # 3. Company Level Access: the company's integrations.
    turn_on(section.locator("table").first, "ONE_CLICK_EXPORT", "IN_ATS_INDICATOR",
            "PROFILE_PLUGIN")
    journey.shot(recruiter, "Recruiter admin company level access on")
    admin.bring_to_front()
    expect(row.locator(".reason")).to_contain_text("Contract-level access is not turned on",
                                                   timeout=SLOW_MS)
    expect(admin.get_by_text("The sync is running")).to_have_count(0)
    journey.shot(admin, "still pending contract level")
    # 4. Contract Level access.
    recruiter.bring_to_front()
    turn_on(section.locator("table").last, "CSA_API")
    journey.shot(recruiter, "Recruiter admin contract level access on")
    recruiter.close()

    # 5.-6. Back in recruitlink, reloaded: active.
    admin.reload()
    expect(admin.locator(".activated")).to_have_text(re.compile(
        rf"LinkedIn Recruiter System Connect has been activated for\s+{re.escape(CONTRACT)}"),
        timeout=SLOW_MS)
    expect(admin.locator("[data-live=status]")).to_have_text("Active")

    # Historical data sync: completes.
    expect(admin.locator("[data-live=runState]")).to_have_text("complete", timeout=SLOW_MS)
    expect(admin.get_by_text("The sync is running")).to_be_visible()
    journey.shot(admin, "active historical sync complete")

    # A job the admin knows exists (open, not confidential).
    admin.get_by_role("link", name="Jobs", exact=True).first.click()
    admin.get_by_label("Status").select_option("open")
    admin.get_by_role("button", name="Search").click()
    jobs = admin.locator("#jobs tr[data-job]")
    public = jobs.filter(has_not=admin.locator(".badge.confidential")).first
    job_title = public.get_by_role("link").inner_text()
    job_id = public.get_attribute("data-job")
    journey.shot(admin, "recruitlink open jobs")

    # To check the sync: Recruiter, a member's profile, "Export to...", type the job's name.
    person = company["member"]["person"]
    recruiter = admin.context.new_page()
    recruiter.goto(f"{demo.sandbox}/recruiter/profile/{person}")
    expect(recruiter.get_by_role("heading", name="Export to ATS")).to_be_visible()
    recruiter.get_by_label("Find a job by name or id").fill(job_title)
    recruiter.get_by_role("button", name="Search").click()
    picker = recruiter.get_by_label("Job", exact=True)
    expect(picker.locator("option", has_text=f"{job_title} ({job_id})")).to_have_count(1)
    expect(recruiter.locator("#target-count")).to_contain_text("match")
    journey.shot(recruiter, "Recruiter export picker finds the job by name")

    # ... and exports the member into it: in recruitlink, and In ATS on LinkedIn.
    picker.select_option(f"JOB:{job_id}")
    recruiter.get_by_role("button", name="Export to ATS").click()
    expect(recruiter.get_by_role("status")).to_contain_text(
        f"Sent to your ATS into {job_title} (job {job_id})")
    candidate_id = eventually(lambda: candidate_of_member(demo, person), 30,
                              "the exported member in recruitlink")
    admin.goto(f"{demo.server}/t/{WORKSPACE}/candidates/{candidate_id}")
    application = admin.locator("#applications .application").filter(has_text=job_title)
    expect(application).to_have_count(1)
    ats_stage = application.locator(".stage").inner_text()
    # The export in the candidate's activity says what happened (it read "Other").
    exported = admin.locator("#timeline li").filter(has_text="Exported from LinkedIn Recruiter")
    expect(exported.locator(".subject")).to_have_text(re.compile(
        r"^Exported from LinkedIn Recruiter by "))
    journey.shot(admin, "exported candidate with application")
    reload_until(recruiter, recruiter.locator("#indicator"), "the In-ATS indicator")
    expect(recruiter.locator("#indicator")).to_have_text("In ATS")
    on_linkedin = recruiter.locator(f"#ats-tab .application[data-job='{job_id}']")
    expect(on_linkedin).to_be_visible()
    # The same current stage on both sides.
    expect(on_linkedin.locator(".current-stage")).to_have_text(ats_stage)
    journey.shot(recruiter, "Recruiter In ATS with the application")
    recruiter.close()

    # Add another contract.
    admin.goto(f"{demo.server}/t/{WORKSPACE}/integrations/linkedin")
    admin.get_by_role("link", name="+ Add contract").click()
    expect(admin.get_by_role("heading", name="Add another contract")).to_be_visible()
    expect(admin.get_by_text("sign out of LinkedIn Recruiter first")).to_be_visible()
    widget = admin.frame_locator("#onboarding-widget iframe")
    second = widget.locator(f"input[name=customer][value='{SECOND_CONTRACT} {ORGANIZATION}']")
    second.check()
    journey.shot(admin, "add another contract")
    widget.get_by_role("button", name="Approve").click()
    expect(admin.get_by_role("status").filter(has_text="The contract has been added")
           ).to_be_visible(timeout=SLOW_MS)
    added = admin.locator(f"tr[data-contract='{SECOND_CONTRACT}']")
    expect(added.locator(".contract-status")).to_contain_text("Pending in LinkedIn")
    expect(admin.locator("[data-live=status]")).to_have_text("Active for 1 of 2 contracts")
    journey.shot(admin, "second contract pending")
    recruiter = enable_in_linkedin(journey, admin, SECOND_CONTRACT, second_seat["id"])
    turn_on(recruiter.locator(f"section[data-contract='{SECOND_CONTRACT}'] table").last,
            "CSA_API")
    recruiter.close()
    admin.reload()
    expect(added.locator(".contract-status")).to_contain_text("Active", timeout=SLOW_MS)
    expect(admin.locator("[data-live=status]")).to_have_text("Active")
    expect(admin.locator(".activated")).to_contain_text(SECOND_CONTRACT)
    journey.shot(admin, "both contracts active")

    # Connect users: "Find the contract in the list, and click Connect Users": its row counts
    # its seats; the seat holders, mapped by email or by hand.
    expect(added.locator(".contract-seats")).to_contain_text("Connect users")
    added.get_by_role("link", name="Connect users").click()
    # The pollers pull seats every 30 minutes; the seat of the contract just added is
    # pulled now, as SmartRecruiters' "Connect Users" does.
    admin.get_by_role("button", name="Refresh from LinkedIn").click()
    for seat in (admin_seat, second_seat):
        mine = admin.locator(f"tr[data-seat='{seat['seat']}']")
        expect(mine.locator(".mapping")).to_have_text("auto", timeout=SLOW_MS)
        expect(mine).to_contain_text(company["admin"].name)
    other = admin.locator(f"tr[data-seat='{company['colleague_seat']['seat']}']")
    expect(other.locator(".mapping")).to_contain_text("unmapped")
    journey.shot(admin, "connect users seat holders")
    other.get_by_role("link", name="Edit").click()
    other.get_by_label("recruitlink user").select_option(company["recruiter"].external_id)
    other.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("The member has been mapped")).to_be_visible()
    expect(other.locator(".mapping")).to_have_text("manual")
    expect(other).to_contain_text(company["recruiter"].name)
    journey.shot(admin, "connect users colleague mapped")

    # InMails and Recruiter notes of the seat holders sync into recruitlink.
    colleague = journey.person()
    colleague.goto(f"{demo.sandbox}/recruiter/login?next=/recruiter/profile/{person}")
    colleague.locator(f"button[data-seat='{company['colleague_seat']['id']}']").click()
    colleague.get_by_label("New note").fill("Strong fit for the platform team")
    colleague.get_by_role("button", name="Save note").click()
    expect(colleague.get_by_role("status")).to_have_text("Note saved")
    colleague.get_by_label("Subject").fill("A role you may like")
    colleague.get_by_label("Message").fill("Are you open to a chat this week?")
    colleague.get_by_role("button", name="Send InMail").click()
    expect(colleague.get_by_role("status")).to_have_text("InMail sent")
    journey.shot(colleague, "colleague note and InMail in Recruiter")
    admin.goto(f"{demo.server}/t/{WORKSPACE}/candidates/{candidate_id}")
    reload_until(admin, admin.get_by_text("Are you open to a chat this week?"),
                 "the InMail on the candidate's page")
    reload_until(admin, admin.get_by_text("Strong fit for the platform team"),
                 "the Recruiter note on the candidate's page")
    expect(admin.get_by_text(f"InMail sent by {company['recruiter'].name}")).to_be_visible()
    # In the order they were written in Recruiter, newest first: the InMail, then the note.
    told = admin.locator("#timeline li").all_inner_texts()
    inmail_at = next(i for i, t in enumerate(told) if "Are you open to a chat" in t)
    note_at = next(i for i, t in enumerate(told) if "Strong fit for the platform team" in t)
    assert inmail_at < note_at, told
    journey.shot(admin, "candidate InMail and note from Recruiter")
