"""The people a widget shows: seat holders who may sign in, member cards, and the member
search of the profile widget.

The directory can hold tens of thousands of members, so the search never scans it: it reads
ranges of the match-key index (`member_keys`, primary key on the key), which holds each
member's profile slug, e-mail addresses and folded "first|last" name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, case, select

from recruitlink.core.matching import email_key, encode, name_key, profile_slug

from ..recruiter.directory import member
from ..store import closures, member_keys, seats

SEARCH_LIMIT = 10
SIGN_IN_LIMIT = 50
_TOP = chr(0x10FFFF)  # sorts after every other character: the end of a prefix range
_NAME_KINDS = ("name+phone", "name+title+company")


@dataclass(frozen=True)
class MemberCard:
    person: str
    name: str
    headline: str
    location: str
    profile_url: str


def card(body: dict[str, Any]) -> MemberCard:
    url = str(body.get("publicProfileUrl") or "")
    return MemberCard(person=body["person"],
                      name=f"{body.get('firstName', '')} {body.get('lastName', '')}".strip(),
                      headline=str(body.get("headline") or ""),
                      location=str(body.get("location") or ""),
                      profile_url=url if url.startswith(("https://", "http://")) else "")


def closed(conn: Connection, people: Iterable[str]) -> set[str]:
    """Those of `people` who closed their LinkedIn account."""
    wanted = list(people)
    if not wanted:
        return set()
    return {r.person for r in conn.execute(select(closures.c.person)
                                           .where(closures.c.person.in_(wanted)))}


def cards(conn: Connection, people: Iterable[str]) -> list[MemberCard]:
    """Member cards in the given order; unknown and closed accounts left out."""
    wanted = list(dict.fromkeys(people))
    gone = closed(conn, wanted)
    found = []
    for urn in wanted:
        body = member(conn, urn) if urn not in gone else None
        if body is not None:
            found.append(card(body))
    return found


def _prefix(conn: Connection, prefix: str, limit: int) -> list[str]:
    rows = conn.execute(select(member_keys.c.urn).where(
        member_keys.c.key >= prefix, member_keys.c.key < prefix + _TOP)
        .order_by(member_keys.c.key).limit(limit * 4))
    return list(dict.fromkeys(r.urn for r in rows))[:limit]


def _exact(conn: Connection, key: str, limit: int) -> list[str]:
    rows = conn.execute(select(member_keys.c.urn).where(member_keys.c.key == key)
                        .order_by(member_keys.c.urn).limit(limit))
    return [r.urn for r in rows]


def search(conn: Connection, text: str, limit: int = SEARCH_LIMIT) -> list[MemberCard]:
    """Members by LinkedIn profile URL, e-mail, person URN, or name: "First Last" (the last
    name may be cut short) or the start of a first name. At most `limit` cards."""
    text = " ".join(text.split())[:200]
    if not text:
        return []
    if text.startswith("urn:li:person:"):
        return cards(conn, [text])
    slug = profile_slug(text)
    if slug:
        return cards(conn, _exact(conn, encode(("url", slug)), limit))
    if "@" in text:
        email = email_key(text)
        return cards(conn, _exact(conn, encode(("email", email)), limit)) if email else []
    first, _, last = text.partition(" ")
    # The index holds name_key(first, last) == "first|last", folded (accents, case, spaces).
    folded = name_key(first, last or "x") or ""
    prefix = folded if last else folded.rpartition("|")[0]
    found: list[str] = []
    for kind in _NAME_KINDS:
        found.extend(u for u in _prefix(conn, encode((kind, prefix)), limit) if u not in found)
        if len(found) >= limit:
            break
    return cards(conn, found[:limit])


@dataclass
class SeatHolder:
    person: str
    name: str
    email: str
    contracts: list[str] = field(default_factory=list)


def seat_holders(conn: Connection, first: list[str],
                 limit: int = SIGN_IN_LIMIT) -> list[SeatHolder]:
    """Members holding an active Recruiter seat, those on the `first` contracts first: who
    can sign into the sandbox's "LinkedIn"."""
    query = select(seats).where(seats.c.active.is_(True))
    if first:
        query = query.order_by(case((seats.c.contract.in_(first), 0), else_=1))
    rows = conn.execute(query.order_by(seats.c.id).limit(limit * 10))
    holders: dict[str, SeatHolder] = {}
    for row in rows:
        holder = holders.get(row.person)
        if holder is None:
            if len(holders) >= limit:
                continue
            holder = holders[row.person] = SeatHolder(
                row.person, f"{row.first_name} {row.last_name}", row.email)
        if row.contract not in holder.contracts:
            holder.contracts.append(row.contract)
    return list(holders.values())


def holds_a_seat(conn: Connection, person: str) -> bool:
    """The member holds an active Recruiter seat (on any contract)."""
    return bool(person) and conn.execute(select(seats.c.id).where(
        seats.c.person == person, seats.c.active.is_(True)).limit(1)).first() is not None
