"""The plain-email fast path accepts only what email-validator accepts (it skips the library)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recruitlink.core import validation
from recruitlink.core.validation import email_problem


def library_accepts(email: str) -> bool:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# Addresses built near the pattern's edges: long local parts and labels, hyphens and
# double hyphens, dots in odd places, upper case, special-use and numeric TLDs, and a few
# characters outside the pattern (which the library may accept or refuse).
_LOCAL_CHARS = "abcXYZ019_%+'-."
_LABEL_CHARS = "abzAZ09-"
_ODD = ["", ".", "-", "..", "--", "@", "é", "\u0131", " ", "\n", "/", "\"", "xn--", "ab--",
        "\u212a"]  # dotless i, Kelvin sign: fold to ASCII letters
_TLDS = ["com", "CoM", "io", "x", "c0m", "123", "test", "Local", "localhost", "onion",
         "invalid", "arpa", "example", "xn--p1ai", "a" * 63, "b" * 64]

label = st.text(_LABEL_CHARS, min_size=1, max_size=66)
local = st.text(_LOCAL_CHARS, min_size=0, max_size=70)
built = st.builds(
    lambda lo, labels, tld, odd, at: lo + "@" + ".".join([*labels, tld])
    if at is None else (lo + "@" + ".".join([*labels, tld]))[:at] + odd
    + (lo + "@" + ".".join([*labels, tld]))[at:],
    local, st.lists(label, min_size=0, max_size=4), st.sampled_from(_TLDS),
    st.sampled_from(_ODD), st.none() | st.integers(0, 300))
# Long addresses, around the 254-character total limit.
long_built = st.builds(
    lambda n, lo, tld: lo + "@" + ".".join(["a" * 60] * n) + "." + tld,
    st.integers(1, 4), st.text("ab.", min_size=1, max_size=64), st.sampled_from(_TLDS))
matching = st.from_regex(validation._PLAIN_EMAIL, fullmatch=True)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(matching, built, long_built))
@example("john.doe@example.com")
@example("a@b.test")
@example("a@xn--p1ai.com")
@example("a@ab--cd.com")
@example("a" * 64 + "@example.com")
@example("a" * 65 + "@example.com")
def test_the_fast_path_agrees_with_email_validator(email: str) -> None:
    plain = validation._plain_email(email)
    accepted = library_accepts(email)
    if plain:
        assert accepted, email
    if validation._PLAIN_EMAIL.fullmatch(email) and len(email) <= 254 \
            and len(email.partition("@")[0]) <= 64 and "--" not in email.partition("@")[2]:
        # Inside the pattern, only the special-use names are refused, and the library agrees.
        assert plain == accepted, email
    # And the public answer is the library's, fast path or not.
    assert (email_problem(email) is None) == accepted, email


def test_plain_addresses_skip_the_library() -> None:
    misses = validation._email_problem.cache_info().misses
    assert email_problem("fast.path-unique+1@mail.example.com") is None
    assert validation._email_problem.cache_info().misses == misses
    assert email_problem("fast.path@mail.example.test") is not None  # special-use: library
    assert validation._email_problem.cache_info().misses == misses + 1
