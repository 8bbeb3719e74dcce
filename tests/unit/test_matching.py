"""Candidate-member matching keys."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from recruitlink.core.matching import candidate_keys, member_keys, phone_key, profile_slug

MEMBER = {"firstName": "José", "lastName": "Núñez", "currentJobTitle": "Data Scientist",
          "currentCompanyName": "Acme", "emailAddresses": ["jose@example.com"],
          "phoneNumbers": ["+1 (415) 555-0134"],
          "publicProfileUrl": "https://www.linkedin.com/in/jose-nunez-1"}


def shares_key(candidate: dict) -> bool:
    return bool(candidate_keys(candidate) & member_keys(MEMBER))


def test_each_signal_matches_alone():
    assert shares_key({"linkedInProfileUrl": "http://linkedin.com/in/JOSE-NUNEZ-1/?trk=x"})
    assert shares_key({"emailAddresses": [" Jose@Example.com "]})
    assert shares_key({"firstName": "jose", "lastName": "nunez",
                       "phoneNumbers": [{"number": "415.555.0134"}]})
    assert shares_key({"firstName": "JOSE", "lastName": "NÚÑEZ",
                       "currentJobTitle": "data  scientist", "currentCompanyName": "ACME"})


def test_partial_signals_do_not_match():
    assert not shares_key({"firstName": "José", "lastName": "Núñez"})
    assert not shares_key({"firstName": "José", "lastName": "Other",
                           "phoneNumbers": [{"number": "+1 415 555 0134"}]})
    assert not shares_key({"firstName": "José", "lastName": "Núñez",
                           "currentJobTitle": "Data Scientist"})
    assert not shares_key({"linkedInProfileUrl": "https://example.com/in/jose-nunez-1"})


def test_normalisers():
    assert profile_slug("https://www.linkedin.com/pub/a-b/") == "a-b"
    assert phone_key("12") is None
    assert phone_key("+44 20 7946 0958") == "2079460958"
    assert phone_key("(020) 7946-0958") == "2079460958"


@given(st.one_of(st.text(alphabet="0123456789 +-().x/", max_size=24), st.text(max_size=24),
                 st.text(alphabet="0123456789٣٤੫ 🙂+", max_size=16)))
def test_a_phone_key_is_the_last_ten_of_its_digits_whatever_the_script(number: str) -> None:
    """As `\\D` removal gives them: ASCII numbers go a faster way, others the regex's."""
    digits = re.sub(r"\D", "", number)
    assert phone_key(number) == (digits[-10:] if len(digits) >= 7 else None)
