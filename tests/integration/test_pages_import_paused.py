"""The candidate page's timeline says when InMails and notes from LinkedIn Recruiter arrive;
while the workspace's sync is paused none is read, and the page says so (the walk found it
still promising the next read, "every 20 seconds", while nothing came until Resume Sync)."""

from __future__ import annotations

import re

from recruitlink.core.records import Candidate
from tests.integration.test_pages_admin import BASE, connect_through_pages, post, running_site


def import_line(page: str) -> str | None:
    found = re.search(r'<p class="muted" id="(linkedin-import-[a-z]+)"', page)
    return found.group(1) if found else None


def test_the_timeline_says_the_import_waits_while_the_sync_is_paused(store, li):
    with running_site(store, li) as site:
        with store.writer(site.acme.id) as w:
            w.records("candidates", [(0, Candidate(id="C1", person_urn="urn:li:person:abc"))],
                      mode="update")
        admin = site.client("ada@acme.example")
        connect_through_pages(site, admin)
        page = "/t/acme/candidates/C1"
        assert import_line(admin.get(page).text) == "linkedin-import-every"
        assert post(admin, f"{BASE}/pause").status_code == 303
        paused = admin.get(page).text
        assert import_line(paused) == "linkedin-import-paused"
        assert "once an admin resumes it" in paused
        assert post(admin, f"{BASE}/resume").status_code == 303
        assert import_line(admin.get(page).text) == "linkedin-import-every"
