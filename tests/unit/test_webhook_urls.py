"""core/webhook_urls.py: the URLs a webhook endpoint may have, and core/webhook_endpoints.py:
the endpoint's fields checked together (issue 18)."""

from __future__ import annotations

import pytest

from recruitlink.core.webhook_endpoints import (
    MAX_DESCRIPTION,
    description_problem,
    problems,
    types_label,
)
from recruitlink.core.webhook_urls import MAX_LENGTH, is_loopback, url_problem


@pytest.mark.parametrize("url", [
    "https://ats.example.com/hooks/recruitlink",
    "https://ats.example.com:8443/hooks?tenant=acme",
    "http://127.0.0.1:9000/hooks",
    "http://127.8.9.10/hooks",
    "http://localhost:9000/hooks",
    "http://api.localhost/hooks",
    "http://[::1]:9000/hooks",
    "https://10.1.2.3/hooks",
    "https://1password.example/hooks",  # a name starting with digits is a name
    "https://[64:ff9b::a01:203]/hooks",  # NAT64 to 10.1.2.3: private addresses stay allowed
    "https://[2606:4700::1111]/hooks",
])
def test_accepted(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize(("url", "why"), [
    ("", "is required"),
    ("ats.example.com/hooks", "not a valid absolute http(s) URL"),
    ("ftp://ats.example.com/hooks", "scheme must be http or https"),
    ("javascript:alert(1)", "scheme must be http or https"),
    ("https:///hooks", "no host"),
    ("https://ats example.com/", "whitespace"),
    ("https://bob:hunter2@ats.example.com/hooks", "must not hold credentials"),
    ("https://bob@ats.example.com/hooks", "must not hold credentials"),
    ("https://ats.example.com/hooks#part", "must not have a fragment"),
    ("https://ats.example.com/hooks#", "must not have a fragment"),
    ("http://ats.example.com/hooks", "must use https"),
    ("http://10.1.2.3/hooks", "must use https"),
    ("http://localhost.example.com/hooks", "must use https"),
    ("https://169.254.169.254/latest/meta-data", "link-local"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("https://[fe80::1]/hooks", "link-local"),
    ("https://[::ffff:169.254.169.254]/hooks", "link-local"),
    ("https://0.0.0.0/hooks", "unspecified"),
    ("https://224.0.0.1/hooks", "multicast"),
    ("https://ats.example.com:99999/hooks", "Port out of range"),
    # What the resolver reads as 169.254.169.254 (inet_aton's forms) is judged as it.
    ("https://2852039166/latest", "2852039166 (169.254.169.254) (a link-local"),
    ("https://0xa9fea9fe/latest", "link-local"),
    ("https://169.254.43518/latest", "link-local"),
    ("https://0251.0376.0251.0376/latest", "link-local"),
    # IPv6 addresses the network delivers to an IPv4 address: NAT64, IPv4-compatible,
    # 6to4, Teredo (its client, bit-inverted).
    ("https://[64:ff9b::a9fe:a9fe]/latest", "link-local"),
    ("https://[64:ff9b:1::a9fe:a9fe]/latest", "link-local"),
    ("https://[::a9fe:a9fe]/latest", "link-local"),
    ("https://[2002:a9fe:a9fe::]/latest", "link-local"),
    ("https://[2001:0:4136:e378:8000:63bf:5601:5601]/latest", "link-local"),
    ("https://[64:ff9b::e000:1]/hooks", "multicast"),
])
def test_refused_with_the_reason(url: str, why: str) -> None:
    problem = url_problem(url)
    assert problem is not None and why in problem, problem


def test_length_limit() -> None:
    base = "https://ats.example.com/"
    assert url_problem(base + "a" * (MAX_LENGTH - len(base))) is None
    problem = url_problem(base + "a" * (MAX_LENGTH - len(base) + 1))
    assert problem == f"is {MAX_LENGTH + 1} characters long; at most {MAX_LENGTH}"


def test_plain_http_elsewhere_when_the_setting_allows_it() -> None:
    assert url_problem("http://ats.internal/hooks", allow_http=True) is None
    assert url_problem("http://10.1.2.3/hooks", allow_http=True) is None
    # What is refused whatever the scheme stays refused.
    assert "link-local" in (url_problem("http://169.254.169.254/", allow_http=True) or "")
    assert "credentials" in (url_problem("http://u:p@ats.internal/", allow_http=True) or "")


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("LOCALHOST", True), ("localhost.", True), ("x.localhost", True),
    ("127.0.0.1", True), ("127.255.0.9", True), ("::1", True), ("::ffff:127.0.0.1", True),
    ("localhost.example", False), ("128.0.0.1", False), ("::2", False), ("example.com", False),
])
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# -- core/webhook_endpoints.py: the endpoint's other fields, problems by field ---------------

def test_endpoint_problems_by_field() -> None:
    assert problems(url="https://a.example/h", types=["note.created"], description="ok") == {}
    assert problems() == {}  # nothing given (a PATCH changing nothing): nothing to check
    found = problems(url="http://a.example/h", types=["note.created", "note.eaten"],
                     description="x" * (MAX_DESCRIPTION + 1))
    assert set(found) == {"url", "types", "description"}
    assert "must use https" in found["url"] and "'note.eaten'" in found["types"]
    assert found["description"] == f"is {MAX_DESCRIPTION + 1} characters long; at most 200"
    assert problems(url="http://a.example/h", allow_http=True) == {}


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "\x7f", "half \ud800 pair"])
def test_a_description_with_control_characters_is_refused(text: str) -> None:
    assert description_problem(text) == "must not contain control characters"


def test_a_description_may_span_lines() -> None:
    assert description_problem("Our ATS\n\tproduction") is None


def test_types_label() -> None:
    assert types_label(()) == "all event types"
    assert types_label(("note.created", "export.refused")) == "note.created, export.refused"
