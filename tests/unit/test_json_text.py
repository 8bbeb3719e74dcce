"""core/json_text.py reads every JSON text to json.loads's value, type for type (an integer
beyond 64 bits stays an integer), or fails as json.loads does: the store reads its JSON
columns with it."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recruitlink.core.json_text import dumps, loads


def same(a: Any, b: Any, *, key_order: bool = True) -> bool:
    """Equal, and of the same types all the way down (1 is not 1.0; -0.0 is not 0.0); keys
    in the same order unless not `key_order` (PostgreSQL's jsonb keeps its own)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a)
                                                     == math.copysign(1, b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y, key_order=key_order)
                                        for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return ((list(a) == list(b)) if key_order else (a.keys() == b.keys())) and all(
            same(a[k], b[k], key_order=key_order) for k in a)
    return bool(a == b)


# What the store holds: text, integers (to 64 bits and beyond), floats, booleans, null.
texts = st.text(max_size=12)  # lone surrogates included: json writes them as escapes
scalars = (st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1)
           | st.integers(-(2**80), 2**80) | st.floats() | texts)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(texts, inner, max_size=4), max_leaves=25)
writings = st.sampled_from([{}, {"separators": (",", ":")}, {"ensure_ascii": False},
                            {"indent": 1}])


@settings(max_examples=500, deadline=None)
@given(values, writings)
@example({"n": 2**64, "m": -(2**63) - 1, "i": 2**64 - 1, "j": -(2**63)}, {})
@example([float("nan"), float("inf"), -0.0, 1e-05, 5e-324, 1.7976931348623157e308], {})
@example({"k": "\ud800", "s": "Zürich 1.5€ 😀", "d": "1234567890123456789012"},
         {"ensure_ascii": False})
def test_the_value_json_reads(value: Any, writing: dict[str, Any]) -> None:
    text = json.dumps(value, **writing)
    assert same(loads(text), json.loads(text))
    if "\\ud" not in text.lower() or writing.get("ensure_ascii", True):
        raw = text.encode("utf-8", "surrogatepass")
        assert same(loads(raw), json.loads(raw))


# Text of JSON's pieces, valid or not.
_PIECES = [*"0123456789.eE-+,:[]{}\"\\ ntrufals\t\n\x00", "NaN", "Infinity", "\\ud800",
           "\\u00e9", "1e400", "9" * 19, "null"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join))
@example('{"a": 1, "a": [2]}')
@example("[1]\x00")
def test_the_same_value_or_the_same_failure(text: str) -> None:
    try:
        expected = json.loads(text)
    except ValueError:
        with pytest.raises(ValueError):
            loads(text)
        return
    except RecursionError:
        return
    assert same(loads(text), expected)


def test_nesting_beyond_orjson_s_limit_reads_as_json_reads_it() -> None:
    deep = "[" * 1100 + "]" * 1100  # orjson stops at 1024 levels; json at the stack's
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit + 2000)
    try:
        value, depth = loads(deep), 0
    finally:
        sys.setrecursionlimit(limit)
    while value:
        value, depth = value[0], depth + 1
    assert (value, depth) == ([], 1099)


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    return True


@settings(max_examples=500, deadline=None)
@given(values)
@example({"n": 2**64, "k": "\ud800", "s": "Zürich 1.5€ 😀", 3: "int key"})
def test_what_dumps_writes_reads_back_as_what_json_wrote(value: Any) -> None:
    """The store's writing: the value json.dumps wrote (lone surrogates, long integers and
    keys that are not text included), except a float that is not finite (written null)."""
    text = dumps(value)
    if _finite(value):
        assert same(loads(text), json.loads(json.dumps(value)))
    text.encode("utf-8")  # always storable: a lone surrogate stays an escape


@pytest.mark.parametrize("refused", [{"when": __import__("datetime").date(2026, 1, 1)},
                                     [object()], {"s": {1, 2}}])
def test_dumps_refuses_what_json_refuses(refused: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(refused)
    with pytest.raises(TypeError):
        dumps(refused)
