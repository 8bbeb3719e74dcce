"""Members who closed their LinkedIn account (reference §5.8): checked with the other pollers
(LinkedIn asks for at least every 30 days). By the tenant's policy the candidate gets an
activity "LinkedIn member deleted their profile" (notify, the default) or is deleted from the
ATS (purge); an admin can also purge one member, or every closed member, at any time (old
certification TC13). The candidates concerned are every one linked to the member, however
linked: exported, stubbed, linked in the profile widget, or matched by LinkedIn (read back by
`matches.py`). What is still undone when the policy's window has passed (a closure still
waiting for a candidate, a notify turned purge, a failure) the compliance scheduler does
(`runtime/compliance.py`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from recruitlink.core.records import Interaction
from recruitlink.store import Store, Writer, entity
from recruitlink.store import inbound_items as items
from recruitlink.store.compliance import purge_candidate_items
from recruitlink.store.inbound_candidates import linked_to_member
from recruitlink.store.records import ids_by_external

from . import announce
from .history import write

ACTIVITY = "LinkedIn member deleted their profile"


def _linked(w: Writer, person: str) -> list[Any]:
    return linked_to_member(w.conn, w.tenant_id, person)


def _forget(w: Writer, candidate_id: int, person: str, now_ms: int) -> None:
    """A purged candidate takes with it what LinkedIn sent for it: the payloads kept of its
    items and the names its One-Click Exports recorded (the export deletion)."""
    purge_candidate_items(w.conn, w.tenant_id, candidate_id, person,
                          "purged: the member closed their LinkedIn account", now_ms)


def apply_closure(w: Writer, element: dict[str, Any], purge: bool, now_ms: int) -> str:
    person = element.get("person")
    closed_at = element.get("closedAt")
    if not isinstance(person, str) or not isinstance(closed_at, int):
        return "malformed"
    before = items.seen(w.conn, w.tenant_id, "closure", person)
    if before is not None and before.outcome not in items.KEPT:
        return "already"
    linked = _linked(w, person)
    if not linked:
        # LinkedIn tells of members this customer knows, also those only matched to one of
        # its candidates: the closure waits until that candidate is linked (matches.py).
        items.record(w.conn, w.tenant_id, "closure", person, outcome=items.WAITING,
                     now_ms=now_ms, li_modified_at=closed_at, person=person,
                     payload={"element": element})
        return items.WAITING
    if purge:
        for row in linked:
            _forget(w, row.id, person, now_ms)
            announce.delete(w, "candidates", row.external_id, source=announce.PURGE_POLICY,
                            person=person)
        items.record(w.conn, w.tenant_id, "closure", person, outcome="purged", now_ms=now_ms,
                     li_modified_at=closed_at,
                     reason=f"{len(linked)} candidate(s) deleted by the purge policy")
        return "purged"
    for row in linked:
        activity = f"li-closed-{row.external_id}"
        existed = bool(ids_by_external(w.conn, entity("interactions"), w.tenant_id,
                                       [activity]))
        problem = write(w, "interactions", Interaction(
            id=activity, candidate_id=row.external_id, type="other",
            occurred_at=datetime.fromtimestamp(closed_at / 1000, tz=UTC), subject=ACTIVITY,
            origin="linkedin"))
        if problem is not None:
            items.record(w.conn, w.tenant_id, "closure", person, outcome=items.FAILED,
                         now_ms=now_ms, li_modified_at=closed_at, reason=problem,
                         payload={"element": element})
            return items.FAILED
        ids = {"person": person, "closed_at": closed_at}
        announce.history_item(w.conn, w.tenant_id, "interaction", activity,
                              created=not existed, source=announce.CLOSURE,
                              candidate=row.external_id, type="other", **ids)
        # The candidate's own fields are unchanged: what changed is that its member is gone.
        announce.candidate_updated(w.conn, w.tenant_id, row.external_id, {},
                                   source=announce.CLOSURE, member_closed=True,
                                   interaction=activity, **ids)
    items.record(w.conn, w.tenant_id, "closure", person, outcome="notified", now_ms=now_ms,
                 candidate_id=linked[0].id, li_modified_at=closed_at)
    return "notified"


def purge_closed(store: Store, tenant_id: int, person: str | None = None) -> int:
    """Delete the candidates of one closed member (`person`) or of every closed member the
    pollers have seen; returns how many candidates were deleted. The deletions reach LinkedIn
    through the sync like any other."""
    with store.writer(tenant_id) as w:
        people = items.li_ids_of_kind(w.conn, tenant_id, "closure", person)
        if person is not None and not people:
            raise LookupError(f"person: {person} is not a closed LinkedIn account we know of")
        deleted = 0
        for member in people:
            linked = _linked(w, member)
            for row in linked:
                _forget(w, row.id, member, w.now_ms)
                deleted += announce.delete(w, "candidates", row.external_id,
                                           source=announce.PURGE_ADMIN, person=member)
            items.record(w.conn, tenant_id, "closure", member, outcome="purged",
                         now_ms=w.now_ms, reason=f"{len(linked)} candidate(s) deleted by an "
                                                 "admin")
        return deleted
