"""PageUp's "LinkedIn CRM Connect: Configuration" (Recruitment Marketing), walked in a browser
against `recruitlink demo` on free ports (seed page /work/shared/seeds/000_0f73675b1312e9db.txt).

The demo's own workspaces are connected already, so the admin walks activation in a fresh CRM
workspace, `pageup`, added beside the running demo with the CLI (`recruitlink seed --kind CRM`,
`recruitlink users set-password`); LinkedIn's side is a Recruiter contract whose admin holds a
seat under the CRM admin's email (made with the sandbox's control API: the sandbox has no page
that sells contracts), with LinkedIn's auto-enable off so activation waits for the Recruiter
admin, as on LinkedIn.

Prerequisites ("a Hiring Project Creator license", "access to the CRM module", "an
administrator on your LinkedIn Recruiter account", "a Company Admin in Recruitment
Marketing"): the contract and seat above, and the workspace's company admin. Not walkable: the
licence itself and "contact PageUp to have it enabled" (LinkedIn- and vendor-only).

Seed step, in the page's order -> what the walk does:

Initial Setup
 1. "Under Integrations within the main menu, select LinkedIn CRM Connect" -> the admin signs
    in, clicks "Integrations → LinkedIn" in the main menu: the page is "LinkedIn CRM Connect".
    Before it, "What data is synchronised": candidates (name, email, created, modified),
    their resumes, candidate interactions (type and times, never the content), projects
    (title, stages, only those shared with all recruiters) are listed.
 2. "Select the option to Integrate LinkedIn CRM Connect" -> ticks the acknowledgement and
    clicks Activate.
 3. "You will be taken to the integration Setup screen" -> "Choose your LinkedIn Recruiter
    contract" with LinkedIn's widget.
 4. "ensure that you have selected the appropriate LinkedIn Recruiter contract" -> in the
    widget: signs in to LinkedIn as the Recruiter admin, the contract (and its company) is
    offered, chosen; nobody types a URN.
 5./6. "a list of available integrations, which will include CRM Connect ... Select the
    checkbox" -> the widget lists CRM Connect's integrations (One-Click Export to your CRM,
    In-CRM indicator), checked.
 7. "Click Save changes" -> Approve, on a slow network: the answer is held until the
    page's live status has seen the workspace pending (the page used to reload itself over
    the post, landing on "Add another contract"); "Saved: the integrations ... registered".
 8. "a message indicating that activation is pending" -> "Activation is pending", the
    contract says what LinkedIn still needs, "The sync has not started"; nothing is said to
    run. The admin follows "Enable in LinkedIn" to LinkedIn Recruiter's admin settings and
    turns on the company's integrations, then the contract's.
 9. "a message indicating that CRM Connect has been activated for the current contract" ->
    "LinkedIn CRM Connect has been activated for urn:li:contract:…" (the page follows by
    itself).
10. "Recruitment Marketing will start synchronising ... the Setup screen will show the date
    and time of the last sync" / "The progress of the sync can be viewed ... Sync Logs" ->
    the initial sync completes live; "Last sync" shows a date and time.
Synchronisation Management
 1.-3. Pause Sync -> "The sync is paused"; Resume Sync -> running again.
Synchronisation Logs
 1.-4. Sync logs tab: the milestones, batches of up to 1000 candidates; "View errors" on the
    batch with the candidate whose email is invalid (entered through the CRM's API before
    activation): its reason names the email address.
LinkedIn Recruiter Seats
 1.-3. Members tab: the Recruiter admin's seat is mapped to the CRM admin by email.
 Manual mapping 1.-4.: a colleague's seat under another email is unmapped (with the warning
    that their InMails and notes will not be synced) -> Edit -> the CRM user -> Save: mapped
    by hand.
Controlling Synchronised Data
 - Projects not "shared with all recruiters" are marked Private on the Projects page and are
    not offered in Recruiter's export picker; a shared one is.
Key features, in LinkedIn Recruiter (the mapped colleague, on the sandbox's Recruiter pages)
 - 1-Click Export of a member into a shared project -> "Sent to your CRM"; the candidate is
    in the CRM, in that project.
 - In-CRM indicator and In-CRM tab on the member's profile, with the project.
 - InMail history: the colleague's InMail shows on the candidate's page in the CRM,
    attributed to the mapped user; the LinkedIn profile widget is on that page.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from playwright.sync_api import Route, expect

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

WORKSPACE = "pageup"
ORGANIZATION = "urn:li:organization:2001015"
CONTRACT = "urn:li:contract:3001015"
PASSWORD = "pageup walk password 1"
SLOW_MS = 90_000


@pytest.fixture(scope="module")
def pageup(demo: Demo) -> dict[str, Any]:
    """The fresh CRM workspace beside the demo, and LinkedIn's side: a contract whose
    Recruiter admin holds a seat under the CRM admin's email, a colleague's seat under
    another email; and a candidate whose email LinkedIn will refuse."""
    people = new_workspace(demo, WORKSPACE, "CRM", PASSWORD, api_key=True)
    # A candidate with an invalid email (PageUp: "The email address is invalid"), as the
    # CRM's own forms or imports let it through.
    made = httpx.post(f"{demo.server}/api/v1/candidates", timeout=10,
                      headers={"Authorization": f"Bearer {people['api_key']}"},
                      json={"id": "BAD-EMAIL-1", "first_name": "Ivan", "last_name": "Invalid",
                            "emails": ["ivan.invalid.example.com"]})
    assert made.status_code == 201, made.text
    control(demo, "PUT", "/settings", json={"autoEnable": False})
    chosen = shareable_members(demo, 400)
    admin_seat = control(demo, "POST", f"/contracts/{CONTRACT}/seats", json={
        "person": chosen[0]["person"], "organization": ORGANIZATION,
        "emailAddress": people["admin"].email})
    colleague_seat = control(demo, "POST", f"/contracts/{CONTRACT}/seats", json={
        "person": chosen[1]["person"], "emailAddress": "sam.colleague@recruiting.example"})
    return {"admin": people["admin"], "colleague": people["recruiter"],
            "admin_seat": admin_seat, "colleague_seat": colleague_seat,
            "exported": chosen[2]}


def test_pageup_crm_connect_configuration(journey, demo, pageup):
    admin = journey.person()
    sign_in(admin, demo.server, WORKSPACE, pageup["admin"].email, PASSWORD)

    # Initial Setup 1: Integrations -> LinkedIn CRM Connect, and what is synchronised.
    admin.get_by_role("link", name="Integrations → LinkedIn").click()
    expect(admin.get_by_role("heading", name="LinkedIn CRM Connect", exact=True)).to_be_visible()
    shared = admin.locator(".shared-data")
    for group in ("Candidates", "Resumes", "Candidate interactions",
                  "Projects (talent pipelines)"):
        expect(shared.get_by_role("heading", name=group, exact=True)).to_be_visible()
    expect(shared).to_contain_text("Interaction type (e.g. email, web session)")
    expect(shared).to_contain_text("Only projects shared with all recruiters")
    # A CRM's page names LinkedIn's In-CRM indicator (it said "In-ATS indicator").
    expect(admin.locator("#visibility")).to_contain_text("in the In-CRM indicator")
    expect(admin.get_by_text("In-ATS")).to_have_count(0)
    journey.shot(admin, "integrations LinkedIn CRM Connect")

    # 2. Integrate: acknowledge what is shared, Activate.
    admin.get_by_label("I recognize that recruitlink will share").check()
    admin.get_by_role("button", name="Activate").click()

    # 3. The Setup screen with LinkedIn's widget.
    expect(admin.get_by_role("heading", name="Choose your LinkedIn Recruiter contract")
           ).to_be_visible()
    widget = admin.frame_locator("#onboarding-widget iframe")
    widget.get_by_text("Sign in to LinkedIn").first.wait_for()
    journey.shot(admin, "setup screen sign in to LinkedIn")

    # 4. Sign in to LinkedIn as the Recruiter admin; the contract is offered, chosen.
    widget.locator(f"input[name=person][value='{pageup['admin_seat']['person']}']").check()
    widget.get_by_role("button", name="Sign in").click()
    customer = widget.locator(f"input[name=customer][value='{CONTRACT} {ORGANIZATION}']")
    customer.check()
    expect(widget.get_by_label("Organization URN")).to_have_count(0)

    # 5./6. CRM Connect's integrations are listed, and checked.
    for label in ("One-Click Export to your CRM", "In-CRM indicator in Recruiter"):
        box = widget.get_by_label(re.compile(re.escape(label)))
        expect(box).to_be_checked()
    expect(widget.get_by_text("One-Click Export from Recruiter")).to_have_count(0)
    journey.shot(admin, "widget contract and CRM Connect chosen")

    # 7. Save changes, on a network slow enough for the page's live status (polled every
    #    2 s) to see the workspace pending before the answer arrives: the page reloaded
    #    itself over the post and the admin landed on "Add another contract".
    def slow_answer(route: Route) -> None:
        answer = route.fetch(max_redirects=0)  # the server has acted on it: now pending
        time.sleep(2.5)  # deliberately slow: one live poll happens meanwhile
        route.fulfill(response=answer)

    admin.route("**/integrations/linkedin/integrate", slow_answer)
    widget.get_by_role("button", name="Approve").click()
    expect(admin.get_by_role("status").filter(
        has_text="Saved: the integrations LinkedIn approved are registered")).to_be_visible()
    admin.unroute("**/integrations/linkedin/integrate")

    # 8. Activation pending: why, and nothing said to run.
    pending = admin.locator(".pending")
    expect(pending).to_contain_text("Activation is pending", timeout=SLOW_MS)
    expect(admin.locator("[data-live=status]")).to_have_text("Activation pending")
    row = admin.locator(f"tr[data-contract='{CONTRACT}']")
    expect(row.locator(".reason")).to_contain_text("not turned on")
    expect(admin.get_by_text("The sync has not started")).to_be_visible()
    expect(admin.get_by_text("The sync is running")).to_have_count(0)
    journey.shot(admin, "activation pending")

    # ... the admin enables it in LinkedIn Recruiter (company level, then contract level).
    with admin.context.expect_page() as opened:
        row.get_by_role("link", name="Enable in LinkedIn").click()
    recruiter = opened.value
    recruiter.wait_for_load_state()
    if "/recruiter/login" in recruiter.url:
        recruiter.locator(f"button[data-seat='{pageup['admin_seat']['id']}']").click()
    section = recruiter.locator(f"section[data-contract='{CONTRACT}']")
    expect(section).to_have_id("focus")
    company = section.locator("table").first
    turn_on(company, "CRM_ONE_CLICK_EXPORT", "IN_CRM_INDICATOR", "PROFILE_PLUGIN")
    contract_settings = section.locator("table").last
    turn_on(contract_settings, "CSA_API")
    journey.shot(recruiter, "LinkedIn Recruiter admin settings turned on")
    recruiter.close()

    # 9. Activated for the current contract.
    expect(admin.locator(".activated")).to_have_text(
        re.compile(rf"LinkedIn CRM Connect has been activated for\s+{re.escape(CONTRACT)}"),
        timeout=SLOW_MS)
    expect(admin.locator("[data-live=status]")).to_have_text("Active")

    # 10. The initial sync runs, then completes; the last sync's date and time.
    expect(admin.locator("[data-live=runState]")).to_have_text("complete", timeout=SLOW_MS)
    expect(admin.locator("[data-live=lastSync]")).to_have_text(re.compile(r"\d{4}-\d\d-\d\d"))
    expect(admin.get_by_text("The sync is running")).to_be_visible()
    journey.shot(admin, "activated initial sync complete last sync")

    # Synchronisation Management: Pause Sync, Resume Sync.
    admin.get_by_role("button", name="Pause Sync").click()
    expect(admin.get_by_text("The sync is paused: nothing is sent")).to_have_count(2)
    journey.shot(admin, "sync paused")
    admin.get_by_role("button", name="Resume Sync").click()
    expect(admin.get_by_role("status").filter(has_text="The sync has resumed")).to_be_visible()
    expect(admin.get_by_role("button", name="Pause Sync")).to_be_visible()

    # Synchronisation Logs: batches of up to 1000, View errors of the failed one.
    admin.get_by_role("link", name="Sync logs").first.click()
    expect(admin.get_by_role("heading", name="Sync logs")).to_be_visible()
    expect(admin.get_by_text("batches of up to 1,000")).to_be_visible()
    expect(admin.locator("[data-milestone=candidates]")).to_contain_text("done")
    admin.get_by_label("Status").select_option("errors")
    admin.get_by_label("Entity").select_option("candidates")
    admin.get_by_role("button", name="Filter").click()
    failed = admin.locator("tr[data-batch]")
    expect(failed).to_have_count(1)
    journey.shot(admin, "sync logs candidate batches with errors")
    failed.get_by_role("link", name="View errors").click()
    # One row per failed record and reason (two checks refusing it were two rows).
    error = admin.locator("tr[data-error]").filter(has_text="BAD-EMAIL-1")
    expect(error).to_have_count(1)
    expect(error.locator(".reason")).to_contain_text("not a valid email address")
    journey.shot(admin, "view errors invalid email")

    # LinkedIn Recruiter Seats: Members; the admin mapped by email, the colleague by hand.
    admin.get_by_role("link", name="Members", exact=True).last.click()
    admin_row = admin.locator(f"tr[data-seat='{pageup['admin_seat']['seat']}']")
    expect(admin_row.locator(".mapping")).to_have_text("auto", timeout=SLOW_MS)
    expect(admin_row).to_contain_text(pageup["admin"].name)
    other = admin.locator(f"tr[data-seat='{pageup['colleague_seat']['seat']}']")
    expect(other.locator(".mapping")).to_contain_text("unmapped")
    expect(admin.get_by_text("their InMails and notes will not be synced")).to_be_visible()
    journey.shot(admin, "members")
    other.get_by_role("link", name="Edit").click()
    other.get_by_label("recruitlink user").select_option(pageup["colleague"].external_id)
    other.get_by_role("button", name="Save").click()
    expect(admin.get_by_text("The member has been mapped")).to_be_visible()
    expect(other.locator(".mapping")).to_have_text("manual")
    expect(other).to_contain_text(pageup["colleague"].name)
    expect(admin.get_by_text("their InMails and notes will not be synced")).to_have_count(0)
    journey.shot(admin, "members colleague mapped by hand")

    # Controlling Synchronised Data: private projects are marked, and stay in the CRM.
    admin.get_by_role("link", name="Projects").first.click()
    private = admin.locator("#projects tr[data-project]").filter(
        has=admin.locator(".badge.confidential"))
    shared_projects = admin.locator("#projects tr[data-project]").filter(
        has_not=admin.locator(".badge.confidential"))
    expect(private.first).to_contain_text("Private")
    private_title = private.first.get_by_role("link").inner_text()
    shared_title = shared_projects.first.get_by_role("link").inner_text()
    shared_id = shared_projects.first.get_attribute("data-project")
    journey.shot(admin, "projects private marked")

    # In LinkedIn Recruiter: the colleague exports a member into a shared project.
    sam = journey.person()
    person = pageup["exported"]["person"]
    sam.goto(f"{demo.sandbox}/recruiter/login?next=/recruiter/profile/{person}")
    sam.locator(f"button[data-seat='{pageup['colleague_seat']['id']}']").click()
    export = sam.locator("#export")
    expect(export.get_by_role("heading", name="Export to CRM")).to_be_visible()
    picker = export.get_by_label("Pipeline")
    expect(picker.locator("option", has_text=shared_title)).to_have_count(1)
    expect(picker.locator("option", has_text=private_title)).to_have_count(0)
    sam.get_by_label(re.compile("Find a pool or vacancy")).fill(private_title)
    sam.get_by_role("button", name="Search").click()
    expect(sam.locator("#target-count")).to_have_text("0 matches")
    journey.shot(sam, "recruiter export picker without private project")
    sam.get_by_label(re.compile("Find a pool or vacancy")).fill(shared_title)
    sam.get_by_role("button", name="Search").click()
    picker.select_option(f"PIPELINE:{shared_id}")
    sam.get_by_role("button", name="Export to CRM").click()
    expect(sam.get_by_role("status")).to_contain_text("Sent to your CRM")
    journey.shot(sam, "recruiter exported into project")
    sam.fill("#subject", "Your next role")
    sam.fill("#body", "Would you talk to us about it?")
    sam.get_by_role("button", name="Send InMail").click()
    expect(sam.get_by_role("status")).to_have_text("InMail sent")

    # The candidate is in the CRM, in the project; the InMail shows, by the mapped user.
    candidate_id = eventually(lambda: candidate_of_member(demo, person), 30,
                              "the exported member in the CRM")
    admin.goto(f"{demo.server}/t/{WORKSPACE}/candidates/{candidate_id}")
    expect(admin.locator("#projects")).to_contain_text(shared_title)
    timeline_inmail = admin.get_by_text("Would you talk to us about it?")
    reload_until(admin, timeline_inmail, "the InMail on the candidate's page")
    expect(admin.get_by_text(f"InMail sent by {pageup['colleague'].name}")).to_be_visible()
    expect(admin.locator("#linkedin")).to_be_visible()
    journey.shot(admin, "candidate in project with InMail")

    # In-CRM indicator and tab in Recruiter, with the project.
    reload_until(sam, sam.locator("#indicator"), "the In-CRM indicator")
    expect(sam.locator("#indicator")).to_have_text("In CRM")
    # The tab names the project (it showed only its id).
    expect(sam.locator(f"#ats-tab .pipeline[data-pipeline='{shared_id}']")).to_contain_text(
        shared_title)
    journey.shot(sam, "recruiter In-CRM indicator and tab")
