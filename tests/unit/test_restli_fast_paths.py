"""The key codec's fast paths (plain ids skip the percent encoder and decoder) give exactly
what the full encoder and decoder give, for any text."""

from __future__ import annotations

from urllib.parse import quote, unquote, unquote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recruitlink.core import restli
from recruitlink.core.restli import RestliSyntaxError, canonical, parse_key

PLAIN = st.text(alphabet="abcXYZ019_.-~", max_size=12)
ANY = st.one_of(PLAIN, st.text(max_size=12),
                st.text(alphabet="ab%+2F0 :,()é", max_size=12))


@given(ANY)
def test_encoding_matches_quote(value: str) -> None:
    assert restli._enc(value) == quote(value, safe="")


@given(ANY, st.booleans())
def test_decoding_matches_unquote_or_refuses_bad_escapes(text: str, plus: bool) -> None:
    try:
        decoded = restli._strict_unquote(text, plus=plus)
    except RestliSyntaxError:
        assert "%" in text  # only a bad escape or bad UTF-8 is refused
        return
    expected = unquote_plus(text, errors="strict") if plus else unquote(text, errors="strict")
    assert decoded == expected


@given(st.dictionaries(PLAIN.filter(bool), ANY, min_size=1, max_size=4))
def test_canonical_key_round_trips(fields: dict[str, str]) -> None:
    assert parse_key(canonical(fields)) == fields


@pytest.mark.parametrize("text", ["a%2", "%zz", "a%"])
def test_a_bad_escape_is_still_refused(text: str) -> None:
    with pytest.raises(RestliSyntaxError):
        restli._strict_unquote(text)
