"""The plain-URL fast path of linkedin_schema accepts only URLs the full check accepts."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from recruitlink.core import linkedin_schema as schema

_ODD = ["", ".", "-", "--", ":", ":80", ":99999", ":65535", ":65536", ":0", ":080", "@",
        "user@", "[", "]", "[::1]", "%", " ", "\t", "\n", "\x00",
        "é", "/", "?", "#", "\\", "..", "xn--"]
_SCHEMES = ["http", "https", "HTTPS", "hTtp", "ftp", "http:", "https:/", "javascript:"]
label = st.text("abzAZ09-", min_size=0, max_size=66)
built = st.builds(
    lambda scheme, labels, rest, odd, at: _insert(
        f"{scheme}://{'.'.join(labels)}{rest}", odd, at),
    st.sampled_from(_SCHEMES), st.lists(label, min_size=1, max_size=5),
    st.sampled_from(["", "/", "/jobs/42?x=1#top", "?q", "#f", "/a b", "/[x]", "/%zz"]),
    st.sampled_from(_ODD), st.none() | st.integers(0, 80))
long_hosts = st.builds(lambda n, tail: "https://" + ".".join(["a" * 63] * n) + tail,
                       st.integers(3, 5), st.sampled_from(["", ".bc", ".b", "/p"]))
matching = st.from_regex(schema._PLAIN_URL, fullmatch=True)


def _insert(text: str, odd: str, at: int | None) -> str:
    return text if at is None else text[:at] + odd + text[at:]


@settings(max_examples=800, deadline=None)
@given(st.one_of(matching, built, long_hosts))
@example("https://ats.example.com/candidates/C1")
@example("http://127.0.0.1:8000/t/b")
@example("http://127.0.0.1:65536/t/b")
@example("http://127.0.0.1:0/t/b")
@example("http://127.0.0.1:00080")
@example("http://a.b:/x")
@example("https://" + "a" * 63 + ".b" * 95)
@example("https://-a.example.com/")
def test_the_fast_path_agrees_with_the_full_check(url: str) -> None:
    full = schema._url_checked(url)
    if schema._plain_url(url):
        assert full is None, url
    assert schema._url(url) == full  # the public answer is the full check's, message and all
