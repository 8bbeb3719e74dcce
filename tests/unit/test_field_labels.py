"""Failed records in plain words (issue 15.4): the field's label and a short reason from what
our checks and LinkedIn say."""

from __future__ import annotations

import pytest

from recruitlink.core.field_labels import explain, field_label, split_linkedin_message
from recruitlink.core.validation import check


@pytest.mark.parametrize(("field", "label"), [
    ("emailAddresses.0", "Email address 1"), ("phoneNumbers.1.number", "Phone number 2"),
    ("/emailAddresses/2", "Email address 3"), ("firstName", "First name"),
    ("somethingNew", "somethingNew"), (None, "Record"), ("", "Record")])
def test_labels(field, label):
    assert field_label(field) == label


def test_our_checks_in_plain_words():
    found = check("atsCandidates", {"emailAddresses": ["alan.turing@"],
                                    "phoneNumbers": [{"number": "12"}]},
                  now_ms=1_700_000_000_000)
    said = {explain(e.path.strip("/").replace("/", "."), e.reason) for e in found}
    assert "Email address 1: not a valid email address" in said
    assert any(s.startswith("Phone number 1: not a valid phone number (") for s in said)
    assert not [s for s in said if "emailAddresses" in s or "phoneNumbers" in s]


def test_linkedins_message_names_the_field():
    raw = "ERROR :: /emailAddresses/0 :: invalid email address: no @"
    assert split_linkedin_message(None, raw) == ("emailAddresses.0", "invalid email address: no @")
    assert explain(None, raw) == "Email address 1: not a valid email address"
    assert explain("title", "must be at most 200 characters (found 250)") == (
        "Title: is too long (at most 200 characters)")
    assert explain("x", "something LinkedIn says") == "x: something LinkedIn says"
