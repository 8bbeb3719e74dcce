"""The sandbox reads request bodies with orjson and answers exactly as the standard library's
strict reading did: the same value, or a 400 with the same message (duplicate keys, NaN,
bad UTF-8, unpaired surrogates, nesting deeper than 32 levels)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.sandbox.api import restli_http
from recruitlink.sandbox.api.restli_http import MAX_JSON_DEPTH, parse_json
from recruitlink.sandbox.errors import ApiError

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(),
                    st.text(alphabet='[]{}":\\,a\n', max_size=6))
"""Text of any kind, and text made of what JSON's structure is made of."""
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)


def standard_reading(raw: bytes) -> tuple[str, Any]:
    """What the standard-library path alone answers (the reading before orjson)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "error", None
    try:
        value = json.loads(text, object_pairs_hook=restli_http._no_duplicates,
                           parse_constant=restli_http._reject_constant)
        restli_http._check_json_value(value)
    except (ValueError, RecursionError, ApiError):
        return "error", None
    return "value", value


def reading(raw: bytes) -> tuple[str, Any]:
    try:
        return "value", parse_json(raw)
    except ApiError as exc:
        assert exc.status == 400
        return "error", None


def error_message(raw: bytes) -> str:
    with pytest.raises(ApiError) as caught:
        parse_json(raw)
    return caught.value.message


@settings(max_examples=300, deadline=None)
@given(VALUES, st.sampled_from([(",", ":"), (", ", ": "), (",\n ", " :\t")]))
def test_bodies_read_as_the_standard_library_reads_them(value: Any,
                                                        separators: tuple[str, str]) -> None:
    raw = json.dumps(value, separators=separators, ensure_ascii=False).encode()
    assert reading(raw) == standard_reading(raw)


@settings(max_examples=300, deadline=None)
@given(VALUES, st.data())
def test_a_repeated_key_anywhere_is_refused(value: Any, data: st.DataObject) -> None:
    """A second copy of some object's first key, spliced into the text: refused like the
    standard library refuses it, whatever orjson would have kept."""
    raw = json.dumps({"entities": value, "k": 1}, ensure_ascii=False)
    # Objects that hold a key: their "{" is followed by the key's string. (A "{" inside a
    # string value is escaped by nothing, so check that a key really starts there.)
    decoder = json.JSONDecoder()
    starts = []
    for at, char in enumerate(raw):
        if char == "{" and raw[at + 1:at + 2] == '"':
            try:
                key, end = decoder.raw_decode(raw, at + 1)
            except ValueError:
                continue
            if raw[end:end + 1] == ":":
                starts.append((at, key))
    at, key = data.draw(st.sampled_from(starts))
    spliced = (raw[:at + 1] + json.dumps(key) + ":0," + raw[at + 1:]).encode()
    assert reading(spliced) == standard_reading(spliced)
    if at == 0:  # the outer object: surely a repeated key
        assert reading(spliced) == ("error", None)


@pytest.mark.parametrize("raw", [
    b'{"a": 1, "a": 2}',
    b'{"a": {"b": [1, {"c": "x\\\\", "c": 2}]}}',
    b'{"a\\u0062": 1, "ab": 2}',
    b'{"x": NaN}',
    b'"\\ud800"',
    b'\xff\xfe',
    b'\xef\xbb\xbf{}',
    b'[' * MAX_JSON_DEPTH + b'1' + b']' * MAX_JSON_DEPTH,
    b'[' * (MAX_JSON_DEPTH + 1) + b']' * (MAX_JSON_DEPTH + 1),
    b'{"a": ',
    b'{"a\\u003a": 1, "a:": 2}',
    b'{"a": 1, "a": "\\u003a"}',  # the escaped colon makes up for the dropped key's
    b'["\\"", ' + b'[' * (MAX_JSON_DEPTH - 1) + b'1' + b']' * (MAX_JSON_DEPTH - 1) + b', "\\""]',
    b'{"a": "[[[[", "b": "]]", "a": 1}',
    b'[' * MAX_JSON_DEPTH + b'"x"' + b']' * MAX_JSON_DEPTH,
])
def test_each_refusal_keeps_its_message(raw: bytes) -> None:
    """The message is the standard library's, as before orjson read bodies."""
    message = error_message(raw)
    assert message.startswith(("Malformed JSON body", "Request body is not valid UTF-8"))
    assert standard_reading(raw) == ("error", None)


def test_what_orjson_reads_apart_is_read_by_the_standard_library() -> None:
    assert parse_json(b'{"n": 1208925819614629174706176}') == {"n": 2**80}
    assert parse_json(b'{"s": "a\\"b:", "t" : 1}') == {"s": 'a"b:', "t": 1}
    assert parse_json(b'[1e400]') == [float("inf")]  # orjson refuses it, json reads it
    assert parse_json(b'{"a\\u003a": 1, "b": "\\u003A"}') == {"a:": 1, "b": ":"}
    deep = b'[' * (MAX_JSON_DEPTH - 1) + b'"[[[", {"k": "]]\\"]"}' + b']' * (MAX_JSON_DEPTH - 1)
    with pytest.raises(ApiError):  # the object at level 32 holds a key: too deep
        parse_json(deep)
    shallow = b'[' * (MAX_JSON_DEPTH - 1) + b'"[[[", "]]\\"]"' + b']' * (MAX_JSON_DEPTH - 1)
    assert parse_json(shallow)  # strings' brackets are no nesting
    assert parse_json(b'[' * (MAX_JSON_DEPTH - 1) + b'[]' + b']' * (MAX_JSON_DEPTH - 1))
