"""The phone fast path asks phonenumbers whether a length is possible once per calling code
and length (core/validation.py `_possible_length`): sound only if the library's answer for a
national number without a leading zero depends on its length alone. Proven here against the
library for every calling code it knows and every length the fast path lets through."""

from __future__ import annotations

import phonenumbers
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from recruitlink.core import validation

CODES = sorted(COUNTRY_CODE_TO_REGION_CODE)


def library(code: int, national: str) -> bool:
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
    return bool(phonenumbers.is_possible_number(number))


def test_every_code_and_length_is_answered_as_the_library_does_for_that_length() -> None:
    for code in CODES:
        for length in range(2, 18):
            for national in ("1" + "0" * (length - 1), "9" * length, "4" + "7" * (length - 1)):
                assert validation._possible_length(code, length) == library(code, national), (
                    code, national)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CODES), st.integers(1, 9), st.text("0123456789", min_size=1, max_size=16))
def test_any_national_number_of_a_length_gets_that_lengths_answer(code: int, first: int,
                                                                   rest: str) -> None:
    national = str(first) + rest
    assert validation._possible_length(code, len(national)) == library(code, national)
