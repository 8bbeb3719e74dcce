"""The compliance scheduler and the per-candidate erasure (issue 19, part 4): LinkedIn's
duties kept on time without a manual step. What each duty is and when it is done is
`core/compliance.py`; its rows are `store/compliance.py`.

A round (`Compliance.run`, from the embedded background runner every
`compliance_interval_seconds`, or the `recruitlink.compliance` task in scale-out) does, per
connected tenant:

1. opens a **closure** duty for every closure the pollers read (due `closedAt` + the
   policy's window) and settles those the pollers already acted on; a due one still unsettled
   is acted on now (lapse the waiting items, purge, or apply the closure again);
2. **erasures**: once the sync has deleted every erased record on LinkedIn (the ledger says
   so), reads them back with parity's reader; LinkedIn holding none of them completes the
   certificate and the duty; LinkedIn still holding some (re-created behind our back) keeps
   the duty open, says which, and queues their deletion again;
3. **retention**: when the policy keeps imported InMails and notes for N days and the daily
   duty is due, deletes those LinkedIn dated before then.

Every round is safe to run twice or in two processes at once: each step reads the state
first and each write is idempotent (a purge of what is purged changes nothing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from recruitlink.core import compliance as duties_rules
from recruitlink.core.compliance import DONE, ErasedRecord, erasure_verdict
from recruitlink.core.planner import LIVE_STATES, PENDING_STATES
from recruitlink.core.policy import DAY_MS, Policy
from recruitlink.inbound import announce
from recruitlink.inbound.closures import apply_closure, purge_closed
from recruitlink.store import compliance as rows
from recruitlink.store import connections, sync_activity
from recruitlink.store import inbound_items as items
from recruitlink.store.connections import ConnectionInfo
from recruitlink.sync import parity
from recruitlink.sync.engine import SyncEngine
from recruitlink.sync.streams import VERIFY_RESOURCES

from .context import Runtime

log = logging.getLogger(__name__)

SCHEDULER = "scheduler"
BATCH = 200
"""Duties (or expired history items) handled per kind per tenant per round."""


@dataclass
class RoundReport:
    acted: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int = 1) -> None:
        if n:
            self.acted[what] = self.acted.get(what, 0) + n


class Compliance:
    """The scheduler's work, over the sync engine (its store, its LinkedIn clients); `clock`
    is seconds since the epoch (tests pass LinkedIn's, the sandbox's, to age duties)."""

    def __init__(self, engine: SyncEngine, *, share: float = 1.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine, self.store, self.share, self.clock = engine, engine.store, share, clock

    def now(self) -> int:
        return int(self.clock() * 1000)

    # -- the round ------------------------------------------------------------------------

    def run(self, stop: Callable[[], bool] = lambda: False) -> RoundReport:
        """One round over every connected tenant; one tenant's trouble does not stop the
        others'."""
        report = RoundReport()
        with self.store.reader() as conn:
            tenants = sync_activity.enabled_tenants(conn)
        for tenant_id in tenants:
            if stop():
                break
            try:
                self.run_tenant(tenant_id, report)
            except Exception:
                log.exception("compliance round of tenant %s failed", tenant_id)
                report.add("errors")
        return report

    def run_tenant(self, tenant_id: int, report: RoundReport | None = None,
                   process: str = SCHEDULER) -> RoundReport:
        report = report if report is not None else RoundReport()
        info = connections.load_required(self.store, tenant_id, self.engine.box)
        # One moment for the whole round: a clock that moves mid-round must not let the
        # retention purge, as old history, what a closure due at the same moment acts on.
        now = self.now()
        self._closures(info, report, process, now)
        for duty in self._open(tenant_id, "erasure"):
            done = self.verify(info, duty, process)
            report.add("erasures verified" if done else "erasures open")
        self._retention(info, report, process, now)
        return report

    def _open(self, tenant_id: int, kind: str, due_by: int | None = None) -> list[Any]:
        with self.store.reader() as conn:
            return rows.open_duties(conn, tenant_id, kind, due_by=due_by, limit=BATCH)

    # -- closures ---------------------------------------------------------------------------

    def _closures(self, info: ConnectionInfo, report: RoundReport, process: str,
                  now: int) -> None:
        tenant_id, policy = info.tenant_id, info.policy
        with self.store.db.write() as conn:
            new = rows.closures_without_duty(conn, tenant_id, BATCH)
            report.add("closures seen", rows.add_missing(
                conn, tenant_id, "closure",
                [(r.li_id, duties_rules.closure_due(r.li_modified_at, policy)) for r in new],
                now, process))
        for duty in self._open(tenant_id, "closure"):
            self._closure(info, policy, duty, now, report, process)

    def _closure(self, info: ConnectionInfo, policy: Policy, duty: Any, now: int,
                 report: RoundReport, process: str) -> None:
        tenant_id, person = info.tenant_id, duty.subject
        with self.store.reader() as conn:
            seen = items.seen(conn, tenant_id, "closure", person)
        outcome = seen.outcome if seen is not None else items.WAITING
        action = duties_rules.closure_action(outcome, policy)
        if action == "none":
            with self.store.db.write() as conn:
                rows.settle(conn, duty.id, done=True, now=now, process="poller",
                            outcome=f"{outcome} when LinkedIn's closure was read")
            report.add("closures settled")
            return
        if now < duty.due_at:
            return  # the pollers may still act; the scheduler acts once it is due
        if action == "lapse":
            with self.store.writer(tenant_id) as w:
                n = rows.lapse_member(w.conn, tenant_id, person,
                                      "purged: no candidate linked within the closure window",
                                      now)
                rows.settle(w.conn, duty.id, done=True, now=now, process=process,
                            outcome=f"purged: no candidate linked by the due date; {n} "
                                    "item(s) from LinkedIn purged")
            report.add("closures lapsed")
        elif action == "purge":
            deleted = purge_closed(self.store, tenant_id, person)
            with self.store.db.write() as conn:
                rows.settle(conn, duty.id, done=True, now=now, process=process,
                            outcome=f"purged: {deleted} candidate(s) deleted")
            report.add("closures purged")
        else:
            with self.store.reader() as conn:
                kept = items.payload_of(conn, tenant_id, "closure", person) or {}
            element = kept.get("element") or {"person": person, "closedAt": duty.due_at}
            with self.store.writer(tenant_id) as w:
                result = apply_closure(w, element, purge=policy.closed_members == "purge",
                                       now_ms=now)
                done = duties_rules.closure_settled(result, policy)
                rows.settle(w.conn, duty.id, done=done, now=now, process=process,
                            outcome=result if done else f"could not act on it: {result}")
            report.add("closures applied" if done else "closures overdue")

    # -- retention --------------------------------------------------------------------------

    def _retention(self, info: ConnectionInfo, report: RoundReport, process: str,
                   now: int) -> None:
        tenant_id = info.tenant_id
        cutoff = duties_rules.retention_cutoff(info.policy, now)
        if cutoff is None:
            return
        with self.store.reader() as conn:
            duty = rows.duty(conn, tenant_id, "retention", duties_rules.RETENTION_SUBJECT)
        if duty is not None and duty.due_at > now:
            return
        with self.store.db.write() as conn:
            duty_id = rows.open_duty(conn, tenant_id, "retention",
                                     duties_rules.RETENTION_SUBJECT, due_at=now, now=now,
                                     process=process)
        purged = self.purge_history(tenant_id, cutoff, now)
        days = info.policy.history_retention_days
        with self.store.db.write() as conn:
            rows.settle(conn, duty_id, done=True, now=now, process=process,
                        due_at=now + duties_rules.RETENTION_EVERY_MS,
                        outcome=f"{purged} imported InMail(s) and note(s) older than {days} "
                                "days purged")
        report.add("history purged", purged)

    def purge_history(self, tenant_id: int, cutoff: int, now: int) -> int:
        """Delete the imported InMails and notes LinkedIn dated before `cutoff` (the sync
        deletes LinkedIn's copies of those it sent) and drop what was kept of them."""
        purged = 0
        while True:
            with self.store.writer(tenant_id) as w:
                expired = rows.expired_history(w.conn, tenant_id, cutoff, BATCH)
                for r in expired:
                    if r.external_id is not None:
                        name = "interactions" if r.kind == "inmail" else "notes"
                        announce.delete(w, name, r.external_id, source=announce.RETENTION)
                    rows.mark_purged(w.conn, tenant_id, r.kind, r.li_id,
                                     "purged: past the policy's retention", now)
            purged += len(expired)
            if len(expired) < BATCH:
                return purged

    # -- erasure ----------------------------------------------------------------------------

    def erase(self, tenant_id: int, external_id: str, *, process: str) -> dict[str, Any]:
        """Erase a candidate both ways: delete it and what hangs on it (the sync deletes them
        on LinkedIn), purge what came from LinkedIn for it, and open the erasure duty the
        read-back closes. Returns the certificate as it stands."""
        now = self.now()
        with self.store.writer(tenant_id) as w:
            found = rows.candidate_of(w.conn, tenant_id, external_id)
            if found is None:
                raise LookupError(f"candidate: no candidate {external_id!r}")
            purged = rows.purge_candidate_items(w.conn, tenant_id, found.id,
                                                found.person_urn, "purged: candidate erased",
                                                now)
            gone = announce.delete_all(w, "candidates", external_id, source=announce.ERASURE)
            scrubbed = rows.scrub_erased(w.conn, tenant_id, external_id, gone or [],
                                         found.person_urn)
        refs = [(entity, entity_id) for entity, entity_id, _ in gone or ()]
        ledger = self.engine.state.ledger_rows(tenant_id, refs)
        records = []
        for entity, entity_id, ext in gone or ():
            row = ledger.get((entity, entity_id))
            if row is None or row.state == "rejected":
                continue  # never on LinkedIn
            record = ErasedRecord(entity, ext, row.resource, row.li_key.get("key"),
                                  row.resource in VERIFY_RESOURCES).as_json()
            records.append({**record, "ref": entity_id})
        certificate = {
            "candidate": external_id, "requestedAt": now, "requestedBy": process,
            "deleted": {e: sum(1 for g in gone or () if g[0] == e)
                        for e in dict.fromkeys(g[0] for g in gone or ())},
            "purgedFromLinkedIn": purged, "scrubbed": scrubbed, "records": records,
            "readBack": None,
        }
        with self.store.db.write() as conn:
            duty_id = rows.open_duty(conn, tenant_id, "erasure", external_id,
                                     due_at=now + duties_rules.ERASURE_DAYS * DAY_MS, now=now,
                                     process=process, detail=certificate,
                                     outcome="waiting for the sync to delete it on LinkedIn")
            if not records:
                certificate["readBack"] = {"at": now, "checked": 0, "held": []}
                rows.settle(conn, duty_id, done=True, now=now, process=process,
                            detail=certificate, outcome="verified: nothing of it was ever "
                                                        "on LinkedIn")
        return certificate

    def verify(self, info: ConnectionInfo, duty: Any, process: str) -> bool:
        """Read an erasure back from LinkedIn once the sync has deleted it; True: done."""
        tenant_id, now = info.tenant_id, self.now()
        certificate = dict(duty.detail or {})
        records: list[dict[str, Any]] = list(certificate.get("records") or [])
        ledger = self.engine.state.ledger_rows(
            tenant_id, [(r["entity"], r["ref"]) for r in records])
        pending = [f"{r['entity']}/{r['id']}" for r in records
                   if (row := ledger.get((r["entity"], r["ref"]))) is not None
                   and row.state in (*LIVE_STATES, *PENDING_STATES)]
        held: list[str] = []
        held_refs: list[tuple[str, int]] = []
        if not pending:
            readable = [r for r in records if r["readable"] and r["key"] is not None]
            reader = parity.ReadBack(self.engine.client_for(info),
                                     self.engine.budget_for(info), share=self.share,
                                     sleep=self.engine.sleep)
            for resource in dict.fromkeys(r["resource"] for r in readable):
                mine = [r for r in readable if r["resource"] == resource]
                found = reader.get(resource, [r["key"] for r in mine])
                for r, record in zip(mine, found, strict=True):
                    if record is not None:
                        held.append(f"{r['entity']}/{r['id']}")
                        held_refs.append((r["entity"], r["ref"]))
            certificate["readBack"] = {"at": now, "checked": len(readable), "held": held,
                                       "calls": reader.calls}
        verdict = erasure_verdict(records, pending, held)
        if verdict.done:
            certificate["verifiedAt"] = now
        with self.store.db.write() as conn:
            rows.settle(conn, duty.id, done=verdict.done, now=now, process=process,
                        outcome=verdict.outcome, detail=certificate)
        if held_refs:
            # Re-created behind our back (or a delete LinkedIn lost): delete it again.
            parity.queue_deletes(self.engine, tenant_id, held_refs)
        return verdict.done

    def verify_now(self, tenant_id: int, external_id: str, process: str) -> dict[str, Any]:
        """The erasure's duty after a read-back on demand (a done one is read back again)."""
        info = connections.load_required(self.store, tenant_id, self.engine.box)
        with self.store.reader() as conn:
            duty = rows.duty(conn, tenant_id, "erasure", external_id)
        if duty is None:
            raise LookupError(f"candidate: no erasure of {external_id!r}")
        self.verify(info, duty, process)
        return self.certificate(tenant_id, external_id)

    def certificate(self, tenant_id: int, external_id: str) -> dict[str, Any]:
        with self.store.reader() as conn:
            duty = rows.duty(conn, tenant_id, "erasure", external_id)
        if duty is None:
            raise LookupError(f"candidate: no erasure of {external_id!r}")
        return certificate_json(duty, self.now())


