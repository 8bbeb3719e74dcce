"""Live parity's pure comparison (core/parity.py): which records drifted, and how."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.core.parity import Verdict, differences, judge, parity_percent, share_of

SENT = {"firstName": "Ada", "lastName": "Lovelace", "emailAddresses": ["ada@example.com"],
        "phoneNumbers": [{"number": "+33 1 42 68 53 00", "type": "WORK"}],
        "address": {"city": "Paris", "country": "FR"}, "createdAt": 1_700_000_000_000,
        "companyName": None}


def test_a_copy_with_fields_linkedin_adds_is_in_parity():
    held = {**SENT, "matchedMembers": [{"person": "urn:li:person:1"}], "id": "x",
            "createdAt": 1_700_000_000_000.0}
    del held["companyName"]  # sent empty, left out by LinkedIn
    assert differences(SENT, held) == []
    assert judge("held", SENT, held) is None


def test_each_changed_field_is_named_by_its_path():
    held = {**SENT, "lastName": "Byron", "address": {"city": "London", "country": "FR"},
            "phoneNumbers": [{"number": "+33 1 42 68 53 01", "type": "WORK"}]}
    assert differences(SENT, held) == ["lastName", "phoneNumbers[0].number", "address.city"]
    assert judge("held", SENT, held) == Verdict(
        "stale", ("lastName", "phoneNumbers[0].number", "address.city"))


def test_a_field_linkedin_dropped_or_a_list_of_another_length_differs():
    held = {k: v for k, v in SENT.items() if k != "firstName"}
    held["emailAddresses"] = ["ada@example.com", "other@example.com"]
    assert differences(SENT, held) == ["firstName", "emailAddresses"]


def test_types_are_not_confused():
    assert differences({"active": True}, {"active": 1}) == ["active"]
    assert differences({"n": 1}, {"n": "1"}) == ["n"]
    assert differences({"a": {"b": 1}}, {"a": "b=1"}) == ["a"]
    assert differences({"n": 2}, {"n": 2.0}) == []


@pytest.mark.parametrize(("expect", "held", "verdict"), [
    ("held", None, Verdict("missing")),
    ("held", SENT, None),
    ("absent", None, None),
    ("absent", SENT, Verdict("extra")),
    ("changing", None, None),  # the sync will send it: not drift
    ("changing", {"firstName": "Other"}, None),
])
def test_judge(expect, held, verdict):
    assert judge(expect, SENT if expect == "held" else None, held) == verdict


def test_parity_figure_and_budget_share():
    assert parity_percent(0, 0) is None
    assert parity_percent(4, 2) == 50.0
    assert parity_percent(3, 1) == 66.7
    assert parity_percent(2, 5) == 0.0
    assert share_of(None, 0.2) is None
    assert share_of(100_000, 0.2) == 20_000
    assert share_of(3, 0.2) == 1  # never nothing where there is a limit


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner,
                                                                 max_size=3),
    max_leaves=10)


@settings(max_examples=40)
@given(st.dictionaries(st.text(max_size=4), json_values, max_size=5),
       st.dictionaries(st.text(max_size=4), json_values, max_size=3))
def test_a_record_matches_itself_plus_anything_linkedin_adds(sent, added):
    held = {**added, **sent}
    assert differences(sent, held) == []
    assert judge("held", sent, held) is None
