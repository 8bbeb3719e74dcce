"""The push inbox as the pages read it (`inbox_events` with the exporting seat's user and
the candidate): keyset pages by event id, newest first (never OFFSET or a full COUNT), a
recruiter's refused exports, and a candidate's exports. `inbound/event_log.py` puts them in
a person's words."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, select

from recruitlink.core.assumed import EXPORT_PUSH

from .schema import candidates, inbox_events, jobs, linkedin_seats, projects, users

TAKEN = ("created", "merged")
"""Outcomes of an export that was taken into the ATS."""


def _result_condition(result: str) -> Any:
    """The events of one outcome filter (`inbound/event_log.py`'s RESULTS)."""
    c = inbox_events.c
    return {
        "problem": (c.status == "failed") | ((c.status == "done") & (c.outcome == "failed")),
        "refused": (c.status == "done") & (c.outcome == "failed"),
        "failed": c.status == "failed",
        "waiting": c.status.in_(("pending", "processing")),
        "taken": (c.status == "done") & c.outcome.in_(TAKEN),
    }.get(result)


def page(conn: Connection, tenant_id: int, *, push_type: str = "", result: str = "",
         before: int | None = None, after: int | None = None, seat_user: int | None = None,
         size: int) -> list[Any]:
    """Up to size + 1 events (the extra one tells there are more), with `user_name`,
    `user_id_ext` and `candidate`: newest first below `before`, or, with `after`, the
    oldest ones above it, oldest first. `seat_user`: only exports of this user's seats."""
    e, s, u = inbox_events.c, linkedin_seats.c, users.c
    query = (select(inbox_events, u.name.label("user_name"), u.external_id.label("user_id_ext"),
                    candidates.c.external_id.label("candidate"))
             .select_from(inbox_events
                          .outerjoin(linkedin_seats, and_(s.tenant_id == e.tenant_id,
                                                          s.seat == e.seat))
                          .outerjoin(users, u.id == s.user_id)
                          .outerjoin(candidates, candidates.c.id == e.candidate_id))
             .where(e.tenant_id == tenant_id))
    if push_type:
        query = query.where(e.type == push_type)
    if result:
        query = query.where(_result_condition(result))
    if seat_user is not None:
        query = query.where(s.user_id == seat_user)
    if after is not None:
        return list(conn.execute(query.where(e.id > after).order_by(e.id).limit(size + 1)))
    if before is not None:
        query = query.where(e.id < before)
    return list(conn.execute(query.order_by(e.id.desc()).limit(size + 1)))


def titles(conn: Connection, tenant_id: int, kind: str, ids: Collection[str]) -> dict[str, str]:
    """External id -> title of the tenant's jobs (`kind` "job") or pipelines ("pipeline")."""
    if not ids:
        return {}
    table = jobs if kind == "job" else projects
    return dict(conn.execute(select(table.c.external_id, table.c.title).where(
        table.c.tenant_id == tenant_id, table.c.external_id.in_(list(ids)))).all())


def refused_for_user(conn: Connection, tenant_id: int, user_id: int, since_ms: int,
                     cap: int) -> int:
    """How many exports of the seats mapped to this user were refused or failed since
    `since_ms` (at most `cap`)."""
    e, s = inbox_events.c, linkedin_seats.c
    query = (select(e.id).select_from(inbox_events.join(
        linkedin_seats, and_(s.tenant_id == e.tenant_id, s.seat == e.seat)))
        .where(e.tenant_id == tenant_id, s.user_id == user_id,
               e.received_at >= since_ms, _result_condition("problem"))
        .limit(cap))
    return len(conn.execute(query).all())


def taken_export_details(conn: Connection, tenant_id: int, candidate_id: int,
                         limit: int) -> list[Any]:
    """The `details` of the candidate's taken exports, newest first."""
    e = inbox_events.c
    return list(conn.execute(
        select(e.details).where(e.tenant_id == tenant_id, e.candidate_id == candidate_id,
                                e.type == EXPORT_PUSH, e.outcome.in_(TAKEN))
        .order_by(e.id.desc()).limit(limit)).scalars())


def last_taken_export(conn: Connection, tenant_id: int, candidate_id: int) -> Any | None:
    """The candidate's last taken export (see `_candidate_exports` for its fields)."""
    found = _candidate_exports(conn, tenant_id, candidate_id, inbox_events.c.outcome.in_(TAKEN),
                               1)
    return found[0] if found else None


def refused_exports(conn: Connection, tenant_id: int, candidate_id: int,
                    limit: int) -> list[Any]:
    """The exports of this candidate that recruitlink refused (already in process for the
    job, confidential...), newest first (see `_candidate_exports` for their fields)."""
    return _candidate_exports(conn, tenant_id, candidate_id, _result_condition("refused"),
                              limit)


def _candidate_exports(conn: Connection, tenant_id: int, candidate_id: int,
                       condition: ColumnElement[bool], limit: int) -> list[Any]:
    """The candidate's exports meeting `condition`, newest first: outcome, processed_at,
    received_at, reason, details and `user_name` (the ATS user mapped to the exporting seat)."""
    e, s, u = inbox_events.c, linkedin_seats.c, users.c
    return list(conn.execute(
        select(e.outcome, e.processed_at, e.received_at, e.reason, e.details,
               u.name.label("user_name"))
        .select_from(inbox_events
                     .outerjoin(linkedin_seats, and_(s.tenant_id == e.tenant_id,
                                                     s.seat == e.seat))
                     .outerjoin(users, u.id == s.user_id))
        .where(e.tenant_id == tenant_id, e.candidate_id == candidate_id,
               e.type == EXPORT_PUSH, condition)
        .order_by(e.id.desc()).limit(limit)).all())


def exports_by_seat(conn: Connection, tenant_id: int, since_ms: int) -> dict[str, int]:
    """One-Click Exports received since `since_ms`, per exporting seat (urn:li:seat:N). An
    export's seat is known once it is processed (a moment after it arrives)."""
    e = inbox_events.c
    return {seat: int(n) for seat, n in conn.execute(
        select(e.seat, func.count()).where(
            e.tenant_id == tenant_id, e.type == EXPORT_PUSH, e.seat.is_not(None),
            e.received_at >= since_ms).group_by(e.seat))}
