"""The reads behind the ATS/CRM pages (web/pages/ats.py): pages of candidates, jobs and
projects, a job's applications and a project's members.

Every list is a page in keyset order (most recently changed first, on the tenant's
`(tenant_id, modified_at, id)` index): no OFFSET, no count of the table. Search has no index
to use (names and emails are free text), so it is bounded: one call looks at most at `scan`
most recently changed rows after the cursor and, if it found fewer than a page of matches
there, says where it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    Table,
    cast,
    func,
    literal,
    or_,
    select,
    tuple_,
)

from recruitlink.store.records import encode_cursor
from recruitlink.store.schema import (
    applications,
    candidates,
    jobs,
    project_memberships,
    project_stages,
    projects,
    users,
)


@dataclass(frozen=True)
class Listing:
    rows: list[Any]
    next_cursor: str | None
    """Where the next page starts (None: this is the last)."""
    scan_stopped: bool = False
    """A search looked at `scan` rows and found fewer than a page: `next_cursor` continues."""


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def candidate_match(q: str) -> ColumnElement[bool]:
    """Name (first, last, or "first last"), email or a tag contains `q`, case-insensitively
    (a tag such as "Imported: LinkedIn Recruiter" finds the candidates exports created)."""
    pattern = _like(q)
    full = func.coalesce(candidates.c.first_name, "") + literal(" ") + func.coalesce(
        candidates.c.last_name, "")
    return or_(candidates.c.first_name.ilike(pattern, escape="\\"),
               candidates.c.last_name.ilike(pattern, escape="\\"),
               full.ilike(pattern, escape="\\"),
               cast(candidates.c.emails, String).ilike(pattern, escape="\\"),
               cast(candidates.c.tags, String).ilike(pattern, escape="\\"),
               candidates.c.external_id == q)


def newest_first(conn: Connection, table: Table, columns: Sequence[Any], *, tenant_id: int,
                 after: tuple[int, int] | None, match: ColumnElement[bool] | None = None,
                 where: Sequence[ColumnElement[bool]] = (), limit: int, scan: int) -> Listing:
    """A page of `table`'s rows of the tenant, most recently changed first, after the
    `(modified_at, id)` key `after`; with `match`, only matching rows among the next `scan`
    rows (bounded search)."""
    conditions: list[ColumnElement[bool]] = [table.c.tenant_id == tenant_id, *where]
    if after is not None:
        conditions.append(tuple_(table.c.modified_at, table.c.id) < after)
    order = (table.c.modified_at.desc(), table.c.id.desc())
    query: Select[Any] = select(*columns, table.c.modified_at, table.c.id).where(*conditions)
    if match is not None:
        window = (select(table.c.id).where(*conditions).order_by(*order).limit(scan)
                  .scalar_subquery())
        query = query.where(table.c.id.in_(window), match)
    rows = list(conn.execute(query.order_by(*order).limit(limit + 1)).all())
    if len(rows) > limit:
        last = rows[limit - 1]
        return Listing(rows[:limit], encode_cursor(last.modified_at, last.id))
    if match is None:
        return Listing(rows, None)
    edge = conn.execute(select(table.c.modified_at, table.c.id).where(*conditions)
                        .order_by(*order).offset(scan - 1).limit(1)).first()
    if edge is None:  # the window held every remaining row: the search is complete
        return Listing(rows, None)
    return Listing(rows, encode_cursor(edge.modified_at, edge.id), scan_stopped=True)


CANDIDATE_COLUMNS = (candidates.c.external_id, candidates.c.first_name, candidates.c.last_name,
                     candidates.c.emails, candidates.c.headline, candidates.c.current_title,
                     candidates.c.current_company, candidates.c.location,
                     candidates.c.confidential, candidates.c.person_urn,
                     candidates.c.match_method)


def candidate_page(conn: Connection, tenant_id: int, *, after: tuple[int, int] | None,
                   query: str, limit: int, scan: int) -> Listing:
    """A page of the tenant's candidates; with `query`, those matching it (`candidate_match`)."""
    return newest_first(conn, candidates, CANDIDATE_COLUMNS, tenant_id=tenant_id, after=after,
                        match=candidate_match(query) if query else None, limit=limit,
                        scan=scan)


