"""The Rest.li key codec: what the client encodes, the sandbox reads back, by meaning."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recruitlink.core.restli import (
    RestliSyntaxError,
    apply_patch,
    batch_ids_query,
    canonical,
    encode_key,
    make_key,
    parse_batch_ids,
    parse_key,
    parse_query,
    parse_restli2_list,
)

field_names = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1,
                      max_size=12)
values = st.text(min_size=0, max_size=20)
keys = st.dictionaries(field_names, values, min_size=1, max_size=5)


@given(keys, st.booleans())
def test_body_keys_round_trip_in_any_field_order(fields, reverse):
    ordered = dict(reversed(list(fields.items()))) if reverse else fields
    assert parse_key(encode_key(ordered)) == fields
    assert make_key(parse_key(encode_key(ordered))) == make_key(fields)


@given(st.lists(keys, min_size=1, max_size=5))
def test_batch_query_round_trips(batch):
    ids, rest = parse_batch_ids(parse_query(batch_ids_query(batch)))
    assert ids == batch and rest == []


@given(st.lists(values.filter(bool), min_size=1, max_size=5))
def test_simple_ids_round_trip(batch):
    ids, _ = parse_batch_ids(parse_query(batch_ids_query(batch)))
    assert ids == batch


def test_raw_and_encoded_brackets_and_colons_mean_the_same():
    raw = "ids[0].atsCandidateId=C1&ids[0].integrationContext=urn:li:organization:1"
    encoded = ("ids%5B0%5D.atsCandidateId=C1"
               "&ids%5B0%5D.integrationContext=urn%3Ali%3Aorganization%3A1")
    assert parse_batch_ids(parse_query(raw)) == parse_batch_ids(parse_query(encoded))


def test_canonical_is_sorted_and_fully_encoded():
    key = {"integrationContext": "urn:li:organization:1", "atsCandidateId": "a&b=c"}
    assert canonical(key) == ("atsCandidateId=a%26b%3Dc"
                              "&integrationContext=urn%3Ali%3Aorganization%3A1")
    assert canonical(make_key(key)) == canonical(key)


@given(st.lists(st.fixed_dictionaries({"a": values, "b": values}), min_size=1, max_size=4))
def test_restli2_compound_lists_decode_each_value_once(batch):
    text = "List(" + ",".join(
        "(" + ",".join(f"{k}:{quote(v, safe='')}" for k, v in item.items()) + ")"
        for item in batch) + ")"
    ids, _ = parse_batch_ids(parse_query("ids=" + text))
    assert ids == batch


def test_restli2_simple_list():
    assert parse_restli2_list("List(A,B%2CC)") == ["A", "B,C"]


@pytest.mark.parametrize("bad", ["ids[0].a=1&ids[2].a=2", "ids[0].a=1&ids=x",
                                 "ids[0].a=1&ids[0].a=2", "ids=List((a:1)", "ids=List((a))",
                                 "a=%zz", "a=%C3%28", "ids.x=1"])
def test_malformed_queries_are_syntax_errors(bad):
    with pytest.raises(RestliSyntaxError):
        parse_batch_ids(parse_query(bad))


@pytest.mark.parametrize("bad", ["", "a", "a=1&a=2", "=1", "a=%2"])
def test_malformed_keys_are_syntax_errors(bad):
    with pytest.raises(RestliSyntaxError):
        parse_key(bad)


def test_apply_patch_sets_and_deletes():
    merged, set_fields, deleted = apply_patch(
        {"a": 1, "b": 2}, {"patch": {"$set": {"a": 3, "c": 4}, "$delete": ["b"]}})
    assert merged == {"a": 3, "c": 4} and set_fields == {"a": 3, "c": 4} and deleted == ["b"]


@pytest.mark.parametrize("bad", [None, {}, {"patch": {}}, {"patch": {"$set": []}},
                                 {"patch": {"$delete": "a"}}, {"patch": {"$unset": {}}},
                                 {"patch": {"$set": {"a": 1}, "$delete": ["a"]}},
                                 {"patch": {"$set": {}}, "extra": 1}])
def test_apply_patch_rejects_bad_shapes(bad):
    with pytest.raises(RestliSyntaxError):
        apply_patch({}, bad)


def test_restli2_key_with_a_repeated_field_is_a_syntax_error():
    with pytest.raises(RestliSyntaxError):
        parse_restli2_list("List((a:1,a:2))")
