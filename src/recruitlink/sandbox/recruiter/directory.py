"""LinkedIn's members, as the sandbox knows them: a synthetic directory, deterministic from a
seed, and the matching of synced candidates to it."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import phonenumbers
from sqlalchemy import Connection, func, select

from recruitlink.core.matching import candidate_keys, encode, member_keys

from ..store import Store, members
from ..store import member_keys as member_keys_table

FIRST = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances",
         "Tim", "Radia", "Vint", "Shafi", "Donald", "Edsger", "Anita", "John", "Sophie",
         "Yukihiro", "Guido", "Hedy", "Katherine", "Tu", "Chen", "Amara", "Ravi", "Priya",
         "Mateo", "Lucia", "Omar", "Fatima", "Jonas", "Ingrid", "Kwame", "Zanele", "Hiro"]
LAST = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov",
        "Thompson", "Allen", "Berners-Lee", "Perlman", "Cerf", "Goldwasser", "Knuth",
        "Dijkstra", "Borg", "McCarthy", "Wilson", "Matsumoto", "van Rossum", "Lamarr",
        "Johnson", "Youyou", "Wei", "Okafor", "Kumar", "Sharma", "Garcia", "Rossi", "Haddad",
        "Nilsen", "Mensah", "Dlamini", "Tanaka", "Novak", "Costa"]
TITLES = ["Software Engineer", "Senior Software Engineer", "Data Scientist", "Product Manager",
          "Recruiter", "Engineering Manager", "Designer", "Sales Director", "Nurse",
          "Accountant", "Marketing Lead", "DevOps Engineer", "QA Engineer", "CTO"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne",
             "Wonka", "Soylent", "Cyberdyne", "Tyrell", "Massive Dynamic", "Pied Piper"]
CITIES = ["Paris, France", "London, United Kingdom", "Berlin, Germany", "New York, NY",
          "San Francisco, CA", "Toronto, Canada", "Sydney, Australia", "Lagos, Nigeria",
          "Bengaluru, India", "Tokyo, Japan", "Sao Paulo, Brazil", "Madrid, Spain"]
# The numbering plan (ISO region) of each city, so a member's phone is one a real person there
# could have: the seeds' ATSs validate the phones members share, and reject invalid ones.
REGIONS = {"Paris, France": "FR", "London, United Kingdom": "GB", "Berlin, Germany": "DE",
           "New York, NY": "US", "San Francisco, CA": "US", "Toronto, Canada": "CA",
           "Sydney, Australia": "AU", "Lagos, Nigeria": "NG", "Bengaluru, India": "IN",
           "Tokyo, Japan": "JP", "Sao Paulo, Brazil": "BR", "Madrid, Spain": "ES"}


@cache
def _mobile_example(region: str) -> phonenumbers.PhoneNumber:
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:  # every region of REGIONS has one; a guard for new cities
        raise ValueError(f"region {region}: phonenumbers has no example mobile number")
    return example


def phone_number(region: str, n: int) -> str:
    """A valid mobile number of `region` for the n-th member: the region's example number
    with its last four digits taken from n (the example itself if that is not valid)."""
    example = _mobile_example(region)
    national = str(example.national_number)
    candidate = phonenumbers.PhoneNumber(
        country_code=example.country_code,
        national_number=int(f"{national[:-4]}{n % 10_000:04d}"))
    chosen = candidate if phonenumbers.is_valid_number(candidate) else example
    return phonenumbers.format_number(chosen, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def generate(seed: int, count: int) -> Iterable[dict[str, Any]]:
    """`count` members, the same for the same seed; a few have blocked exports (they opted
    out of sharing) or private profiles."""
    rng = random.Random(seed)
    for n in range(1, count + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        slug = f"{first}-{last}-{n:05d}".lower().replace(" ", "")
        title, company = rng.choice(TITLES), rng.choice(COMPANIES)
        city = rng.choice(CITIES)
        yield {
            "person": f"urn:li:person:m{n:06d}", "firstName": first, "lastName": last,
            "headline": f"{title} at {company}", "currentJobTitle": title,
            "currentCompanyName": company, "location": city,
            "publicProfileUrl": f"https://www.linkedin.com/in/{slug}",
            "emailAddresses": [f"{first}.{last}.{n}@example.com".lower().replace(" ", "")],
            "phoneNumbers": [phone_number(REGIONS[city], n)],
            "exportBlocked": rng.random() < 0.05,
            "privateProfile": rng.random() < 0.03,
        }


def ensure_directory(store: Store, seed: int, count: int) -> int:
    """Create the directory once per state file; returns the number of members."""
    with store.tx() as conn:
        existing = conn.execute(select(func.count()).select_from(members)).scalar() or 0
        if existing:
            return int(existing)
        batch_members: list[dict[str, Any]] = []
        batch_keys: list[dict[str, str]] = []
        for member in generate(seed, count):
            batch_members.append({"urn": member["person"], "body": member})
            batch_keys.extend({"key": encode(k), "urn": member["person"]}
                              for k in member_keys(member))
            if len(batch_members) >= 2000:
                _flush(conn, batch_members, batch_keys)
        _flush(conn, batch_members, batch_keys)
    return count


def _flush(conn: Connection, batch_members: list[dict[str, Any]],
           batch_keys: list[dict[str, str]]) -> None:
    if batch_members:
        conn.execute(members.insert(), batch_members)
    if batch_keys:
        conn.execute(member_keys_table.insert().prefix_with("OR IGNORE"), batch_keys)
    batch_members.clear()
    batch_keys.clear()


def shared_with_partners(member: Mapping[str, Any]) -> bool:
    """Whether LinkedIn shares this member with an ATS/CRM. Beamery's seed: a private profile
    "cannot be synced", and a member who opted out of sharing with third parties cannot be
    exported; neither is matched into the ATS."""
    return not member.get("privateProfile") and not member.get("exportBlocked")


def matches(conn: Connection, candidate: Mapping[str, Any]) -> list[str]:
    """LinkedIn's algorithmic matches for a synced candidate: every member sharing a key,
    except the members LinkedIn does not share with partners."""
    wanted = [encode(k) for k in candidate_keys(candidate)]
    if not wanted:
        return []
    found = conn.execute(
        select(members.c.urn, members.c.body)
        .join(member_keys_table, member_keys_table.c.urn == members.c.urn)
        .where(member_keys_table.c.key.in_(wanted)).distinct().order_by(members.c.urn))
    return [row.urn for row in found if shared_with_partners(row.body)]


def member(conn: Connection, urn: str) -> dict[str, Any] | None:
    body = conn.execute(select(members.c.body).where(members.c.urn == urn)).scalar()
    return dict(body) if body is not None else None
