"""Failed records in plain words (issue 15.4): the field's label and a short reason from what
our checks and LinkedIn say."""

from __future__ import annotations

import pytest

from recruitlink.core import field_labels
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


def test_two_checks_refusing_one_email_are_one_row_on_the_page():
    """The schema's pattern and the email check both refuse `ivan.example.com`: the batch's
    errors page showed the record twice beside "1 failed" (PageUp walk); one row now, both
    raw messages kept."""
    from recruitlink.sync.failures import explained, one_row_per_reason

    found = check("atsCandidates", {"firstName": "Ivan", "lastName": "I",
                                    "emailAddresses": ["ivan.example.com"]},
                  now_ms=1_700_000_000_000)
    rows = [explained({"id": n, "entity": "candidates", "entity_id": 7, "external_id": "C7",
                       "field": e.path.strip("/").replace("/", "."), "reason": e.reason,
                       "source": "validation", "status": "open"})
            for n, e in enumerate(found) if e.path == "/emailAddresses/0"]
    assert len(rows) == 2
    shown = one_row_per_reason(rows)
    assert [r["plain"] for r in shown] == ["Email address 1: not a valid email address"]
    assert shown[0]["reason"].splitlines() == [r["reason"] for r in rows]


def test_a_refusal_names_its_fields_by_their_labels_not_their_keys():
    assert field_labels.labelled("emails: this candidate has no email address") == \
        "Email address: this candidate has no email address"
    assert field_labels.labelled("person_urn: must be a URN; emailAddresses.1: bad") == \
        "LinkedIn member: must be a URN; Email address 2: bad"
    assert field_labels.labelled("no key here; nor here") == "no key here; nor here"
