"""What one One-Click Export changed, field by field (core.export_changes), from the seeds'
merge rules: applied values with the old one, LinkedIn's names the ATS kept, list items
appended, the new hiring process; and the JSON it is kept as."""

from __future__ import annotations

from recruitlink.core import export_changes
from recruitlink.core.export_changes import FieldChanged, summarize
from tests.unit.test_export_rules import PERSON, URL, existing, export, run


def test_a_merge_lists_each_change_with_its_old_value_then_what_was_kept_and_added() -> None:
    view = existing(first_name="Janet", person_urn=PERSON, match_method="manual",
                    headline="Old headline", current_title="Data Scientist", location="Paris",
                    tags=("VIP",))
    decision = run(export(externalJobPostingId="J1"), [view])
    assert decision.outcome == "merged"
    changes = summarize(view, decision, application="Staff Engineer (J1) at stage Applied")
    assert changes == (
        FieldChanged("Headline", "Old headline", "Data wrangler"),
        FieldChanged("Current company", None, "Acme"),
        FieldChanged("Location", "Paris", "Berlin, Germany"),
        FieldChanged("LinkedIn profile URL", None, URL),
        FieldChanged("First name", "Janet", "Jane", kept=True),
        FieldChanged("Tags", added=("Imported: LinkedIn Recruiter",)),
        FieldChanged("Applications", added=("Staff Engineer (J1) at stage Applied",)),
    )  # the current title is the same on both sides: not a change


def test_a_created_candidate_lists_what_it_was_created_with() -> None:
    decision = run(export())
    labels = [c.label for c in summarize(None, decision)]
    assert labels == ["First name", "Last name", "Headline", "Current title",
                      "Current company", "Location", "LinkedIn profile URL",
                      "LinkedIn member", "Tags"]
    assert all(c.before is None for c in summarize(None, decision))


def test_a_crm_export_lists_the_pipeline_it_joined() -> None:
    decision = run(export(externalPipelineId="P1"), kind="CRM")
    (last,) = summarize(None, decision, pipeline="Rust engineers (P1)")[-1:]
    assert last == FieldChanged("Pipelines", added=("Rust engineers (P1)",))


def test_a_refused_export_changes_nothing() -> None:
    view = existing(person_urn=PERSON, confidential=True)
    assert summarize(view, run(export(), [view])) == ()


def test_the_json_round_trips_and_an_export_without_changes_kept_reads_as_none() -> None:
    changes = summarize(None, run(export()))
    kept = [c.as_json() for c in changes]
    assert export_changes.from_json(kept) == changes
    assert export_changes.from_json(None) is None
    assert export_changes.from_json("text") is None
    assert export_changes.from_json([{"label": "Tags", "added": "x"}, 3]) == (
        FieldChanged("Tags"),)
