"""The sandbox reads a Rest.li 2.0 query's compound `ids=List(...)` once, straight into its
keys; whatever it reads, it reads as the general reading does (decode, flatten to 1.0's
`ids[N].field`, read again): the same ids and parameters, or the same syntax error."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.core.restli import (
    PROTOCOL_1,
    PROTOCOL_2,
    RestliSyntaxError,
    encode_value,
    parse_batch_ids,
    parse_query_for,
)
from recruitlink.sandbox.api import restli_http
from recruitlink.sandbox.api.restli_http import parse_ids_and_params

TEXT = st.text(alphabet=st.sampled_from("ab1 :,()'%&=ü$"), max_size=6)
KEYS = st.lists(st.dictionaries(TEXT, TEXT, max_size=3), max_size=4)


def general(query: str, protocol: str) -> tuple[str, Any]:
    try:
        return "ok", parse_batch_ids(parse_query_for(query, protocol), raw_lists=False)
    except RestliSyntaxError as exc:
        return "error", str(exc)


def fast(query: str, protocol: str) -> tuple[str, Any]:
    try:
        return "ok", parse_ids_and_params(query, protocol)
    except RestliSyntaxError as exc:
        return "error", str(exc)


ODD_IDS = ["ids=List(x)", "%69ds=List((a:b))", "ids[0].a=b", "ids", "ids=List((a:(b:c)))",
           "ids=List(($params:(),a:b))", "ids=List(($params:'',a:b))",
           "ids=List(($params:(x:y),a:b))", "ids=List()", "ids=List((a:b),c)", "ids=(a:b)",
           "ids=List((a:b%ZZ))", "ids=List(('':b))", "ids=List((a:''))"]
"""ids parameters of every shape the general reading treats apart (or refuses)."""
OTHERS = ["q=criteria", "fields=a,b", "start=0&count=10", "x=List(1,2)", "r=(a:b)", "",
          "bad=%ZZ", "r=(a:b"]


@settings(max_examples=400, deadline=None)
@given(st.one_of(KEYS.map(lambda keys: "ids=List(" + ",".join(encode_value(k) for k in keys)
                          + ")"), st.sampled_from(ODD_IDS)),
       st.lists(st.sampled_from(OTHERS + ODD_IDS), max_size=3), st.booleans())
def test_the_same_reading_as_the_general_path(ids: str, others: list[str],
                                              ids_first: bool) -> None:
    query = "&".join([ids, *others] if ids_first else [*others, ids])
    assert fast(query, PROTOCOL_2) == general(query, PROTOCOL_2)


def test_the_plain_case_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keys are not written as 1.0 pairs and read again: the other parameters alone go
    through the general reading."""
    read: list[str] = []

    def spy(query: str, protocol: str) -> list[tuple[str, str]]:
        read.append(query)
        return parse_query_for(query, protocol)

    monkeypatch.setattr(restli_http, "parse_query_for", spy)
    ids, rest = parse_ids_and_params(
        "ids=List((a:urn%3Ali%3Ax%3A1,b:C1),(a:x,b:C2))&fields=b", PROTOCOL_2)
    assert ids == [{"a": "urn:li:x:1", "b": "C1"}, {"a": "x", "b": "C2"}]
    assert rest == [("fields", "b")] and read == ["fields=b"]
    # 1.0, and 2.0 simple ids, take the general reading.
    assert parse_ids_and_params("ids=A&ids=B", PROTOCOL_1) == (["A", "B"], [])
    assert parse_ids_and_params("ids=List(A,B)", PROTOCOL_2) == (["A", "B"], [])
