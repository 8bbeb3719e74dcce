"""Beamery's CRM Connect FAQ (seed 002), walked in the demo's CRM Connect workspace
`demo-crm` (nothing in it needs the RSC workspace), as its company admin, its recruiter (who
holds a Recruiter seat under the same email) and, on LinkedIn's side, Recruiter users in the
sandbox's Recruiter pages (<sandbox>/recruiter/...); what LinkedIn holds is read back with
the sandbox's /sandbox/... helpers.

The seed is a FAQ; its answers are walked in its order, except two asked under Activation:
"turning the integration off, and on again" is walked last, since it deletes what the others
look at, and "after the data sync has begun" during that re-sync (the first sync is over by
the time the demo prints its sign-ins).

Seed step 1 (Activation: "A Beamery user with a recruiter license and admin access on
  LinkedIn can easily enable the CRM Connect integration"; "the initial sync ... dependent on
  the size of your Beamery database") -> the demo activated `demo-crm` as it started; the admin
  opens Integrations -> LinkedIn: CRM Connect active for the contract, its CRM integrations
  enabled, the initial sync complete; Sync logs: the five milestones done, each saying what it
  unlocks in CRM Connect's words (Export to CRM, pipelines). Activating through
  LinkedIn's widget is walked at step 13 (reconnecting is activating again).
Seed step 2 ("Is data flow Push / Pull? ... pushed into LinkedIn ... when CRM Connect is
  turned on") -> a new public vacancy (a project linked to a job) and a contact's changed title,
  headline and location, written through recruitlink's API, reach LinkedIn by themselves.
Seed step 3 ("How is data from a Beamery Contact profile displayed in the LinkedIn profile?
  ... email and phone number are displayed when the user hovers over the 'in Beamery'
  indicator") -> the recruiter opens the member's profile in Recruiter: "In CRM", the contact's
  name and id, "View in CRM"; the email shows on hover.
Seed step 4 ("Can we choose which data fields we want to push ...? No"; confidential contacts
  and the content of emails are never synced) -> Setup lists what is always excluded.
Seed step 5 ("choose a Pipeline ... Public Pools and Public Vacancies. You can search for
  them by name or by the Beamery Vacancy ID") -> the picker lists public pools and the new
  vacancy; searching the vacancy's id selects it.
Seed step 6 ("How is the data in Beamery refreshed? ... manually export the profile ... via
  One Click Export"; "new data is appended to all fields, except for location. Location data
  is overwritten") -> the recruiter exports the member into the vacancy with a note: the
  candidate page shows the contact in the vacancy, the location overwritten, LinkedIn's title
  and headline taken with the values they replaced kept in the activity ("Changed by this
  export"); back in Recruiter the In-CRM tab shows the vacancy by name and the export's
  interaction (type and day; never its content).
Seed step 7 ("Will replies to InMails be tracked in Beamery on the history log? Both inbound
  and outbound InMails will be synced") -> the recruiter InMails the member from Recruiter,
  the member answers from their LinkedIn inbox; the contact's history in recruitlink shows the
  InMail sent and the reply.
Seed step 8 ("profiles with profile settings/permissions set to prohibit profile exports will
  have the Export to CRM button disabled"; "If a LinkedIn profile is set to private, this data
  cannot be synced") -> an opted-out and a private member: the button is greyed out, with why.
Seed step 9 (Confidential Contacts: "not synced with LinkedIn ... users will not see the 'in
  CRM' indicator"; "If a User attempts to export that LinkedIn profile ... they will receive an
  error and the export will fail") -> a contact marked confidential through the API leaves
  LinkedIn (no "In CRM"); the recruiter's export of that member is refused, and "My LinkedIn
  exports" (which names the Export to CRM button) says so and why.
Seed step 10 ("Contacts exported by non-Beamery licensed users will be assigned to a default
  integration user"; "The Creation Source for contacts imported from LinkedIn with CRM Connect
  will be LinkedIn") -> a new Recruiter seat (given through the sandbox's control API: the
  LinkedIn admin's act) held by someone with no recruitlink account exports a member who is no
  contact yet into a pool: a new contact "created via LinkedIn", in the pool, its export logged
  under the default "LinkedIn Integration" user, naming the exporter.
Seed step 11 ("If there are duplicate Beamery Contact profiles ... LinkedIn would display data
  from both") -> a second contact with a member's email: the profile shows both.
Seed step 12 ("If we decide to turn off the integration, what happens to our Beamery data
  that was synced with LinkedIn? ... a request is made to remove all customer data ... and
  LinkedIn performs that action") -> the admin disconnects from Setup (confirm, deletion
  report with "0 still present on LinkedIn"); Sync logs list the deletions as such; read back
  in the sandbox: LinkedIn holds no record of the organization and lists none of its jobs;
  Setup says Disconnected; the member's profile no longer says "In CRM".
Seed step 13 ("once the integration is disconnected, in order to reconnect, you will need to
  perform the initial sync again") -> the admin activates again: what will be shared, the
  history window, the acknowledgement, the contract chosen in LinkedIn's widget; a new
  historical run (another run id) starts from zero, followed live on Sync logs until complete,
  finding the same failed records again; LinkedIn holds the records again, and the profile says
  "In CRM" with its vacancy.
Seed step 14 ("During the data sync, users will be able to access the Export to CRM button")
  -> during that re-sync the recruiter's profile page offers "Export to CRM".

Out of scope (not imitated by the sandbox, or not recruitlink's): the Chrome extension and its
PDF downloads, LinkedIn's quota notification, DPAs and terms, Beamery recipes; not walked here:
the LinkedIn profile widget's live preview (the widget tests walk it) and InMails with a
confidential contact (not retrieved; the sync's tests cover it).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.support.demo import CRM_CONTRACT, CRM_ORGANIZATION, Demo, eventually

WORKSPACE = "demo-crm"
SETUP = f"/t/{WORKSPACE}/integrations/linkedin"
MEMBER_CANDIDATE = "LI0001"  # a demo contact who is a LinkedIn member (the demo's seeding)
CONFIDENTIAL_CANDIDATE = "LI0005"
MEMBER_TWIN = "LI0002"
VACANCY = "V900"
LIVE_MS = 60_000  # what the running sync and LinkedIn's pushes may take on a busy machine


def api(demo: Demo, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
    """recruitlink's API, as Beamery's side of the integration writes to it."""
    r = httpx.request(method, f"{demo.server}/api/v1/{path}", json=body,
                      headers={"Authorization": f"Bearer {demo.api_key(WORKSPACE)}"})
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


def linkedin_holds(demo: Demo) -> dict[str, Any]:
    """What LinkedIn holds for the workspace's organization (the sandbox's read helper)."""
    r = httpx.get(f"{demo.sandbox}/sandbox/organizations/{CRM_ORGANIZATION}/summary")
    assert r.status_code == 200, r.text
    return dict(r.json())


def member_of(demo: Demo, candidate_id: str) -> str:
    """The LinkedIn member the demo's contact was matched to: LinkedIn matches it once the
    contact has synced, which may still be under way when the walk starts."""
    return str(eventually(
        lambda: api(demo, "GET", f"candidates/{candidate_id}", None)["person_urn"],
        LIVE_MS / 1000, f"{candidate_id}'s LinkedIn member"))


def an_open_job(demo: Demo) -> str:
    """An open, non-confidential job of the workspace: the vacancy's job."""
    found = api(demo, "GET", "jobs?limit=100", None)["items"]
    return str(next(j["id"] for j in found if j["status"] == "open" and not j["confidential"]))


