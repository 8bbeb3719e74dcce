"""The minimal ATS/CRM pages: candidates (with search), jobs and a job's applications,
projects (CRM) and a project's members. Recruiters and admins see them all; confidential
records are shown, marked.

Every list is a page of `PAGE` rows in keyset order (most recently changed first, on the
tenant's `(tenant_id, modified_at, id)` index): no OFFSET, no count of the table. Search
has no index to use (names and emails are free text), so it is bounded: one request looks at
most at the `SCAN` most recently changed rows after the cursor and, if it found fewer than a
page of matches there, offers to continue from where it stopped. The reads are in
store/listings.py.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import ColumnElement, Connection, Table

from recruitlink.core import field_labels
from recruitlink.core.policy import Policy
from recruitlink.errors import CursorError
from recruitlink.inbound import event_log
from recruitlink.settings import Settings
from recruitlink.store import Store, connections, sync_logs
from recruitlink.store import listings as stored
from recruitlink.store.listings import Listing, candidate_match
from recruitlink.store.records import decode_cursor, rows_by_id
from recruitlink.store.schema import jobs, projects, users

from ..params import small_int
from .render import render
from .security import PageError, PageUser, page_user

__all__ = ["MAX_QUERY", "PAGE", "SCAN", "Listing", "build_ats_router", "candidate_match",
           "candidate_name", "newest_first", "not_on_linkedin", "record_or_404"]

PAGE = 50
SCAN = 100_000
MAX_QUERY = 200


def candidate_name(row: Any) -> str:
    """How a candidate is called on the pages: name, else first email, else its id."""
    mapping = row._mapping if hasattr(row, "_mapping") else row
    name = " ".join(p for p in (mapping.get("first_name"), mapping.get("last_name")) if p)
    if name:
        return name
    emails = mapping.get("emails") or []
    return str(emails[0]) if emails else str(mapping.get("external_id"))


def _keyset(after: str | None) -> tuple[int, int] | None:
    if not after:
        return None
    try:
        return decode_cursor(after)
    except CursorError as exc:
        raise PageError(400, "This page link is broken (bad cursor): start again from "
                             "the first page.") from exc


def newest_first(conn: Connection, table: Table, columns: Sequence[Any], *, tenant_id: int,
                 after: str | None, match: ColumnElement[bool] | None = None,
                 where: Sequence[ColumnElement[bool]] = (), limit: int = PAGE,
                 scan: int = SCAN) -> Listing:
    """A page of `table`'s rows of the tenant, most recently changed first, after the page
    link's cursor `after` (a 400 page when it is broken); see `store.listings.newest_first`."""
    return stored.newest_first(conn, table, columns, tenant_id=tenant_id, after=_keyset(after),
                               match=match, where=where, limit=limit, scan=scan)


def _query(q: str | None) -> str:
    return (q or "").strip()[:MAX_QUERY]


def record_or_404(conn: Connection, table: Table, tenant_id: int, external_id: str,
                  what: str) -> Any:
    row = stored.record(conn, table, tenant_id, external_id)
    if row is None:
        raise PageError(404, f"There is no {what} {external_id!r} in this workspace.")
    return row


PROJECT_SHARING = [
    ("all", "Share this project with all recruiters: synced with LinkedIn Recruiter"),
    ("private", "Private: not synced; removed from LinkedIn Recruiter with its members")]
"""A project's Visibility Settings (PageUp: only projects shared with all recruiters are
synchronised), as the project page offers them (project_visibility.py saves them)."""

PROJECT_DONE = {
    "all": "Saved: this project is shared with all recruiters. The sync sends it and its "
           "members to LinkedIn Recruiter.",
    "private": "Saved: this project is private. The sync removes it and its members from "
               "LinkedIn Recruiter."}


def _id_cursor(after: str | None) -> int | None:
    if not after:
        return None
    cursor = small_int(after)
    if cursor is None:
        raise PageError(400, "This page link is broken (bad cursor): start again from the "
                             "first page.")
    return cursor


def not_on_linkedin(conn: Connection, tenant_id: int, entity: str, row_id: int) -> list[str]:
    """Why LinkedIn does not hold this record: its open sync errors in plain words, each
    once (two checks of one field can read the same, e.g. an email's pattern and syntax)."""
    return list(dict.fromkeys(
        field_labels.explain(r.field, r.reason)
        for r in sync_logs.record_open_errors(conn, tenant_id, entity, row_id)))


HIRING_TEAM_SHOWN = 10


