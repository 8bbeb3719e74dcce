"""LinkedIn Recruiter seats as the ATS keeps them (`linkedin_seats`): who holds each, and
which ATS user it is mapped to. The inbound seat refresh, the pollers and One-Click Export
read and write them through here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, or_, select, update

from .schema import linkedin_seats, users


@dataclass(frozen=True)
class PolledSeat:
    """An active seat as the pollers read it, with its mapped user's external id (None:
    unmapped, or the user is deactivated)."""

    seat: str
    seat_id: str
    contract: str
    person: str | None
    user_external_id: str | None


def active_seats(conn: Connection, tenant_id: int) -> list[PolledSeat]:
    rows = conn.execute(
        select(linkedin_seats.c.seat, linkedin_seats.c.contract, linkedin_seats.c.person,
               users.c.external_id.label("user"))
        .outerjoin(users, (users.c.id == linkedin_seats.c.user_id)
                   & users.c.active.is_not(False))
        .where(linkedin_seats.c.tenant_id == tenant_id, linkedin_seats.c.active.is_(True))
        .order_by(linkedin_seats.c.seat))
    return [PolledSeat(r.seat, r.seat.rsplit(":", 1)[-1], r.contract, r.person, r.user)
            for r in rows]


def mapped_user_of(conn: Connection, tenant_id: int, seat: str) -> str | None:
    """The external id of the active user the seat is mapped to now."""
    return conn.execute(select(users.c.external_id).join(
        linkedin_seats, linkedin_seats.c.user_id == users.c.id).where(
        linkedin_seats.c.tenant_id == tenant_id, linkedin_seats.c.seat == seat,
        users.c.active.is_not(False))).scalar()


def mapped_user_row(conn: Connection, tenant_id: int, seat: str) -> Any | None:
    """The `users` row of the active user the seat is mapped to."""
    return conn.execute(select(users).join(linkedin_seats, linkedin_seats.c.user_id == users.c.id)
                        .where(linkedin_seats.c.tenant_id == tenant_id,
                               linkedin_seats.c.seat == seat,
                               users.c.active.is_not(False))).first()


def seat_members(conn: Connection, tenant_id: int,
                 user_ids: Iterable[int] | None = None) -> dict[int, str]:
    """The LinkedIn member of the active Recruiter seat mapped to each user (the Members
    page's mapping; the first seat when a user holds several). `user_ids`: only these."""
    seats = linkedin_seats.c
    query = select(seats.user_id, seats.person).where(
        seats.tenant_id == tenant_id, seats.active.is_(True), seats.person.is_not(None),
        seats.user_id.is_not(None)).order_by(seats.seat)
    chunks: list[list[int] | None] = [None]
    if user_ids is not None:
        wanted = sorted(set(user_ids))
        chunks = [wanted[start:start + 500] for start in range(0, len(wanted), 500)]
    found: dict[int, str] = {}
    for chunk in chunks:
        for row in conn.execute(query if chunk is None
                                else query.where(seats.user_id.in_(chunk))):
            found.setdefault(row.user_id, row.person)
    return found


def stored_seats(conn: Connection, tenant_id: int,
                 contracts: list[str] | None = None) -> dict[str, Any]:
    """The tenant's seat rows by seat URN (only those of `contracts`, when given)."""
    query = select(linkedin_seats).where(linkedin_seats.c.tenant_id == tenant_id)
    if contracts is not None:
        query = query.where(linkedin_seats.c.contract.in_(contracts))
    return {r.seat: r for r in conn.execute(query)}


def all_seats(conn: Connection, tenant_id: int) -> list[Any]:
    return list(conn.execute(select(linkedin_seats).where(
        linkedin_seats.c.tenant_id == tenant_id)).all())


def add_seat(conn: Connection, tenant_id: int, seat: str, **values: Any) -> None:
    conn.execute(linkedin_seats.insert().values(tenant_id=tenant_id, seat=seat, **values))


def update_seat(conn: Connection, tenant_id: int, seat: str, **values: Any) -> None:
    conn.execute(update(linkedin_seats).where(
        linkedin_seats.c.tenant_id == tenant_id, linkedin_seats.c.seat == seat)
        .values(**values))


def seat_exists(conn: Connection, tenant_id: int, seat: str) -> bool:
    return conn.execute(select(linkedin_seats.c.seat).where(
        linkedin_seats.c.tenant_id == tenant_id, linkedin_seats.c.seat == seat)).first() \
        is not None


def users_by_email_or_id(conn: Connection, tenant_id: int, emails: set[str],
                         ids: set[int]) -> list[Any]:
    """(id, email, active) of the users holding one of `emails` (any case) or one of `ids`,
    oldest first."""
    if not emails and not ids:
        return []
    return list(conn.execute(select(users.c.id, users.c.email, users.c.active).where(
        users.c.tenant_id == tenant_id,
        or_(func.lower(users.c.email).in_(emails), users.c.id.in_(ids)))
        .order_by(users.c.id)))


def active_user_id(conn: Connection, tenant_id: int, external_id: str) -> int | None:
    return conn.execute(select(users.c.id).where(
        users.c.tenant_id == tenant_id, users.c.external_id == external_id,
        users.c.active.is_not(False))).scalar()


def user_external_ids(conn: Connection, tenant_id: int, ids: list[int]) -> list[Any]:
    """(id, external_id) of these users."""
    return list(conn.execute(select(users.c.id, users.c.external_id).where(
        users.c.tenant_id == tenant_id, users.c.id.in_(ids))))
