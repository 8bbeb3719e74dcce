"""The plain-email fast path judges the local part per address and the domain once per domain
(core/validation.py `_plain_email`): the same answers as the one regex over the address it
replaced, on the addresses that prove the fast path against email-validator."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from recruitlink.core import validation
from tests.unit.test_validation_email_fast import built, long_built, matching


def whole_address(email: str) -> bool:
    """The plain-email test as it was, by one regex over the whole address."""
    if len(email) > 254:
        return False
    match = validation._PLAIN_EMAIL.fullmatch(email)
    if match is None or len(match["local"]) > 64:
        return False
    domain = match["domain"].lower()
    if "--" in domain:
        return False
    return domain not in validation._SPECIAL_DOMAINS and not domain.endswith(
        validation._SPECIAL_SUFFIXES)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(matching, built, long_built, st.text(max_size=20)))
@example("a@b@example.com")
@example("@example.com")
@example("a@")
@example("john.doe@EXAMPLE.test")
@example("x" * 64 + "@example.com")
@example("x" * 65 + "@example.com")
@example("x@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 57 + ".com")
def test_split_answers_as_the_whole_address_regex(email: str) -> None:
    assert validation._plain_email(email) == whole_address(email)
