"""The candidate reads of LinkedIn's inbound side: who a member is in the ATS, the views the
export and stub rules decide on (`core.export_rules.CandidateView`), and the slices whose
LinkedIn matches are read back."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exists, func, literal_column, or_, select

from recruitlink.core import export_rules as rules

from .schema import (
    applications,
    candidates,
    jobs,
    project_memberships,
    projects,
    sync_ledger,
)

VIEW_LIMIT = 50
"""At most this many candidates are weighed by one rule (a name shared by many)."""


@dataclass(frozen=True)
class CandidateRef:
    id: int
    external_id: str
    confidential: bool


def candidate_of(conn: Connection, tenant_id: int, person: str) -> CandidateRef | None:
    """The candidate linked to a LinkedIn member (the oldest, if several are)."""
    row = conn.execute(select(candidates.c.id, candidates.c.external_id,
                              candidates.c.confidential)
                       .where(candidates.c.tenant_id == tenant_id,
                              candidates.c.person_urn == person)
                       .order_by(candidates.c.id).limit(1)).first()
    return CandidateRef(row.id, row.external_id, bool(row.confidential)) if row else None


def linked_to_member(conn: Connection, tenant_id: int, person: str,
                     limit: int | None = None) -> list[Any]:
    """(id, external_id) of every candidate linked to the member, oldest first."""
    query = select(candidates.c.id, candidates.c.external_id).where(
        candidates.c.tenant_id == tenant_id, candidates.c.person_urn == person
    ).order_by(candidates.c.id)
    return list(conn.execute(query if limit is None else query.limit(limit)))


def candidate_exists(conn: Connection, row_id: int) -> bool:
    return conn.execute(select(candidates.c.id).where(candidates.c.id == row_id)).first() \
        is not None


def is_confidential(conn: Connection, row_id: int) -> bool:
    return bool(conn.execute(select(candidates.c.confidential).where(
        candidates.c.id == row_id)).scalar())


def contact_values(conn: Connection, tenant_id: int, external_id: str) -> Any | None:
    """(emails, phones, linkedin_url, person_urn) of the candidate, or None."""
    return conn.execute(select(candidates.c.emails, candidates.c.phones,
                               candidates.c.linkedin_url, candidates.c.person_urn)
                        .where(candidates.c.tenant_id == tenant_id,
                               candidates.c.external_id == external_id)).first()


def list_fields(conn: Connection, tenant_id: int, external_id: str) -> Any | None:
    """(tags, emails, phones) of the candidate, or None: what an export appends to."""
    return conn.execute(select(candidates.c.tags, candidates.c.emails, candidates.c.phones)
                        .where(candidates.c.tenant_id == tenant_id,
                               candidates.c.external_id == external_id)).first()


# -- the views the rules decide on ---------------------------------------------------------

def _views(conn: Connection, tenant_id: int, where: Any) -> list[rules.CandidateView]:
    rows = conn.execute(select(candidates).where(candidates.c.tenant_id == tenant_id, where)
                        .limit(VIEW_LIMIT)).all()
    out = []
    for row in rows:
        job_ids = {r.external_id for r in conn.execute(
            select(jobs.c.external_id).join(applications, applications.c.job_id == jobs.c.id)
            .where(applications.c.candidate_id == row.id))}
        project_ids = {r.external_id for r in conn.execute(
            select(projects.c.external_id).join(
                project_memberships, project_memberships.c.project_id == projects.c.id)
            .where(project_memberships.c.candidate_id == row.id))}
        out.append(rules.CandidateView(
            id=row.external_id, first_name=row.first_name, last_name=row.last_name,
            emails=tuple(row.emails or ()),
            phones=tuple(p.get("number", "") for p in row.phones or ()),
            linkedin_url=row.linkedin_url, person_urn=row.person_urn,
            match_method=row.match_method, headline=row.headline,
            current_title=row.current_title, current_company=row.current_company,
            location=row.location, tags=tuple(row.tags or ()),
            confidential=bool(row.confidential), job_ids=frozenset(job_ids),
            project_ids=frozenset(project_ids)))
    return out


def views_by_member(conn: Connection, tenant_id: int, person: str | None,
                    profile_urls: Collection[str] = ()) -> list[rules.CandidateView]:
    """Candidates linked to the member, or holding one of these profile URLs."""
    where = candidates.c.person_urn == person
    if profile_urls:
        where = or_(where, candidates.c.linkedin_url.in_(list(profile_urls)))
    return _views(conn, tenant_id, where)


def views_by_last_name(conn: Connection, tenant_id: int,
                       last: str | None) -> list[rules.CandidateView]:
    """Candidates with this last name, in any case (the rules compare folded names)."""
    if not last:
        return []
    return _views(conn, tenant_id, or_(candidates.c.last_name == last,
                                       func.lower(candidates.c.last_name) == last.lower()))


def views_by_email(conn: Connection, tenant_id: int,
                   email: str | None) -> list[rules.CandidateView]:
    """Candidates holding this address (any case) in their email list."""
    if not email:
        return []
    wanted = email.strip().lower()
    if conn.dialect.name == "postgresql":
        element = func.jsonb_array_elements_text(candidates.c.emails).table_valued("value")
    else:
        element = func.json_each(candidates.c.emails).table_valued("value")
    where = exists(select(literal_column("1")).select_from(element)
                   .where(func.lower(element.c.value) == wanted))
    return _views(conn, tenant_id, where)


# -- LinkedIn's matches ---------------------------------------------------------------------

def unlinked_synced(conn: Connection, tenant_id: int, after: int, live_states: Collection[str],
                    limit: int) -> list[Any]:
    """The next candidates (by row id, after `after`) LinkedIn holds (their ledger state in
    `live_states`) that have no member, with their LinkedIn key (`li_key`)."""
    return list(conn.execute(
        select(candidates.c.id, candidates.c.external_id, sync_ledger.c.li_key)
        .join(sync_ledger, (sync_ledger.c.tenant_id == candidates.c.tenant_id)
              & (sync_ledger.c.entity == "candidates")
              & (sync_ledger.c.entity_id == candidates.c.id))
        .where(candidates.c.tenant_id == tenant_id, candidates.c.id > after,
               candidates.c.person_urn.is_(None),
               # A recruiter's Unlink in the profile widget is not undone by LinkedIn.
               or_(candidates.c.match_method.is_(None),
                   candidates.c.match_method != "unlinked"),
               sync_ledger.c.state.in_(list(live_states)))
        .order_by(candidates.c.id).limit(limit)))


def view_of(conn: Connection, tenant_id: int, external_id: str) -> rules.CandidateView | None:
    """One candidate's view, by external id (the one an admin chose in the review queue)."""
    found = _views(conn, tenant_id, candidates.c.external_id == external_id)
    return found[0] if found else None
