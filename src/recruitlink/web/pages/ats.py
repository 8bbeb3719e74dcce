"""The minimal ATS/CRM pages: candidates (with search), jobs and a job's applications,
projects (CRM) and a project's members. Recruiters and admins see them all; confidential
records are shown, marked.

Every list is a page of `PAGE` rows in keyset order (most recently changed first, on the
tenant's `(tenant_id, modified_at, id)` index): no OFFSET, no count of the table. Search
has no index to use (names and emails are free text), so it is bounded: one request looks at
most at the `SCAN` most recently changed rows after the cursor and, if it found fewer than a
page of matches there, offers to continue from where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
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

from recruitlink.errors import CursorError
from recruitlink.inbound import event_log
from recruitlink.settings import Settings
from recruitlink.store import Store
from recruitlink.store.records import decode_cursor, encode_cursor
from recruitlink.store.schema import (
    applications,
    candidates,
    jobs,
    project_memberships,
    project_stages,
    projects,
    users,
)

from ..params import small_int
from .render import render
from .security import PageError, PageUser, page_user

PAGE = 50
SCAN = 100_000
MAX_QUERY = 200


@dataclass(frozen=True)
class Listing:
    rows: list[Any]
    next_cursor: str | None
    """Where the next page starts (None: this is the last)."""
    scan_stopped: bool = False
    """A search looked at `SCAN` rows and found fewer than a page: `next_cursor` continues."""


def candidate_name(row: Any) -> str:
    """How a candidate is called on the pages: name, else first email, else its id."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    name = " ".join(p for p in (mapping.get("first_name"), mapping.get("last_name")) if p)
    if name:
        return name
    emails = mapping.get("emails") or []
    return str(emails[0]) if emails else str(mapping.get("external_id"))


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def candidate_match(q: str) -> ColumnElement[bool]:
    """Name (first, last, or "first last") or email contains `q`, case-insensitively."""
    pattern = _like(q)
    full = func.coalesce(candidates.c.first_name, "") + literal(" ") + func.coalesce(
        candidates.c.last_name, "")
    return or_(candidates.c.first_name.ilike(pattern, escape="\\"),
               candidates.c.last_name.ilike(pattern, escape="\\"),
               full.ilike(pattern, escape="\\"),
               cast(candidates.c.emails, String).ilike(pattern, escape="\\"),
               candidates.c.external_id == q)


def _keyset(table: Table, after: str | None) -> ColumnElement[bool] | None:
    if not after:
        return None
    try:
        modified, row_id = decode_cursor(after)
    except CursorError as exc:
        raise PageError(400, "This page link is broken (bad cursor): start again from "
                             "the first page.") from exc
    return tuple_(table.c.modified_at, table.c.id) < (modified, row_id)


def newest_first(conn: Connection, table: Table, columns: Sequence[Any], *, tenant_id: int,
                 after: str | None, match: ColumnElement[bool] | None = None,
                 where: Sequence[ColumnElement[bool]] = (), limit: int = PAGE,
                 scan: int = SCAN) -> Listing:
    """A page of `table`'s rows of the tenant, most recently changed first, after `after`;
    with `match`, only matching rows among the next `scan` rows (bounded search)."""
    conditions: list[ColumnElement[bool]] = [table.c.tenant_id == tenant_id, *where]
    keyset = _keyset(table, after)
    if keyset is not None:
        conditions.append(keyset)
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


def _query(q: str | None) -> str:
    return (q or "").strip()[:MAX_QUERY]


def record_or_404(conn: Connection, table: Table, tenant_id: int, external_id: str,
                  what: str) -> Any:
    row = conn.execute(select(table).where(table.c.tenant_id == tenant_id,
                                           table.c.external_id == external_id)).first()
    if row is None:
        raise PageError(404, f"There is no {what} {external_id!r} in this workspace.")
    return row


