"""Who sees which job in LinkedIn Recruiter (reference §1.5, §3.10; Comeet's seed: "You can
only select positions you have permission to view"), the admin's choice on the Setup page,
`recruitlink policy set` and `PUT /api/v1/linkedin/visibility`:

- `all_product_users`: every Recruiter user of the customer sees every job (1-Click Export
  picker) and every application (In-ATS indicator): the JOB_POSTING_VIEWERS and
  APPLICATION_VIEWERS configurations say ALL_PRODUCT_USERS, and no ACL is sent;
- `acls`: only the job's hiring team, the ATS users on the job (`viewer_ids`), each mapped
  to a LinkedIn member (its own `person_urn`, or the Recruiter seat mapped to it): those
  configurations are deleted, and the sync sends one ACL per user on each job and one
  assignee per mapped user (`sync.items`).

Switching changes the configurations on LinkedIn at once, then queues the jobs concerned and
every user on the changelog, in the transaction that saves the choice: the continuous sync
sends the ACL records (or, switching back, deletes the ones the ledger says LinkedIn holds)
like any other change. A disconnected tenant keeps the choice for when it connects again;
before the first connection it goes along with the onboarding (Setup page) or
`recruitlink connect --visibility`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal, cast

from sqlalchemy import Connection

from recruitlink.core.integration_status import COMPANY_TYPES
from recruitlink.core.policy import Policy
from recruitlink.crypto import SecretBox
from recruitlink.errors import ConfigurationError, LinkedInRequestError
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import Store, connections, job_viewers, sync_activity
from recruitlink.store.changelog import ChangeSet, changes_after

from .engine import SyncEngine, now_ms
from .items import JOB_ACLS, acl_job_id
from .ledger import LIVE_STATES, get_cursor
from .streams import ACL_RESOURCES

Visibility = Literal["all_product_users", "acls"]
CHOICES: dict[str, str] = {"all_product_users": "All Recruiter users",
                           "acls": "Only the job's hiring team"}
"""Each choice and its label (the Setup page's radio buttons)."""
EVERYONE = "ALL_PRODUCT_USERS"
VIEWER_SETTINGS = ("JOB_POSTING_VIEWERS", "APPLICATION_VIEWERS")
"""On the export integration and on the indicator integration, in that order."""


def parse_visibility(raw: Any) -> Visibility:
    value = raw.strip() if isinstance(raw, str) else raw
    if value not in CHOICES:
        raise ConfigurationError("visibility: must be all_product_users (all Recruiter "
                                 "users) or acls (only the job's hiring team)")
    return cast(Visibility, value)


def apply_viewers(client: LinkedInClient, organization: str, kind: str,
                  visibility: str) -> None:
    """Set (all_product_users) or delete (acls) the two viewers configurations of the
    organization's export and indicator integrations. Raises when LinkedIn refuses."""
    export, indicator = (client.integration_key(organization, t)
                         for t in COMPANY_TYPES[kind][:2])
    for integration, name in zip((export, indicator), VIEWER_SETTINGS, strict=True):
        outcome = (client.set_configuration(integration, name, EVERYONE)
                   if visibility == "all_product_users"
                   else client.delete_configuration(integration, name))
        if outcome.verdict != "synced":
            raise LinkedInRequestError(f"{name}: LinkedIn refused the change "
                                       f"({outcome.status}): {outcome.message}")


def queue_jobs_and_users(conn: Connection, tenant_id: int, at: int) -> int:
    """The jobs and users whose ACL records change with the switch, on the changelog as
    changed, so the continuous sync looks at each again: jobs with a hiring team (their ACLs,
    and their posting's `accessRestricted`) or with ACL records on LinkedIn, and every user
    (its assignee). A job with neither is the same in both modes. Returns how many."""
    held = {acl_job_id(entity_id)
            for entity_id in sync_activity.ledger_ids(conn, tenant_id, JOB_ACLS, LIVE_STATES)}
    changes = ChangeSet(tenant_id)
    for row in job_viewers.jobs_and_viewers(conn, tenant_id):
        if row.viewer_ids or row.id in held:
            changes.add("jobs", row.id, row.external_id, "update")
    for user in job_viewers.users_by_id(conn, tenant_id):
        changes.add("users", user.id, user.external_id, "update")
    return changes.flush(conn, at)


@dataclass(frozen=True)
class VisibilityChange:
    visibility: Visibility
    changed: bool
    applied_on_linkedin: bool
    """False: not connected, the choice is kept for when it connects."""
    queued: int
    """Jobs and users queued for the sync to send or delete their ACL records."""


def set_visibility(engine: SyncEngine, tenant_id: int, raw: Any) -> VisibilityChange:
    """The admin's choice: kept (disconnected), or applied on LinkedIn and queued for the
    sync (connected, whatever LinkedIn's status). Raises ConfigurationError naming the field
    for a bad value or a tenant never connected, LinkedInRequestError when LinkedIn refuses
    the configuration change (then nothing changed)."""
    visibility = parse_visibility(raw)
    with engine.store.reader() as conn:
        info = connections.load(conn, tenant_id, engine.box)
    if info is None:
        raise ConfigurationError("tenant: not connected to LinkedIn yet: choose who sees "
                                 "jobs when connecting (the Setup page, or `recruitlink "
                                 "connect --visibility`)")
    if info.policy.visibility == visibility:
        return VisibilityChange(visibility, False, info.status != "DISCONNECTED", 0)
    policy = replace(info.policy, visibility=visibility)
    if info.status in ("DISCONNECTED", "DISCONNECTING"):
        if info.status == "DISCONNECTING":
            raise ConfigurationError("visibility: wait until the disconnect has finished")
        with engine.store.db.write() as conn:
            connections.set_policy(conn, tenant_id, policy)
        return VisibilityChange(visibility, True, False, 0)
    # LinkedIn first: if it refuses, nothing changes here either.
    apply_viewers(engine.client_for(info), info.organization, info.kind, visibility)
    with engine.store.db.write() as conn:
        connections.set_policy(conn, tenant_id, policy)
        queued = queue_jobs_and_users(conn, tenant_id, now_ms())
    return VisibilityChange(visibility, True, True, queued)


@dataclass(frozen=True)
class VisibilityState:
    """What the Setup page says about the choice: on LinkedIn already, or pending."""
    visibility: str
    label: str
    acl_records: int
    """ACL and assignee records LinkedIn holds for the tenant (by the ledger)."""
    queued: int
    """Changes the continuous sync has not looked at yet (the switch's among them)."""

    @property
    def pending(self) -> bool:
        """Hiring teams: pending while the sync has jobs or users to look at. Every Recruiter
        user: pending while LinkedIn holds hiring-team records to delete (jobs changed in
        the ATS meanwhile say nothing about who sees them)."""
        if self.visibility == "acls":
            return self.queued > 0
        return self.acl_records > 0

    def as_json(self) -> dict[str, Any]:
        """The CLI's `policy show --json` and the API's answer."""
        return {"visibility": self.visibility, "label": self.label, "pending": self.pending,
                "aclRecords": self.acl_records, "queued": self.queued}


def visibility_state(conn: Connection, tenant_id: int, policy: Policy) -> VisibilityState:
    held = sync_activity.resource_records_in_states(conn, tenant_id, ACL_RESOURCES,
                                                    LIVE_STATES)
    cursor = get_cursor(conn, tenant_id, "changelog")
    queued = 0
    if cursor is not None:
        queued = changes_after(conn, tenant_id, cursor, ("jobs", "users"))
    return VisibilityState(policy.visibility, CHOICES[policy.visibility], int(held),
                           int(queued))



def current_visibility(store: Store, box: SecretBox, tenant_id: int) -> VisibilityState | None:
    """The tenant's choice and whether LinkedIn has it yet (None: never connected)."""
    with store.reader() as conn:
        info = connections.load(conn, tenant_id, box)
        return None if info is None else visibility_state(conn, tenant_id, info.policy)
