"""The profile plugin's data (reference §6.1): is the plugin on, may the viewer see it, which
synced candidate is shown and who LinkedIn matched it to.

The widget never stores a link: "Link" and "Unlink" only call the host back; the ATS
persists the choice by syncing `manualMatchedMember`, which then wins over the algorithm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from recruitlink.core.restli import canonical

from ..recruiter.customers import contracts_of_org, integration_status
from ..recruiter.session import active_seats
from ..state import Sandbox
from ..store import records

ORG_URN = re.compile(r"urn:li:organization:\d{1,19}", re.ASCII)
CANDIDATE_ID = re.compile(r"[^\x00-\x1f]{1,255}")


def plugin_enabled(conn: Connection, app_id: int, organization: str) -> bool:
    return integration_status(conn, app_id, organization, "PROFILE_PLUGIN") == "ENABLED"


def viewer_can_see(conn: Connection, person: str | None, organization: str) -> bool:
    """The viewer holds an active Recruiter seat on one of the organization's contracts."""
    if person is None:
        return False
    contracts = contracts_of_org(conn, organization)
    return bool(contracts) and bool(active_seats(conn, person, contracts))


@dataclass(frozen=True)
class SyncedCandidate:
    candidate_id: str
    organization: str
    body: dict[str, Any]


def synced_candidate(conn: Connection, organization: str,
                     candidate_id: str) -> SyncedCandidate | None:
    """The `atsCandidates` record of that ATS id, looked up by its primary key."""
    key = canonical({"atsCandidateId": candidate_id, "dataProvider": "ATS",
                     "integrationContext": organization})
    body = conn.execute(select(records.c.body).where(
        records.c.resource == "atsCandidates", records.c.parent == "", records.c.key == key)
    ).scalar()
    return SyncedCandidate(candidate_id, organization, dict(body)) if body is not None else None


def matched_people(sandbox: Sandbox, candidate: SyncedCandidate) -> tuple[list[str], bool]:
    """The members LinkedIn shows for the candidate, and whether that is a manual match
    (`manualMatchedMember` wins over the algorithmic matches when set)."""
    manual = candidate.body.get("manualMatchedMember")
    if isinstance(manual, str) and manual:
        return [manual], True
    return sandbox.matches(candidate.body), False
