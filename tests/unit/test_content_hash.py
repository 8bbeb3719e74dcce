"""The ledger's content hash stays byte for byte what json wrote (sync/items.py): orjson writes
it where it writes the same bytes, json everywhere else. A changed hash would re-send every
record after an upgrade."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import orjson
from hypothesis import example, given, settings
from hypothesis import strategies as st

from recruitlink.sync import items
from recruitlink.sync.items import content_hash
from tests.unit.test_validation import application, candidate, job


def json_hash(resource: str, key: Any, parent: Any, body: Any) -> str:
    """The hash as every earlier version wrote it."""
    raw = json.dumps([resource, key, parent, body], sort_keys=True, separators=(",", ":"),
                     ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


# Text made of what the float/null detection looks for, JSON's escapes and non-ASCII.
_PIECES = [*"0123456789.eE-+,:[]{}\"\\ nul/\n\x01\x7féü€😀", "null", ",1.5", ":null,", "[1e5"]
tricky_text = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)
texts = tricky_text | st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
scalars = (st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats()
           | st.integers(-(2**70), 2**70)
           | texts | st.datetimes() | st.dates() | st.decimals(allow_nan=False))
keys = texts | st.integers(-3, 3)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(texts, inner, max_size=5) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["atsCandidates", "simpleJobPostings"]), values, values, values)
@example("atsCandidates", {"id": "C1"}, None, candidate())
@example("atsApplications", {"id": "A1"}, {"id": "C1"}, application())
@example("simpleJobPostings", "J1", "open", [job(), job(title="Zürich 1.5€")])
@example("r", {"at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)}, date(2026, 1, 2), None)
@example("r", {"n": float("nan")}, None, {"i": float("-inf")})
@example("r", {"f": 1e-05}, 7.24416835803469e-05, [1e16, 0.5, -0.0, Decimal("1.10")])
@example("r", {"big": 2**64}, {1: "a"}, None)
def test_the_hash_is_json_s(resource: str, key: Any, parent: Any, body: Any) -> None:
    try:
        expected = json_hash(resource, key, parent, body)
    except (TypeError, ValueError):  # json cannot write it (mixed key types, surrogates): nor now
        return
    assert content_hash(resource, key, parent, body) == expected


@settings(max_examples=1000, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_orjson_writes_every_float_as_digits_then_a_point_or_exponent(number: float) -> None:
    # What content_hash relies on to send every float to json.
    assert re.fullmatch(rb"-?[0-9]+[.eE].*", orjson.dumps(number))


def test_sync_s_payloads_are_written_by_orjson() -> None:
    # The fast path is the one taken for what mapping builds (the test above proves it right).
    for body in (candidate(), application(), job()):
        assert items._orjson_as_json(["atsCandidates", {"id": "C1"}, None, body]) is not None
    assert items._orjson_as_json(["r", "k", None, {"salary": 1.5}]) is None
    assert items._orjson_as_json(["r", "k", None, [float("nan")]]) is None
