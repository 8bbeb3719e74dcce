"""Explainable identity's tables: the review queue of ambiguous LinkedIn items
(`identity_reviews`) and candidate merges kept for an unmerge (`candidate_merges`), plus the
reads and moves a merge needs (issue 19, part 3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .changelog import ChangeSet
from .schema import (
    applications,
    candidate_merges,
    candidates,
    files,
    identity_reviews,
    interactions,
    jobs,
    notes,
    project_memberships,
    projects,
)

OPEN = "open"
RESOLVED = "resolved"
MOVED = ("applications", "notes", "interactions", "project_memberships")
"""A candidate's children a merge moves (candidate-owned files are moved apart)."""


# -- the review queue ----------------------------------------------------------------------

def queue(conn: Connection, tenant_id: int, *, kind: str, li_id: str, person: str | None,
          reason: str, candidates_: list[dict[str, Any]], payload: dict[str, Any],
          now_ms: int) -> None:
    """Keep an item for review (again open, if LinkedIn sent it again)."""
    values = {"person": person, "reason": reason[:400], "candidates": candidates_,
              "payload": payload, "status": OPEN, "resolution": None, "created_at": now_ms,
              "resolved_at": None}
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(identity_reviews).values(tenant_id=tenant_id, kind=kind, li_id=li_id,
                                                 **values)
                 .on_conflict_do_update(index_elements=["tenant_id", "kind", "li_id"],
                                        set_=values))


def reviews(conn: Connection, tenant_id: int, *, status: str | None = OPEN,
            limit: int = 200) -> list[Any]:
    query = select(identity_reviews).where(identity_reviews.c.tenant_id == tenant_id)
    if status is not None:
        query = query.where(identity_reviews.c.status == status)
    return list(conn.execute(query.order_by(identity_reviews.c.id).limit(limit)))


def review(conn: Connection, tenant_id: int, review_id: int, *, lock: bool = False) -> Any:
    """One item; `lock`: held until the transaction ends, so two admins resolving it at once
    on PostgreSQL take turns (SQLite's writes already do)."""
    query = select(identity_reviews).where(identity_reviews.c.tenant_id == tenant_id,
                                           identity_reviews.c.id == review_id)
    return conn.execute(query.with_for_update() if lock else query).first()


def resolve(conn: Connection, tenant_id: int, review_id: int, resolution: str,
            now_ms: int) -> None:
    conn.execute(update(identity_reviews).where(
        identity_reviews.c.tenant_id == tenant_id, identity_reviews.c.id == review_id).values(
        status=RESOLVED, resolution=resolution[:400], resolved_at=now_ms))


# -- merges ------------------------------------------------------------------------------

def candidate_row(conn: Connection, tenant_id: int, external_id: str) -> Any:
    return conn.execute(select(candidates.c.id, candidates.c.external_id).where(
        candidates.c.tenant_id == tenant_id, candidates.c.external_id == external_id)).first()


def link_and_emails(conn: Connection, tenant_id: int, external_id: str) -> Any:
    """The candidate's `person_urn` and `emails`, or None for no such candidate."""
    return conn.execute(select(candidates.c.person_urn, candidates.c.emails).where(
        candidates.c.tenant_id == tenant_id, candidates.c.external_id == external_id)).first()


def children(conn: Connection, candidate_id: int) -> dict[str, list[str]]:
    """The external ids of a candidate's children a merge moves, by entity."""
    out: dict[str, list[str]] = {}
    for name, table in (("applications", applications), ("notes", notes),
                        ("interactions", interactions),
                        ("project_memberships", project_memberships)):
        out[name] = [r.external_id for r in conn.execute(
            select(table.c.external_id).where(table.c.candidate_id == candidate_id)
            .order_by(table.c.id))]
    return out


def targets(conn: Connection, candidate_id: int) -> tuple[list[str], list[str]]:
    """(job ids the candidate is in process for, pipeline ids it is in): external ids."""
    job_ids = [r[0] for r in conn.execute(select(jobs.c.external_id).join(
        applications, applications.c.job_id == jobs.c.id).where(
        applications.c.candidate_id == candidate_id))]
    project_ids = [r[0] for r in conn.execute(select(projects.c.external_id).join(
        project_memberships, project_memberships.c.project_id == projects.c.id).where(
        project_memberships.c.candidate_id == candidate_id))]
    return job_ids, project_ids


def move_files(conn: Connection, changes: ChangeSet, tenant_id: int, from_id: int, to_id: int,
               only: list[str] | None = None) -> list[str]:
    """Move a candidate's complete files to another candidate, but not into a slot it has
    (`only`: just these external ids); their external ids."""
    taken = {r.slot for r in conn.execute(select(files.c.slot).where(
        files.c.tenant_id == tenant_id, files.c.owner_entity == "candidates",
        files.c.owner_id == to_id))}
    rows = conn.execute(select(files.c.id, files.c.external_id, files.c.slot).where(
        files.c.tenant_id == tenant_id, files.c.owner_entity == "candidates",
        files.c.owner_id == from_id, files.c.complete.is_(True))).all()
    moved: list[str] = []
    for row in rows:
        if row.slot in taken or (only is not None and row.external_id not in only):
            continue
        conn.execute(update(files).where(files.c.id == row.id).values(owner_id=to_id))
        changes.add("files", row.id, row.external_id, "update")
        moved.append(row.external_id)
    return moved


def record_merge(conn: Connection, tenant_id: int, *, kept: str, merged: str,
                 snapshot: dict[str, Any], moved: dict[str, list[str]],
                 kept_before: dict[str, Any], reason: str | None, now_ms: int) -> int:
    return int(conn.execute(candidate_merges.insert().values(
        tenant_id=tenant_id, kept=kept, merged=merged, snapshot=snapshot, moved=moved,
        kept_before=kept_before, reason=reason, merged_at=now_ms)
        .returning(candidate_merges.c.id)).scalar_one())


def merge(conn: Connection, tenant_id: int, merge_id: int, *, lock: bool = False) -> Any:
    query = select(candidate_merges).where(candidate_merges.c.tenant_id == tenant_id,
                                           candidate_merges.c.id == merge_id)
    return conn.execute(query.with_for_update() if lock else query).first()


def merges_of(conn: Connection, tenant_id: int, kept: str) -> list[Any]:
    """The merges into candidate `kept` not undone, newest first."""
    return list(conn.execute(select(candidate_merges).where(
        candidate_merges.c.tenant_id == tenant_id, candidate_merges.c.kept == kept,
        candidate_merges.c.unmerged_at.is_(None)).order_by(candidate_merges.c.id.desc())))


def mark_unmerged(conn: Connection, tenant_id: int, merge_id: int, now_ms: int) -> None:
    conn.execute(update(candidate_merges).where(
        candidate_merges.c.tenant_id == tenant_id, candidate_merges.c.id == merge_id)
        .values(unmerged_at=now_ms))


def names(conn: Connection, tenant_id: int, external_ids: list[str]) -> dict[str, str]:
    """Candidates' names by external id (those that exist)."""
    rows = conn.execute(select(candidates.c.external_id, candidates.c.first_name,
                               candidates.c.last_name, candidates.c.person_urn).where(
        candidates.c.tenant_id == tenant_id, candidates.c.external_id.in_(external_ids)))
    return {r.external_id: " ".join(p for p in (r.first_name, r.last_name) if p)
            or r.external_id for r in rows}
