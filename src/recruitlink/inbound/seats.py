"""Recruiter seats: pulled from LinkedIn (`seatsV2`), mapped to ATS users by email
(case-insensitive) unless an admin mapped them by hand, and every change noted for the admin:
a seat removed, reassigned to another member, or whose user was deactivated.

The mapping decides who owns imported InMails and notes (seeds: SmartRecruiters, Comeet);
an unmapped seat's InMails are not imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from recruitlink.linkedin import LinkedInClient
from recruitlink.store import Store, member_seats
from recruitlink.store import inbound_seats as stored
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.inbound_seats import seat_members

from . import announce


@dataclass(frozen=True)
class SeatReport:
    seen: int
    added: int
    removed: int
    reassigned: int
    mapped: int
    unmapped: int


def pull_seats(client: LinkedInClient, contracts: list[str]) -> list[dict[str, Any]]:
    """Every seat of the contracts, active or not, from LinkedIn."""
    found: list[dict[str, Any]] = []
    for contract in contracts:
        found.extend(client.find("seatsV2", [("q", "attributes"), ("contracts", contract)]))
    return found


def refresh_seats(store: Store, tenant_id: int, pulled: list[dict[str, Any]],
                  now_ms: int, *, contracts: list[str] | None = None) -> SeatReport:
    """Bring the stored seats in line with LinkedIn's and (re)map them. `contracts`: the
    contracts that were read (default: all); seats of the others are left as they are."""
    added = removed = reassigned = 0
    with store.db.write() as conn:
        mappings_before = _mappings(conn, tenant_id)
        seats = stored.stored_seats(conn, tenant_id, contracts)
        members_before = seat_members(conn, tenant_id)
        for seat in pulled:
            urn = str(seat.get("seat") or f"urn:li:seat:{seat['id']}")
            active = bool(seat.get("active", True))
            values = {"contract": seat.get("contract") or "", "person": seat.get("person"),
                      "email": seat.get("emailAddress"), "first_name": seat.get("firstName"),
                      "last_name": seat.get("lastName"), "active": active,
                      "updated_at": now_ms}
            before = seats.pop(urn, None)
            if before is None:
                stored.add_seat(conn, tenant_id, urn, change="seat added", **values)
                added += 1
                continue
            change = None
            if before.active and not active:
                change, removed = "seat removed in Recruiter", removed + 1
            if before.person != values["person"]:  # also when removed in the same pull
                change, reassigned = "seat reassigned to another member", reassigned + 1
                if before.mapping == "manual":
                    # A manual mapping was about the previous holder: it no longer holds.
                    values.update(user_id=None, mapping=None, mapped_at=None)
            if change:
                values["change"] = change
            elif all(getattr(before, k) == v for k, v in values.items() if k != "updated_at"):
                continue  # nothing new: the seat's last change keeps its time (Members page)
            stored.update_seat(conn, tenant_id, urn, **values)
        for urn, gone in seats.items():  # no longer on the contract at all
            if gone.active:
                removed += 1
                stored.update_seat(conn, tenant_id, urn, active=False,
                                   change="seat removed in Recruiter", updated_at=now_ms)
        mapped, unmapped = _automap(conn, tenant_id, now_ms, counted=contracts)
        _users_changed(conn, tenant_id, members_before, now_ms)
        _announce_mappings(conn, tenant_id, mappings_before)
    return SeatReport(len(pulled), added, removed, reassigned, mapped, unmapped)


def _users_changed(conn: Connection, tenant_id: int, before: dict[int, str],
                   now_ms: int) -> None:
    """A user whose seat's member changed (mapped, unmapped, reassigned) is someone else
    on LinkedIn now: its ACL assignee (`sync.visibility`) follows through the changelog."""
    after = seat_members(conn, tenant_id)
    changed = [u for u in before.keys() | after.keys() if before.get(u) != after.get(u)]
    if not changed:
        return
    changes = ChangeSet(tenant_id)
    for row in stored.user_external_ids(conn, tenant_id, changed):
        changes.add("users", row.id, row.external_id, "update")
    changes.flush(conn, now_ms)


def _automap(conn: Connection, tenant_id: int, now_ms: int,
             counted: list[str] | None = None) -> tuple[int, int]:
    """Map seats by email unless mapped by hand; unmap seats whose user is deactivated or
    whose seat is inactive. Returns (mapped seats, unmapped active seats), of the contracts
    `counted` (default: all; seats of a contract not read are not counted). The users
    concerned are read once (by the seats' emails and mapped ids), not once per seat."""
    seats = stored.all_seats(conn, tenant_id)
    emails = {s.email.strip().lower() for s in seats if s.email}
    mapped_ids = {s.user_id for s in seats if s.user_id is not None}
    by_email: dict[str, int] = {}
    active: dict[int, bool] = {}
    if emails or mapped_ids:
        for row in stored.users_by_email_or_id(conn, tenant_id, emails, mapped_ids):
            active[row.id] = row.active is not False
            key = (row.email or "").strip().lower()
            if row.active is not False and key in emails:
                by_email.setdefault(key, row.id)  # the oldest active user with the address
    mapped = unmapped = 0
    for seat in seats:
        values: dict[str, Any] = {}
        if seat.user_id is not None and active.get(seat.user_id) is False:
            values = {"user_id": None, "mapping": None, "mapped_at": None,
                      "change": "the mapped user was deactivated"}
        if seat.mapping != "manual" and seat.active and not values:
            user_id = by_email.get((seat.email or "").strip().lower())
            if user_id != seat.user_id:
                values = {"user_id": user_id, "mapping": "auto" if user_id else None,
                          "mapped_at": now_ms if user_id else None}
        if values:
            stored.update_seat(conn, tenant_id, seat.seat, updated_at=now_ms, **values)
        user_id = values.get("user_id", seat.user_id) if values else seat.user_id
        if seat.active and (counted is None or seat.contract in counted):
            mapped += user_id is not None
            unmapped += user_id is None
    return mapped, unmapped


def map_seat(store: Store, tenant_id: int, seat: str, user_external_id: str | None,
             now_ms: int) -> None:
    """The admin's Edit -> user -> Save (None: unmap, and keep it unmapped)."""
    with store.db.write() as conn:
        if not stored.seat_exists(conn, tenant_id, seat):
            raise LookupError(f"seat: no seat {seat} for this tenant")
        user_id = None
        if user_external_id is not None:
            user_id = stored.active_user_id(conn, tenant_id, user_external_id)
            if user_id is None:
                raise LookupError(f"user: no active user {user_external_id}")
        members_before = seat_members(conn, tenant_id)
        mappings_before = _mappings(conn, tenant_id)
        stored.update_seat(conn, tenant_id, seat, user_id=user_id, mapping="manual",
                           mapped_at=now_ms,
                           change="mapped by an admin" if user_id else "unmapped by an admin")
        _users_changed(conn, tenant_id, members_before, now_ms)
        _announce_mappings(conn, tenant_id, mappings_before)


def _mappings(conn: Connection, tenant_id: int) -> dict[str, Any]:
    """The tenant's seats by URN, each with its user's external id (`user`)."""
    return {row.seat: row for row in member_seats.by_seat(conn, tenant_id)}


def _announce_mappings(conn: Connection, tenant_id: int, before: dict[str, Any]) -> None:
    """Tell the host ATS of each seat whose user, mapping, holder or presence changed since
    `before`. A seat with no user before or after has no mapping to change."""
    for urn, now in _mappings(conn, tenant_id).items():
        old = _state(before.get(urn))
        if old[0] is None and now.user is None:
            continue
        if old == _state(now):
            continue
        announce.seat_mapping_changed(
            conn, tenant_id, urn, user=now.user, previous_user=old[0], mapping=now.mapping,
            active=bool(now.active), person=now.person, change=_change(old, now))


def _state(row: Any) -> tuple[Any, ...]:
    """(user, mapping, active, person) of a seat; all None for a seat not there before."""
    if row is None:
        return (None, None, None, None)
    return (row.user, row.mapping, bool(row.active), row.person)


def _change(old: tuple[Any, ...], now: Any) -> str:
    """What happened to the seat, in one word a program can switch on."""
    was_user, _, was_active, was_person = old
    if was_active and not now.active:
        return "seat_removed"
    if was_active is False and now.active:
        return "seat_restored"
    if was_person is not None and was_person != now.person:
        return "reassigned"
    if was_user is None:
        return "mapped"
    if now.user is None:
        return "unmapped"
    return "remapped" if was_user != now.user else "mapping_changed"
