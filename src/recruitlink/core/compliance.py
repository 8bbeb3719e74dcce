"""Compliance duties, the pure part: what LinkedIn's terms oblige a tenant to do by when,
and what the scheduler does about each duty (runtime/compliance.py does it).

Duties (one row each in `compliance_duties`, by tenant, kind and subject):

- **closure** (subject: the member's person URN): a member who closed their LinkedIn account
  is acted on by `closedAt + policy.closure_window_days` (LinkedIn: within 30 days). The
  pollers act as soon as they read the closure (`closed_members`: notify or purge); the duty
  is **settled** when the closure's outcome is `purged`, or `notified` under the notify
  policy. What the scheduler does with an unsettled closure once it is due:
  - `waiting` (no candidate of ours is linked to the member): **lapse**: what came from
    LinkedIn for the member and waits for a candidate (InMails, notes, the closure) is purged,
    so nothing of the member is kept past the window;
  - `notified` under the purge policy (the policy changed since): **purge** the candidates;
  - `failed` (the store refused the activity): **apply** it again; still failing leaves the
    duty open, shown overdue.
- **erasure** (subject: the candidate's external id): an erasure in the ATS deleted the
  candidate and what hangs on it (the sync deletes them on LinkedIn) and purged what came
  from LinkedIn for it: the kept payloads of its InMails, notes, stubs and closures, and the
  names its One-Click Exports recorded (the push stays, as an id). The duty is done when a
  read-back finds LinkedIn holding none of them (the certificate keeps ids, times and the
  read-back's outcome); due `ERASURE_DAYS` after the request.
- **retention** (subject: `history`): imported InMails and notes older than
  `policy.history_retention_days` are deleted; one duty per tenant, due again every day.

A duty is shown `done`, `due` (open, not yet past its date) or `overdue` (open and past it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .policy import DAY_MS, Policy

Kind = Literal["closure", "erasure", "retention"]
KINDS: tuple[Kind, ...] = ("closure", "erasure", "retention")
OPEN, DONE = "open", "done"
ERASURE_DAYS = 30
"""An erasure is verified on LinkedIn within this many days (LinkedIn's 30 days)."""
RETENTION_SUBJECT = "history"
RETENTION_EVERY_MS = DAY_MS

ClosureAction = Literal["none", "lapse", "purge", "apply"]


def closure_due(closed_at: int, policy: Policy) -> int:
    return closed_at + policy.closure_window_days * DAY_MS


def closure_settled(outcome: str, policy: Policy) -> bool:
    return outcome == "purged" or (outcome == "notified" and policy.closed_members == "notify")


def closure_action(outcome: str, policy: Policy) -> ClosureAction:
    """What the scheduler does with a due closure whose item has this outcome."""
    if closure_settled(outcome, policy):
        return "none"
    if outcome == "waiting":
        return "lapse"
    if outcome == "notified":
        return "purge"
    return "apply"


def state(status: str, due_at: int, now: int) -> str:
    """done | due | overdue, for a person."""
    if status == DONE:
        return "done"
    return "overdue" if now > due_at else "due"


def retention_cutoff(policy: Policy, now: int) -> int | None:
    """Imported history dated before this is purged (None: kept)."""
    days = policy.history_retention_days
    return None if days is None else now - days * DAY_MS


@dataclass(frozen=True)
class ErasedRecord:
    """A record the erasure deleted, as the ledger knew it: what LinkedIn held."""

    entity: str
    id: str
    """The record's external id (the ATS's own, no personal data)."""
    resource: str | None
    key: Any
    """LinkedIn's key of the record (None: never sent to LinkedIn)."""
    readable: bool
    """LinkedIn lets us read it back by key (candidates, applications, ...)."""

    def as_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "id": self.id, "resource": self.resource,
                "key": self.key, "readable": self.readable}


@dataclass(frozen=True)
class Verdict:
    done: bool
    outcome: str
    still_held: tuple[str, ...] = ()


def erasure_verdict(records: Sequence[Mapping[str, Any]], pending: Sequence[str],
                    held: Sequence[str]) -> Verdict:
    """After a read-back: `pending` the records the sync has not deleted on LinkedIn yet,
    `held` those LinkedIn still answered for (entity/id)."""
    if pending:
        return Verdict(False, f"waiting for the sync to delete {len(pending)} record(s) on "
                              "LinkedIn")
    if held:
        return Verdict(False, f"LinkedIn still holds {len(held)} record(s): "
                              f"{', '.join(held[:5])}", tuple(held))
    checked = sum(1 for r in records if r.get("readable") and r.get("key") is not None)
    return Verdict(True, f"verified: LinkedIn holds none of the {checked} record(s) read back")
