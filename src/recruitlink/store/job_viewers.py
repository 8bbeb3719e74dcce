"""The jobs and users a change of who sees jobs on LinkedIn concerns (`sync/visibility.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from .schema import jobs, users


def jobs_and_viewers(conn: Connection, tenant_id: int) -> list[Any]:
    """(id, external_id, viewer_ids) of the tenant's jobs, by id."""
    return list(conn.execute(select(jobs.c.id, jobs.c.external_id, jobs.c.viewer_ids).where(
        jobs.c.tenant_id == tenant_id).order_by(jobs.c.id)))


def users_by_id(conn: Connection, tenant_id: int) -> list[Any]:
    """(id, external_id) of the tenant's users, by id."""
    return list(conn.execute(select(users.c.id, users.c.external_id).where(
        users.c.tenant_id == tenant_id).order_by(users.c.id)))
