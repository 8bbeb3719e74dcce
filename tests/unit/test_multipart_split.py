"""The sandbox's byte-level multipart/mixed split answers exactly as the `email` package does
(its fallback), for the bodies clients send and for any variation of them."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitlink.sandbox.api.restli_http import _plain_parts, _split_multipart
from recruitlink.sandbox.errors import ApiError

_split_multipart_email = partial(_split_multipart, fast=False)
"""The `email` package's reading of any body (the fallback)."""

QUERY = b"ids=List((atsCandidateId:C1,integrationContext:urn%3Ali%3Aorganization%3A1))"
ENTITY = '{"entities": {"(atsCandidateId:C1)": {"firstName": "Zoë"}}}'.encode()


def body(boundary: str, parts: list[tuple[str, bytes]], *, end: bytes = b"\r\n") -> bytes:
    b = boundary.encode()
    out = b"".join(b"--" + b + b"\r\nContent-Type: " + kind.encode() + b"\r\n\r\n" + data
                   + b"\r\n" for kind, data in parts)
    return out + b"--" + b + b"--" + end


def outcome(split: Any, content_type: str, raw: bytes) -> Any:
    try:
        return split(content_type, raw)
    except ApiError as exc:
        return ("error", exc.status, exc.message)


@pytest.mark.parametrize("end", [b"\r\n", b""])
@pytest.mark.parametrize("content_type", [
    "multipart/mixed; boundary=xXlinkedinApiBoundaryXx",
    'multipart/mixed; boundary="xXlinkedinApiBoundaryXx"',
    "Multipart/Mixed;BOUNDARY=xXlinkedinApiBoundaryXx; charset=utf-8",
])
def test_the_clients_bodies_take_the_fast_path(content_type: str, end: bytes) -> None:
    raw = body("xXlinkedinApiBoundaryXx", [("application/x-www-form-urlencoded", QUERY),
                                           ("application/json; charset=UTF-8", ENTITY)], end=end)
    assert _plain_parts(content_type, raw) is not None
    assert _split_multipart(content_type, raw) == (QUERY, ENTITY)
    assert _split_multipart_email(content_type, raw) == (QUERY, ENTITY)


def test_an_odd_body_falls_back_to_the_email_package() -> None:
    raw = b"preamble\r\n" + body("b", [("application/x-www-form-urlencoded", QUERY)])
    assert _plain_parts("multipart/mixed; boundary=b", raw) is None
    assert _split_multipart("multipart/mixed; boundary=b", raw) == (QUERY, None)


KINDS = st.sampled_from(["application/x-www-form-urlencoded", "application/json",
                         "APPLICATION/JSON", "text/plain", "application/json;charset=x",
                         "nonsense", "application/json (c)"])
PAYLOAD = st.lists(st.sampled_from([b"a", b"=", b"&", b" ", b"\r\n", b"\n", b"\r", b"--",
                                    b"--b", b"--b--", b"\r\n\r\n", b"{}", "é".encode(), b"\t"]),
                   max_size=8).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.tuples(KINDS, PAYLOAD), max_size=3),
       boundary=st.sampled_from(["b", "simple", "a'b(c)+_,-./:=?", "with space", "a(b)",
                                 "a=b", "a.b+c"]),
       quoted=st.booleans(), end=st.sampled_from([b"\r\n", b"", b"\r\n\r\n", b"x", b"\n"]),
       noise=st.sampled_from([b"", b"pre\r\n", b"\n"]), cut=st.integers(0, 8))
def test_the_fast_split_agrees_with_the_email_package(
        parts: list[tuple[str, bytes]], boundary: str, quoted: bool, end: bytes, noise: bytes,
        cut: int) -> None:
    content_type = (f'multipart/mixed; boundary="{boundary}"' if quoted or " " in boundary
                    else f"multipart/mixed; boundary={boundary}")
    raw = noise + body(boundary, parts, end=end)
    for variant in (raw, raw[:len(raw) - cut], raw.replace(b"\r\n", b"\n", 1)):
        assert outcome(_split_multipart, content_type, variant) == outcome(
            _split_multipart_email, content_type, variant)
