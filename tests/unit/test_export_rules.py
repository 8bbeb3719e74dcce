"""One-Click Export rules (core/export_rules.py): parsing, matching, merge, create, failures."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recruitlink.core.export_rules import (
    APPLICATION_SOURCE,
    CREATION_SOURCE,
    DEFAULT_FIRST_STAGE,
    IMPORT_TAG,
    SOURCE_TYPE,
    CandidateView,
    CandidateWrite,
    Export,
    ExportDecision,
    FieldChange,
    NewAlert,
    NewApplication,
    NewMembership,
    SourceContactView,
    SourcePlan,
    TenantKind,
    UserView,
    applied,
    decide,
    fold,
    parse_export,
    plan_source,
)

NOW = 1_800_000_000_000
AT = 1_799_999_000_000
PERSON = "urn:li:person:abc123"
URL = "https://www.linkedin.com/in/jane-doe-42"
ALICE = UserView("U1", "Alice Recruiter", "alice@ats.example")
INTEGRATION = UserView("U0", "LinkedIn Integration", "integration@ats.example")


def element(**over: Any) -> dict[str, Any]:
    """An `exportedCandidates` element as the sandbox answers it."""
    return {
        "requestId": "req-1", "integrationContext": "urn:li:organization:1001",
        "contract": "urn:li:contract:2001",
        "exporter": {"seat": "urn:li:seat:7", "person": "urn:li:person:alice",
                     "emailAddress": "alice@linkedin.example", "firstName": "Alice",
                     "lastName": "Liu"},
        "person": PERSON,
        "candidate": {"firstName": "Jane", "lastName": "Doe", "headline": "Data wrangler",
                      "currentJobTitle": "Data Scientist", "currentCompanyName": "Acme",
                      "location": "Berlin, Germany", "publicProfileUrl": URL},
        "note": "great fit", "exportedAt": AT,
    } | over


def export(**over: Any) -> Export:
    return parse_export(element(**over))


def run(exp: Export, identity: list[CandidateView] | None = None,
        similar: list[CandidateView] | None = None, *, kind: TenantKind = "ATS",
        target_exists: bool = True, exporter_user: UserView | None = ALICE,
        default_user: UserView | None = INTEGRATION, now_ms: int = NOW,
        **more: Any) -> ExportDecision:
    return decide(exp, identity or [], similar or [], kind=kind, target_exists=target_exists,
                  exporter_user=exporter_user, default_user=default_user, now_ms=now_ms,
                  **more)


def existing(**over: Any) -> CandidateView:
    return CandidateView(**{"id": "C1", "first_name": "Jane", "last_name": "Doe"} | over)


# -- parse_export ----------------------------------------------------------------------------

def test_parse_reads_every_field() -> None:
    exp = export(externalJobPostingId="J1")
    assert exp.request_id == "req-1"
    assert exp.integration_context == "urn:li:organization:1001"
    assert exp.contract == "urn:li:contract:2001"
    assert exp.exporter.seat == "urn:li:seat:7"
    assert exp.exporter.person == "urn:li:person:alice"
    assert exp.exporter.email == "alice@linkedin.example"
    assert exp.exporter.name == "Alice Liu"
    assert exp.person == PERSON
    assert exp.candidate.first_name == "Jane"
    assert exp.candidate.current_title == "Data Scientist"
    assert exp.candidate.current_company == "Acme"
    assert exp.candidate.location == "Berlin, Germany"
    assert exp.candidate.profile_url == URL
    assert (exp.job_id, exp.pipeline_id) == ("J1", None)
    assert exp.note == "great fit"
    assert exp.exported_at == AT


def test_parse_optional_fields_absent_or_blank() -> None:
    el = element(note=None, contract=None)
    el["candidate"] = {"firstName": "Jane", "lastName": "Doe", "headline": "  "}
    el["exporter"] = {"seat": "urn:li:seat:7"}
    exp = parse_export(el)
    assert exp.candidate.headline is None
    assert exp.candidate.profile_url is None
    assert (exp.job_id, exp.pipeline_id, exp.note, exp.contract) == (None, None, None, None)
    assert exp.exporter.name == "urn:li:seat:7"
    assert export(externalPipelineId="P1").pipeline_id == "P1"


def _without(key: str) -> dict[str, Any]:
    el = element()
    del el[key]
    return el


def _candidate(**over: Any) -> dict[str, Any]:
    return element(candidate=element()["candidate"] | over)


def _exporter(**over: Any) -> dict[str, Any]:
    return element(exporter=element()["exporter"] | over)


@pytest.mark.parametrize(("el", "message"), [
    ([], "element: must be an object"),
    (_without("requestId"), "requestId: required"),
    (element(requestId=""), "requestId: required"),
    (element(requestId=5), "requestId: must be a string, not int"),
    (_without("integrationContext"), "integrationContext: required"),
    (_without("exporter"), "exporter: required"),
    (element(exporter="urn:li:seat:7"), "exporter: must be an object"),
    (_exporter(seat=None), "exporter.seat: required"),
    (_exporter(seat="seat 7"), "exporter.seat: 'seat 7' does not match"),
    (_exporter(person="alice"), "exporter.person: 'alice' does not match"),
    (_without("person"), "person: required"),
    (element(person="urn:li:member:1"), "person: 'urn:li:member:1' does not match"),
    (_without("candidate"), "candidate: required"),
    (_candidate(firstName=None), "candidate.firstName: required"),
    (_candidate(lastName=["Doe"]), "candidate.lastName: must be a string, not list"),
    (_candidate(headline="x" * 401), "candidate.headline: longer than 400 characters"),
    (_candidate(location="Ber\x00lin"), "candidate.location: must not contain a NUL"),
    (_without("exportedAt"), "exportedAt: required"),
    (element(exportedAt="1799999000000"), "exportedAt: must be epoch milliseconds"),
    (element(exportedAt=True), "exportedAt: must be epoch milliseconds"),
    (element(exportedAt=-1), "exportedAt: -1 is out of range"),
    (element(externalJobPostingId="J\n1"), "externalJobPostingId: 'J\\n1' does not match"),
    (element(externalJobPostingId="J1", externalPipelineId="P1"),
     "externalPipelineId: an export names a job or a pipeline, not both"),
])
def test_parse_refuses_a_malformed_element_naming_the_field(el: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_export(el)
    assert str(raised.value).startswith(message)


# -- not matched: create ---------------------------------------------------------------------

def test_new_member_is_created_tagged_sourced_and_linked() -> None:
    decision = run(export(externalJobPostingId="J1"))
    assert decision.outcome == "created"
    assert decision.candidate_id is None and decision.reason is None
    assert decision.write == CandidateWrite(
        {"first_name": "Jane", "last_name": "Doe", "headline": "Data wrangler",
         "current_title": "Data Scientist", "current_company": "Acme",
         "location": "Berlin, Germany", "linkedin_url": URL, "person_urn": PERSON,
         "match_method": "one_click_export", "creation_source": CREATION_SOURCE},
        {"tags": (IMPORT_TAG,)})
    # Comeet: LinkedIn sends no email or phone.
    assert "emails" not in decision.write.append and "phones" not in decision.write.append
    assert decision.application == NewApplication(
        "J1", APPLICATION_SOURCE, AT, stage=DEFAULT_FIRST_STAGE)
    assert decision.membership is None
    assert decision.alerts == ()


def test_source_is_the_mapped_recruiter() -> None:
    decision = run(export())
    assert decision.source is not None
    assert decision.source.source_name == "Alice Recruiter (LinkedIn Recruiter)"
    assert decision.source.source_type == SOURCE_TYPE == "Active search"
    # Comeet: the contact is the recruiter, with their ATS email, linked to their ATS user.
    assert (decision.source.contact_first_name, decision.source.contact_last_name) == (
        "Alice", "Liu")
    assert decision.source.contact_email == "alice@ats.example"
    assert decision.source.contact_user_id == "U1"
    assert decision.user_id == "U1"
    assert decision.interaction is not None
    assert decision.interaction.user_id == "U1"
    assert decision.interaction.subject == "Exported from LinkedIn Recruiter by Alice Recruiter"
    assert decision.interaction.content == "great fit"
    assert decision.interaction.occurred_at == AT


def test_unmapped_exporter_is_attributed_to_the_default_integration_user() -> None:
    decision = run(export(), exporter_user=None)
    assert decision.outcome == "created"
    assert decision.user_id == "U0"
    assert decision.interaction is not None and decision.interaction.user_id == "U0"
    # The source still names who sourced the candidate, as LinkedIn knows them.
    assert decision.source is not None
    assert decision.source.source_name == "Alice Liu (LinkedIn Recruiter)"
    assert decision.source.contact_email == "alice@linkedin.example"
    assert decision.source.contact_user_id is None


def test_no_user_at_all_still_exports() -> None:
    decision = run(export(), exporter_user=None, default_user=None)
    assert decision.outcome == "created" and decision.user_id is None


def test_no_job_or_pipeline_just_the_candidate() -> None:
    decision = run(export())
    assert decision.application is None and decision.membership is None
    assert decision.interaction is not None and decision.interaction.project_id is None


def test_a_future_export_time_is_clamped_to_now() -> None:
    decision = run(export(externalJobPostingId="J1", exportedAt=NOW + 5))
    assert decision.application is not None and decision.application.created_at == NOW


# -- matched: merge --------------------------------------------------------------------------

def test_names_and_a_different_profile_url_stay_the_ats_but_are_noted() -> None:
    view = existing(person_urn=PERSON, first_name="Janet", linkedin_url="https://linkedin.com/in/jd")
    decision = run(export(), [view])
    assert decision.write is not None
    assert not {"first_name", "linkedin_url"} & set(decision.write.assign)
    assert {c.field: c.applied for c in decision.changes} == {"first_name": False,
                                                              "linkedin_url": False}


def test_reexport_by_person_urn_merges() -> None:
    view = existing(person_urn=PERSON, match_method="one_click_export", headline="Old headline",
                    current_title=None, location="Paris", tags=("vip",), emails=("j@x.io",))
    decision = run(export(externalJobPostingId="J2"), [view])
    assert decision.outcome == "merged" and decision.candidate_id == "C1"
    assert decision.write == CandidateWrite(
        # Beamery: location overwritten; new single values applied, empty fields filled.
        {"location": "Berlin, Germany", "headline": "Data wrangler",
         "current_title": "Data Scientist", "current_company": "Acme", "linkedin_url": URL},
        {"tags": (IMPORT_TAG,)})
    # The values replaced are kept in the export's activity: nothing is silently lost.
    assert decision.changes == (
        FieldChange("location", "Paris", "Berlin, Germany", True),
        FieldChange("headline", "Old headline", "Data wrangler", True))
    assert decision.interaction is not None
    assert decision.interaction.content == (
        "great fit\n\nChanged by this export:\n"
        "- Location: 'Berlin, Germany' (was 'Paris')\n"
        "- Headline: 'Data wrangler' (was 'Old headline')")
    assert decision.source is None
    assert decision.application == NewApplication(
        "J2", APPLICATION_SOURCE, AT, stage=DEFAULT_FIRST_STAGE)


def test_match_by_profile_url_whatever_its_form_links_the_member() -> None:
    view = existing(linkedin_url="http://linkedin.com/in/JANE-DOE-42/?trk=abc",
                    tags=(IMPORT_TAG.upper(),), location="Berlin, Germany")
    decision = run(export(), [view])
    assert decision.outcome == "merged"
    assert decision.write == CandidateWrite(
        {"person_urn": PERSON, "match_method": "one_click_export", "headline": "Data wrangler",
         "current_title": "Data Scientist", "current_company": "Acme"}, {})


@pytest.mark.parametrize(("method", "changed"), [
    (None, True), ("matched", True), ("email", True), ("linkedin_url", True),
    ("profile_widget", False), ("manual", False), ("stub_profile", False),
])
def test_export_confirms_a_guessed_link(method: str | None, changed: bool) -> None:
    view = existing(person_urn=PERSON, match_method=method)
    write = run(export(), [view]).write
    assert write is not None
    assert ("match_method" in write.assign) is changed
    assert "person_urn" not in write.assign


def test_person_urn_match_wins_over_url_match_and_the_pair_is_flagged() -> None:
    by_url = existing(id="C1", linkedin_url=URL)
    by_person = existing(id="C2", person_urn=PERSON, match_method="one_click_export")
    decision = run(export(), [by_url, by_person])
    assert decision.candidate_id == "C2"
    assert decision.alerts == (NewAlert("C2", "C1",
                                        f"possible duplicate: the same LinkedIn member {PERSON}"),)


def test_same_url_linked_to_another_member_is_not_a_match() -> None:
    other = existing(linkedin_url=URL, person_urn="urn:li:person:someone-else")
    decision = run(export(), [other])
    assert decision.outcome == "created"
    assert decision.alerts == (NewAlert(None, "C1", "possible duplicate: same LinkedIn profile "
                                                    "URL, linked to another LinkedIn member"),)


def test_candidates_that_are_not_identical_are_ignored_as_identity() -> None:
    decision = run(export(), [existing(person_urn="urn:li:person:zzz"), existing(id="C9")])
    assert decision.outcome == "created" and decision.alerts == ()


def test_already_in_process_for_the_job_fails_and_changes_nothing() -> None:
    view = existing(person_urn=PERSON, job_ids=frozenset({"J1"}), location="Paris")
    decision = run(export(externalJobPostingId="J1"), [view])
    assert decision == ExportDecision("failed", reason="already in process for job J1",
                                      candidate_id="C1")


def test_a_refusal_names_the_job_and_the_pipeline_by_their_titles_too() -> None:
    view = existing(person_urn=PERSON, job_ids=frozenset({"J1"}),
                    project_ids=frozenset({"P1"}))
    decision = run(export(externalJobPostingId="J1"), [view], target_title="Staff Engineer")
    assert decision.reason == "already in process for Staff Engineer (job J1)"
    decision = run(export(externalPipelineId="P1"), [view], kind="CRM",
                   target_title="Rust engineers")
    assert decision.reason == "already in Rust engineers (pipeline P1)"
    decision = run(export(externalJobPostingId="J2"), [view], target_closed=True,
                   target_title="Designer")
    assert decision.reason == ("Designer (job J2) is closed in the ATS: a closed position "
                               "takes no new candidates")


def test_another_job_opens_a_new_hiring_process() -> None:
    view = existing(person_urn=PERSON, job_ids=frozenset({"J1"}))
    decision = run(export(externalJobPostingId="J2"), [view])
    assert decision.outcome == "merged"
    assert decision.application == NewApplication(
        "J2", APPLICATION_SOURCE, AT, stage=DEFAULT_FIRST_STAGE)


def test_confidential_candidate_fails_and_changes_nothing() -> None:
    for view in (existing(person_urn=PERSON, confidential=True),
                 existing(linkedin_url=URL, confidential=True)):
        decision = run(export(externalJobPostingId="J1"), [view])
        assert decision == ExportDecision("failed", reason="candidate is confidential",
                                          candidate_id="C1")


def test_a_confidential_duplicate_of_the_member_fails_the_export_too() -> None:
    open_one = existing(id="C1", person_urn=PERSON)
    secret = existing(id="C2", linkedin_url=URL, confidential=True)
    assert run(export(), [open_one, secret]).reason == "candidate is confidential"


# -- targets ---------------------------------------------------------------------------------

def test_unknown_job_fails_naming_it() -> None:
    decision = run(export(externalJobPostingId="J404"), target_exists=False)
    assert decision == ExportDecision("failed", reason="job J404 does not exist")


def test_unknown_pipeline_fails_naming_it() -> None:
    decision = run(export(externalPipelineId="P404"), kind="CRM", target_exists=False)
    assert decision == ExportDecision("failed", reason="pipeline P404 does not exist")


def test_a_job_closed_in_the_ats_refuses_the_export_and_changes_nothing() -> None:
    for identity in ([], [existing(person_urn=PERSON)]):
        decision = run(export(externalJobPostingId="J1"), identity, target_closed=True)
        assert decision.outcome == "failed" and decision.write is None
        assert decision.application is None
        assert decision.reason is not None and "job J1 is closed" in decision.reason


def test_a_hiring_process_starts_at_the_jobs_first_stage() -> None:
    decision = run(export(externalJobPostingId="J1"), first_stage="Sourced")
    assert decision.application == NewApplication("J1", APPLICATION_SOURCE, AT, stage="Sourced")
    assert run(export(externalJobPostingId="J1")).application == NewApplication(
        "J1", APPLICATION_SOURCE, AT, stage=DEFAULT_FIRST_STAGE)


def test_target_existence_is_ignored_without_a_target() -> None:
    assert run(export(), target_exists=False).outcome == "created"


def test_crm_export_adds_to_the_pipeline() -> None:
    decision = run(export(externalPipelineId="P1"), kind="CRM")
    assert decision.outcome == "created"
    assert decision.membership == NewMembership("P1", APPLICATION_SOURCE, AT)
    assert decision.application is None
    assert decision.interaction is not None and decision.interaction.project_id == "P1"


def test_crm_reexport_into_another_pipeline_merges() -> None:
    view = existing(person_urn=PERSON, project_ids=frozenset({"P1"}))
    decision = run(export(externalPipelineId="P2"), [view], kind="CRM")
    assert decision.outcome == "merged"
    assert decision.membership == NewMembership("P2", APPLICATION_SOURCE, AT)


def test_crm_already_in_the_pipeline_fails() -> None:
    view = existing(person_urn=PERSON, project_ids=frozenset({"P1"}))
    decision = run(export(externalPipelineId="P1"), [view], kind="CRM")
    assert decision == ExportDecision("failed", reason="already in pipeline P1",
                                      candidate_id="C1")


@pytest.mark.parametrize(("kind", "over", "reason"), [
    ("ATS", {"externalPipelineId": "P1"},
     "pipeline P1: this ATS takes exports into jobs, not pipelines"),
    ("CRM", {"externalJobPostingId": "J1"},
     "job J1: this CRM takes exports into pipelines, not jobs"),
])
def test_target_of_the_wrong_kind_fails(kind: TenantKind, over: dict[str, str],
                                        reason: str) -> None:
    assert run(export(**over), kind=kind) == ExportDecision("failed", reason=reason)


def test_a_tenant_of_both_kinds_takes_jobs_and_pipelines() -> None:
    assert run(export(externalJobPostingId="J1"), kind="BOTH").application is not None
    assert run(export(externalPipelineId="P1"), kind="BOTH").membership is not None


# -- similar but not identical ---------------------------------------------------------------

@pytest.mark.parametrize(("over", "reason"), [
    ({"current_company": "ACME"}, "same name and current company"),
    ({"current_title": "data  scientist"}, "same name and current title"),
    ({"location": "Berlin, Germany"}, "same name and location"),
    ({"current_title": "Data Scientist", "location": "berlin, germany"},
     "same name, current title and location"),
    ({"current_company": "Acme", "person_urn": "urn:li:person:other"},
     "same name and current company"),
])
def test_similar_candidate_creates_and_raises_an_alert(over: dict[str, str],
                                                       reason: str) -> None:
    similar = existing(id="C7", first_name="JANE", last_name="Dóe", **over)
    decision = run(export(), [], [similar])
    assert decision.outcome == "created"
    assert decision.alerts == (NewAlert(None, "C7", f"possible duplicate: {reason}"),)


@pytest.mark.parametrize("view", [
    existing(id="C7"),  # the same name only
    existing(id="C7", first_name="John", current_company="Acme"),  # another name
    existing(id="C7", current_company="Acme", confidential=True),  # never revealed
    existing(id="C7", last_name=None, current_company="Acme"),  # no name to compare
])
def test_not_similar_enough_or_confidential_raises_no_alert(view: CandidateView) -> None:
    decision = run(export(), [], [view])
    assert decision.outcome == "created" and decision.alerts == ()


def test_empty_fields_are_not_the_same_field() -> None:
    exp = export(candidate={"firstName": "Jane", "lastName": "Doe", "location": ""})
    assert run(exp, [], [existing(location="")]).alerts == ()


def test_an_identical_candidate_in_the_similar_list_is_merged_not_flagged() -> None:
    view = existing(person_urn=PERSON, current_company="Acme")
    decision = run(export(), [view], [view])
    assert decision.outcome == "merged" and decision.alerts == ()


def test_several_similar_candidates_go_to_review() -> None:
    # Issue 19.3: was "created" with one alert each; two plausible candidates are not guessed.
    similar = [existing(id="C7", current_company="Acme"), existing(id="C8", location="Berlin, "
                                                                                     "Germany"),
               existing(id="C7", current_company="Acme")]
    decision = run(export(), [], similar)
    assert decision.outcome == "review" and decision.write is None
    assert decision.review == (("C7", "same name and current company"),
                               ("C8", "same name and location"))


def test_two_unlinked_candidates_with_the_profile_url_go_to_review() -> None:
    a = existing(id="U1", linkedin_url=URL)
    b = existing(id="U2", linkedin_url=URL + "/")
    decision = run(export(), [a, b])
    assert decision.outcome == "review"
    assert [cid for cid, _ in decision.review] == ["U1", "U2"]
    picked = run(export(), [a, b], chosen=b)
    assert (picked.outcome, picked.candidate_id) == ("merged", "U2")
    assert picked.write is not None and picked.write.assign["person_urn"] == PERSON


# -- source plan -----------------------------------------------------------------------------

def test_plan_source_follows_comeet() -> None:
    assert plan_source(None) == SourcePlan(None, None, link_contact=True)
    assert plan_source(SourceContactView("SC1", None)) == SourcePlan("SC1", None, True)
    assert plan_source(SourceContactView("SC1", "S1")) == SourcePlan("SC1", "S1", False)


def test_long_user_name_keeps_the_source_name_within_200() -> None:
    decision = run(export(), exporter_user=replace(ALICE, name="A" * 300))
    assert decision.source is not None
    assert len(decision.source.source_name) == 200
    assert decision.source.source_name.endswith(" (LinkedIn Recruiter)")


# -- properties ------------------------------------------------------------------------------

texts = st.one_of(st.none(), st.sampled_from(["", "Acme", "acme", "Paris", "Berlin, Germany",
                                              "Data Scientist", "Héad line"]))
tag_lists = st.lists(st.sampled_from(["vip", "VIP ", "Imported: LinkedIn Recruiter",
                                      "imported: linkedin recruiter", "python"]),
                     max_size=4, unique_by=lambda t: t.strip().casefold())
views = st.builds(
    CandidateView, id=st.just("C1"), first_name=texts, last_name=texts,
    linkedin_url=st.sampled_from([None, "", URL, "https://linkedin.com/in/Jane-Doe-42/"]),
    person_urn=st.sampled_from([None, PERSON]),
    match_method=st.sampled_from([None, "matched", "manual", "one_click_export"]),
    headline=texts, current_title=texts, current_company=texts, location=texts,
    tags=tag_lists.map(tuple))
profiles = st.fixed_dictionaries({
    "firstName": st.just("Jane"), "lastName": st.just("Doe"), "headline": texts,
    "currentJobTitle": texts, "currentCompanyName": texts, "location": texts,
    "publicProfileUrl": st.sampled_from([None, URL])})


def _matching(view: CandidateView, profile: dict[str, Any]) -> CandidateView:
    """Make `view` an identity match of the export, whatever hypothesis drew."""
    if view.person_urn is None and not profile.get("publicProfileUrl"):
        return replace(view, person_urn=PERSON)
    if view.person_urn is None and view.linkedin_url != URL:
        return replace(view, linkedin_url=URL)
    return view


@given(views, profiles)
def test_merge_is_idempotent(view: CandidateView, profile: dict[str, Any]) -> None:
    exp = export(candidate=profile)
    view = _matching(view, profile)
    first = run(exp, [view])
    assert first.outcome == "merged" and first.write is not None
    after = applied(view, first.write)
    second = run(exp, [after])
    assert second.outcome == "merged" and second.write is not None
    assert second.write.empty


@given(views, profiles)
def test_merge_appends_keeps_history_and_overwrites_location(
        view: CandidateView, profile: dict[str, Any]) -> None:
    exp = export(candidate=profile)
    view = _matching(view, profile)
    write = run(exp, [view]).write
    assert write is not None
    after = applied(view, write)
    folded = [t.strip().casefold() for t in after.tags]
    assert len(folded) == len(set(folded))
    assert after.tags[:len(view.tags)] == view.tags  # appended, never reordered or removed
    assert IMPORT_TAG.casefold() in folded
    assert after.person_urn == PERSON
    assert after.location == (profile["location"] or view.location)
    for name in ("first_name", "last_name"):
        assert getattr(after, name) == getattr(view, name)
    for name, key in (("headline", "headline"), ("current_title", "currentJobTitle"),
                      ("current_company", "currentCompanyName")):
        # LinkedIn's newer value wins; the one it replaces is kept in the activity.
        assert fold(getattr(after, name)) == fold(profile[key] or getattr(view, name))
        if profile[key] and fold(getattr(view, name)) and \
                fold(getattr(view, name)) != fold(profile[key]):
            change = FieldChange(name, getattr(view, name), profile[key], True)
            assert change in run(exp, [view]).changes
    if view.linkedin_url:
        assert after.linkedin_url == view.linkedin_url


@given(st.lists(views, max_size=4), profiles)
def test_decide_never_alerts_a_candidate_with_itself(candidates: list[CandidateView],
                                                     profile: dict[str, Any]) -> None:
    candidates = [replace(v, id=f"C{i}") for i, v in enumerate(candidates)]
    decision = run(export(candidate=profile), candidates, candidates)
    others = [a.other_candidate_id for a in decision.alerts]
    assert len(others) == len(set(others))
    assert decision.candidate_id not in others
