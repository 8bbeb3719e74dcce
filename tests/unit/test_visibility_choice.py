"""Who sees which job: the two choices, and a clear error naming the field for anything else."""

from __future__ import annotations

import pytest

from recruitlink.core.policy import Policy
from recruitlink.errors import ConfigurationError
from recruitlink.sync.visibility import CHOICES, parse_visibility


def test_the_two_choices_and_their_labels():
    assert CHOICES == {"all_product_users": "All Recruiter users",
                       "acls": "Only the job's hiring team"}
    assert parse_visibility(" acls ") == "acls"
    assert Policy().visibility == "all_product_users"


@pytest.mark.parametrize("bad", ["", "ACLS", "everyone", None, 1])
def test_anything_else_is_refused_naming_the_field(bad):
    with pytest.raises(ConfigurationError, match=r"^visibility: must be"):
        parse_visibility(bad)
    with pytest.raises(ValueError, match=r"^visibility: must be"):
        Policy(visibility=bad)
