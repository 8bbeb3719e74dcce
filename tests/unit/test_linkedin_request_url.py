"""A call's URL built without httpx's per-character scan is the URL httpx builds, byte for
byte (linkedin/http.py `request_url`), and a real request sends the same target."""

from __future__ import annotations

import re

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.core.restli import encode_key
from recruitlink.linkedin import http as restli_http
from recruitlink.linkedin.http import request_url

BASES = ["http://127.0.0.1:8765/rest/atsCandidates", "https://api.linkedin.com/v2/a/b",
         "http://[::1]:80/rest/x", "http://localhost/rest/a%20b"]


def httpx_url(url: str, query: str) -> httpx.URL:
    return httpx.URL(f"{url}?{query}" if query else url)


def assert_same(url: str, query: str) -> None:
    try:
        theirs = httpx_url(url, query)
    except httpx.InvalidURL as exc:  # a control character: refused the same way
        with pytest.raises(httpx.InvalidURL, match=re.escape(str(exc))):
            request_url(url, query)
        return
    ours = request_url(url, query)
    assert ours == theirs
    assert ours.raw_path == theirs.raw_path
    assert str(ours) == str(theirs)
    assert (ours.scheme, ours.host, ours.port) == (theirs.scheme, theirs.host, theirs.port)


def test_the_fast_path_is_in_use() -> None:
    """(Otherwise the tests below would only compare httpx with itself.)"""
    assert restli_http._FAST_URLS


@settings(max_examples=300)
@given(st.sampled_from(BASES), st.text(st.characters(codec="utf-8",
                                                     exclude_categories=["Cs"]),
                                       max_size=60))
def test_any_query_gives_httpx_url(base: str, query: str) -> None:
    assert_same(base, query)


@settings(max_examples=300)
@given(st.sampled_from(BASES), st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E),
                                       max_size=60))
def test_printable_queries_give_httpx_url(base: str, query: str) -> None:
    assert_same(base, query)


def test_a_batch_of_keys_gives_httpx_url() -> None:
    keys = ",".join(encode_key({"atsCandidateId": f"cand {n}/é", "dataProvider": "ATS",
                                "integrationContext": "urn:li:organization:1"},
                               protocol="2.0.0") for n in range(100))
    query = f"ids=List({keys})"
    assert len(query) > 8000
    assert_same(BASES[0], query)


def test_the_request_line_is_what_httpx_sends() -> None:
    """Through a real client and transport: the target the server reads is the same."""
    seen: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path)
        return httpx.Response(200)

    query = "ids=List((a:1,b:urn%3Ali%3Ax%3A1),(a:2,b:c))&fields=x,y"
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        client.send(client.build_request("GET", request_url(BASES[0], query)))
        client.send(client.build_request("GET", f"{BASES[0]}?{query}"))
    assert seen[0] == seen[1] == b"/rest/atsCandidates?" + query.encode()
