"""Replaying one LinkedIn item a person chose (the candidate page's Replay button,
`recruitlink inbound replay --item`, `POST /api/v1/linkedin/items/replay`): an item that was
refused, failed, or had values rejected (a shared phone number invalid in the tenant's phone
region) is applied again as LinkedIn sent it, once the cause was fixed (the region changed,
the candidate no longer confidential, the seat mapped). The item keeps its payload and reason
until it applies in full, so nothing LinkedIn sent is lost on the way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from recruitlink.errors import NotReplayable
from recruitlink.store import Store
from recruitlink.store import inbound_items as kept
from recruitlink.store.inbound_candidates import contact_values

from . import items
from .pollers import SEAT_UNMAPPED, reapply


@dataclass(frozen=True)
class ReplayResult:
    kind: str
    li_id: str
    outcome: str
    """What the item became: created, updated, unchanged, refused, failed, notified, …"""
    candidate_id: str | None
    added: tuple[str, ...]
    """What the replay added to the candidate, as a person reads it: `Phone “+44…”`."""
    problem: items.Problem | None
    """What is still not taken from LinkedIn, and why; None when it applied in full."""

    @property
    def message(self) -> str:
        what = items.KIND_LABELS.get(self.kind, self.kind)
        if self.outcome == SEAT_UNMAPPED:
            return (f"{what} not applied: the Recruiter seat that received it is not mapped "
                    "to a user; map it on the Members page, then replay.")
        added = f"added {', '.join(self.added)}" if self.added else ""
        if self.problem is None:
            return (f"{what} applied again: {added}." if added else
                    f"{what} applied again; the candidate already held everything it brings.")
        if self.problem.outcome in (items.REFUSED, items.FAILED):
            verb = "still refused" if self.problem.outcome == items.REFUSED else "failed again"
            return f"{what} {verb}: {self.problem.reason}."
        left = "; ".join(f"{r.label} “{r.value}”: {r.reason}" for r in self.problem.rejected)
        return f"{what} applied again{', ' + added if added else ''}; still not kept: {left}."

    def as_json(self) -> dict[str, Any]:
        left = self.problem
        return {"kind": self.kind, "id": self.li_id, "outcome": self.outcome,
                "candidate": self.candidate_id, "added": list(self.added),
                "message": self.message,
                "stillRejected": [{"field": r.field, "fieldLabel": r.label, "value": r.value,
                                   "reason": r.reason} for r in left.rejected] if left else [],
                "reason": left.reason if left and left.outcome in (items.REFUSED, items.FAILED)
                else None}


def replay_item(store: Store, tenant_id: int, kind: str, li_id: str, *,
                candidate_external_id: str | None = None) -> ReplayResult:
    """Apply one kept item again. LookupError: no such item (of that candidate, when
    `candidate_external_id` is given); NotReplayable: nothing to apply again."""
    with store.writer(tenant_id) as w:
        found = items.problem(w.conn, tenant_id, kind, li_id)
        if found is None:
            row = kept.seen(w.conn, tenant_id, kind, li_id)
            if row is None:
                raise LookupError(f"item: no LinkedIn item {kind}:{li_id}")
            if row.outcome == items.WAITING:
                raise NotReplayable("item: it waits for its candidate; it is applied as soon "
                                    "as a candidate is linked to the LinkedIn member")
            raise NotReplayable("item: it was applied in full; there is nothing to replay")
        if candidate_external_id is not None and found.candidate_id != candidate_external_id:
            raise LookupError(f"item: no LinkedIn item {kind}:{li_id} for candidate "
                              f"{candidate_external_id}")
        if not found.replayable:
            raise NotReplayable("item: LinkedIn's data was not kept with it (an item read "
                                "before items were kept); it cannot be applied again")
        payload = kept.payload_of(w.conn, tenant_id, kind, li_id)
        before = _contact(w.conn, tenant_id, found.candidate_id)
        # A failed item is applied again by the poller's own rules (items.KEPT).
        kept.set_outcome(w.conn, tenant_id, kind, li_id, items.FAILED)
        outcome = reapply(w, kind, payload)
        left = items.problem(w.conn, tenant_id, kind, li_id)
        row_candidate = kept.candidate_external_id_of(w.conn, tenant_id, kind, li_id)
        candidate = row_candidate or found.candidate_id
        after = _contact(w.conn, tenant_id, candidate)
    added = tuple(f"{label} “{value}”" for label, value in after if (label, value) not in before)
    return ReplayResult(kind, li_id, outcome, candidate, added, left)


def _contact(conn: Connection, tenant_id: int,
             external_id: str | None) -> list[tuple[str, str]]:
    """The candidate's values a LinkedIn item can add, as (label, value)."""
    if external_id is None:
        return []
    row = contact_values(conn, tenant_id, external_id)
    if row is None:
        return []
    values = [("Email", str(e)) for e in row.emails or []]
    values += [("Phone", str(p.get("number"))) for p in row.phones or []
               if isinstance(p, dict)]
    values += [(label, v) for label, v in (("LinkedIn URL", row.linkedin_url),
                                           ("LinkedIn member", row.person_urn)) if v]
    return values
