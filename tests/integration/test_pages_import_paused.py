"""The candidate page's timeline says when InMails and notes from LinkedIn Recruiter arrive;
while the workspace's sync is paused none is read, and once the member closed their account
none comes: the page says so (the walk found it still promising the next read, "every 20
seconds", in both cases)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from recruitlink.core.records import Candidate
from recruitlink.inbound.closures import apply_closure
from tests.integration.test_pages_admin import BASE, connect_through_pages, post, running_site


def linked_and_connected(site: Any, person: str) -> httpx.Client:
    """C1 linked to `person`, the workspace connected through the pages: the admin's client."""
    with site.store.writer(site.acme.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", person_urn=person))], mode="update")
    admin = site.client("ada@acme.example")
    connect_through_pages(site, admin)
    return admin


def import_line(page: str) -> str | None:
    found = re.search(r'<p class="muted" id="(linkedin-import-[a-z]+)"', page)
    return found.group(1) if found else None


def test_the_timeline_says_the_import_waits_while_the_sync_is_paused(store, li):
    with running_site(store, li) as site:
        admin = linked_and_connected(site, "urn:li:person:abc")
        page = "/t/acme/candidates/C1"
        assert import_line(admin.get(page).text) == "linkedin-import-every"
        assert post(admin, f"{BASE}/pause").status_code == 303
        paused = admin.get(page).text
        assert import_line(paused) == "linkedin-import-paused"
        assert "once an admin resumes it" in paused
        assert post(admin, f"{BASE}/resume").status_code == 303
        assert import_line(admin.get(page).text) == "linkedin-import-every"


def test_the_timeline_promises_nothing_once_the_member_closed_their_account(store, li):
    with running_site(store, li) as site:
        admin = linked_and_connected(site, "urn:li:person:gone")
        with store.writer(site.acme.id) as w:  # the closure poller notes it
            assert apply_closure(w, {"person": "urn:li:person:gone",
                                     "closedAt": 1_764_000_000_000},
                                 purge=False, now_ms=1_764_000_060_000) == "notified"
        page = admin.get("/t/acme/candidates/C1").text
        assert import_line(page) == "linkedin-import-closed"
        assert "no more InMails or notes" in " ".join(page.split())