def members_refusing_export(demo: Demo) -> tuple[str, str]:
    """An opted-out member and a private one, from the sandbox's directory."""
    found = httpx.get(f"{demo.sandbox}/sandbox/members", params={"count": 200}).json()
    opted_out = next(m["person"] for m in found["elements"] if m["exportBlocked"])
    private = next(m["person"] for m in found["elements"]
                   if m["privateProfile"] and not m["exportBlocked"])
    return opted_out, private


def new_seat_and_member(demo: Demo) -> tuple[dict[str, Any], dict[str, Any]]:
    """A Recruiter seat for someone with no recruitlink account (the sandbox's control API:
    a LinkedIn admin assigning a license), and a member who is no contact yet."""
    found = httpx.get(f"{demo.sandbox}/sandbox/members",
                      params={"start": 150, "count": 20}).json()["elements"]
    free = [m for m in found if not m["exportBlocked"] and not m["privateProfile"]]
    holder, member = free[0], free[1]
    r = httpx.post(f"{demo.sandbox}/sandbox/contracts/{CRM_CONTRACT}/seats",
                   json={"person": holder["person"], "organization": CRM_ORGANIZATION})
    assert r.status_code == 200, r.text
    return holder, member


def recruiter_sign_in(page: Page, demo: Demo, email: str, path: str) -> None:
    """Sign in to the sandbox's LinkedIn Recruiter as the seat held under `email`."""
    page.goto(f"{demo.sandbox}/recruiter/login?next={path}")
    page.locator("tr", has_text=email).get_by_role("button").click()
    expect(page).to_have_url(re.compile(re.escape(path)))


