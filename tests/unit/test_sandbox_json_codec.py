"""The sandbox's orjson codec writes and reads what the standard library does."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.responses import JSONResponse

from recruitlink.sandbox import json_codec
from recruitlink.sandbox.json_codec import FastJSONResponse

# Records and answers hold text, integers (up to 64 bits and beyond), booleans and null.
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.text())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_the_same_text_and_bytes_as_the_standard_library(value: Any) -> None:
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert json_codec.dumps(value) == text
    assert json_codec.loads(text.encode()) == json.loads(text) == value
    assert FastJSONResponse(value).body == JSONResponse(value).body


def test_what_orjson_refuses_is_written_by_the_standard_library() -> None:
    assert json_codec.dumps({1: 2**80}) == '{"1":1208925819614629174706176}'
    assert FastJSONResponse({2: "x"}).body == b'{"2":"x"}'
    assert json_codec.loads(b'{"n": 1208925819614629174706176}') == {"n": 2**80}


def test_bad_json_is_still_an_error() -> None:
    with pytest.raises(ValueError):
        json_codec.loads(b'{"a": ')
