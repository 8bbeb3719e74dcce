"""The key codec's fast paths (plain ids skip the percent encoder and decoder) give exactly
what the full encoder and decoder give, for any text."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any
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


def reference_canonical(key: restli.Key | dict[str, str]) -> str:
    """`canonical` as it was: sorted pairs, each name and value through `quote`."""
    pairs = key.items() if isinstance(key, dict) else key
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(pairs))


@given(st.dictionaries(ANY, ANY, max_size=4))
def test_canonical_is_the_quoting_of_sorted_pairs(fields: dict[str, str]) -> None:
    assert canonical(fields) == reference_canonical(fields)
    key = restli.make_key(fields)
    assert canonical(key) == reference_canonical(key) == canonical(fields)
    assert canonical(MappingProxyType(fields)) == canonical(fields)


@pytest.mark.parametrize("text", ["a%2", "%zz", "a%"])
def test_a_bad_escape_is_still_refused(text: str) -> None:
    with pytest.raises(RestliSyntaxError):
        restli._strict_unquote(text)


# --- Rest.li 2.0: flat records are encoded and decoded without the recursive scanner --------

ATOM_TEXT = st.one_of(ANY, st.text(alphabet="ab'(),:%20", max_size=8),
                      st.sampled_from(["", "''", "urn:li:organization:4242", "a,b", "(x)"]))
FLAT = st.dictionaries(ATOM_TEXT, ATOM_TEXT, max_size=4)
NESTED = st.recursive(
    ATOM_TEXT,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(ATOM_TEXT, inner, max_size=3)),
    max_leaves=8)


def reference_encode(value: restli.RestliValue) -> str:
    """The encoder as it was, one recursive call per value (what LinkedIn's encoder writes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return quote(value, safe="") if value else "''"
    if isinstance(value, list):
        return "List(" + ",".join(reference_encode(item) for item in value) + ")"
    return "(" + ",".join(f"{reference_encode(str(k))}:{reference_encode(v)}"
                          for k, v in sorted(value.items())) + ")"


def slow_decode(text: str) -> object:
    """`decode_value` by the full scanner alone: its value, or its error's message."""
    try:
        if text.startswith("List(") or text.startswith("("):
            value, end = restli._decode_at(text, 0)
            if end != len(text):
                raise RestliSyntaxError(f"unexpected text after a Rest.li value in "
                                        f"{text[:80]!r}")
            return value
        return "" if text == "''" else restli._strict_unquote(text)
    except RestliSyntaxError as exc:
        return ("error", str(exc))


def decode(text: str) -> object:
    try:
        return restli.decode_value(text)
    except RestliSyntaxError as exc:
        return ("error", str(exc))


@given(NESTED)
def test_encoding_matches_the_recursive_encoder(value: restli.RestliValue) -> None:
    assert restli.encode_value(value) == reference_encode(value)


@given(NESTED)
def test_encode_then_decode_is_the_identity(value: restli.RestliValue) -> None:
    assert restli.decode_value(restli.encode_value(value)) == value


@given(FLAT)
def test_a_flat_key_round_trips_and_the_fast_path_agrees(fields: dict[str, str]) -> None:
    text = restli.encode_value(fields)
    assert decode(text) == slow_decode(text) == fields
    if fields and "$params" not in fields:
        assert parse_key(text, protocol=restli.PROTOCOL_2) == fields


RECORDISH = st.builds(lambda parts: "(" + ",".join(parts) + ")",
                      st.lists(st.text(alphabet="ab:',()%2F0é", max_size=6), max_size=4))


@given(st.one_of(RECORDISH, st.text(alphabet="ab:',()%2F0", max_size=16)))
def test_any_text_decodes_as_the_full_scanner_decodes_it(text: str) -> None:
    """Same value, or the same error in the same words, for well- and ill-formed text."""
    assert decode(text) == slow_decode(text)


@pytest.mark.parametrize("text", ["(a:b,a:c)", "(a:%zz)", "()", "(a:b", "(a:b))", "(a:'x)",
                                  "(:v)", "(a:)", "('':'')", "($params:,a:b)"])
def test_edge_records_decode_as_the_full_scanner_decodes_them(text: str) -> None:
    assert decode(text) == slow_decode(text)


@given(st.lists(st.one_of(FLAT.filter(bool), ATOM_TEXT), max_size=4))
def test_ids_list_query_is_the_2_0_batch_query(keys: list[dict[str, str] | str]) -> None:
    encoded = [restli.encode_key(key, protocol=restli.PROTOCOL_2) for key in keys]
    assert restli.ids_list_query(encoded) == "ids=" + reference_encode(keys)
    assert restli.batch_ids_query(keys, protocol=restli.PROTOCOL_2) == \
        "ids=" + reference_encode(keys)


@pytest.mark.parametrize("text", ["urn%3Ali%3Aorganization%3A42" * 20, "a%20b" * 60 + "%zz"])
def test_long_texts_decode_as_short_ones_do(text: str) -> None:
    """Texts over the cache's size are decoded uncached, with the same answer or error."""
    for _ in range(2):
        if "%zz" in text:
            with pytest.raises(RestliSyntaxError):
                restli._strict_unquote(text)
        else:
            assert restli._strict_unquote(text) == unquote(text)


LISTISH = st.builds(lambda records: "List(" + ",".join(records) + ")",
                    st.lists(RECORDISH, max_size=4))


@given(st.one_of(LISTISH, st.lists(FLAT, max_size=4).map(restli.encode_value)))
def test_a_list_of_records_decodes_as_the_full_scanner_decodes_it(text: str) -> None:
    """The batch ids' fast path: same value, or the same error in the same words."""
    assert decode(text) == slow_decode(text)


@pytest.mark.parametrize("text", ["List((a:b),(a:c))", "List((a:b),(a:b,a:c))", "List(())",
                                  "List((a:b),)", "List((a:b)(c:d))", "List((a:%zz))",
                                  "List((a:b),(c:d)))", "List((a:b),c)", "List((a:''),('':x))"])
def test_edge_lists_decode_as_the_full_scanner_decodes_them(text: str) -> None:
    assert decode(text) == slow_decode(text)


@given(st.one_of(FLAT, NESTED.filter(lambda v: isinstance(v, dict))))
def test_a_2_0_key_is_written_as_the_recursive_encoder_writes_it(
        fields: dict[str, restli.RestliValue]) -> None:
    """`encode_key`'s path for records of plain strings (every key the sync sends) and its
    way for any other record write the same text."""
    key: Any = fields  # encode_key is typed for keys of strings; any record is written
    assert restli.encode_key(key, protocol=restli.PROTOCOL_2) == reference_encode(fields)


# --- a batch's keys are written once each, field names and order shared across the batch ----

NAME_POOL = st.sampled_from(["a", "b", "integrationContext", "", "é x", "dataProvider", "z"])
BATCH_KEY = st.dictionaries(NAME_POOL, st.one_of(ATOM_TEXT, ATOM_TEXT,
                                                 st.integers(0, 9), st.lists(ATOM_TEXT,
                                                                             max_size=2)),
                            max_size=4)


def _same_names_in_another_order(keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The keys again, each with its fields reversed: batches mix field orders too."""
    return [*keys, *(dict(reversed(list(k.items()))) for k in keys)]


@given(st.lists(BATCH_KEY, max_size=6).map(_same_names_in_another_order))
def test_a_batch_of_records_is_written_as_encode_value_writes_each(keys: list[dict[str, Any]]
                                                                   ) -> None:
    assert restli.encode_records(keys) == [restli.encode_value(k) for k in keys]
    assert restli.encode_records([MappingProxyType(k) for k in keys]) == \
        [restli.encode_value(k) for k in keys]


@given(st.lists(st.dictionaries(NAME_POOL, ANY, max_size=4), max_size=6)
       .map(_same_names_in_another_order))
def test_a_batch_of_keys_is_canonical_as_each_key_is(keys: list[dict[str, str]]) -> None:
    assert restli.canonical_many(keys) == [canonical(k) for k in keys]
    as_tuples = [restli.make_key(k) for k in keys]
    assert restli.canonical_many(as_tuples) == [canonical(k) for k in keys]


def test_a_batch_key_with_a_value_that_is_not_text_fails_as_canonical_does() -> None:
    keys: list[Any] = [{"a": "x", "b": "y"}, {"a": "x", "b": 1}]
    with pytest.raises(TypeError):
        canonical(keys[1])
    with pytest.raises(TypeError):
        restli.canonical_many(keys)
    assert restli.encode_records(keys) == [restli.encode_value(k) for k in keys]
