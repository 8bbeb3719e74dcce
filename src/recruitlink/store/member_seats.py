"""Recruiter seats (`linkedin_seats`) with the ATS users they map to, as the Members page, the
data API and the CLI list them, and the users a seat can be mapped to. Pulling and mapping
seats is in inbound/seats.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from recruitlink.store import schema


def by_seat(conn: Connection, tenant_id: int) -> list[Any]:
    """The tenant's seats by seat id, each with its user's external id (`user`) and name
    (`user_name`), None when unmapped."""
    seats, users = schema.linkedin_seats, schema.users
    return list(conn.execute(
        select(seats, users.c.external_id.label("user"), users.c.name.label("user_name"))
        .outerjoin(users, users.c.id == seats.c.user_id)
        .where(seats.c.tenant_id == tenant_id).order_by(seats.c.seat)).all())


def active_first(conn: Connection, tenant_id: int) -> list[Any]:
    """The tenant's seats, active first, then by name, each with its user's name, email and
    external id (`user_name`, `user_email`, `user_external_id`)."""
    s, u = schema.linkedin_seats.c, schema.users.c
    return list(conn.execute(
        select(schema.linkedin_seats, u.name.label("user_name"), u.email.label("user_email"),
               u.external_id.label("user_external_id"))
        .select_from(schema.linkedin_seats.outerjoin(
            schema.users, and_(schema.users.c.id == s.user_id,
                               schema.users.c.tenant_id == s.tenant_id)))
        .where(s.tenant_id == tenant_id)
        .order_by(case((s.active.is_(True), 0), else_=1), func.lower(s.last_name),
                  func.lower(s.first_name), s.seat)).all())


def mappable_users(conn: Connection, tenant_id: int, limit: int) -> list[Any]:
    """The tenant's active users (external id, name, email) by name, at most `limit`."""
    u = schema.users.c
    return list(conn.execute(
        select(u.external_id, u.name, u.email).where(u.tenant_id == tenant_id,
                                                     u.active.is_not(False))
        .order_by(func.lower(u.name), u.id).limit(limit)))


def seats_of_user(conn: Connection, tenant_id: int, user_id: int) -> list[Any]:
    """The active Recruiter seats mapped to the user (seat, contract, holder's name and
    email), by seat."""
    s = schema.linkedin_seats.c
    return list(conn.execute(
        select(s.seat, s.contract, s.first_name, s.last_name, s.email)
        .where(s.tenant_id == tenant_id, s.user_id == user_id, s.active.is_(True))
        .order_by(s.seat)))


def has_seats(conn: Connection, tenant_id: int) -> bool:
    """Whether any Recruiter seat of the workspace is known (pulled from LinkedIn)."""
    s = schema.linkedin_seats.c
    return conn.execute(select(s.seat).where(s.tenant_id == tenant_id).limit(1)).first() \
        is not None


def seat_counts_by_contract(conn: Connection, tenant_id: int) -> dict[str, tuple[int, int]]:
    """Per contract, its active seats and how many of them are mapped to no user."""
    s = schema.linkedin_seats.c
    rows = conn.execute(
        select(s.contract, func.count(),
               func.sum(case((s.user_id.is_(None), 1), else_=0)))
        .where(s.tenant_id == tenant_id, s.active.is_(True)).group_by(s.contract))
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}
