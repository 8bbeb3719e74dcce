"""Comeet's seed page ("Recruit", RSC; /work/shared/seeds/003), walked in the browser against
`recruitlink demo` on free ports, workspace `demo`, by its company admin and its recruiter
(Oluwaseun, whose Recruiter seat the demo holds under his email), on recruitlink's pages
and the sandbox's LinkedIn Recruiter pages (his browser: LinkedIn in one tab, recruitlink
in another). The member replies from LinkedIn's inbox page; the ATS's own actions (adding a
candidate, moving a hiring process on) go through recruitlink's data API, as an ATS's
screens would.

The page's note, "Only candidates who were exported manually from LinkedIn or applied using
  the Apply with LinkedIn button are updated" -> exports are walked below; Apply with
  LinkedIn is out of scope (the sandbox imitates no Apply Connect).
Seed step 1, "An Admin role must first configure RSC in Recruit" -> the admin's Setup page
  says Active, the contract syncs, the sync runs.
Seed step 2, "After connecting your personal LinkedIn Recruiter account" -> the admin's
  Members page: the recruiter's seat is mapped to the recruiter.
Seed step 3, "Find the relevant candidate on LinkedIn Recruiter" -> the recruiter signs in to
  Recruiter, searches the member by name and opens the profile.
Seed step 4, "Export to ATS ... start typing the Public Job Name to find and select the
  position" -> he types part of the job's name: the picker offers that open job.
Seed step 5, "You can only select positions you have permission to view" -> walked in
  `test_comeet_only_positions_you_may_view` (the ACL mode, set on Setup).
Seed step 6, "The Workplace type dropdown is currently not supported" -> out of scope: the
  sandbox imitates no Workplace type dropdown.
Seed step 7, "Click Export" -> Recruiter says the export was sent into that job.
Seed step 8, "the candidate will be created in Recruit for the selected position" -> in
  recruitlink, "My LinkedIn exports" lists it as created; the candidate page shows the
  hiring process for that position, at its first stage.
Seed step 9, "If the integration is set up to sync InMail and notes, these data will also
  appear" -> he InMails the member and writes a note in Recruiter: both appear in the
  candidate's activity, marked from LinkedIn Recruiter.
Seed step 10, "The candidate's name and LinkedIn profile URL are exported. Contact details
  (email and phone) are not" -> the candidate page shows name and URL, no email, no phone.
Seed step 11, "Candidate source ... '[user name] (LinkedIn Recruiter)', 'Active search'" ->
  the candidate's source, with the recruiter's source contact.
Seed step 12, "Tags: Imported: LinkedIn Recruiter ... can then be used to search for
  candidates imported from LinkedIn" -> the tag on the candidate page; it links to the
  Candidates search for it, and typing it in the search finds him.
Seed step 13, "If a candidate applies to multiple positions, a separate hiring process for
  each" -> exported again into a second job: a second hiring process on the same candidate.
Seed step 14, "view the candidates' updated LinkedIn profiles directly in Recruit by
  selecting the LinkedIn tab" -> the candidate page's LinkedIn widget shows the member
  (he is signed in to Recruiter in the same browser: the widget asks nothing).
Seed step 15, "If the candidate is already under consideration for that position, the
  export action will fail" -> exported into the first job again: Recruiter only says "sent";
  the recruiter sees the refusal and its reason on "My LinkedIn exports", on the
  candidate's page and on Candidates.
Seed step 16, "A Possible duplicate alert ... same candidate already exists in Recruit but
  was not exported" -> the ATS holds a candidate of the same name and company (added through
  recruitlink's data API, as the ATS's own screens would); exporting that member shows the
  alert on the new candidate's page, sourced like the first ("If a matching source contact
  is found, Recruit associates the new candidate with this source contact").
Seed step 17, "click the ATS indicator ... summary of hiring statuses, position name,
  current step, all steps completed" -> after the ATS moves the hiring process on (data API:
  no stage page in recruitlink), the member's Recruiter profile shows "In ATS", both
  positions, the current stage and the past ones.
Seed step 18, "When a candidate chooses to share their contact information ... profile in
  Recruit is automatically updated: LinkedIn profile URL, Email, Phone" -> the member replies
  to the InMail sharing contact info (LinkedIn's inbox page): the candidate page shows the
  email and the phone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from playwright.sync_api import Page, expect
from sqlalchemy import select

from recruitlink.store import schema
from tests.e2e.journeys.recruiter_side import (
    exportable_members,
    flash,
    open_profile,
    reload_until,
    sign_in_as_member,
    sign_in_to_recruiter,
)
from tests.support.demo import Demo

WORKSPACE = "demo"
EXPORT_TAG = "Imported: LinkedIn Recruiter"


def read(demo: Demo, query: Callable[[Any], Any]) -> Any:
    """Walk data from the demo's store (which jobs and users exist), never an assertion."""
    db = demo.db()
    try:
        with db.read() as conn:
            return query(conn)
    finally:
        db.dispose()


