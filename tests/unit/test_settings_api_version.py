"""RECRUITLINK_LINKEDIN_API_VERSION: a LinkedIn version YYYYMM (versioned /rest) or v2."""

from __future__ import annotations

import pytest

from recruitlink.settings import Settings


def test_the_default_is_the_versioned_api():
    assert Settings().linkedin_api_version == "202604"


@pytest.mark.parametrize("value", ["2026-04", "202613", "v3", "", "rest"])
def test_an_unknown_version_is_refused_naming_the_accepted_forms(value):
    with pytest.raises(ValueError, match=r"(?s)linkedin_api_version.*a version YYYYMM such as "
                                         r"202604 .* or 'v2'"):
        Settings(linkedin_api_version=value)


def test_v2_names_the_unversioned_family_in_any_case():
    assert Settings(linkedin_api_version=" V2 ").linkedin_api_version == "v2"
