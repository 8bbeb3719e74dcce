"""sync/visibility.py: when the Setup page says the choice of who sees jobs is pending."""

from __future__ import annotations

import pytest

from recruitlink.sync.visibility import VisibilityState


@pytest.mark.parametrize(("visibility", "acl_records", "queued", "pending"), [
    # Every Recruiter user: pending only while hiring-team records are left to delete; job
    # edits not sent yet say nothing about who sees the jobs (it said "Pending: 0 records
    # still to be deleted" on a workspace that never used hiring teams).
    ("all_product_users", 0, 0, False), ("all_product_users", 0, 3, False),
    ("all_product_users", 2, 0, True), ("all_product_users", 2, 3, True),
    # Hiring teams: pending while the sync has jobs or users to look at.
    ("acls", 5, 0, False), ("acls", 0, 1, True), ("acls", 5, 2, True)])
def test_pending(visibility: str, acl_records: int, queued: int, pending: bool) -> None:
    assert VisibilityState(visibility, "", acl_records, queued).pending is pending
