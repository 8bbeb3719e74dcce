"""A record's deep link quotes its external id as `urllib.parse.quote(id, safe="")` does, for
any id: the ids that need no quoting skip it."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import example, given, settings
from hypothesis import strategies as st

from recruitlink.core import mapping as m

CTX = m.MappingContext("urn:li:organization:1", "https://ats.example/t/acme/")


@settings(max_examples=1000, deadline=None)
@given(st.text() | st.text(alphabet="AZaz09_.~-/ %+é\n") | st.integers())
@example("")
@example("C-1_2.3~")
@example("a/b")
@example("١٢٣")  # Arabic-Indic digits: not unreserved
@example("C1\n")
def test_the_deep_link_quotes_as_quote_does(external_id: object) -> None:
    expected = f"https://ats.example/t/acme/candidates/{quote(str(external_id), safe='')}"
    assert m._deep_link(CTX, "candidates", external_id) == expected
