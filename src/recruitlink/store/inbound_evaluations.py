"""LinkedIn Hiring Assistant evaluations as the ATS keeps them (`linkedin_evaluations`), by
LinkedIn's id, with what they are linked to: the candidate an export push became, and that
candidate's application in the evaluated job."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select, update

from .schema import applications, inbox_events, jobs, linkedin_evaluations


def stored(conn: Connection, tenant_id: int, li_id: str) -> Any | None:
    return conn.execute(select(linkedin_evaluations).where(
        linkedin_evaluations.c.tenant_id == tenant_id,
        linkedin_evaluations.c.li_id == li_id)).first()


def insert(conn: Connection, tenant_id: int, li_id: str, now_ms: int, **values: Any) -> None:
    conn.execute(linkedin_evaluations.insert().values(
        tenant_id=tenant_id, li_id=li_id, updated_at=now_ms, **values))


def update_row(conn: Connection, row_id: int, now_ms: int, **values: Any) -> None:
    conn.execute(update(linkedin_evaluations).where(linkedin_evaluations.c.id == row_id)
                 .values(updated_at=now_ms, **values))


def forget(conn: Connection, tenant_id: int, li_id: str) -> None:
    conn.execute(delete(linkedin_evaluations).where(
        linkedin_evaluations.c.tenant_id == tenant_id,
        linkedin_evaluations.c.li_id == li_id))


def candidate_of_push(conn: Connection, tenant_id: int, push_type: str,
                      request_id: str) -> int | None:
    """The candidate (row id) the push `request_id` became, as the inbox recorded it."""
    return conn.execute(select(inbox_events.c.candidate_id).where(
        inbox_events.c.tenant_id == tenant_id, inbox_events.c.type == push_type,
        inbox_events.c.request_id == request_id)).scalar()


def application_in_job(conn: Connection, tenant_id: int, candidate_id: int,
                       job_external_id: str) -> int | None:
    """The candidate's application (row id) in the job."""
    return conn.execute(
        select(applications.c.id).join(jobs, jobs.c.id == applications.c.job_id).where(
            applications.c.candidate_id == candidate_id, jobs.c.tenant_id == tenant_id,
            jobs.c.external_id == job_external_id)).scalar()


def of_candidate(conn: Connection, tenant_id: int, candidate_id: int) -> list[Any]:
    """The candidate's evaluations with their job's title and application's external id,
    newest first."""
    return list(conn.execute(
        select(linkedin_evaluations, jobs.c.title.label("job_title"),
               applications.c.external_id.label("application"))
        .outerjoin(applications, applications.c.id == linkedin_evaluations.c.application_id)
        .outerjoin(jobs, jobs.c.id == applications.c.job_id)
        .where(linkedin_evaluations.c.tenant_id == tenant_id,
               linkedin_evaluations.c.candidate_id == candidate_id)
        .order_by(linkedin_evaluations.c.evaluated_at.desc(), linkedin_evaluations.c.id.desc())
    ).all())
