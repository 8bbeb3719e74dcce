"""One candidate's journey, for the audit view (page, API): every step of the record and of
what hangs on it, newest first: what was sent to LinkedIn (batch, time, process, outcome),
what came from LinkedIn (One-Click Exports, InMails, notes, stubs, closures), what the change
feed told the host ATS, and the compliance duties (closure, erasure). After an erasure the
candidate's rows are gone; the view is then built from the ids its certificate kept, so an
erased record's journey (and its certificate) stays readable."""

from __future__ import annotations

from typing import Any

from recruitlink.core.compliance import state as duty_state
from recruitlink.store import Store, audit
from recruitlink.store import compliance as duties

LIMIT = 200
"""Rows read of each source; the page says when a source had more."""

RECEIVED_PROCESS = {"inmail": "InMail poller", "note": "Recruiter notes poller",
                    "stub": "stub profiles poller", "closure": "member closures poller"}


def _sent(row: Any) -> dict[str, Any]:
    process = (f"historical sync (run {row.run_id})" if row.run_id is not None
               else "continuous sync")
    outcome = row.outcome or row.status
    if row.last_error and row.outcome != "synced":
        outcome = f"{outcome}: {row.last_error}"
    return {"at": row.committed_at or row.created_at, "direction": "sent",
            "what": f"{row.action} {row.entity} {row.external_id} ({row.resource})",
            "process": process, "outcome": outcome, "ref": f"batch {row.batch}"}


def candidate_audit(store: Store, tenant_id: int, external_id: str, *, now: int,
                    limit: int = LIMIT) -> dict[str, Any] | None:
    """The journey (None: no such candidate, and no erasure of it)."""
    with store.reader() as conn:
        found = audit.candidate(conn, tenant_id, external_id)
        erasure = duties.duty(conn, tenant_id, "erasure", external_id)
        if found is None and erasure is None:
            return None
        if found is not None:
            refs3 = audit.record_refs(conn, tenant_id, found.id, limit)
            refs = [(e, i) for e, i, _ in refs3]
            subject_ids = [external_id] + [x for _, _, x in refs3 if x]
        else:
            kept = (erasure.detail or {}).get("records") or []
            refs = [(r["entity"], r["ref"]) for r in kept]
            subject_ids = [external_id] + [r["id"] for r in kept]
        sent = audit.sent(conn, tenant_id, refs, limit)
        held = audit.ledger(conn, tenant_id, refs)
        received = audit.received(conn, tenant_id, found.id, limit) if found else []
        exports = audit.exports(conn, tenant_id, found.id, limit) if found else []
        events = audit.events(conn, tenant_id, subject_ids, limit)
        person = found.person_urn if found is not None else None
        compliance = duties.for_subjects(conn, tenant_id, [external_id, person or ""])
    journey = [_sent(r) for r in sent]
    journey += [{"at": r.updated_at, "direction": "received",
                 "what": f"{r.kind} {r.li_id}", "process": RECEIVED_PROCESS.get(r.kind, r.kind),
                 "outcome": r.outcome + (f": {r.reason}" if r.reason else ""), "ref": None}
                for r in received]
    journey += [{"at": r.processed_at or r.received_at, "direction": "received",
                 "what": f"One-Click Export {r.request_id}", "process": "LinkedIn push",
                 "outcome": (r.outcome or r.status) + (f": {r.reason}" if r.reason else ""),
                 "ref": f"push {r.id}"} for r in exports]
    journey += [{"at": r.at, "direction": "event", "what": f"{r.type} {r.subject_id}",
                 "process": "change feed",
                 "outcome": str((r.data or {}).get("source") or ""), "ref": f"event {r.seq}"}
                for r in events]
    journey += [{"at": d.done_at or d.updated_at, "direction": "compliance",
                 "what": f"{d.kind} {d.subject}", "process": d.process or "scheduler",
                 "outcome": f"{duty_state(d.status, d.due_at, now)}: {d.outcome or ''}",
                 "ref": None} for d in compliance]
    journey.sort(key=lambda s: s["at"] or 0, reverse=True)
    return {
        "candidate": external_id, "exists": found is not None,
        "erasure": None if erasure is None else {
            "state": duty_state(erasure.status, erasure.due_at, now),
            "outcome": erasure.outcome},
        "onLinkedIn": [{"entity": r.entity, "id": r.external_id, "state": r.state,
                        "reason": r.reason, "updatedAt": r.updated_at} for r in held],
        "journey": journey,
        "truncated": any(len(rows) >= limit for rows in (sent, received, exports, events)),
    }
