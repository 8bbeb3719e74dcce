"""LinkedIn's side of a journey, as its people see it: the sandbox's Recruiter pages signed in
as a seat holder (by the email the seat is held under) or as a member, and the sandbox's
control API only where LinkedIn has no page for the thing (choosing walk data)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.support.demo import Demo

LOGIN = re.compile(r"/recruiter/login")


def sign_in_to_recruiter(page: Page, demo: Demo, email: str, then: str = "/recruiter/") -> None:
    """LinkedIn's sign-in page: the seat holder whose seat is held under `email`."""
    page.goto(f"{demo.sandbox}/recruiter/login?{urlencode({'next': then})}")
    page.locator("tr", has_text=email).get_by_role("button", name="Sign in as").click()
    expect(page).not_to_have_url(LOGIN)


def sign_in_as_member(page: Page, demo: Demo, person: str,
                      then: str = "/recruiter/inbox") -> None:
    """A LinkedIn member (not a recruiter) signs in to read their messages."""
    page.goto(f"{demo.sandbox}/recruiter/login?{urlencode({'next': then})}")
    page.get_by_label("Person URN").fill(person)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).not_to_have_url(LOGIN)


def open_profile(page: Page, member: dict[str, Any]) -> None:
    """Search the member by name on Recruiter's home page and open their profile."""
    page.get_by_label("Search people").fill(f"{member['firstName']} {member['lastName']}")
    page.get_by_role("button", name="Search").click()
    page.locator(f"a[href='/recruiter/profile/{member['person']}']").click()
    expect(page.locator("#profile h1")).to_contain_text(member["lastName"])


def flash(page: Page) -> Locator:
    """The Recruiter page's notice or error after an action."""
    return page.locator("main > p.notice, main > p.error").first


def exportable_members(demo: Demo, start: int, count: int = 40) -> list[dict[str, Any]]:
    """Directory members a recruiter may export (not opted out, not private), from the
    sandbox's control API: which people exist is walk data, not a step."""
    r = httpx.get(f"{demo.sandbox}/sandbox/members", params={"start": start, "count": count},
                  timeout=30)
    r.raise_for_status()
    return [m for m in r.json()["elements"]
            if not m["exportBlocked"] and not m["privateProfile"]]


def reload_until(page: Page, shown: Callable[[], Locator], timeout: float = 60.0,
                 what: str = "") -> Locator:
    """Reload the page until `shown()` finds something (pushes and polls arrive in the
    background; a person presses F5)."""
    deadline = time.monotonic() + timeout
    while True:
        found = shown()
        if found.count():
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not shown within {timeout:.0f}s: {what or found}")
        page.wait_for_timeout(300)  # between two reloads, as a person would
        page.reload()
