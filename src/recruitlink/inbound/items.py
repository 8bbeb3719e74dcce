"""What became of each LinkedIn item brought in, as people read it: the outcomes, the items
that need a person's attention and why. The items themselves (applied once each, by
LinkedIn's id; waiting with their payload until a candidate is linked) are kept by
`store/inbound_items.py`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from recruitlink.core import policy, stub_rules
from recruitlink.store import inbound_items as stored
from recruitlink.store.inbound_items import FAILED, KEPT, REFUSED, WAITING

__all__ = [
    "FAILED",
    "FIELD_LABELS",
    "KEPT",
    "KIND_LABELS",
    "REFUSED",
    "WAITING",
    "Problem",
    "RejectedValue",
    "problem",
    "problems",
]

CONFIDENTIAL_REASONS = frozenset({policy.CONFIDENTIAL, stub_rules.CONFIDENTIAL})
"""Refusals whose cause is the candidate being confidential: a replay applies the item only
once it no longer is."""

KIND_LABELS = {"stub": "Shared contact info", "inmail": "InMail", "note": "Recruiter note",
               "closure": "Account closure", "evaluation": "Hiring Assistant evaluation"}
FIELD_LABELS = {"emailAddress": "Email", "phoneNumber": "Phone"}


@dataclass(frozen=True)
class RejectedValue:
    """A value of an item that was not written (an invalid email or phone), and why."""

    field: str
    value: str
    reason: str

    @property
    def label(self) -> str:
        return FIELD_LABELS.get(self.field, self.field)


@dataclass(frozen=True)
class Problem:
    """A LinkedIn item that was refused, failed, or had values rejected, with the reasons."""

    kind: str
    li_id: str
    outcome: str
    reason: str | None
    candidate_id: str | None
    """The candidate's external id, when the item concerns one."""
    updated_at: int
    rejected: tuple[RejectedValue, ...] = ()
    replayable: bool = False
    """The item is kept whole, so a person can apply it again once the cause is fixed."""

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def refused_as_confidential(self) -> bool:
        """Refused because its candidate was confidential (replayable once it is not)."""
        return self.outcome == REFUSED and self.reason in CONFIDENTIAL_REASONS

    @property
    def status(self) -> str:
        """The outcome in a person's words."""
        return {REFUSED: "refused", FAILED: "failed"}.get(self.outcome, "partly taken")


def _problems(rows: list[Any]) -> list[Problem]:
    out = []
    for row in rows:
        payload = row.payload if isinstance(row.payload, dict) else {}
        rejected = tuple(RejectedValue(str(r.get("field")), str(r.get("value")),
                                       str(r.get("reason")))
                         for r in payload.get("rejected") or [] if isinstance(r, dict))
        out.append(Problem(row.kind, row.li_id, row.outcome, row.reason, row.candidate,
                           row.updated_at, rejected, replayable=bool(payload.get("element"))))
    return out


def problems(conn: Connection, tenant_id: int, *, candidate_external_id: str | None = None,
             limit: int = 200) -> list[Problem]:
    """The items whose reason a person should see, newest first: refused, failed, or with
    rejected values; only one candidate's when `candidate_external_id` is given."""
    return _problems(stored.needing_attention(
        conn, tenant_id, candidate_external_id=candidate_external_id, limit=limit))


def problem(conn: Connection, tenant_id: int, kind: str, li_id: str) -> Problem | None:
    """One item's problem; None when it has none (or there is no such item)."""
    found = _problems(stored.needing_attention(conn, tenant_id, kind=kind, li_id=li_id,
                                               limit=1))
    return found[0] if found else None
