"""One name for a link a One-Click Export made, wherever its origin is shown (reviewer's walk:
recruitlink's page said One-Click Export, LinkedIn's widget "Linked manually"). recruitlink's
candidate page over loopback, SQLite and PostgreSQL; the widget's side is in
test_sandbox_widgets.py and, both in one browser, tests/e2e/test_pages_candidate_browser.py."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import re

from recruitlink.core.identity import LINK_ORIGINS, ONE_CLICK_EXPORT
from recruitlink.core.records import Candidate
from tests.integration.test_pages_inert_urls import site  # noqa: F401  (pytest fixture)


def member_cell(html: str) -> str:
    found = re.search(r'<dd id="li-member"[^>]*>(.*?)</dd>', html, re.S)
    assert found, html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


def test_the_candidate_page_names_an_exports_link_one_click_export(site, store, tenant):
    with store.writer(tenant.id) as w:
        w.records("candidates", [
            (0, Candidate(id="CE", first_name="Exa", person_urn="urn:li:person:e1",
                          match_method="one_click_export")),
            (1, Candidate(id="CW", first_name="Wid", person_urn="urn:li:person:w1",
                          match_method="profile_widget"))], mode="create")
    c, base = site["client"], site["base"]
    exported = member_cell(c.get(f"{base}/candidates/CE").text)
    assert exported.startswith(f"urn:li:person:e1 ({ONE_CLICK_EXPORT})"), exported
    assert f"because: {ONE_CLICK_EXPORT} from LinkedIn Recruiter" in exported
    assert "exported from LinkedIn Recruiter" not in exported  # the old second name
    widget = member_cell(c.get(f"{base}/candidates/CW").text)
    assert f"({LINK_ORIGINS['profile_widget']})" in widget and ONE_CLICK_EXPORT not in widget
