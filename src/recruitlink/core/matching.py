"""Matching ATS candidates to LinkedIn members, by the signals LinkedIn Help lists: LinkedIn
URL; email; name + phone; name + current title + company (reference §3.2).

Both sides are reduced to match keys; a candidate matches every member sharing any key, so
two ATS candidates can match one member (LinkedIn shows both), and one candidate can match
several members (all are returned in `matchedMembers`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MatchKey = tuple[str, ...]

_URL_PATH = re.compile(r"linkedin\.com/(in|pub)/([^/?#]+)", re.IGNORECASE)


def _fold(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: 'José  Núñez' -> 'jose nunez'."""
    if text.isascii():  # NFKD leaves ASCII as it is, and it has no combining marks
        return " ".join(text.lower().split())
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


def profile_slug(url: str | None) -> str | None:
    """The member part of a LinkedIn profile URL, whatever its scheme, host or query."""
    if not url:
        return None
    match = _URL_PATH.search(url)
    return match.group(2).lower().rstrip("/") if match else None


def email_key(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.strip().lower()


_NON_DIGIT = re.compile(r"\D")
_NOT_ASCII_DIGITS = bytes(b for b in range(128) if not 48 <= b <= 57)


def phone_key(number: str | None) -> str | None:
    """The last ten digits: enough to tell numbers apart, blind to +1 / 0 / spacing."""
    if not number:
        return None
    if number.isascii():  # every synced number: what `\D` drops is the bytes not 0-9
        digits = number.encode("ascii").translate(None, _NOT_ASCII_DIGITS).decode("ascii")
    else:  # other scripts' digits count too
        digits = _NON_DIGIT.sub("", number)
    return digits[-10:] if len(digits) >= 7 else None


def name_key(first: str | None, last: str | None) -> str | None:
    if not first or not last:
        return None
    return f"{_fold(first)}|{_fold(last)}"


def keys(*, first: str | None, last: str | None, profile_url: str | None,
         emails: Iterable[str | None], phones: Iterable[str | None], title: str | None,
         company: str | None) -> set[MatchKey]:
    found: set[MatchKey] = set()
    slug = profile_slug(profile_url)
    if slug:
        found.add(("url", slug))
    for email in emails:
        key = email_key(email)
        if key:
            found.add(("email", key))
    name = name_key(first, last)
    if name:
        for phone in phones:
            key = phone_key(phone)
            if key:
                found.add(("name+phone", name, key))
        if title and company:
            found.add(("name+title+company", name, _fold(title), _fold(company)))
    return found


def candidate_keys(record: Mapping[str, Any]) -> set[MatchKey]:
    """Match keys of a synced `atsCandidates` record (LinkedIn's field names)."""
    phones: Sequence[Any] = record.get("phoneNumbers") or []
    return keys(first=record.get("firstName"), last=record.get("lastName"),
                profile_url=record.get("linkedInProfileUrl"),
                emails=[e for e in record.get("emailAddresses") or [] if isinstance(e, str)],
                phones=[p.get("number") for p in phones
                        if type(p) is dict or isinstance(p, Mapping)],  # the ABC check is slow
                title=record.get("currentJobTitle"), company=record.get("currentCompanyName"))


def member_keys(member: Mapping[str, Any]) -> set[MatchKey]:
    """Match keys of a sandbox member (its directory fields)."""
    return keys(first=member.get("firstName"), last=member.get("lastName"),
                profile_url=member.get("publicProfileUrl"),
                emails=member.get("emailAddresses") or [], phones=member.get("phoneNumbers") or [],
                title=member.get("currentJobTitle"), company=member.get("currentCompanyName"))


def encode(key: MatchKey) -> str:
    """A key as one string, for an index column."""
    return "\x1f".join(key)
