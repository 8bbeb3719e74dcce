"""What One-Click Export and the stub rules ask of the ATS besides its candidates
(`inbound_candidates.py`): the tenant's kind, the job or pipeline exported into, its first
stage, the integration's default user, Comeet's source contacts, open duplicate alerts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, or_, select

from recruitlink.core.export_rules import TenantKind

from .schema import (
    applications,
    candidates,
    duplicate_alerts,
    jobs,
    projects,
    source_contacts,
    sources,
    stage_transitions,
    tenants,
    users,
)


def tenant_kind(conn: Connection, tenant_id: int) -> TenantKind:
    kind: TenantKind = conn.execute(select(tenants.c.kind).where(tenants.c.id == tenant_id)
                                    ).scalar_one()
    return kind


def job_exists(conn: Connection, tenant_id: int, external_id: str) -> bool:
    return conn.execute(select(jobs.c.id).where(
        jobs.c.tenant_id == tenant_id, jobs.c.external_id == external_id)).first() is not None


def project_exists(conn: Connection, tenant_id: int, external_id: str) -> bool:
    return conn.execute(select(projects.c.id).where(
        projects.c.tenant_id == tenant_id, projects.c.external_id == external_id)
    ).first() is not None


def job_status(conn: Connection, tenant_id: int, external_id: str) -> str | None:
    return conn.execute(select(jobs.c.status).where(
        jobs.c.tenant_id == tenant_id, jobs.c.external_id == external_id)).scalar()


def job_title(conn: Connection, tenant_id: int, external_id: str) -> str | None:
    return conn.execute(select(jobs.c.title).where(
        jobs.c.tenant_id == tenant_id, jobs.c.external_id == external_id)).scalar()


def project_title(conn: Connection, tenant_id: int, external_id: str) -> str | None:
    return conn.execute(select(projects.c.title).where(
        projects.c.tenant_id == tenant_id, projects.c.external_id == external_id)).scalar()


def first_stage(conn: Connection, tenant_id: int, job_external_id: str) -> str | None:
    """The job's first stage: the one its earliest hiring process entered first. None when
    the job has no stage history."""
    return conn.execute(
        select(stage_transitions.c.stage)
        .join(applications, applications.c.id == stage_transitions.c.application_id)
        .join(jobs, jobs.c.id == applications.c.job_id)
        .where(jobs.c.tenant_id == tenant_id, jobs.c.external_id == job_external_id)
        .order_by(stage_transitions.c.entered_at, stage_transitions.c.id).limit(1)).scalar()


def default_integration_user(conn: Connection, tenant_id: int) -> Any | None:
    """The `users` row of the integration's default user (the oldest, if several)."""
    return conn.execute(select(users).where(users.c.tenant_id == tenant_id,
                                            users.c.is_default_integration_user.is_(True))
                        .order_by(users.c.id)).first()


def source_contact_by_email(conn: Connection, tenant_id: int,
                            email: str) -> tuple[str, str | None] | None:
    """(the contact's external id, its source's external id or None) of the oldest source
    contact with this address, or None."""
    row = conn.execute(select(source_contacts.c.external_id, source_contacts.c.source_id)
                       .where(source_contacts.c.tenant_id == tenant_id,
                              source_contacts.c.email == email)
                       .order_by(source_contacts.c.id)).first()
    if row is None:
        return None
    source = None
    if row.source_id is not None:
        source = conn.execute(select(sources.c.external_id).where(
            sources.c.id == row.source_id)).scalar()
    return row.external_id, source


def duplicate_alert_exists(conn: Connection, tenant_id: int, first: str, second: str) -> bool:
    """Whether an alert pairs these two candidates (by external id), either way round."""
    ids = {r.external_id: r.id for r in conn.execute(
        select(candidates.c.external_id, candidates.c.id).where(
            candidates.c.tenant_id == tenant_id, candidates.c.external_id.in_([first, second])))}
    if len(ids) < 2:
        return False
    a, b = ids[first], ids[second]
    return conn.execute(select(duplicate_alerts.c.id).where(
        duplicate_alerts.c.tenant_id == tenant_id,
        or_((duplicate_alerts.c.candidate_id == a) & (duplicate_alerts.c.other_candidate_id == b),
            (duplicate_alerts.c.candidate_id == b) & (duplicate_alerts.c.other_candidate_id == a))
    )).first() is not None
