"""Tracker's seed page ("LinkedIn Recruiter | Initial Set Up", /work/shared/seeds/004),
walked in the browser against `recruitlink demo` on free ports, by the company admin of the
`demo` workspace: Tracker ticks "Recruiter System Connect", the integration `demo` has (the
other workspace, `demo-crm`, is CRM Connect). The demo comes connected; Tracker's page
starts before the plug-in is on, so the walk first disconnects the workspace on its Setup
page (the deletion report says when it is done), and then walks the page from its start.

Tip, "it is recommended that you are logged into LinkedIn Recruiter within the same
  browser" -> the admin signs in to LinkedIn Recruiter (her seat) in the same browser.
Seed step 1, "My Settings area ... via the Profile Menu" -> the navigation's
  "Integrations → LinkedIn": what will be shared, and Activate.
Seed step 2, "toggle on the Plug in for LinkedIn" -> the Activate form.
Seed step 3, "A Data Privacy warning ... data created or modified in last two years ...
  confirmation to proceed is required. Click Yes" -> she chooses 2 years; the
  acknowledgement names that window; Activate without it is refused with the reason; ticked,
  Activate.
Seed step 4, "If you are asked to sign into LinkedIn" -> LinkedIn's onboarding widget does
  not ask: she is signed in to Recruiter in this browser (it would offer her seat if not).
Seed step 5, "Choose a Contract" -> the widget offers her contract, with its company
  (nobody types a URN); she chooses it.
Seed step 6, "LinkedIn's Onboarding widget ... Choose Integration" -> the widget lists the
  integrations to approve.
Seed step 7, "tick the box for Recruiter System Connect" -> the Recruiter System Connect
  integrations (One-Click Export, In-ATS indicator, profile plugin, Recruiter data) ticked.
Seed step 8, "Click Save. This will begin the initial synchronisation ... last 2 years" ->
  Approve: Setup says Active and the initial sync runs; history shared: 2 years.
Seed step 9, "Back in Tracker under My Settings, click OK" -> the Setup page: activated for
  her contract, the contract active, the sync running.
Seed step 10, "from within the LinkedIn Recruiter account ... ensure a couple of settings
  are enabled" -> in Recruiter, her account.
Seed step 11, "Under your profile menu click Product settings" -> Recruiter's "Admin
  settings".
Seed step 12, "Select the Contract" -> her contract's section.
Seed step 13-14, "Manage integrations ... Tracker Integration listed, Show details" -> the
  company's integrations on that contract (the sandbox shows them expanded: no "Show
  details" button to imitate).
Seed step 15, "Edit ... ensure ticked: 1-Click Export, InMail Stub Profile, In-ATS Indicator
  and Profile Widget (optional) ... Save" -> each is on; she turns the optional In-ATS
  indicator off and on again: recruitlink's Setup says only that feature is off while the
  sync keeps running, then all is on again.
Seed step 16, "The background sync task ... milestones. Each milestone enables new
  features. Milestone 1: Integration Enabled" -> Sync logs: five milestones, each with the
  features it unlocks; milestone 1 done at once.
Seed step 17, "Milestone 2: Job Sync Completed" -> done, unlocking shortlisting to any job.
Seed step 18, "Milestone 3: Candidate Sync Completed" -> done; a candidate who is a LinkedIn
  member shows "In ATS" on their Recruiter profile.
Seed step 19, "Milestone 4: Shortlist Sync Completed" -> done (applications, Tracker's
  shortlist records).
Seed step 20, "Milestone 5: Activity Sync Completed" -> done; the initial sync is complete.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import select

from recruitlink.store import schema
from tests.e2e.journeys.recruiter_side import flash, sign_in_to_recruiter
from tests.support.demo import CONTRACT, ORGANIZATION, Demo

WORKSPACE = "demo"
SYNC_MS = 120_000


def member_candidate(demo: Demo) -> Any:
    """A demo candidate who is a LinkedIn member (walk data)."""
    db = demo.db()
    try:
        with db.read() as conn:
            return conn.execute(select(schema.candidates.c.first_name,
                                       schema.candidates.c.last_name,
                                       schema.candidates.c.linkedin_url).where(
                schema.candidates.c.external_id == "LI0001").join(
                schema.tenants, schema.tenants.c.id == schema.candidates.c.tenant_id).where(
                schema.tenants.c.slug == WORKSPACE)).one()
    finally:
        db.dispose()


def disconnect_first(journey: Any, admin: Page) -> None:
    """Where Tracker's page starts: the workspace not connected."""
    admin.get_by_role("link", name=re.compile("Integrations")).first.click()
    admin.get_by_role("link", name="Disconnect…").click()
    admin.get_by_label("I understand that").check()
    admin.get_by_role("button", name="Disconnect and delete").click()
    admin.locator("#deletion-report [data-state=done]").wait_for(timeout=SYNC_MS)
    journey.shot(admin, "before: the workspace disconnected")


