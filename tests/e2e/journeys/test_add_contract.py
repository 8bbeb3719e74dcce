""""+ Add contract" offers only the workspace's company's contracts, walked in the browser
against `recruitlink demo` on free ports (a defect found on the Tracker seed walk: the
widget offered the `demo` workspace's contract to `demo-crm`, recruitlink took it, and the
workspace read "Active for 1 of 2 contracts").

A Recruiter contract belongs to one company (reference §1.3: the widget hands back the
organization and its contract). The `demo-crm` admin's LinkedIn account also holds a seat on
`demo`'s contract (a consultant licensed by both companies); in `demo-crm`'s Add contract,
LinkedIn's widget offers her only `demo-crm`'s contract, says why `demo`'s is not offered,
and approving what it offers leaves the workspace with its one contract.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.journeys.steps import control
from tests.support.demo import CONTRACT, CRM_CONTRACT, CRM_ORGANIZATION, ORGANIZATION

WORKSPACE = "demo-crm"


def test_demo_crm_admin_is_not_offered_the_demo_workspaces_contract(journey):
    demo = journey.demo
    email, _ = demo.sign_ins(WORKSPACE)["company admin"]
    # Walk data (LinkedIn's side, no page for it): her seat on demo-crm's contract, made by
    # the demo under her email, and a seat on demo's contract for the same LinkedIn member.
    seats = control(demo, "GET", "/seats", params={"active": "true", "count": 200})
    mine = next(s for s in seats["elements"]
                if s["contract"] == CRM_CONTRACT and s["emailAddress"] == email)
    control(demo, "POST", f"/contracts/{CONTRACT}/seats",
            json={"person": mine["person"], "emailAddress": email})

    admin = journey.person()
    journey.sign_in(admin, workspace=WORKSPACE)
    admin.goto(f"{demo.server}/t/{WORKSPACE}/integrations/linkedin")
    expect(admin.locator("[data-live=status]")).to_have_text("Active")
    admin.get_by_role("link", name="+ Add contract").click()
    expect(admin.get_by_role("heading", name="Add another contract")).to_be_visible()

    # LinkedIn's widget: she signs in as herself (she holds seats on both contracts).
    widget = admin.frame_locator("#onboarding-widget iframe")
    widget.get_by_text("Sign in to LinkedIn").first.wait_for()
    widget.locator(f"input[name=person][value='{mine['person']}']").check()
    widget.get_by_role("button", name="Sign in").click()

    # Only demo-crm's contract, with its company; demo's is named as another company's.
    own = widget.locator(f"input[name=customer][value='{CRM_CONTRACT} {CRM_ORGANIZATION}']")
    expect(own).to_be_checked()
    expect(widget.locator("input[name=customer]")).to_have_count(1)
    expect(widget.locator(f"input[name=customer][value^='{CONTRACT} ']")).to_have_count(0)
    expect(widget.locator(".foreign-contracts")).to_contain_text(
        f"{CONTRACT} belongs to {ORGANIZATION}, not to {CRM_ORGANIZATION}")
    journey.shot(admin, "add contract offers only demo-crm's contract")

    # Approving what it offers adds nothing: the workspace keeps its one contract.
    widget.get_by_role("button", name="Approve").click()
    expect(admin.get_by_role("status").filter(has_text="That contract is already connected")
           ).to_be_visible(timeout=60_000)
    expect(admin.locator("tr[data-contract]")).to_have_count(1)
    expect(admin.locator(f"tr[data-contract='{CONTRACT}']")).to_have_count(0)
    expect(admin.locator("[data-live=status]")).to_have_text("Active")
    journey.shot(admin, "demo-crm keeps its one contract")
