"""The profile plugin's data (reference §6.1): is the plugin on, may the viewer see it, which
synced candidate is shown and who LinkedIn matched it to.

The widget never stores a link: "Link" and "Unlink" only call the host back; the ATS
persists the choice by syncing `manualMatchedMember`, which then wins over the algorithm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select

from recruitlink.core.identity import ONE_CLICK_EXPORT
from recruitlink.core.restli import canonical

from ..recruiter.customers import contracts_of_org, integration_status
from ..recruiter.session import active_seats
from ..state import Sandbox
from ..store import exports, records, widget_links

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


LINKED_MANUALLY = "Linked manually"


def link_origin(conn: Connection, candidate: SyncedCandidate, person: str) -> str:
    """How the candidate's manual match was made, as LinkedIn knows it: a One-Click Export of
    the member by the organization, unless a recruiter linked this candidate to the member
    in the widget since (then, or with neither, "Linked manually"). The name is the ATS's
    (`core.identity.ONE_CLICK_EXPORT`), so both sides call the link the same."""
    exported = conn.execute(select(func.max(exports.c.exported_at)).where(
        exports.c.org == candidate.organization, exports.c.person == person)).scalar()
    linked = conn.execute(select(widget_links.c.linked_at).where(
        widget_links.c.org == candidate.organization,
        widget_links.c.candidate == candidate.candidate_id,
        widget_links.c.person == person)).scalar()
    if exported is not None and (linked is None or exported > linked):
        return ONE_CLICK_EXPORT
    return LINKED_MANUALLY


def record_link(conn: Connection, organization: str, candidate_id: str, person: str,
                now_ms: int) -> None:
    """A recruiter clicked Link in the widget (see `link_origin`)."""
    key = {"org": organization, "candidate": candidate_id, "person": person}
    conn.execute(delete(widget_links).where(*(getattr(widget_links.c, k) == v
                                              for k, v in key.items())))
    conn.execute(widget_links.insert().values(**key, linked_at=now_ms))


def matched_people(sandbox: Sandbox, candidate: SyncedCandidate) -> tuple[list[str], bool]:
    """The members LinkedIn shows for the candidate, and whether that is a manual match
    (`manualMatchedMember` wins over the algorithmic matches when set)."""
    manual = candidate.body.get("manualMatchedMember")
    if isinstance(manual, str) and manual:
        return [manual], True
    return sandbox.matches(candidate.body), False
