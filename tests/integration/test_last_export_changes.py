"""Issue 15, point 8: "the candidate page shows what the last export changed", over loopback,
on SQLite and PostgreSQL. A recruiter re-exports a member the ATS already holds; the candidate
page then lists, for that export, each field with its old and new value, LinkedIn's values
the ATS kept, and the list items appended; a first export lists what it created with."""

# ruff: noqa: F811  (the fixtures imported from other test modules are parameters here)
from __future__ import annotations

import re
from contextlib import closing

from recruitlink.core.records import Candidate
from tests.integration.test_exports_seen import people, signed_in  # noqa: F401
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)


def change_rows(html: str) -> dict[str, list[str]]:
    """The last-export section's table: label -> the text of its other cells."""
    assert 'id="last-export"' in html, html
    section = html.split('id="last-export"')[1].split("</section>")[0]
    rows: dict[str, list[str]] = {}
    for row in re.findall(r"<tr data-change.*?</tr>", section, flags=re.S):
        cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_candidate_page_shows_what_the_last_export_changed(
        store, tenant, li, server, wired, people):
    m, fresh = member(li, 100), member(li, 110)
    with store.writer(tenant.id) as w:
        (outcome,) = w.records("candidates", [(0, Candidate(
            id="KNOWN", first_name="Robert", last_name=m["lastName"],
            person_urn=m["person"], match_method="manual", headline="Old headline",
            current_title="Old title", current_company="Old company", tags=["VIP"],
            location="Nowhere, XX"))], mode="create")
        assert outcome.status == "created", outcome
    export(li, wired["seat"], m["person"], externalJobPostingId="J2")
    export(li, wired["seat"], fresh["person"], externalJobPostingId="J1")
    merged, created = wait_for_events(store, 4)[2:]
    assert (merged.outcome, created.outcome) == ("merged", "created")

    rita = signed_in(server, tenant, people["rita"])
    with closing(rita):
        page = rita.get(f"/t/{tenant.slug}/candidates/KNOWN").text
        # The job named as the ATS names it (it said "into job J2": a recruiter knows
        # positions by name), with its id.
        assert "Merged into this candidate by a One-Click Export from Rita Recruiter into " \
               "Data Scientist (job J2)" in page
        rows = change_rows(page)
        assert rows["Headline"] == ["Old headline", m["headline"]]
        assert rows["Current title"] == ["Old title", m["currentJobTitle"]]
        assert rows["Current company"] == ["Old company", m["currentCompanyName"]]
        assert rows["Location"] == ["Nowhere, XX", m["location"]]
        assert rows["LinkedIn profile URL"] == ["—", m["publicProfileUrl"]]
        # The ATS keeps its name; LinkedIn's is shown beside it.
        assert rows["First name"] == ["Robert",
                                      f"unchanged (LinkedIn has “{m['firstName']}”)"]
        assert rows["Tags"] == ["kept as it was", "added Imported: LinkedIn Recruiter"]
        assert rows["Applications"] == ["kept as it was",
                                        "added Data Scientist (job J2) at stage Applied"]
        assert "Last name" not in rows  # the same on both sides: not a change

        (row,) = candidate(store, person_urn=fresh["person"])
        page = rita.get(f"/t/{tenant.slug}/candidates/{row.external_id}").text
        assert "Created by a One-Click Export from Rita Recruiter into Staff Engineer " \
               "(job J1)" in page
        rows = change_rows(page)
        assert rows["First name"] == [fresh["firstName"]]
        assert rows["Headline"] == [fresh["headline"]]
        assert rows["LinkedIn member"] == [fresh["person"]]
        assert rows["Applications"] == ["Staff Engineer (job J1) at stage Applied"]
