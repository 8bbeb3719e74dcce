"""The Rest.li codec in both protocol versions: round trips, strictness, and agreement with
LinkedIn's own encoder (linkedin-api-client), whose output the sandbox must read."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from linkedin_api.clients.restli.utils.encoder import encode as linkedin_encode
from linkedin_api.clients.restli.utils.encoder import param_encode as linkedin_param_encode

from recruitlink.core.restli import (
    NEEDS_PROTOCOL_2,
    PROTOCOL_1,
    PROTOCOL_2,
    RestliSyntaxError,
    batch_ids_query,
    decode_value,
    encode_key,
    encode_query,
    encode_value,
    parse_batch_ids,
    parse_key,
    parse_query,
    parse_query_for,
    parse_simple_key,
    protocol_of,
)

RESERVED = "():,'%&=+ ?#/[]"
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=16) | st.sampled_from(
    ["", "urn:li:organization:1", "a(b)c", "x,y", "it's", "50%", "a&b=c", " spaced out ",
     "ü名前", "''", "List(1,2)", "(k:v)"])
names = (st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=10)
         .filter(lambda name: name != "$params")  # reserved by Rest.li for complex keys
         | st.sampled_from(["atsCandidateId", "integrationContext", "a:b", "(x)"]))
values: st.SearchStrategy[Any] = st.recursive(
    text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=4),
    max_leaves=12)
flat_keys = st.dictionaries(names, text, min_size=1, max_size=4)
protocols = st.sampled_from([PROTOCOL_1, PROTOCOL_2])


@given(values)
def test_values_round_trip(value):
    assert decode_value(encode_value(value)) == value


@given(values)
def test_our_encoding_is_linkedins_except_the_empty_string(value):
    # LinkedIn's encoder writes "" as nothing, which its own decoder cannot tell from an
    # empty List; Rest.li writes ''. Everything else is byte for byte the same.
    ours = encode_value(value)
    theirs = linkedin_encode(value)
    assert ours.replace("''", "") == theirs


def _no_empty_list_items(value: Any) -> bool:
    if isinstance(value, list):
        return all(item != "" and _no_empty_list_items(item) for item in value)
    if isinstance(value, dict):
        return all(_no_empty_list_items(item) for item in value.values())
    return True


@given(values.filter(_no_empty_list_items))
def test_we_read_linkedins_encoding(value):
    # An empty string inside a List is where LinkedIn's encoder is lossy (see above).
    assert decode_value(linkedin_encode(value)) == value


@given(st.integers(), st.booleans())
def test_numbers_and_booleans_encode_as_linkedin_does(number, flag):
    assert encode_value(number) == linkedin_encode(number)
    assert encode_value(flag) == linkedin_encode(flag)
    assert decode_value(encode_value([number, flag])) == [str(number), str(flag).lower()]


@given(flat_keys, protocols)
def test_compound_keys_round_trip(key, protocol):
    assert parse_key(encode_key(key, protocol=protocol), protocol=protocol) == key
    assert parse_key(encode_key(key, protocol=protocol)) == key  # the syntax tells


@given(flat_keys)
def test_we_read_linkedins_body_and_path_keys(key):
    assert parse_key(linkedin_encode(key), protocol=PROTOCOL_2) == key


@given(text.filter(bool), protocols)
def test_simple_keys_round_trip(key, protocol):
    assert parse_simple_key(encode_key(key, protocol=protocol), protocol=protocol) == key


def test_urn_keys_in_each_protocol():
    key = {"integrationContext": "urn:li:organization:1", "atsCandidateId": "C 1"}
    assert encode_key(key) == "integrationContext=urn%3Ali%3Aorganization%3A1&atsCandidateId=C%201"
    assert encode_key(key, raw_urns=True) == \
        "integrationContext=urn:li:organization:1&atsCandidateId=C%201"
    assert encode_key(key, protocol=PROTOCOL_2) == \
        "(atsCandidateId:C%201,integrationContext:urn%3Ali%3Aorganization%3A1)"


@given(st.lists(flat_keys, min_size=1, max_size=4), protocols)
def test_batch_ids_round_trip(batch, protocol):
    query = batch_ids_query(batch, protocol=protocol)
    ids, rest = parse_batch_ids(parse_query_for(query, protocol), raw_lists=False)
    assert ids == batch and rest == []


@given(st.lists(text.filter(bool), min_size=1, max_size=4), protocols)
def test_simple_batch_ids_round_trip(batch, protocol):
    query = batch_ids_query(batch, protocol=protocol)
    ids, _ = parse_batch_ids(parse_query_for(query, protocol), raw_lists=False)
    assert ids == batch


@given(st.lists(flat_keys, min_size=1, max_size=4))
def test_we_read_linkedins_batch_ids(batch):
    query = linkedin_param_encode({"ids": batch})
    ids, _ = parse_batch_ids(parse_query_for(query, PROTOCOL_2), raw_lists=False)
    assert ids == batch


finder_params = st.lists(st.tuples(
    st.sampled_from(["q", "contracts", "owners", "keywords"]),
    text | st.lists(text.filter(bool), min_size=1, max_size=3)), max_size=4)


@given(finder_params, protocols)
def test_finder_parameters_read_back_in_the_1_0_shape(params, protocol):
    expected = [(name, item) for name, value in params
                for item in (value if isinstance(value, list) else [value])]
    assert parse_query_for(encode_query(params, protocol=protocol), protocol) == expected


def test_records_and_lists_flatten_to_the_1_0_shape():
    params = [("q", "criteria"), ("timeRange", {"start": 1, "end": 2}),
              ("contracts", ["urn:li:contract:1", "urn:li:contract:2"]), ("fields", ["a", "b"])]
    one = encode_query(params, protocol=PROTOCOL_1)
    two = encode_query(params, protocol=PROTOCOL_2)
    assert one == ("q=criteria&timeRange.start=1&timeRange.end=2"
                   "&contracts=urn%3Ali%3Acontract%3A1&contracts=urn%3Ali%3Acontract%3A2"
                   "&fields=a,b")
    assert two == ("q=criteria&timeRange=(end:2,start:1)"
                   "&contracts=List(urn%3Ali%3Acontract%3A1,urn%3Ali%3Acontract%3A2)&fields=a,b")
    assert sorted(parse_query_for(one, PROTOCOL_1)) == sorted(parse_query_for(two, PROTOCOL_2))


@given(st.dictionaries(st.sampled_from(["q", "contracts", "timeRange", "owners"]),
                       st.lists(text.filter(bool), min_size=1, max_size=3)
                       | st.dictionaries(st.sampled_from(["start", "end"]), text, min_size=1)
                       | text, max_size=4))
def test_we_read_linkedins_finder_parameters(params):
    expected = []
    for name, value in sorted(params.items()):
        if isinstance(value, dict):
            expected += [(f"{name}.{k}", v) for k, v in sorted(value.items())]
        elif isinstance(value, list):
            expected += [(name, item) for item in value]
        else:
            expected.append((name, value))
    assert parse_query_for(linkedin_param_encode(params), PROTOCOL_2) == expected


@pytest.mark.parametrize("query", ["contracts=List(a,b)", "timeRange=(start:1,end:2)",
                                   "ids=List((a:1))"])
def test_1_0_refuses_2_0_syntax_naming_the_header(query):
    with pytest.raises(RestliSyntaxError, match=re.escape("X-RestLi-Protocol-Version: 2.0.0")):
        parse_query_for(query, PROTOCOL_1)


def test_1_0_keys_refuse_2_0_syntax_and_2_0_keys_refuse_1_0():
    with pytest.raises(RestliSyntaxError, match=re.escape(NEEDS_PROTOCOL_2)):
        parse_key("(a:1)", protocol=PROTOCOL_1)
    with pytest.raises(RestliSyntaxError, match=r"1\.0 syntax"):
        parse_key("a=1", protocol=PROTOCOL_2)
    with pytest.raises(RestliSyntaxError, match=r"1\.0 syntax"):
        parse_query_for("ids%5B0%5D.a=1", PROTOCOL_2)


def test_1_0_keeps_reading_what_it_read_before():
    query = "q=x&keywords=(java)&fields=a,b&ids=A&ids=B%2CC"
    assert parse_query_for(query, PROTOCOL_1) == parse_query(query)


@pytest.mark.parametrize("bad", ["List(a", "(a:1", "(a)", "(a:1,a:2)", "List(a)b", "(a:b:c)",
                                 "(a:x%zz)", "List((a:1),b))", "(a:it's)", "List(a,(b)"])
def test_malformed_2_0_values_are_syntax_errors(bad):
    with pytest.raises(RestliSyntaxError):
        decode_value(bad)


def test_empty_values():
    assert decode_value("''") == "" and decode_value("") == ""
    assert decode_value("List()") == [] and decode_value("()") == {}
    assert decode_value("List('')") == [""] and encode_value([""]) == "List('')"
    with pytest.raises(RestliSyntaxError):
        parse_key("()", protocol=PROTOCOL_2)
    with pytest.raises(RestliSyntaxError):
        parse_key("(a:List(1))", protocol=PROTOCOL_2)


def test_protocol_header():
    assert protocol_of(None) == PROTOCOL_1 and protocol_of("1.0.0") == PROTOCOL_1
    assert protocol_of(" 2.0.0 ") == PROTOCOL_2
    with pytest.raises(RestliSyntaxError, match=r"3\.0\.0"):
        protocol_of("3.0.0")


def test_an_empty_params_record_in_a_2_0_key_is_dropped():
    assert parse_key("(a:1,$params:())", protocol=PROTOCOL_2) == {"a": "1"}
    assert parse_key("(a:1,%24params:())") == {"a": "1"}
    ids, _ = parse_batch_ids(parse_query_for("ids=List((a:1,$params:()))", PROTOCOL_2),
                             raw_lists=False)
    assert ids == [{"a": "1"}]
    with pytest.raises(RestliSyntaxError, match=r"\$params must be empty"):
        parse_key("(a:1,$params:(x:2))", protocol=PROTOCOL_2)
    with pytest.raises(RestliSyntaxError):
        parse_key("($params:())", protocol=PROTOCOL_2)