def open_jobs(demo: Demo) -> list[Any]:
    """The workspace's open, non-confidential jobs."""
    def query(conn: Any) -> list[Any]:
        tenant = conn.execute(select(schema.tenants.c.id).where(
            schema.tenants.c.slug == WORKSPACE)).scalar_one()
        return list(conn.execute(select(
            schema.jobs.c.id, schema.jobs.c.external_id, schema.jobs.c.title,
            schema.jobs.c.viewer_ids).where(
            schema.jobs.c.tenant_id == tenant, schema.jobs.c.status == "open",
            schema.jobs.c.confidential.is_(False)).order_by(schema.jobs.c.external_id)))
    return list(read(demo, query))


def user_named(demo: Demo, email: str) -> Any:
    return read(demo, lambda conn: conn.execute(select(
        schema.users.c.id, schema.users.c.name).where(schema.users.c.email == email)).one())


def pick_job(page: Page, job: Any) -> None:
    """Start typing the job's public name in the Export window's search, pick the match."""
    page.get_by_label("Find a job by name or id").fill(job.title.split()[-1])
    page.get_by_role("button", name="Search").click()
    picker = page.get_by_label("Job", exact=True)
    expect(picker.locator("option", has_text=f"({job.external_id})")).to_have_count(1)
    picker.select_option(f"JOB:{job.external_id}")


def export_into(page: Page, job: Any) -> None:
    pick_job(page, job)
    page.get_by_role("button", name="Export to ATS").click()
    expect(flash(page)).to_contain_text(f"into {job.title} (job {job.external_id})")


def api(demo: Demo) -> httpx.Client:
    return httpx.Client(base_url=f"{demo.server}/api/v1", timeout=30, headers={
        "Authorization": f"Bearer {demo.api_key(WORKSPACE)}"})


