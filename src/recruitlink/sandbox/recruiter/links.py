"""Which synced ATS candidates stand behind a LinkedIn member: the reverse of matching.

Each synced candidate's match keys are indexed (`candidate_links`); a member's profile finds
its candidates by its own keys. A manual match (`manualMatchedMember`, set by the ATS after a
1-Click Export or a widget link) wins over the algorithm: such a candidate shows only on the
member it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.dialects.sqlite import insert

from recruitlink.core.matching import candidate_keys, encode

from ..store import BulkInsert, Prepared, candidate_links, member_keys, records

MANUAL = "manual\x1f"


def _keys_of(body: Mapping[str, Any]) -> set[str]:
    manual = body.get("manualMatchedMember")
    if isinstance(manual, str) and manual:
        return {MANUAL + manual}
    return {encode(k) for k in candidate_keys(body)}


def index_candidates(conn: Connection,
                     rows: Iterable[tuple[str, str, Mapping[str, Any]]]) -> None:
    """(org, candidate key, body) of candidates just written: replace their match keys."""
    rows = list(rows)
    if not rows:
        return
    candidates = [key for _, key, _ in rows]
    for start in range(0, len(candidates), _PER_QUERY):
        chunk = candidates[start:start + _PER_QUERY]
        _drop_links(len(chunk)).run(conn, {f"c{i}": c for i, c in enumerate(chunk)})
    _ADD_LINKS.run_values(conn, [(org, k, key) for org, key, body in rows
                                 for k in _keys_of(body)])


_PER_QUERY = 500  # under SQLite's oldest limit of 999 host parameters


@lru_cache(maxsize=16)
def _drop_links(count: int) -> Prepared:
    """Built once per number of candidates (a batch holds a hundred at most)."""
    return Prepared(delete(candidate_links).where(
        candidate_links.c.candidate.in_([bindparam(f"c{i}") for i in range(count)])))


# Built once: every batch of candidates replaces its match keys.
_ADD_LINKS = BulkInsert(insert(candidate_links).on_conflict_do_nothing())
assert _ADD_LINKS.names == ["org", "key", "candidate"], _ADD_LINKS.names  # run_values' order


def unindex_candidate(conn: Connection, key: str) -> None:
    conn.execute(delete(candidate_links).where(candidate_links.c.candidate == key))


def candidates_for_member(conn: Connection, person: str,
                          orgs: Iterable[str]) -> list[dict[str, Any]]:
    """The synced candidates (key fields and body) of `orgs` that Recruiter shows on this
    member's profile, ordered by key."""
    orgs = list(orgs)
    if not orgs:
        return []
    keys = [r.key for r in conn.execute(select(member_keys.c.key)
                                        .where(member_keys.c.urn == person))]
    keys.append(MANUAL + person)
    found = conn.execute(
        select(records.c.key, records.c.org, records.c.key_fields, records.c.body)
        .join(candidate_links, (candidate_links.c.candidate == records.c.key)
              & (records.c.resource == "atsCandidates") & (records.c.parent == ""))
        .where(candidate_links.c.org.in_(orgs), candidate_links.c.key.in_(keys))
        .distinct().order_by(records.c.key))
    return [{"key": r.key, "org": r.org, "keyFields": dict(r.key_fields),
             "record": dict(r.body)} for r in found]
