"""Request bodies written by orjson mean exactly what json wrote before (linkedin/http.py)."""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.linkedin.http import _json_body


def before(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(finite(v) for v in value)
    return True


scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats()
           | st.text(st.characters(exclude_categories=["Cs"]), max_size=20))
keys = st.text(max_size=8, alphabet=st.characters(exclude_categories=["Cs"])) | st.integers(0, 9)
bodies = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(keys, inner, max_size=4),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(bodies)
def test_a_body_means_what_json_wrote(body: Any) -> None:
    written = _json_body(body)
    if finite(body):
        assert json.loads(written) == json.loads(before(body))
    else:  # NaN and infinities: json's own (non-standard) writing, as before
        assert written == before(body)


@pytest.mark.parametrize("body", [
    {"big": 2**64}, {1: "non-text key"}, {"nan": float("nan")}, [float("inf")],
])
def test_what_orjson_would_change_is_written_by_json(body: Any) -> None:
    assert _json_body(body) == before(body)


def test_what_json_refuses_is_still_refused() -> None:
    with pytest.raises(TypeError):
        _json_body({"at": datetime(2026, 1, 1)})
