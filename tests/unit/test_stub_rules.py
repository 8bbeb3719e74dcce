"""InMail stub profile rules (core/stub_rules.py): parsing, matching order, updates, rejects."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recruitlink.core.export_rules import CandidateView, CandidateWrite, NewAlert, applied
from recruitlink.core.stub_rules import (
    MailStub,
    Rejection,
    StubDecision,
    decide_stub,
    parse_stub,
)

PERSON = "urn:li:person:abc123"
URL = "https://www.linkedin.com/in/jane-doe-42"
CREATED = 1_800_000_000_000


def element(**over: Any) -> dict[str, Any]:
    """A `mailStubs` element as the sandbox answers it."""
    return {"id": 11, "owner": "urn:li:seat:7", "person": PERSON, "firstName": "Jane",
            "lastName": "Doe", "emailAddress": "Jane.Doe@Example.com",
            "phoneNumber": "+1 (415) 555-0134", "headline": "Data wrangler",
            "publicProfileUrl": URL, "createdAt": CREATED} | over


def stub(**over: Any) -> MailStub:
    return parse_stub(element(**over))


def existing(**over: Any) -> CandidateView:
    return CandidateView(**{"id": "C1", "first_name": "Jane", "last_name": "Doe"} | over)


def run(s: MailStub, by_person: list[CandidateView] | None = None,
        by_email: list[CandidateView] | None = None,
        by_name: list[CandidateView] | None = None, **kw: Any) -> StubDecision:
    return decide_stub(s, by_person or [], by_email or [], by_name or [], **kw)


# -- parse_stub ------------------------------------------------------------------------------

def test_parse_reads_every_field() -> None:
    s = stub()
    assert s == MailStub(owner="urn:li:seat:7", person=PERSON, first_name="Jane",
                         last_name="Doe", created_at=CREATED, id="11",
                         email="Jane.Doe@Example.com", phone="+1 (415) 555-0134",
                         headline="Data wrangler", profile_url=URL)
    bare = parse_stub({k: v for k, v in element().items()
                       if k not in ("id", "emailAddress", "phoneNumber", "headline",
                                    "publicProfileUrl")})
    assert (bare.id, bare.email, bare.phone, bare.headline, bare.profile_url) == (
        None, None, None, None, None)
    assert stub(emailAddress="  a@b.example ").email == "a@b.example"


@pytest.mark.parametrize(("el", "message"), [
    ("stub", "element: must be an object"),
    (element(owner=None), "owner: required"),
    (element(owner="urn:li:person:x"), "owner: 'urn:li:person:x' does not match"),
    (element(person="jane"), "person: 'jane' does not match"),
    (element(firstName=""), "firstName: required"),
    # LinkedIn changed emailAddress to one string in March 2024.
    (element(emailAddress=["jane@example.com"]), "emailAddress: must be a string, not list"),
    (element(phoneNumber={"number": "+1 415"}), "phoneNumber: must be a string, not dict"),
    (element(createdAt=None), "createdAt: required"),
    (element(createdAt=1.5), "createdAt: must be epoch milliseconds"),
    (element(id=True), "id: must be a string or an integer, not bool"),
])
def test_parse_refuses_a_malformed_element_naming_the_field(el: Any, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_stub(el)
    assert str(raised.value).startswith(message)


# -- matching --------------------------------------------------------------------------------

def test_match_by_person_appends_email_phone_and_sets_url() -> None:
    view = existing(person_urn=PERSON, match_method="one_click_export", emails=("j@work.io",),
                    phones=("+44 20 7946 0958",))
    decision = run(stub(), [view])
    assert decision == StubDecision(
        "updated", "C1", "person",
        CandidateWrite({"linkedin_url": URL},
                       {"emails": ("Jane.Doe@Example.com",), "phones": ("+1 (415) 555-0134",)}))


def test_existing_url_is_kept() -> None:
    view = existing(person_urn=PERSON, match_method="manual",
                    linkedin_url="https://linkedin.com/in/old")
    decision = run(stub(), [view])
    assert "linkedin_url" not in decision.write.assign


def test_email_matches_case_insensitively_and_is_not_duplicated() -> None:
    view = existing(emails=("jane.doe@example.COM",), phones=("(415) 555-0134",),
                    linkedin_url=URL)
    decision = run(stub(), [], [view])
    assert decision.matched_by == "email" and decision.candidate_id == "C1"
    # Linked now to the member who shared their contact info; nothing else is new.
    assert decision.write == CandidateWrite({"person_urn": PERSON,
                                             "match_method": "stub_profile"}, {})
    assert decision.outcome == "updated"


def test_nothing_new_is_unchanged() -> None:
    view = existing(person_urn=PERSON, match_method="stub_profile", linkedin_url=URL,
                    emails=("JANE.DOE@example.com",), phones=("415.555.0134",))
    decision = run(stub(), [view])
    assert decision.outcome == "unchanged" and decision.write.empty


def test_name_match_only_when_exactly_one() -> None:
    view = existing(first_name="JANE", last_name="Dóe")
    decision = run(stub(), [], [], [view])
    assert (decision.outcome, decision.matched_by, decision.candidate_id) == (
        "updated", "name", "C1")
    assert decision.write.assign["person_urn"] == PERSON
    assert decision.alerts == ()


def test_several_with_the_name_go_to_review_and_write_nothing() -> None:
    # Issue 19.3: was "created" with two possible-duplicate alerts; now nobody is guessed.
    namesakes = [existing(id="C1"), existing(id="C2", first_name="jane")]
    decision = run(stub(), [], [], namesakes)
    assert decision.outcome == "review" and decision.candidate_id is None
    assert decision.write.empty and decision.alerts == ()
    assert decision.review == (("C1", "same name Jane Doe"), ("C2", "same name Jane Doe"))


def test_the_admins_choice_wins_and_is_a_manual_link() -> None:
    namesakes = [existing(id="C1"), existing(id="C2", first_name="jane")]
    decision = run(stub(), [], [], namesakes, chosen=namesakes[1])
    assert (decision.outcome, decision.candidate_id, decision.matched_by) == (
        "updated", "C2", "admin")
    assert decision.write.assign["person_urn"] == PERSON
    assert decision.write.assign["match_method"] == "manual"


def test_match_order_person_then_email_then_name() -> None:
    by_person = existing(id="P", person_urn=PERSON, match_method="manual")
    by_email = existing(id="E", emails=("jane.doe@example.com",))
    by_name = existing(id="N")
    assert run(stub(), [by_person], [by_email], [by_name]).candidate_id == "P"
    assert run(stub(), [], [by_email], [by_name]).candidate_id == "E"
    assert run(stub(), [], [], [by_name]).candidate_id == "N"


def test_another_candidate_with_the_email_is_flagged() -> None:
    by_person = existing(id="P", person_urn=PERSON, match_method="manual")
    by_email = existing(id="E", emails=("jane.doe@example.com",))
    decision = run(stub(), [by_person], [by_email, by_person])
    assert decision.candidate_id == "P"
    assert decision.alerts == (NewAlert("P", "E", "possible duplicate: same email address"),)


def test_candidates_linked_to_another_member_never_match_by_email_or_name() -> None:
    other = "urn:li:person:someone-else"
    by_email = existing(id="E", emails=("jane.doe@example.com",), person_urn=other)
    by_name = existing(id="N", person_urn=other)
    decision = run(stub(), [by_email], [by_email], [by_name])
    assert decision.outcome == "created"
    assert decision.alerts == (NewAlert(None, "E", "possible duplicate: same email address, "
                                                   "linked to another LinkedIn member"),)


def test_second_candidate_of_the_same_member_is_flagged() -> None:
    first = existing(id="C1", person_urn=PERSON, match_method="manual")
    second = existing(id="C2", person_urn=PERSON, match_method="manual")
    decision = run(stub(), [first, second])
    assert decision.candidate_id == "C1"
    assert decision.alerts == (NewAlert("C1", "C2", "possible duplicate: linked to the same "
                                                    f"LinkedIn member {PERSON}"),)


def test_confidential_candidates_are_never_named_in_an_alert() -> None:
    namesakes = [existing(id="C1"), existing(id="C2", confidential=True)]
    assert [a.other_candidate_id for a in run(stub(), [], [], namesakes).alerts] == ["C1"]


def test_unmatched_stub_creates_a_candidate() -> None:
    decision = run(stub(), [], [], [existing(first_name="John")])
    assert decision == StubDecision(
        "created", None, None,
        CandidateWrite({"first_name": "Jane", "last_name": "Doe", "headline": "Data wrangler",
                        "linkedin_url": URL, "person_urn": PERSON,
                        "match_method": "stub_profile", "creation_source": "LinkedIn"},
                       {"emails": ("Jane.Doe@Example.com",),
                        "phones": ("+1 (415) 555-0134",)}))


# -- validation ------------------------------------------------------------------------------

def test_invalid_email_is_rejected_not_written_and_not_matched_on() -> None:
    view = existing(id="E", emails=("jane@",), person_urn=None)
    decision = run(stub(emailAddress="jane@"), [], [view])
    assert decision.outcome == "created"
    assert "emails" not in decision.write.append
    [rejection] = decision.rejected
    assert (rejection.field, rejection.value) == ("emailAddress", "jane@")
    assert rejection.reason.startswith("invalid email address:")


@pytest.mark.parametrize(("number", "reason"), [
    ("12", "invalid phone number: '12' is too short"),
    ("call me", "invalid phone number: 'call me' is not a phone number"),
    ("+1 " + "5" * 70, "invalid phone number: longer than 64 characters"),
])
def test_invalid_phone_is_rejected_with_its_reason(number: str, reason: str) -> None:
    decision = run(stub(phoneNumber=number), [existing(person_urn=PERSON)])
    assert "phones" not in decision.write.append
    assert decision.write.append["emails"] == ("Jane.Doe@Example.com",)
    [rejection] = decision.rejected
    assert rejection.field == "phoneNumber" and rejection.value == number
    assert rejection.reason.startswith(reason)


def test_national_number_is_read_in_the_policy_region() -> None:
    decision = run(stub(phoneNumber="020 7946 0958"), phone_region="GB")
    assert decision.rejected == ()
    assert decision.write.append["phones"] == ("020 7946 0958",)


def test_both_invalid_are_both_reported() -> None:
    decision = run(stub(emailAddress="not an email", phoneNumber="x"))
    assert [r.field for r in decision.rejected] == ["emailAddress", "phoneNumber"]
    assert decision.write.append == {}
    assert decision.rejected[0] == Rejection("emailAddress", "not an email",
                                             decision.rejected[0].reason)


# -- properties ------------------------------------------------------------------------------

emails = st.sampled_from(["jane.doe@example.com", "JANE.DOE@EXAMPLE.COM", "j@work.io",
                          "other@example.org"])
phones = st.sampled_from(["+1 (415) 555-0134", "415.555.0134", "+44 20 7946 0958"])
views = st.builds(
    CandidateView, id=st.just("C1"), first_name=st.just("Jane"), last_name=st.just("Doe"),
    emails=st.lists(emails, max_size=3, unique_by=str.lower).map(tuple),
    phones=st.lists(phones, max_size=2, unique_by=lambda p: p[-4:]).map(tuple),
    linkedin_url=st.sampled_from([None, URL, "https://linkedin.com/in/old"]),
    person_urn=st.sampled_from([None, PERSON]),
    match_method=st.sampled_from([None, "matched", "one_click_export"]))
stubs = st.builds(lambda e, p: stub(emailAddress=e, phoneNumber=p),
                  st.one_of(st.none(), emails), st.one_of(st.none(), phones))


@given(views, stubs)
def test_update_is_idempotent_and_never_duplicates(view: CandidateView, s: MailStub) -> None:
    first = run(s, [view], [view], [view])
    assert first.candidate_id == "C1"
    after = applied(view, first.write)
    assert len({e.lower() for e in after.emails}) == len(after.emails)
    assert len({p[-4:] for p in after.phones}) == len(after.phones)
    assert after.emails[:len(view.emails)] == view.emails
    assert after.person_urn == PERSON
    second = run(s, [after], [after], [after])
    assert second.outcome == "unchanged" and second.write.empty


@given(views, stubs)
def test_created_then_restubbed_is_unchanged(view: CandidateView, s: MailStub) -> None:
    created = run(s)
    assert created.outcome == "created"
    record = applied(replace(view, id="NEW", emails=(), phones=(), linkedin_url=None,
                             person_urn=None, match_method=None), created.write)
    assert run(s, [record], [record], [record]).outcome == "unchanged"


@pytest.mark.parametrize("how", ["person", "email", "name"])
def test_a_confidential_match_is_refused_and_gets_no_linkedin_data(how: str) -> None:
    secret = existing(id="SECRET", confidential=True, emails=("jane.doe@example.com",),
                      person_urn=PERSON if how == "person" else None)
    lists = {"person": ([secret], [], []), "email": ([], [secret], []),
             "name": ([], [], [secret])}[how]
    decision = run(stub(), *lists)
    assert decision.outcome == "refused" and decision.candidate_id == "SECRET"
    assert decision.write.empty and decision.alerts == ()
    assert decision.reason is not None and "confidential" in decision.reason
