"""`mapping.candidate` builds the record field by field without filtering it afterwards: the
same record, in the same key order, as the version it replaced (kept here as the reference),
for any row."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.core import mapping as m

CTX = m.MappingContext("urn:li:organization:1", "https://ats.example/t/acme")


def reference(row: Any, ctx: m.MappingContext) -> dict[str, Any]:
    """mapping.candidate as it was written before (8e19540)."""
    record: dict[str, Any] = {
        "addresses": [a for a in map(m._address, m._list(row.get("addresses"))) if a is not None],
        "atsCreatedAt": row.get("created_at"),
        "atsLastModifiedAt": row.get("modified_at"),
    }
    emails = m._list(row.get("emails"))
    if emails:
        record["emailAddresses"] = emails
    record["phoneNumbers"] = [m._phone(p) for p in m._list(row.get("phones"))]
    m._put_given(record, ((name, row.get(column)) for name, column in m._CANDIDATE_NAMES))
    record["externalProfileUrl"] = m._deep_link(ctx, "candidates", row.get("external_id"))
    m._put(record, "linkedInProfileUrl", row.get("linkedin_url"))
    m._put(record, "doNotContact", row.get("do_not_contact"))
    if row.get("match_method") in m.MANUAL_MATCH_METHODS:
        m._put(record, "manualMatchedMember", row.get("person_urn"))
    return {k: v for k, v in record.items() if v is not None}


scalar = st.none() | st.just("") | st.text(max_size=4) | st.integers() | st.booleans() \
    | st.floats(allow_nan=False)
address = st.dictionaries(st.sampled_from(["line1", "line2", "city", "region", "postal_code",
                                           "country"]), scalar) | scalar
phone = st.dictionaries(st.sampled_from(["number", "extension", "type"]), scalar) | scalar
COLUMNS = {
    "addresses": st.lists(address, max_size=3) | scalar,
    "emails": st.lists(st.text(max_size=6), max_size=2) | scalar,
    "phones": st.lists(phone, max_size=2) | scalar,
    "match_method": st.sampled_from([None, "manual", "email", "", *sorted(m.MANUAL_MATCH_METHODS)]),
}
OTHERS = ["created_at", "modified_at", "first_name", "last_name", "middle_initial", "prefix",
          "suffix", "current_company", "current_title", "external_id", "linkedin_url",
          "do_not_contact", "person_urn"]


@st.composite
def rows(draw: Any) -> dict[str, Any]:
    row = {name: draw(column) for name, column in COLUMNS.items() if draw(st.booleans())}
    row.update({name: draw(scalar) for name in OTHERS if draw(st.integers(0, 3))})
    return row


@settings(max_examples=1500, deadline=None)
@given(rows())
def test_the_candidate_record_is_the_filtered_one(row: dict[str, Any]) -> None:
    expected = reference(row, CTX)
    got = m.candidate(row, CTX)
    assert got == expected
    assert list(got) == list(expected)  # the same key order