def job_page(conn: Connection, tenant_id: int, *, after: tuple[int, int] | None, query: str,
             status: str | None, limit: int, scan: int) -> tuple[Listing, dict[int, int]]:
    """A page of the tenant's jobs (open or closed ones with `status`; title, id or
    requisition code matching `query`) and each one's number of applications."""
    where = [jobs.c.status == status] if status in ("open", "closed") else []
    cols = [jobs.c.external_id, jobs.c.title, jobs.c.location, jobs.c.status,
            jobs.c.confidential, jobs.c.requisition_code, jobs.c.published_at]
    match = (or_(jobs.c.title.ilike(_like(query), escape="\\"),
                 jobs.c.external_id == query, jobs.c.requisition_code == query)
             if query else None)
    listing = newest_first(conn, jobs, cols, tenant_id=tenant_id, after=after, match=match,
                           where=where, limit=limit, scan=scan)
    return listing, _counts(conn, applications.c.job_id, [r.id for r in listing.rows])


def project_page(conn: Connection, tenant_id: int, *, after: tuple[int, int] | None,
                 query: str, limit: int, scan: int) -> tuple[Listing, dict[int, int]]:
    """A page of the tenant's projects (title or id matching `query`) and each one's number
    of members."""
    cols = [projects.c.external_id, projects.c.title, projects.c.shared_with_all,
            projects.c.locations, projects.c.owner_id]
    match = (or_(projects.c.title.ilike(_like(query), escape="\\"),
                 projects.c.external_id == query) if query else None)
    listing = newest_first(conn, projects, cols, tenant_id=tenant_id, after=after,
                           match=match, limit=limit, scan=scan)
    return listing, _counts(conn, project_memberships.c.project_id,
                            [r.id for r in listing.rows])


def _counts(conn: Connection, column: Any, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    return {row[0]: row[1] for row in conn.execute(
        select(column, func.count()).where(column.in_(list(ids))).group_by(column))}


def record(conn: Connection, table: Table, tenant_id: int, external_id: str) -> Any:
    """The tenant's row of `table` with this external id, or None."""
    return conn.execute(select(table).where(table.c.tenant_id == tenant_id,
                                            table.c.external_id == external_id)).first()


def user_name(conn: Connection, user_id: int | None) -> str | None:
    """A user's name (None: no user)."""
    if user_id is None:
        return None
    return conn.execute(select(users.c.name).where(users.c.id == user_id)).scalar()


def job_applications(conn: Connection, job_id: int, *, before_id: int | None,
                     limit: int) -> list[Any]:
    """Up to `limit` + 1 of the job's applications with their candidate, newest first,
    below `before_id`."""
    query = (select(applications.c.id, applications.c.external_id,
                    applications.c.current_stage, applications.c.outcome,
                    applications.c.source, applications.c.modified_at,
                    candidates.c.external_id.label("candidate_ext"),
                    candidates.c.first_name, candidates.c.last_name,
                    candidates.c.emails, candidates.c.confidential)
             .join(candidates, candidates.c.id == applications.c.candidate_id)
             .where(applications.c.job_id == job_id))
    if before_id is not None:
        query = query.where(applications.c.id < before_id)
    return list(conn.execute(query.order_by(applications.c.id.desc()).limit(limit + 1)).all())


def project_stage_list(conn: Connection, project_id: int) -> list[Any]:
    """The project's stages in order (at most 200)."""
    return list(conn.execute(select(project_stages.c.id, project_stages.c.name,
                                    project_stages.c.category)
                             .where(project_stages.c.project_id == project_id)
                             .order_by(project_stages.c.position, project_stages.c.id)
                             .limit(200)).all())


def project_members(conn: Connection, project_id: int, *, before_id: int | None,
                    limit: int) -> list[Any]:
    """Up to `limit` + 1 of the project's memberships with their candidate, newest first,
    below `before_id`."""
    query = (select(project_memberships.c.id, project_memberships.c.stage_id,
                    project_memberships.c.source, project_memberships.c.modified_at,
                    candidates.c.external_id.label("candidate_ext"),
                    candidates.c.first_name, candidates.c.last_name,
                    candidates.c.emails, candidates.c.confidential,
                    candidates.c.headline)
             .join(candidates, candidates.c.id == project_memberships.c.candidate_id)
             .where(project_memberships.c.project_id == project_id))
    if before_id is not None:
        query = query.where(project_memberships.c.id < before_id)
    return list(conn.execute(query.order_by(project_memberships.c.id.desc())
                             .limit(limit + 1)).all())


def job_titles(conn: Connection, job_ids: Sequence[int]) -> list[Any]:
    """(external_id, title) of the first 100 of these jobs."""
    return list(conn.execute(select(jobs.c.external_id, jobs.c.title).where(
        jobs.c.id.in_(list(job_ids)[:100]))).all())
