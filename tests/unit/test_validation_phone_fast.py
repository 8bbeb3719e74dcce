"""The plain international phone fast path accepts only what phonenumbers accepts: a number it
finds possible is one the library parses and finds possible (the library is then skipped)."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from recruitlink.core import validation


def library_possible(number: str) -> bool:
    try:
        return bool(phonenumbers.is_possible_number(phonenumbers.parse(number, None)))
    except phonenumbers.NumberParseException:
        return False


# Every known country code (non-geographic ones too) and some unknown ones, then national
# numbers of every length around the possible ones, leading zeros and national prefixes
# included, in groups split by spaces.
codes = st.sampled_from(sorted(COUNTRY_CODE_TO_REGION_CODE)) | st.integers(1, 999)
national = st.text("0123456789", min_size=0, max_size=19) | st.builds(
    lambda prefix, rest: prefix + rest, st.sampled_from(["0", "00", "1", "8", "9", "15"]),
    st.text("0123456789", min_size=4, max_size=12))
numbers = st.builds(
    lambda code, digits, cuts: "+" + str(code) + "".join(
        (" " if i in cuts else "") + d for i, d in enumerate(digits)),
    codes, national, st.sets(st.integers(0, 18), max_size=4))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(numbers | st.from_regex(validation._PLAIN_INTERNATIONAL, fullmatch=True))
@example("+33 1 00000005")
@example("+39 06 6982 1234")  # Italy: a leading zero the library keeps
@example("+54 9 11 1234 5678")  # Argentina: a mobile token the library rewrites
@example("+52 1 55 1234 5678")  # Mexico: an old mobile prefix
@example("+800 1234 5678")  # a non-geographic code
def test_the_fast_path_accepts_only_what_the_library_accepts(number: str) -> None:
    if validation._plain_possible(number):
        assert library_possible(number), number
    assert (validation._phone_problem.__wrapped__(number, "US") is None) == library_possible(
        number)


@pytest.mark.parametrize("number", ["+33 1 00000005", "+1 415 555 0100", "+44 20 7946 0958",
                                    "+49 30 901820", "+33612345678", "+91 98765 43210"])
def test_plain_international_numbers_take_the_fast_path(number: str) -> None:
    assert validation._plain_possible(number)
    assert validation.phone_problem(number) is None