def _counts(conn: Connection, column: Any, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    return {row[0]: row[1] for row in conn.execute(
        select(column, func.count()).where(column.in_(list(ids))).group_by(column))}


def _id_cursor(after: str | None) -> int | None:
    if not after:
        return None
    cursor = small_int(after)
    if cursor is None:
        raise PageError(400, "This page link is broken (bad cursor): start again from the "
                             "first page.")
    return cursor


def build_ats_router(settings: Settings, store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/t/{slug}/candidates", response_class=HTMLResponse)
    def candidate_list(request: Request, q: str | None = None, after: str | None = None,
                       user: PageUser = Depends(page_user)) -> HTMLResponse:
        query = _query(q)
        cols = [candidates.c.external_id, candidates.c.first_name, candidates.c.last_name,
                candidates.c.emails, candidates.c.headline, candidates.c.current_title,
                candidates.c.current_company, candidates.c.location,
                candidates.c.confidential, candidates.c.person_urn,
                candidates.c.match_method]
        with store.reader() as conn:
            listing = newest_first(conn, candidates, cols, tenant_id=user.tenant_id,
                                   after=after,
                                   match=candidate_match(query) if query else None)
            refused = event_log.recent_refusals(conn, user.tenant_id, user.id,
                                                int(time.time() * 1000))
        return render(request, "candidates.html", {
            "refused_exports": refused, "refused_cap": event_log.NOTICE_CAP,
            "title": "Candidates", "q": query, "after": after, "listing": listing,
            "rows": [{"row": r, "name": candidate_name(r)} for r in listing.rows],
            "scan": SCAN, "page_size": PAGE})

    @router.get("/t/{slug}/jobs", response_class=HTMLResponse)
    def job_list(request: Request, q: str | None = None, status: str | None = None,
                 after: str | None = None,
                 user: PageUser = Depends(page_user)) -> HTMLResponse:
        query = _query(q)
        where = [jobs.c.status == status] if status in ("open", "closed") else []
        cols = [jobs.c.external_id, jobs.c.title, jobs.c.location, jobs.c.status,
                jobs.c.confidential, jobs.c.requisition_code, jobs.c.published_at]
        match = (or_(jobs.c.title.ilike(_like(query), escape="\\"),
                     jobs.c.external_id == query, jobs.c.requisition_code == query)
                 if query else None)
        with store.reader() as conn:
            listing = newest_first(conn, jobs, cols, tenant_id=user.tenant_id, after=after,
                                   match=match, where=where)
            counts = _counts(conn, applications.c.job_id, [r.id for r in listing.rows])
        return render(request, "jobs.html", {
            "title": "Jobs", "q": query, "status": status or "", "after": after,
            "listing": listing, "counts": counts, "scan": SCAN})

    @router.get("/t/{slug}/jobs/{external_id}", response_class=HTMLResponse)
    def job_page(request: Request, external_id: str, after: str | None = None,
                 user: PageUser = Depends(page_user)) -> HTMLResponse:
        before_id = _id_cursor(after)
        with store.reader() as conn:
            job = record_or_404(conn, jobs, user.tenant_id, external_id, "job")
            owner = (conn.execute(select(users.c.name).where(users.c.id == job.owner_id))
                     .scalar() if job.owner_id is not None else None)
            query = (select(applications.c.id, applications.c.external_id,
                            applications.c.current_stage, applications.c.outcome,
                            applications.c.source, applications.c.modified_at,
                            candidates.c.external_id.label("candidate_ext"),
                            candidates.c.first_name, candidates.c.last_name,
                            candidates.c.emails, candidates.c.confidential)
                     .join(candidates, candidates.c.id == applications.c.candidate_id)
                     .where(applications.c.job_id == job.id))
            if before_id is not None:
                query = query.where(applications.c.id < before_id)
            rows = conn.execute(query.order_by(applications.c.id.desc()).limit(PAGE + 1)).all()
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        return render(request, "job.html", {
            "title": job.title, "job": job, "owner": owner,
            "applications": [{"row": r, "name": candidate_name(
                {"first_name": r.first_name, "last_name": r.last_name, "emails": r.emails,
                 "external_id": r.candidate_ext})} for r in rows],
            "next_after": rows[-1].id if more and rows else None, "after": after})

    @router.get("/t/{slug}/projects", response_class=HTMLResponse)
    def project_list(request: Request, q: str | None = None, after: str | None = None,
                     user: PageUser = Depends(page_user)) -> HTMLResponse:
        query = _query(q)
        cols = [projects.c.external_id, projects.c.title, projects.c.shared_with_all,
                projects.c.locations, projects.c.owner_id]
        match = (or_(projects.c.title.ilike(_like(query), escape="\\"),
                     projects.c.external_id == query) if query else None)
        with store.reader() as conn:
            listing = newest_first(conn, projects, cols, tenant_id=user.tenant_id,
                                   after=after, match=match)
            counts = _counts(conn, project_memberships.c.project_id,
                             [r.id for r in listing.rows])
        return render(request, "projects.html", {
            "title": "Projects", "q": query, "after": after, "listing": listing,
            "counts": counts, "scan": SCAN})

    @router.get("/t/{slug}/projects/{external_id}", response_class=HTMLResponse)
    def project_page(request: Request, external_id: str, after: str | None = None,
                     user: PageUser = Depends(page_user)) -> HTMLResponse:
        before_id = _id_cursor(after)
        with store.reader() as conn:
            project = record_or_404(conn, projects, user.tenant_id, external_id, "project")
            owner = (conn.execute(select(users.c.name).where(users.c.id == project.owner_id))
                     .scalar() if project.owner_id is not None else None)
            stages = conn.execute(select(project_stages.c.id, project_stages.c.name,
                                         project_stages.c.category)
                                  .where(project_stages.c.project_id == project.id)
                                  .order_by(project_stages.c.position, project_stages.c.id)
                                  .limit(200)).all()
            query = (select(project_memberships.c.id, project_memberships.c.stage_id,
                            project_memberships.c.source, project_memberships.c.modified_at,
                            candidates.c.external_id.label("candidate_ext"),
                            candidates.c.first_name, candidates.c.last_name,
                            candidates.c.emails, candidates.c.confidential,
                            candidates.c.headline)
                     .join(candidates, candidates.c.id == project_memberships.c.candidate_id)
                     .where(project_memberships.c.project_id == project.id))
            if before_id is not None:
                query = query.where(project_memberships.c.id < before_id)
            rows = conn.execute(query.order_by(project_memberships.c.id.desc())
                                .limit(PAGE + 1)).all()
            job_titles = conn.execute(select(jobs.c.external_id, jobs.c.title).where(
                jobs.c.id.in_(list(project.job_ids or [])[:100]))).all()
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        stage_names = {s.id: s.name for s in stages}
        return render(request, "project.html", {
            "title": project.title, "project": project, "owner": owner, "stages": stages,
            "jobs": job_titles,
            "members": [{"row": r, "stage": stage_names.get(r.stage_id),
                         "name": candidate_name({
                             "first_name": r.first_name, "last_name": r.last_name,
                             "emails": r.emails, "external_id": r.candidate_ext})}
                        for r in rows],
            "next_after": rows[-1].id if more and rows else None, "after": after})

    return router