def shown_after_reload(page: Page, locator: Locator) -> int:
    """How many of `locator` the page shows once reloaded (what a person does to see news)."""
    page.reload()
    return locator.count()


def profile_says_in_crm(page: Page, wanted: bool) -> bool:
    page.reload()
    return (page.locator("#indicator", has_text="In CRM").count() > 0) == wanted


def shown_run(page: Page) -> str:
    """The id of the historical run Sync logs shows."""
    run = page.locator("#sync-progress").get_attribute("data-run") or ""
    return run.split(":")[0]


def test_beamery_crm_connect_faq(journey, demo):
    admin_email = demo.sign_ins(WORKSPACE)["company admin"][0]
    recruiter_email = demo.sign_ins(WORKSPACE)["recruiter"][0]
    person = member_of(demo, MEMBER_CANDIDATE)

    # 1. Activation: CRM Connect is active for the contract; the initial sync is complete.
    admin = journey.person()
    journey.sign_in(admin, "company admin", WORKSPACE)
    admin.get_by_role("link", name="Integrations → LinkedIn").click()
    setup = admin.locator("#linkedin-setup")
    expect(setup.get_by_role("heading", name="LinkedIn CRM Connect")).to_be_visible()
    expect(admin.locator("[data-live=status]")).to_have_text("Active")
    row = admin.locator(f"tr[data-contract='{CRM_CONTRACT}']")
    expect(row).to_have_attribute("data-contract-status", "ENABLED")
    for itype in ("CRM_ONE_CLICK_EXPORT", "IN_CRM_INDICATOR"):
        expect(row.locator(f"[data-integration='{itype}']")).to_have_attribute(
            "data-integration-status", "ENABLED")
    expect(admin.locator("[data-live=runState]")).to_have_text(re.compile(r"complete"))
    journey.shot(admin, "active, initial sync complete")
    admin.get_by_role("link", name="Sync logs").first.click()
    expect(admin.locator("tr.milestone")).to_have_count(5)
    for state in admin.locator("tr.milestone [data-live$=':state']").all():
        expect(state).to_have_text("done")
    # What each milestone unlocks, in CRM Connect's words: pipelines, not jobs.
    unlocks = admin.locator("tr.features")
    expect(unlocks.filter(has_text="'Export to CRM' on LinkedIn profiles")).to_have_count(1)
    expect(unlocks.filter(has_text="into any pipeline (project) shared with all recruiters")
           ).to_have_count(1)
    expect(unlocks.filter(has_text=re.compile("ATS|Shortlisting"))).to_have_count(0)
    first_run = shown_run(admin)
    failed = admin.locator("[data-live=failedRecords]").inner_text()
    journey.shot(admin, "sync logs, five milestones done")

    # 2. Beamery pushes to LinkedIn while CRM Connect is on: a new public vacancy, and a
    #    contact's changes, reach LinkedIn by themselves.
    before = linkedin_holds(demo)["records"]
    api(demo, "PUT", f"projects/{VACANCY}", {
        "title": "Lead UX Designer - Berlin", "shared_with_all": True,
        "job_ids": [an_open_job(demo)]})
    api(demo, "PATCH", f"candidates/{MEMBER_CANDIDATE}", {
        "current_title": "Staff Engineer", "headline": "Builds compilers",
        "location": "Lisbon, Portugal"})
    eventually(lambda: linkedin_holds(demo)["records"]["tcrmPipelines"]
               == before["tcrmPipelines"] + 1, LIVE_MS / 1000, "the vacancy on LinkedIn")

    # 3. In Recruiter, the member's profile says "In CRM"; contact details on hover.
    recruiter = journey.person()
    recruiter_sign_in(recruiter, demo, recruiter_email, f"/recruiter/profile/{person}")
    expect(recruiter.locator("#indicator")).to_have_text("In CRM")
    tab = recruiter.locator("#ats-tab")
    expect(tab).to_contain_text(f"Candidate {MEMBER_CANDIDATE}")
    expect(tab.get_by_role("link", name="View in CRM")).to_be_visible()
    expect(recruiter.locator("#contact")).to_be_hidden()
    recruiter.locator(".reveal").hover()
    expect(recruiter.locator("#contact")).to_contain_text("@")
    journey.shot(recruiter, "recruiter profile in CRM, contact on hover")

    # 4. What is never pushed, on Setup.
    admin.goto(f"{demo.server}{SETUP}")
    excluded = admin.get_by_text("Always excluded:")
    expect(excluded).to_contain_text("Confidential candidates")
    expect(excluded).to_contain_text("The content of interactions")

    # 5. The picker: public pools and the public vacancy, searchable by id.
    export = recruiter.locator("#export")
    expect(export.get_by_role("heading", name="Export to CRM")).to_be_visible()
    options = recruiter.locator("#target option")
    expect(options.filter(has_text=f"Vacancy: Lead UX Designer - Berlin ({VACANCY})")
           ).to_have_count(1)
    assert options.filter(has_text="Pool:").count() >= 1
    recruiter.get_by_label("Find a pool or vacancy by name or id").fill(VACANCY)
    recruiter.get_by_role("button", name="Search").click()
    expect(recruiter.locator("#target-count")).to_have_text("1 match")
    expect(recruiter.locator("#target")).to_have_value(f"PIPELINE:{VACANCY}")
    journey.shot(recruiter, "pipeline picker, vacancy found by id")

    # 6. One-Click Export into the vacancy: location overwritten, the rest kept in history.
    export.get_by_label("Note", exact=True).fill("Met at a design meetup")
    recruiter.get_by_role("button", name="Export to CRM").click()
    expect(recruiter.get_by_role("status")).to_contain_text(
        f"Sent to your CRM into Lead UX Designer - Berlin (pipeline {VACANCY})")
    journey.shot(recruiter, "exported into the vacancy")
    candidate_page = f"{demo.server}/t/{WORKSPACE}/candidates/{MEMBER_CANDIDATE}"
    eventually(lambda: admin.goto(candidate_page) and admin.get_by_text(
        "Changed by this export").count() > 0, LIVE_MS / 1000, "the export on the candidate")
    expect(admin.get_by_role("link", name="Lead UX Designer - Berlin")).to_be_visible()
    changes = admin.locator("#timeline li", has_text="Changed by this export")
    expect(changes).to_contain_text("Met at a design meetup")
    expect(changes).to_contain_text(re.compile(r"[a-z]\s·\sLead UX Designer - Berlin"))
    expect(changes).to_contain_text("(was 'Lisbon, Portugal')")
    expect(changes).to_contain_text("(was 'Staff Engineer')")
    journey.shot(admin, "candidate page, what the export changed")
    # Back in Recruiter: the contact in the vacancy, by its name, and the export's
    # interaction (its type and time; never its content).
    vacancy = tab.locator(".pipeline", has_text="Vacancy: Lead UX Designer - Berlin")
    interaction = tab.locator(".interaction", has_text="Other")
    eventually(lambda: shown_after_reload(recruiter, vacancy) and interaction.count(),
               LIVE_MS / 1000, "the vacancy and the interaction on the LinkedIn profile")
    expect(tab).not_to_contain_text("Met at a design meetup")
    expect(tab.get_by_role("heading", name="Applications")).to_have_count(0)
    journey.shot(recruiter, "recruiter profile, the contact in the vacancy")

    # 7. InMails both ways are tracked on the contact's history.
    recruiter.goto(f"{demo.sandbox}/recruiter/profile/{person}")
    inmail = recruiter.locator("#inmail")
    inmail.get_by_label("Subject").fill("A design lead role")
    inmail.get_by_label("Message").fill("Would you like to hear about it?")
    inmail.get_by_role("button", name="Send InMail").click()
    expect(recruiter.get_by_role("status")).to_have_text("InMail sent")
    member_page = journey.person()
    member_page.goto(f"{demo.sandbox}/recruiter/login?next=/recruiter/inbox")
    member_page.get_by_label("Person URN").fill(person)
    member_page.get_by_role("button", name="Sign in", exact=True).click()
    thread = member_page.locator(".thread", has_text="A design lead role")
    thread.get_by_label("Reply").fill("Happy to talk next week")
    thread.get_by_role("button", name="Send reply").click()
    expect(member_page.get_by_role("status")).to_have_text("Reply sent")
    journey.shot(member_page, "the member replies to the InMail")
    history = admin.locator("#timeline")
    eventually(lambda: admin.goto(candidate_page) and history.get_by_text(
        "Happy to talk next week").count() > 0, LIVE_MS / 1000, "the InMails on the contact")
    expect(history.locator("li", has_text="InMail reply")).to_contain_text(
        "Happy to talk next week")
    expect(history.locator("li", has_text="InMail sent")).to_contain_text("A design lead role")
    expect(history.locator("li", has_text="InMail sent")).to_contain_text(
        re.compile(r"[a-z] from LinkedIn Recruiter"))  # the badge apart from the name
    journey.shot(admin, "candidate history, both InMails")

    # 8. Members who do not allow exports, and private profiles: Export is greyed out.
    for member, why in zip(members_refusing_export(demo), ("does not allow", "private"),
                           strict=True):
        recruiter.goto(f"{demo.sandbox}/recruiter/profile/{member}")
        expect(recruiter.get_by_role("button", name="Export to CRM")).to_be_disabled()
        expect(recruiter.locator("#export-refused")).to_contain_text(why)
    journey.shot(recruiter, "export greyed out for a private profile")

    # 9. A confidential contact: deleted from LinkedIn by the sync, no "In CRM" on the
    #    profile; exporting the member fails, and the recruiter is told why.
    hidden = member_of(demo, CONFIDENTIAL_CANDIDATE)
    recruiter.goto(f"{demo.sandbox}/recruiter/profile/{hidden}")
    expect(recruiter.locator("#indicator")).to_have_text("In CRM")
    api(demo, "PATCH", f"candidates/{CONFIDENTIAL_CANDIDATE}", {"confidential": True})
    eventually(lambda: profile_says_in_crm(recruiter, False), LIVE_MS / 1000,
               "the confidential contact gone from LinkedIn")
    recruiter.get_by_role("button", name="Export to CRM").click()
    expect(recruiter.get_by_role("status")).to_contain_text("Sent to your CRM")
    journey.shot(recruiter, "confidential contact, no In CRM, export sent")
    mine = journey.person()
    journey.sign_in(mine, "recruiter", WORKSPACE)
    mine.get_by_role("link", name="My LinkedIn exports").click()
    expect(mine.locator("main")).to_contain_text("with Export to CRM")
    refused = mine.locator("tr[data-event]", has_text=hidden)
    eventually(lambda: shown_after_reload(mine, refused.filter(has_text="confidential")) > 0,
               LIVE_MS / 1000, "the refused export on My LinkedIn exports")
    expect(mine.locator("tr[data-event]", has_text=person)).to_contain_text(
        "Lead UX Designer - Berlin")  # by its name, as chosen in Recruiter
    journey.shot(mine, "my exports, the refusal and its reason")

    # 10. A Recruiter user without a recruitlink account exports a member who is not a
    #     contact yet: a new contact, created via LinkedIn, owned by the default integration
    #     user (recruitlink's "LinkedIn" user), into the pool chosen.
    newcomer, member = new_seat_and_member(demo)
    outsider = journey.person()
    outsider.goto(f"{demo.sandbox}/recruiter/login?next=/recruiter/profile/{member['person']}")
    outsider.get_by_role("button", name=f"Sign in as {newcomer['firstName']}").click()
    pool = outsider.locator("#target option", has_text="Pool:").first.get_attribute("value")
    outsider.get_by_label("Pipeline").select_option(pool)
    outsider.get_by_role("button", name="Export to CRM").click()
    expect(outsider.get_by_role("status")).to_contain_text("Sent to your CRM into")
    created = admin.locator("main")
    name = f"{member['firstName']} {member['lastName']}"
    contact = admin.get_by_role("link", name=name)
    eventually(lambda: admin.goto(f"{demo.server}/t/{WORKSPACE}/candidates?q={name}")
               and contact.count() > 0, LIVE_MS / 1000, "the new contact")
    contact.first.click()
    expect(created).to_contain_text("created via LinkedIn")
    export_entry = admin.locator("#timeline li", has_text="Exported from LinkedIn Recruiter")
    expect(export_entry).to_contain_text(
        f"by {newcomer['firstName']} {newcomer['lastName']}")
    expect(export_entry).to_contain_text("LinkedIn Integration")  # the default user
    journey.shot(admin, "contact created by a Recruiter user without an account")

    # 11. Duplicate contacts of one member: LinkedIn shows both.
    twin = dict(api(demo, "GET", f"candidates/{MEMBER_TWIN}", None))
    api(demo, "PUT", "candidates/DUP0002", {
        "first_name": twin["first_name"], "last_name": twin["last_name"],
        "emails": twin["emails"]})
    recruiter.goto(f"{demo.sandbox}/recruiter/profile/{twin['person_urn']}")
    eventually(lambda: shown_after_reload(recruiter, recruiter.locator(
        "#ats-tab h3", has_text="In CRM")) == 2, LIVE_MS / 1000, "both contacts")
    expect(recruiter.locator("#ats-tab")).to_contain_text("Candidate DUP0002")
    expect(recruiter.locator("#profile .badge")).to_have_text(["In CRM"])  # one badge
    journey.shot(recruiter, "two contacts of one member, both shown")

    # 12. Disconnect from Setup: LinkedIn deletes what was synced; the pages say so.
    admin.goto(f"{demo.server}{SETUP}")
    admin.get_by_role("link", name="Disconnect…").click()
    admin.get_by_label("I understand that").check()
    journey.shot(admin, "disconnect confirm")
    admin.get_by_role("button", name="Disconnect and delete").click()
    admin.locator("#deletion-report [data-state=done]").wait_for(timeout=LIVE_MS * 2)
    expect(admin.locator(".verified")).to_contain_text("0 still present on LinkedIn")
    journey.shot(admin, "deletion report")
    # Sync logs list the deletions as such, not as the continuous sync's changes.
    admin.get_by_role("link", name="Sync logs").first.click()
    deletions = admin.locator("tr[data-batch]", has_text="deleted from LinkedIn")
    expect(deletions.first).to_be_visible()
    journey.shot(admin, "sync logs, the deletions")
    held = linkedin_holds(demo)
    assert not any(held["records"].values()), held
    assert held["jobs"].get("LISTED", 0) == 0, held
    admin.goto(f"{demo.server}{SETUP}")
    expect(admin.locator("[data-live=status]")).to_have_text("Disconnected")
    expect(admin.get_by_text("This workspace was disconnected from LinkedIn")).to_be_visible()
    journey.shot(admin, "setup says disconnected")
    recruiter.goto(f"{demo.sandbox}/recruiter/profile/{person}")
    expect(recruiter.locator("#indicator")).to_have_count(0)
    journey.shot(recruiter, "profile no longer in CRM")

    # 13. Reconnect: activate again, through LinkedIn's widget; a new full historical run.
    expect(admin.get_by_role("heading", name="What will be shared with LinkedIn")
           ).to_be_visible()
    admin.get_by_label("History to share").select_option("all")
    admin.get_by_label("I recognize that recruitlink will share").check()
    journey.shot(admin, "reconnect, acknowledge what is shared")
    admin.get_by_role("button", name="Activate").click()
    # Not "Activated" beside "Status: Disconnected": LinkedIn's approval is still to come.
    expect(admin.locator(".flash")).to_contain_text("active once LinkedIn has approved it")
    widget = admin.frame_locator("#onboarding-widget iframe")
    approve = widget.get_by_role("button", name="Approve")
    signin = widget.get_by_text("Sign in as a Recruiter seat holder")
    expect(approve.or_(signin)).to_be_visible()
    if signin.is_visible():
        widget.locator("label", has_text=admin_email).locator("input").check()
        widget.get_by_role("button", name="Sign in").click()
    widget.locator(f"input[name=customer][value='{CRM_CONTRACT} {CRM_ORGANIZATION}']").check()
    journey.shot(admin, "reconnect, LinkedIn widget")
    approve.click()
    expect(admin.locator("[data-live=status]")).to_have_text("Active", timeout=LIVE_MS)
    admin.get_by_role("link", name="Sync logs").first.click()
    # A run, and not the first one (the page reloads by itself when the new run appears).
    expect(admin.locator("#sync-progress")).to_have_attribute(
        "data-run", re.compile(rf"^(?!{first_run}:)\d+:"), timeout=LIVE_MS)
    journey.shot(admin, "re-sync running, milestones from zero")

    # 14. During the re-sync, Export to CRM is there already.
    recruiter.goto(f"{demo.sandbox}/recruiter/profile/{person}")
    expect(recruiter.get_by_role("button", name="Export to CRM")).to_be_enabled()
    admin.locator("[data-live=runState]", has_text=re.compile(r"^\s*complete\s*$")).wait_for(
        timeout=LIVE_MS * 2)
    for state in admin.locator("tr.milestone [data-live$=':state']").all():
        expect(state).to_have_text("done")
    expect(admin.locator("[data-live=failedRecords]")).to_have_text(failed)  # found again
    journey.shot(admin, "re-sync complete")
    eventually(lambda: profile_says_in_crm(recruiter, True), LIVE_MS / 1000,
               "the contact on LinkedIn again")
    expect(vacancy).to_be_visible()
    held = linkedin_holds(demo)["records"]
    assert held["atsCandidates"] and held["tcrmPipelines"] and held["tcrmInteractions"], held
    journey.shot(recruiter, "profile in CRM again")
