"""LinkedIn's own matches of synced candidates, read back and kept (reference §3.2, RSC-204:
the ATS stores the person URN it gets back).

LinkedIn matches candidates to members by itself (`matchedMembers`); until the ATS keeps that
link, anything LinkedIn says about a member (an account closure, an InMail) finds no candidate
for a candidate that was only matched, never exported. Each poll round reads the matches of a
slice of the candidates LinkedIn holds that have no member yet, and links a candidate whose
match is unambiguous (one member) with match method "matched", which is never sent back as a
manual match. The slice moves on by candidate id and starts over at the end, so a match
LinkedIn makes later is found on a later pass; the calls per round are capped.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from recruitlink.core.limits import family_of
from recruitlink.core.planner import LIVE_STATES
from recruitlink.core.records import Candidate
from recruitlink.core.restli import make_key
from recruitlink.linkedin import LinkedInClient
from recruitlink.linkedin.budget import RateBudget
from recruitlink.store import Store, Writer
from recruitlink.store.cursors import get_cursor, set_cursor
from recruitlink.store.inbound_candidates import unlinked_synced

from . import announce

CURSOR = "in:matches"
RESOURCE = "atsCandidates"
BATCH = 100
CALLS_PER_ROUND = 10
METHOD = "matched"


def _unlinked_slice(store: Store, tenant_id: int, after: int) -> list[Any]:
    """The next candidates LinkedIn holds that have no member, with their LinkedIn key."""
    with store.reader() as conn:
        return unlinked_synced(conn, tenant_id, after, LIVE_STATES, BATCH)


def read_matches(store: Store, client: LinkedInClient, budget: RateBudget, tenant_id: int, *,
                 now_ms: int, calls: int = CALLS_PER_ROUND) -> Counter[str]:
    """Read and keep the matches of up to `calls` batches of unlinked candidates; counts of
    "linked", "ambiguous" (several members: left alone) and "unmatched"."""
    done: Counter[str] = Counter()
    with store.reader() as conn:
        after = get_cursor(conn, tenant_id, CURSOR) or 0
    for _ in range(calls):
        rows = _unlinked_slice(store, tenant_id, after)
        if not rows:
            after = 0  # the end: the next round starts over, for matches made since
            break
        # LinkedIn counts each id of a batch GET against the family's records per minute.
        if budget.try_acquire(family_of(RESOURCE), len(rows)) > 0:
            break  # the sync needs the budget more; the next round goes on from here
        found = client.get(RESOURCE, [r.li_key["key"] for r in rows],
                           fields=["matchedMembers"])
        with store.writer(tenant_id) as w:
            for row in rows:
                record = found.get(make_key(row.li_key["key"])) or {}
                members = sorted({m for m in record.get("matchedMembers") or []
                                  if isinstance(m, str)})
                if len(members) != 1:
                    done["ambiguous" if members else "unmatched"] += 1
                    continue
                done[_link(w, row.external_id, members[0])] += 1
            after = rows[-1].id
    with store.db.write() as conn:
        set_cursor(conn, tenant_id, CURSOR, after, now_ms)
    return done


def _link(w: Writer, candidate_id: str, person: str) -> str:
    changed = {"person_urn": person, "match_method": METHOD}
    (outcome,) = w.records("candidates", [(0, Candidate(id=candidate_id, **changed))],
                           mode="update")
    if outcome.status == "rejected":
        return "failed"
    if outcome.status == "updated":
        announce.candidate_updated(w.conn, w.tenant_id, candidate_id, changed,
                                   source=announce.MATCH, person=person)
    return "linked"