def test_comeet(journey) -> None:
    demo: Demo = journey.demo
    recruiter_email = demo.sign_ins(WORKSPACE)["recruiter"][0]
    recruiter_user = user_named(demo, recruiter_email)
    first_job, second_job = open_jobs(demo)[:2]
    member, twin = exportable_members(demo, start=300)[:2]

    # 1. The admin: RSC is configured and active.
    admin = journey.person()
    journey.sign_in(admin, "company admin", WORKSPACE)
    admin.get_by_role("link", name=re.compile("Integrations")).first.click()
    expect(admin.locator("[data-live=status]")).to_have_text("Active")
    expect(admin.get_by_text("The sync is running")).to_be_visible()
    expect(admin.locator("tr[data-contract] .contract-status")).to_contain_text("Active")
    journey.shot(admin, "admin: RSC configured and active")

    # 2. Members: the recruiter's personal Recruiter seat is his.
    admin.get_by_role("link", name="Members", exact=True).last.click()
    seat_row = admin.locator("tr[data-seat]", has_text=recruiter_email)
    # LinkedIn knows him by his name too: the seat holder is him, not a stranger.
    expect(seat_row.locator("td").first).to_have_text(recruiter_user.name)
    expect(seat_row).to_contain_text(recruiter_user.name)
    expect(seat_row.locator(".mapping")).to_have_text("auto")
    journey.shot(admin, "admin: the recruiter's seat is mapped to him")

    # 3. The recruiter finds the member in LinkedIn Recruiter.
    linkedin = journey.person()
    sign_in_to_recruiter(linkedin, demo, recruiter_email)
    expect(linkedin.locator("header .who")).to_contain_text(recruiter_user.name)
    open_profile(linkedin, member)
    journey.shot(linkedin, "recruiter: the member's profile in Recruiter")

    # 4. Export to ATS: typing part of the position's name finds it.
    pick_job(linkedin, first_job)
    expect(linkedin.get_by_label("Job", exact=True)).to_have_value(
        f"JOB:{first_job.external_id}")
    journey.shot(linkedin, "recruiter: the position found by its name")

    # 7. Export.
    linkedin.get_by_role("button", name="Export to ATS").click()
    expect(flash(linkedin)).to_contain_text(
        f"Sent to your ATS into {first_job.title} (job {first_job.external_id})")
    journey.shot(linkedin, "recruiter: exported")

    # 8. In recruitlink the candidate exists, in the selected position.
    ats = linkedin.context.new_page()  # his browser: LinkedIn in one tab, recruitlink in another
    journey.sign_in(ats, "recruiter", WORKSPACE)
    ats.get_by_role("link", name="My LinkedIn exports").click()
    row = reload_until(ats, lambda: ats.locator(
        "tr[data-event]", has_text=member["lastName"]).filter(has_text="Candidate created"),
        what="the export, created")
    # The position by its name, as he chose it (not only its id).
    expect(row).to_contain_text(f"{first_job.title} (job {first_job.external_id})")
    journey.shot(ats, "recruiter: my exports, created")
    row.get_by_role("link", name=re.compile(member["lastName"])).click()
    expect(ats.locator("#candidate-name")).to_contain_text(
        f"{member['firstName']} {member['lastName']}")
    process = ats.locator(".application", has_text=first_job.title)
    expect(process.locator(".stage")).to_have_text("Applied")
    expect(process).to_contain_text("active")
    # The export in the activity says what happened, not "Other".
    exported = ats.locator("#timeline li", has_text="Exported from LinkedIn Recruiter")
    expect(exported.locator("b").first).to_have_text(
        f"Exported from LinkedIn Recruiter by {recruiter_user.name}")
    candidate_url = ats.url
    journey.shot(ats, "recruiter: the candidate in the selected position")

    # 9. InMail and a note written in Recruiter reach the candidate's activity.
    linkedin.get_by_label("Subject").fill("Your next role")
    linkedin.get_by_label("Message").fill("Would you like to talk about the position?")
    linkedin.get_by_role("button", name="Send InMail").click()
    expect(flash(linkedin)).to_have_text("InMail sent")
    linkedin.get_by_label("New note").fill("Strong fit: call back on Monday")
    linkedin.get_by_role("button", name="Save note").click()
    expect(flash(linkedin)).to_have_text("Note saved")
    journey.shot(linkedin, "recruiter: InMail sent and note saved in Recruiter")
    timeline = ats.locator("#timeline")
    reload_until(ats, lambda: timeline.get_by_text("Would you like to talk about the position?"),
                 what="the InMail on the candidate page")
    reload_until(ats, lambda: timeline.get_by_text("Strong fit: call back on Monday"),
                 what="the note on the candidate page")
    # Who wrote it, then where it came from (words apart, not "Thomasfrom").
    expect(timeline.locator("li", has_text="Your next role")).to_contain_text(
        f"InMail sent by {recruiter_user.name} from LinkedIn Recruiter")
    expect(timeline.locator("li", has_text="Strong fit")).to_contain_text(
        f"Note by {recruiter_user.name} from LinkedIn Recruiter")
    journey.shot(ats, "recruiter: InMail and note in the candidate's activity")

    # 10. Name and LinkedIn URL exported; no email, no phone.
    details = ats.locator("#details")
    expect(details).to_contain_text(member["publicProfileUrl"])
    expect(details.locator("dt:text-is('Email addresses') + dd")).to_have_text("—")
    expect(details.locator("dt:text-is('Phone numbers') + dd")).to_have_text("—")
    journey.shot(ats, "recruiter: name and LinkedIn URL, no contact details")

    # 11. Source: "[user name] (LinkedIn Recruiter)", Active search, his source contact.
    source = details.locator("dt:text-is('Source') + dd")
    expect(source).to_contain_text(f"{recruiter_user.name} (LinkedIn Recruiter)")
    expect(source).to_contain_text("Active search")
    journey.shot(ats, "recruiter: the source names him")

    # 12. Tag, "used to search for candidates imported from LinkedIn": the tag is a link to
    # the Candidates search for it, and typing it in the search finds him too.
    expect(details.locator("dt:text-is('Tags') + dd")).to_contain_text(EXPORT_TAG)
    journey.shot(ats, "recruiter: tagged Imported LinkedIn Recruiter")
    details.get_by_role("link", name=EXPORT_TAG).click()
    found = ats.locator("#candidates tr[data-candidate]")
    expect(found.filter(has_text=member["lastName"])).to_have_count(1)
    expect(ats.get_by_role("searchbox")).to_have_value(EXPORT_TAG)
    journey.shot(ats, "recruiter: candidates imported from LinkedIn, by their tag")
    ats.get_by_role("searchbox").fill("Imported: LinkedIn")
    ats.get_by_role("button", name="Search").click()
    expect(found.filter(has_text=member["lastName"])).to_have_count(1)
    ats.goto(candidate_url)

    # 13. A second position: a second hiring process on the same candidate.
    export_into(linkedin, second_job)
    reload_until(ats, lambda: ats.locator(".application", has_text=second_job.title),
                 what="the second hiring process")
    expect(ats.locator(".application")).to_have_count(2)
    journey.shot(ats, "recruiter: a hiring process per position")

    # 14. The LinkedIn tab: the member's profile in the widget.
    # Signed in to LinkedIn Recruiter in this browser, he is not asked to sign in again.
    widget = ats.frame_locator("#linkedin iframe")
    expect(widget.get_by_text(f"Signed in as {recruiter_user.name}")).to_be_visible()
    expect(widget.get_by_role("link", name=f"{member['firstName']} {member['lastName']}")
           ).to_be_visible()
    expect(widget.get_by_text(member["headline"]).first).to_be_visible()
    journey.shot(ats, "recruiter: the LinkedIn profile on the candidate page")

    # 15. The same position again: refused, and he is told why.
    export_into(linkedin, first_job)
    expect(flash(linkedin)).to_contain_text("Sent to your ATS")
    journey.shot(linkedin, "recruiter: Recruiter only says sent")
    ats.goto(f"{demo.server}/t/{WORKSPACE}/linkedin-exports")
    refused = reload_until(ats, lambda: ats.locator("tr[data-event]").filter(
        has_text="Refused"), what="the refused export")
    expect(refused).to_contain_text(
        f"already in process for {first_job.title} (job {first_job.external_id})")
    journey.shot(ats, "recruiter: my exports, refused with the reason")
    # From there to the candidate: his page says the export was not taken, and why.
    refused.get_by_role("link", name=re.compile(member["lastName"])).click()
    not_taken = ats.locator("#refused-candidate-exports .refused-export")
    expect(not_taken).to_have_count(1)
    expect(not_taken).to_contain_text(
        f"from {recruiter_user.name} into {first_job.title} (job {first_job.external_id}): "
        f"already in process for {first_job.title} (job {first_job.external_id})")
    journey.shot(ats, "recruiter: the candidate page says the export was not taken")
    ats.get_by_role("link", name="Candidates", exact=True).first.click()
    expect(ats.locator("#refused-exports")).to_contain_text(
        "1 of your LinkedIn exports was not taken")
    journey.shot(ats, "recruiter: the refusal on Candidates")

    # 16. A possible duplicate: the ATS already holds someone of the same name and company.
    with api(demo) as client:
        r = client.post("/candidates", json={
            "id": "ATS-TWIN", "first_name": twin["firstName"], "last_name": twin["lastName"],
            "current_company": twin["currentCompanyName"],
            "emails": [f"{twin['firstName'].lower()}@elsewhere.example"]})
        assert r.status_code == 201, r.text
    linkedin.goto(f"{demo.sandbox}/recruiter/")
    open_profile(linkedin, twin)
    export_into(linkedin, first_job)
    ats.goto(f"{demo.server}/t/{WORKSPACE}/linkedin-exports")
    reload_until(ats, lambda: ats.locator("tr[data-event]", has_text=twin["lastName"]).filter(
        has_text="Candidate created"), what="the twin's export").get_by_role(
        "link", name=re.compile(twin["lastName"])).click()
    alert = ats.locator("#duplicates li", has_text=twin["lastName"])
    expect(alert).to_contain_text("possible duplicate: same name and current company")
    # His source contact exists now: the new candidate joins the same source (seed step 11).
    expect(ats.locator("#details dt:text-is('Source') + dd")).to_contain_text(
        f"{recruiter_user.name} (LinkedIn Recruiter)")
    journey.shot(ats, "recruiter: possible duplicate alert")

    # 17. The ATS moves the first hiring process on; the ATS indicator shows it all.
    ats.goto(candidate_url)
    application = ats.locator(".application", has_text=first_job.title).get_attribute(
        "data-application")
    with api(demo) as client:
        r = client.patch(f"/applications/{application}", json={"current_stage": "Screen"})
        assert r.status_code == 200, r.text
        r = client.post("/stage-transitions", json={
            "application_id": application, "stage": "Screen",
            "entered_at": datetime.now(UTC).isoformat(timespec="seconds")})
        assert r.status_code == 201, r.text
    linkedin.goto(f"{demo.sandbox}/recruiter/profile/{member['person']}")
    moved = reload_until(linkedin, lambda: linkedin.locator(
        f".application[data-job='{first_job.external_id}']").filter(
        has=linkedin.locator(".current-stage", has_text="Screen")),
        what="the new stage on the ATS indicator")
    expect(linkedin.locator("#indicator")).to_have_text("In ATS")
    expect(moved).to_contain_text(first_job.title)
    expect(moved).to_contain_text("Past stages: Applied")
    expect(linkedin.locator(f".application[data-job='{second_job.external_id}']")
           ).to_contain_text("current stage: Applied")
    journey.shot(linkedin, "recruiter: the ATS indicator's hiring processes")

    # 18. The member shares their contact info in a reply: the candidate page has it.
    member_page = journey.person()
    sign_in_as_member(member_page, demo, member["person"])
    thread = member_page.locator(".thread", has_text="Your next role")
    thread.get_by_label("Reply").fill("Happy to talk, here are my details")
    thread.get_by_label("Share my contact info").check()
    thread.get_by_role("button", name="Send reply").click()
    expect(flash(member_page)).to_have_text("Reply sent")
    journey.shot(member_page, "member: replies sharing contact info")
    ats.goto(candidate_url)
    email = member["emailAddresses"][0]
    reload_until(ats, lambda: details.get_by_role("link", name=email),
                 what="the shared email on the candidate page")
    expect(details.locator("dt:text-is('Phone numbers') + dd")).to_have_text(
        member["phoneNumbers"][0])
    expect(ats.locator("#linkedin-problems")).to_have_count(0)
    journey.shot(ats, "recruiter: contact info shared")