def switch(recruiter: Page, section: Any, itype: str, to: str) -> None:
    """Turn one integration on or off on Recruiter's admin page."""
    row = section.locator(f"tr[data-integration='{itype}']")
    row.get_by_role("button", name="Turn on" if to == "ENABLED" else "Turn off").click()
    expect(flash(recruiter)).to_contain_text(f"{itype} is now {to}")
    expect(section.locator(f"tr[data-integration='{itype}'] .status")).to_have_text(to)


def test_tracker(journey) -> None:
    demo: Demo = journey.demo
    admin_email = demo.sign_ins(WORKSPACE)["company admin"][0]
    admin = journey.person()
    journey.sign_in(admin, "company admin", WORKSPACE)
    disconnect_first(journey, admin)

    # Tip: signed in to LinkedIn Recruiter in the same browser.
    recruiter = admin.context.new_page()
    sign_in_to_recruiter(recruiter, demo, admin_email)
    journey.shot(recruiter, "tip: signed in to LinkedIn Recruiter in the same browser")

    # 1. My Settings: Integrations -> LinkedIn.
    admin.bring_to_front()
    admin.get_by_role("link", name=re.compile("Integrations")).first.click()
    setup = admin.locator("#linkedin-setup")
    expect(setup).to_have_attribute("data-state", "start")
    expect(admin.get_by_role("heading", name="What will be shared with LinkedIn")
           ).to_be_visible()
    journey.shot(admin, "1 the LinkedIn integration in settings")

    # 2. The plug-in's switch: Activate.
    expect(admin.get_by_role("button", name="Activate")).to_be_enabled()
    journey.shot(admin, "2 the plug-in can be turned on")

    # 3. The data privacy warning, for the last two years, confirmed.
    admin.get_by_label("History to share").select_option("2y")
    acknowledgement = admin.locator(".activate .checkbox")
    expect(acknowledgement).to_contain_text("changed in the last 2 years")
    admin.get_by_role("button", name="Activate").click()
    expect(admin.locator("#acknowledge-error")).to_contain_text("acknowledge")
    journey.shot(admin, "3a the warning must be confirmed")
    admin.get_by_label("I recognize that recruitlink will share").check()
    journey.shot(admin, "3b two years, confirmed")
    admin.get_by_role("button", name="Activate").click()
    expect(admin.locator(".shared-window")).to_contain_text("changed in the last 2 years")

    # 4. LinkedIn's widget: already signed in (same browser), so it asks nothing.
    widget = admin.frame_locator("#onboarding-widget iframe")
    expect(widget.get_by_role("button", name="Approve")).to_be_visible()
    expect(widget.get_by_text("Sign in to LinkedIn")).to_have_count(0)
    journey.shot(admin, "4 signed in to LinkedIn already")

    # 5. Choose the contract (offered with its company).
    contract = widget.get_by_role("radio", name=re.compile(re.escape(CONTRACT)))
    expect(contract).to_have_count(1)
    expect(widget.get_by_label("Organization URN")).to_have_count(0)
    contract.check()
    expect(widget.locator("label.option", has_text=CONTRACT)).to_contain_text(ORGANIZATION)
    journey.shot(admin, "5 the contract chosen")

    # 6-7. Choose the integrations: Recruiter System Connect's.
    types = widget.locator("fieldset.types")
    expect(types).to_contain_text("Integrations to approve")
    for label in ("One-Click Export from Recruiter", "In-ATS indicator in Recruiter",
                  "LinkedIn profile in your system", "Recruiter data: InMails, notes, seats"):
        box = types.get_by_label(re.compile(re.escape(label)))
        box.check()
        expect(box).to_be_checked()
    journey.shot(admin, "7 Recruiter System Connect ticked")

    # 8. Save: the initial synchronisation begins.
    widget.get_by_role("button", name="Approve").click()
    expect(admin.get_by_text("has been activated for")).to_be_visible(timeout=SYNC_MS)
    expect(admin.locator("[data-live=status]")).to_have_text("Active")
    journey.shot(admin, "8 saved: the initial sync begins")

    # 9. Back in settings: activated, the contract active, history two years.
    expect(admin.locator("p.activated")).to_contain_text(CONTRACT)
    row = admin.locator(f"tr[data-contract='{CONTRACT}']")
    expect(row.locator(".contract-status")).to_contain_text("Active")
    expect(admin.get_by_label("History to sync")).to_have_value("2y")
    expect(admin.get_by_text("The sync is running")).to_be_visible()
    journey.shot(admin, "9 the integration in settings, active")

    # 10-12. In Recruiter: Product settings, the contract.
    recruiter.bring_to_front()
    recruiter.get_by_role("link", name="Product settings").click()
    expect(recruiter.get_by_text("Manage integrations")).to_be_visible()
    section = recruiter.locator(f"section[data-contract='{CONTRACT}']")
    expect(section.get_by_role("heading", name=f"Contract {CONTRACT}")).to_be_visible()
    journey.shot(recruiter, "11-12 Recruiter admin settings, the contract")

    # 13-14. Manage integrations: the ATS's integrations on the company.
    company = section.locator("table").first
    expect(section.get_by_role("heading", name=f"Company {ORGANIZATION}")).to_be_visible()
    journey.shot(recruiter, "13-14 the ATS integration's details")

    # 15. Ticked: 1-Click Export, InMail stub profiles, In-ATS indicator and widget.
    for itype in ("ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN"):
        expect(company.locator(f"tr[data-integration='{itype}'] .status")).to_have_text(
            "ENABLED")
    expect(section.locator("tr[data-setting='INMAIL_STUB_PROFILE'] .status")).to_have_text("ON")
    journey.shot(recruiter, "15a all ticked")
    # The indicator is optional: off, only that feature is off; the sync keeps running.
    switch(recruiter, section, "IN_ATS_INDICATOR", "DISABLED")
    journey.shot(recruiter, "15b the optional indicator off")
    admin.bring_to_front()
    indicator = row.locator("li[data-integration='IN_ATS_INDICATOR']")
    expect(indicator).to_contain_text("Only this feature is off", timeout=SYNC_MS)
    expect(admin.locator("[data-live=status]")).to_have_text("Active")
    expect(admin.get_by_text("The sync is running")).to_be_visible()
    journey.shot(admin, "15c only the indicator is off, the sync runs")
    recruiter.bring_to_front()
    switch(recruiter, section, "IN_ATS_INDICATOR", "ENABLED")
    admin.bring_to_front()
    expect(indicator).not_to_contain_text("Only this feature is off", timeout=SYNC_MS)
    journey.shot(admin, "15d all on again")

    # 16. Milestones in Sync logs, each with what it unlocks.
    admin.get_by_role("link", name="Sync logs").first.click()
    milestones = admin.locator("tr.milestone")
    expect(milestones).to_have_count(5)
    expect(milestones).to_have_text([
        re.compile(r"1\. Integration enabled"), re.compile(r"2\. Job sync completed"),
        re.compile(r"3\. Candidate sync completed"),
        re.compile(r"4\. Application sync completed"),
        re.compile(r"5\. Activity sync completed")])
    expect(admin.locator("[data-features=enabled]")).to_contain_text(
        "'Export to ATS' on LinkedIn profiles")
    expect(admin.locator("[data-live='m:enabled:state']")).to_have_text("done")
    journey.shot(admin, "16 five milestones, integration enabled")

    def milestone_done(key: str, unlocks: str, step: str) -> None:
        expect(admin.locator(f"[data-live='m:{key}:state']")).to_have_text(
            "done", timeout=SYNC_MS)
        expect(admin.locator(f"[data-features={key}]")).to_contain_text(unlocks)
        journey.shot(admin, step)

    milestone_done("jobs", "Shortlisting a LinkedIn member to any job", "17 job sync completed")
    milestone_done("candidates", "All candidates visible on LinkedIn profiles",
                   "18a candidate sync completed")
    # A candidate who is a LinkedIn member: Recruiter shows them in the ATS.
    someone = member_candidate(demo)
    recruiter.bring_to_front()
    recruiter.goto(f"{demo.sandbox}/recruiter/")
    recruiter.get_by_label("Search people").fill(f"{someone.first_name} {someone.last_name}")
    recruiter.get_by_role("button", name="Search").click()
    recruiter.get_by_role("link", name=f"{someone.first_name} {someone.last_name}").first.click()
    expect(recruiter.locator("#indicator")).to_have_text("In ATS")
    journey.shot(recruiter, "18b a candidate visible on the LinkedIn profile")
    admin.bring_to_front()
    milestone_done("applications", "All applications (shortlists) visible on LinkedIn profiles",
                   "19 shortlist sync completed")
    milestone_done("activities", "All candidate activities (notes) visible on LinkedIn profiles",
                   "20a activity sync completed")
    expect(admin.locator("[data-live=runState]")).to_have_text(re.compile(r"^\s*complete\s*$"),
                                                                  timeout=SYNC_MS)
    journey.shot(admin, "20b the initial sync complete")