def for_runtime(runtime: Runtime) -> Compliance:
    return Compliance(runtime.engine, share=runtime.settings.parity_share)


KEEP = object()
"""`set_policy`'s "leave this one as it is"."""


def set_policy(store: Any, tenant_id: int, *, closed_members: str | None = None,
               closure_window_days: int | None = None,
               history_retention_days: int | object | None = KEEP) -> Policy:
    """Change the compliance fields of the tenant's policy (the others are kept).
    Raises ValueError ("field: reason") for a bad value, LookupError if not connected."""
    with store.db.write() as conn:
        state = connections.connection(conn, tenant_id)
        if state is None:
            raise LookupError("tenant: not connected to LinkedIn")
        current = Policy.from_json(state.policy).to_json()
        if closed_members is not None:
            current["closed_members"] = closed_members
        if closure_window_days is not None:
            current["closure_window_days"] = closure_window_days
        if history_retention_days is not KEEP:
            current["history_retention_days"] = history_retention_days
        policy = Policy.from_json(current)
        connections.set_policy(conn, tenant_id, policy)
    return policy


def policy_json(policy: Policy) -> dict[str, Any]:
    return {"closedMembers": policy.closed_members,
            "closureWindowDays": policy.closure_window_days,
            "historyRetentionDays": policy.history_retention_days}


def duty_json(row: Any, now: int) -> dict[str, Any]:
    return {"kind": row.kind, "subject": row.subject,
            "state": duties_rules.state(row.status, row.due_at, now), "dueAt": row.due_at,
            "createdAt": row.created_at, "doneAt": row.done_at, "process": row.process,
            "outcome": row.outcome}


def certificate_json(row: Any, now: int) -> dict[str, Any]:
    """An erasure's certificate: ids, times and the read-back's outcome; no personal data."""
    return {**duty_json(row, now), "verified": row.status == DONE,
            "certificate": dict(row.detail or {})}


def task_list(store: Any, tenant_id: int, now: int, *, state: str | None = None,
              limit: int = 200) -> list[dict[str, Any]]:
    """The Compliance task list (`state`: done, due or overdue)."""
    status = None if state is None else (DONE if state == "done" else "open")
    with store.reader() as conn:
        found = rows.listing(conn, tenant_id, status=status, limit=limit)
    out = [duty_json(r, now) for r in found]
    return [d for d in out if state is None or d["state"] == state]


__all__: Sequence[str] = ("Compliance", "RoundReport", "certificate_json", "duty_json",
                          "for_runtime", "policy_json", "set_policy", "task_list")
