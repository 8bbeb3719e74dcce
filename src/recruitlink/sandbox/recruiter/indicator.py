"""What the In-ATS (or In-CRM) indicator shows on a member's profile: the synced candidates
behind the member, each with notes, applications (current and past stages, notes,
interview feedback) and CRM pipelines, filtered by what the viewing seat may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, func, select

from ..api.jobs import visible_jobs
from ..store import records
from .customers import Customer, customers_of_contract, integration_status
from .links import candidates_for_member
from .visibility import JobGate

INDICATORS = ("IN_ATS_INDICATOR", "IN_CRM_INDICATOR")


def indicator_customers(conn: Connection, contract: str) -> list[tuple[Customer, str]]:
    """The contract's organizations whose indicator is ENABLED, with its type."""
    out = []
    for customer in customers_of_contract(conn, contract):
        for itype in INDICATORS:
            if integration_status(conn, customer.app_id, customer.organization,
                                  itype) == "ENABLED":
                out.append((customer, itype))
                break
    return out


def _children(conn: Connection, resource: str, parent: str) -> list[dict[str, Any]]:
    rows = conn.execute(select(records.c.key, records.c.body).where(
        records.c.resource == resource, records.c.parent == parent).order_by(records.c.key))
    return [dict(r.body, id=r.key) for r in rows]


JobFilter = Callable[[str], bool]
"""Whether the viewer may see applications to this job (by externalJobPostingId)."""


def application_filter(conn: Connection, customer: Customer, viewer: str,
                       now: int) -> JobFilter:
    """The viewing seat holder's filter for one organization, built once per profile view:
    `APPLICATION_VIEWERS` or the job's ACLs decide."""
    gate = JobGate(conn, customer, viewer, "APPLICATION_VIEWERS")
    # Whether a job is restricted is a property of the job posting, not of the application.
    restricted = {job["externalJobPostingId"]: bool((job["posting"] or {}).get(
        "accessRestricted")) for job in visible_jobs(conn, customer.organization, now)}
    return lambda job_id: gate.allows(job_id, restricted.get(job_id, False))


def pipeline_titles(conn: Connection, org: str) -> dict[str, str]:
    """The organization's pipelines (projects) by id -> title: the In-CRM tab names the
    projects a candidate is in, as Recruiter does, not only their ids."""
    return {str(r.key_fields["tcrmPipelineId"]): str(r.body["title"]) for r in conn.execute(
        select(records.c.key_fields, records.c.body).where(
            records.c.resource == "tcrmPipelines", records.c.org == org))
        if r.body.get("title")}


def candidate_view(conn: Connection, customer: Customer, candidate: dict[str, Any],
                   allowed: JobFilter | None) -> dict[str, Any]:
    """One synced candidate as the indicator tab shows it; `allowed` filters applications by
    job (None: no filtering, for inspection)."""
    org, key = customer.organization, candidate["key"]
    candidate_id = candidate["keyFields"].get("atsCandidateId")
    applications = []
    hidden = 0
    for row in conn.execute(select(records.c.key, records.c.key_fields, records.c.body).where(
            records.c.org == org, records.c.resource == "atsApplications",
            records.c.parent == "", records.c.candidate == candidate_id).order_by(records.c.key)):
        body = dict(row.body)
        if allowed is not None and not allowed(str(body.get("atsJobPostingId") or "")):
            hidden += 1
            continue
        stages = sorted(_children(conn, "atsApplications/stages", row.key),
                        key=lambda s: s.get("atsCreatedAt", 0))
        applications.append({
            "key": dict(row.key_fields), "record": body,
            "currentStage": stages[-1]["stage"] if stages else None,
            "stages": stages, "notes": _children(conn, "atsApplications/notes", row.key),
            "interviewFeedback": _children(conn, "atsApplications/interviewFeedback", row.key),
            # Its files (versioned `attachments`, attachments.py), by file name.
            "attachments": _children(conn, "attachments", row.key)})
    titles = pipeline_titles(conn, org)
    pipelines = [
        {"key": dict(r.key_fields), "record": dict(r.body),
         "title": titles.get(str(r.key_fields.get("tcrmPipelineId")))}
        for r in conn.execute(select(records.c.key_fields, records.c.body).where(
            records.c.org == org, records.c.resource == "tcrmCandidatePipelines",
            records.c.candidate == candidate_id).order_by(records.c.key))]
    for pipeline in pipelines:
        pipeline.update(_pipeline_extras(conn, org, pipeline))
    interactions = sorted(
        (dict(r.body) for r in conn.execute(select(records.c.body).where(
            records.c.org == org, records.c.resource == "tcrmInteractions",
            records.c.candidate == candidate_id))),
        key=lambda i: -int(i.get("tcrmCreatedAt") or 0))
    return {"organization": org, "key": candidate["keyFields"], "record": candidate["record"],
            "notes": _children(conn, "atsCandidates/notes", key),
            "applications": applications, "hiddenApplications": hidden,
            "pipelines": pipelines, "interactions": interactions[:INTERACTIONS_SHOWN],
            "moreInteractions": max(0, len(interactions) - INTERACTIONS_SHOWN)}


INTERACTIONS_SHOWN = 10


def _pipeline_extras(conn: Connection, org: str, pipeline: dict[str, Any]) -> dict[str, Any]:
    """What Recruiter shows of a candidate's pipeline beside its title: a pool or a vacancy
    (a pipeline with jobs), and the stage by its details (the CRM's stage name)."""
    body = _record(conn, org, "tcrmPipelines", "tcrmPipelineId",
                   str(pipeline["key"].get("tcrmPipelineId") or "")) or {}
    stage = _record(conn, org, "tcrmPipelineStages", "tcrmStageId",
                    str(pipeline["record"].get("tcrmStageId") or "")) or {}
    return {"kind": "Vacancy" if body.get("externalJobPostingIds") else "Pool",
            "stage": stage.get("stageDetails")}


def _record(conn: Connection, org: str, resource: str, field: str,
            value: str) -> dict[str, Any] | None:
    """The body of the organization's record of `resource` whose key has `field` = value."""
    if not value:
        return None
    body = conn.execute(select(records.c.body).where(
        records.c.org == org, records.c.resource == resource,
        func.json_extract(records.c.key_fields, f"$.{field}") == value).limit(1)).scalar()
    return dict(body) if body is not None else None


def member_indicator(conn: Connection, contract: str, person: str,
                     viewer: str | None, now: int) -> list[dict[str, Any]]:
    """Every synced candidate of the contract's organizations behind this member."""
    views = []
    for customer, itype in indicator_customers(conn, contract):
        found = candidates_for_member(conn, person, [customer.organization])
        if not found:
            continue
        allowed = application_filter(conn, customer, viewer, now) if viewer else None
        for candidate in found:
            view = candidate_view(conn, customer, candidate, allowed)
            view["indicator"] = "In CRM" if itype == "IN_CRM_INDICATOR" else "In ATS"
            views.append(view)
    return views
