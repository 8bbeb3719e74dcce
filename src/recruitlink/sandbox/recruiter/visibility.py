"""Which synced jobs and pipelines a Recruiter user may see (reference §1.5, §3.10).

- `JOB_POSTING_VIEWERS` / `APPLICATION_VIEWERS` = `ALL_PRODUCT_USERS`: everyone sees
  everything (the configuration wins over ACLs).
- Otherwise a job with `accessRestricted: true` or with ACLs is seen only by the members
  assigned to one of its ACLs; other jobs are seen by everyone.
- Pipelines (CRM Connect) have no ACL entity type in the reference. The export picker offers
  the public ones only (Beamery's seed: "LinkedIn Pipelines are Public Pools and Public
  Vacancies"): a pipeline with jobs is a vacancy, one without is a pool.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ..api.jobs import visible_jobs
from ..store import records
from .customers import Customer, configuration

EVERYONE = "ALL_PRODUCT_USERS"


def _acl_map(conn: Connection, org: str) -> dict[str, set[str]]:
    """Job id -> the ACL ids attached to it."""
    out: dict[str, set[str]] = {}
    for row in conn.execute(select(records.c.key_fields).where(
            records.c.resource == "atsEntityAcls", records.c.org == org)):
        fields = row.key_fields
        if fields.get("atsEntityType") == "JOB_POSTING":
            out.setdefault(fields["atsEntityId"], set()).add(fields["atsEntityAclId"])
    return out


def _assigned(conn: Connection, org: str, person: str) -> set[str]:
    """The ACL ids this member is assigned to."""
    return {row.key_fields["atsEntityAclId"] for row in conn.execute(
        select(records.c.key_fields).where(records.c.resource == "atsEntityAclAssignees",
                                           records.c.org == org))
            if row.key_fields.get("assignee") == person}


class JobGate:
    """Decides, for one member in one organization, which jobs they may see."""

    def __init__(self, conn: Connection, customer: Customer, person: str, setting: str) -> None:
        self.everyone = configuration(conn, customer.app_id, customer.organization,
                                      setting) == EVERYONE
        self.acls = {} if self.everyone else _acl_map(conn, customer.organization)
        self.mine = set() if self.everyone else _assigned(conn, customer.organization, person)

    def allows(self, job_id: str, restricted: bool) -> bool:
        if self.everyone:
            return True
        acls = self.acls.get(job_id, set())
        if not restricted and not acls:
            return True
        return bool(acls & self.mine)


def export_targets(conn: Connection, customer: Customer, person: str,
                   now: int) -> list[dict[str, Any]]:
    """The 1-Click Export picker for a seat holder: open jobs (ATS) or pipelines (CRM)."""
    gate = JobGate(conn, customer, person, "JOB_POSTING_VIEWERS")
    targets: list[dict[str, Any]] = []
    for job in visible_jobs(conn, customer.organization, now):
        posting = job["posting"] or {}
        if job["state"] != "LISTED":
            continue
        if gate.allows(job["externalJobPostingId"], bool(posting.get("accessRestricted"))):
            target = {"type": "JOB", "id": job["externalJobPostingId"],
                      "title": posting.get("title") or job["externalJobPostingId"],
                      "location": posting.get("location")}
            if posting.get("companyJobCode"):
                # The customer-facing requisition code (reference: companyJobCode), what
                # the ATS shows its recruiters beside the title.
                target["code"] = posting["companyJobCode"]
            targets.append(target)
    for row in conn.execute(select(records.c.key_fields, records.c.body).where(
            records.c.resource == "tcrmPipelines", records.c.org == customer.organization)
            .order_by(records.c.key)):
        body = row.body
        if body.get("accessRestricted"):
            continue
        targets.append({"type": "PIPELINE", "id": row.key_fields["tcrmPipelineId"],
                        "title": body.get("title") or row.key_fields["tcrmPipelineId"],
                        "kind": "Vacancy" if body.get("externalJobPostingIds") else "Pool"})
    return targets


def matching(targets: list[dict[str, Any]], find: str) -> list[dict[str, Any]]:
    """The picker's search: targets whose name, id or requisition code contains `find`,
    ignoring case (SmartRecruiters: type a job's name; Beamery: pools and vacancies by name
    or by id). ASSUMED: LinkedIn's picker also finds a job by its `companyJobCode`, the code
    the ATS shows its recruiters (the reference says it may be shown instead of the id)."""
    wanted = find.strip().lower()
    return [t for t in targets if any(wanted in str(t.get(field) or "").lower()
                                      for field in ("title", "id", "code"))]
