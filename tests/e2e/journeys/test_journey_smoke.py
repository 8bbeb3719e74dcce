"""The journey harness itself: the demo on free ports, a person signs in, a step is shot."""

from __future__ import annotations

from playwright.sync_api import expect


def test_a_person_signs_in_to_the_demo_and_each_step_is_shot(journey):
    admin = journey.person()
    journey.sign_in(admin)
    expect(admin.get_by_role("navigation")).to_be_visible()
    shot = journey.shot(admin, "signed in")
    assert shot.name == "01-signed-in.png" and shot.stat().st_size > 1000