def hiring_team_only(conn: Connection, user: PageUser, job: Any) -> list[str] | None:
    """The names on the job's hiring team when LinkedIn Recruiter shows the job only to them
    (the admin's "Only the job's hiring team") and the signed-in user is not on it: the
    job is then missing from their Export to ATS picker there. None otherwise (a job with
    no hiring team is everyone's in both modes)."""
    team = [i for i in (job.viewer_ids or []) if isinstance(i, int)]
    if not team or user.id in team:
        return None
    if Policy.from_json(connections.stored_policy(conn, user.tenant_id)).visibility != "acls":
        return None
    shown = team[:HIRING_TEAM_SHOWN]
    found = rows_by_id(conn, users, shown, columns=["name"])  # one read, not one per user
    return [name for name in (found.get(i, {}).get("name") for i in shown) if name]


def build_ats_router(settings: Settings, store: Store) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/t/{slug}/candidates", response_class=HTMLResponse)
    def candidate_list(request: Request, q: str | None = None, after: str | None = None,
                       user: PageUser = Depends(page_user)) -> HTMLResponse:
        query = _query(q)
        keyset = _keyset(after)
        with store.reader() as conn:
            listing = stored.candidate_page(conn, user.tenant_id, after=keyset, query=query,
                                            limit=PAGE, scan=SCAN)
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
        keyset = _keyset(after)
        with store.reader() as conn:
            listing, counts = stored.job_page(conn, user.tenant_id, after=keyset, query=query,
                                              status=status, limit=PAGE, scan=SCAN)
        return render(request, "jobs.html", {
            "title": "Jobs", "q": query, "status": status or "", "after": after,
            "listing": listing, "counts": counts, "scan": SCAN})

    @router.get("/t/{slug}/jobs/{external_id}", response_class=HTMLResponse)
    def job_page(request: Request, external_id: str, after: str | None = None,
                 user: PageUser = Depends(page_user)) -> HTMLResponse:
        before_id = _id_cursor(after)
        with store.reader() as conn:
            job = record_or_404(conn, jobs, user.tenant_id, external_id, "job")
            owner = stored.user_name(conn, job.owner_id)
            rows = stored.job_applications(conn, job.id, before_id=before_id, limit=PAGE)
            # Why LinkedIn Recruiter does not hold the job (its Export to ATS picker does not
            # offer it): the sync's open errors, which only an admin's Sync logs list.
            refused = not_on_linkedin(conn, user.tenant_id, "jobs", job.id)
            team = hiring_team_only(conn, user, job)
        more = len(rows) > PAGE
        rows = rows[:PAGE]
        return render(request, "job.html", {
            "title": job.title, "job": job, "owner": owner, "not_on_linkedin": refused,
            "hiring_team_only": team,
            "applications": [{"row": r, "name": candidate_name(
                {"first_name": r.first_name, "last_name": r.last_name, "emails": r.emails,
                 "external_id": r.candidate_ext})} for r in rows],
            "next_after": rows[-1].id if more and rows else None, "after": after})

    @router.get("/t/{slug}/projects", response_class=HTMLResponse)
    def project_list(request: Request, q: str | None = None, after: str | None = None,
                     user: PageUser = Depends(page_user)) -> HTMLResponse:
        query = _query(q)
        keyset = _keyset(after)
        with store.reader() as conn:
            listing, counts = stored.project_page(conn, user.tenant_id, after=keyset,
                                                  query=query, limit=PAGE, scan=SCAN)
        return render(request, "projects.html", {
            "title": "Projects", "q": query, "after": after, "listing": listing,
            "counts": counts, "scan": SCAN})

    @router.get("/t/{slug}/projects/{external_id}", response_class=HTMLResponse)
    def project_page(request: Request, external_id: str, after: str | None = None,
                     done: str | None = None,
                     user: PageUser = Depends(page_user)) -> HTMLResponse:
        before_id = _id_cursor(after)
        with store.reader() as conn:
            project = record_or_404(conn, projects, user.tenant_id, external_id, "project")
            owner = stored.user_name(conn, project.owner_id)
            stages = stored.project_stage_list(conn, project.id)
            rows = stored.project_members(conn, project.id, before_id=before_id, limit=PAGE)
            job_titles = stored.job_titles(conn, list(project.job_ids or []))
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
            "next_after": rows[-1].id if more and rows else None, "after": after,
            "notice": PROJECT_DONE.get(done or ""), "sharing": PROJECT_SHARING})

    return router