def test_comeet_only_positions_you_may_view(journey) -> None:
    """Seed step 5, "You can only select positions you have permission to view in Recruit":
    the admin turns on "Only the job's hiring team" (Setup); a job whose hiring team has the
    admin but not the recruiter is then in the admin's picker and missing from his; switched
    back to "All Recruiter users", he sees it again. (Needs the ACL mode of branch h15-acl.)"""
    demo: Demo = journey.demo
    admin_email = demo.sign_ins(WORKSPACE)["company admin"][0]
    recruiter_email = demo.sign_ins(WORKSPACE)["recruiter"][0]
    admin_id = user_named(demo, admin_email).id
    recruiter_id = user_named(demo, recruiter_email).id
    restricted = next(j for j in open_jobs(demo)
                      if admin_id in j.viewer_ids and recruiter_id not in j.viewer_ids)
    member = exportable_members(demo, start=400)[0]
    option = f"({restricted.external_id})"

    admin = journey.person()
    journey.sign_in(admin, "company admin", WORKSPACE)
    admin.get_by_role("link", name=re.compile("Integrations")).first.click()

    def set_visibility(label: str) -> None:
        expect(admin.get_by_role("heading", name="Who sees jobs in LinkedIn Recruiter")
               ).to_be_visible()
        admin.locator("input[name=visibility]").and_(admin.get_by_label(label)).check()
        admin.get_by_role("button", name="Save visibility").click()
        expect(admin.locator("input[name=visibility]").and_(admin.get_by_label(label))
               ).to_be_checked()

    def search_job(page: Page) -> None:
        """Type the job's public name in the Export window's search."""
        page.get_by_label("Find a job by name or id").fill(restricted.title)
        page.get_by_role("button", name="Search").click()

    def offered(page: Page, matches: str) -> Any:
        return page.locator("#target-count", has_text=matches)

    # Before: every Recruiter user sees every job, this one too.
    seat_holder = journey.person()
    sign_in_to_recruiter(seat_holder, demo, recruiter_email,
                         then=f"/recruiter/profile/{member['person']}")
    search_job(seat_holder)
    expect(offered(seat_holder, "1 match")).to_be_visible()
    expect(seat_holder.get_by_label("Job", exact=True)).to_have_value(
        f"JOB:{restricted.external_id}")
    journey.shot(seat_holder, "recruiter: every job offered")

    set_visibility("Only the job's hiring team")
    journey.shot(admin, "admin: only the job's hiring team")

    # He is not on its hiring team: the job is no longer his to pick (the search keeps its
    # words across reloads).
    reload_until(seat_holder, lambda: offered(seat_holder, "0 matches"),
                 what="the restricted job gone from the recruiter's picker")
    expect(seat_holder.get_by_label("Job", exact=True).locator("option", has_text=option)
           ).to_have_count(0)
    journey.shot(seat_holder, "recruiter: the restricted job is not offered")

    # The admin is: her seat still finds it.
    team = journey.person()
    sign_in_to_recruiter(team, demo, admin_email, then=f"/recruiter/profile/{member['person']}")
    search_job(team)
    reload_until(team, lambda: offered(team, "1 match"),
                 what="the job in its hiring team's picker")
    journey.shot(team, "admin's seat: the job is offered to its hiring team")

    set_visibility("All Recruiter users")
    reload_until(seat_holder, lambda: offered(seat_holder, "1 match"),
                 what="the job back in the recruiter's picker")
    journey.shot(seat_holder, "recruiter: all jobs again")
