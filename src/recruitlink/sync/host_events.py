"""The host ATS's events the sync side writes (core/host_events.py has the catalogue), each in
the transaction of the change it reports: a record LinkedIn, our checks or policy refused; the
integration's status changing; a milestone of the initial sync reached; a disconnect's report.

Payloads carry ids (the ATS's external ids, LinkedIn URNs) and what changed, nothing more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from recruitlink.core import field_labels
from recruitlink.core.milestones import ENABLED, MILESTONES, Milestone
from recruitlink.store import connections, host_events, schema

from .streams import STREAM

REJECTIONS = ("validation", "linkedin", "policy")
"""The sync error sources that are a refusal to fix at the source. `transient` errors (LinkedIn
kept failing: 5xx, timeouts) are not: the sync sends those records again on its own."""


def record_rejected(conn: Connection, tenant_id: int, *, batch_id: int | None, entity: str,
                    external_id: str, errors: Sequence[Mapping[str, str]], source: str) -> None:
    """One `record.rejected` per field and reason of one record. Two checks refusing the same
    field for the same reason (the schema's pattern and the email validator) are one event,
    their messages joined: the host ATS has one thing to fix there, not two."""
    if source not in REJECTIONS:
        return
    found: dict[tuple[str | None, str], list[str]] = {}
    for error in errors:
        field, raw = field_labels.split_linkedin_message(error.get("field") or None,
                                                         error["reason"])
        messages = found.setdefault((field, field_labels.explain(field, raw)), [])
        if error["reason"] not in messages:
            messages.append(error["reason"])
    for (field, reason), messages in found.items():
        host_events.emit(conn, tenant_id, "record.rejected", f"{entity}:{external_id}", {
            "entity": entity, "id": external_id, "field": field,
            "fieldLabel": field_labels.field_label(field), "reason": reason,
            "message": "; ".join(messages)[:4000], "source": source, "batch": batch_id})


def _status_data(snapshot: connections.StatusSnapshot | None) -> dict[str, Any]:
    if snapshot is None:
        return {"status": None, "paused": False, "organization": None, "contracts": []}
    return {"status": snapshot.status, "paused": snapshot.paused,
            "organization": snapshot.organization,
            "contracts": [{"contract": urn, "status": status, "paused": paused,
                           "reason": reason}
                          for urn, status, paused, reason in snapshot.contracts]}


def status_changed(conn: Connection, tenant_id: int,
                   before: connections.StatusSnapshot | None, *, by: str) -> int | None:
    """`integration.status_changed` when the connection's status, pause or a contract's state
    differs from `before` (taken earlier in the same transaction); its sequence number, or
    None when nothing changed. `by`: connect, refresh_status, pause, resume, disconnect."""
    after = connections.status_snapshot(conn, tenant_id)
    if after == before:
        return None
    old, new = _status_data(before), _status_data(after)
    changed = [k for k in ("status", "paused", "contracts") if old[k] != new[k]]
    return host_events.emit(conn, tenant_id, "integration.status_changed", None, {
        "from": old["status"], "to": new["status"], "paused": new["paused"],
        "organization": new["organization"] or old["organization"],
        "contracts": new["contracts"], "changed": changed, "by": by})


def milestone_reached(conn: Connection, tenant_id: int, run_id: int,
                      milestone: Milestone) -> int:
    return host_events.emit(conn, tenant_id, "sync.milestone_reached", str(run_id), {
        "run": run_id, "milestone": milestone.number, "key": milestone.key,
        "label": milestone.label})


def milestones_reached_by(conn: Connection, tenant_id: int, run_id: int,
                          finished_stream: str) -> list[int]:
    """After `finished_stream`'s milestone row was marked finished (same transaction): the
    feature milestones that this made complete. A milestone is reached when its streams and
    those of every milestone before it are finished (one without streams for this tenant's
    kind, e.g. applications for CRM, is reached with the one before it)."""
    m = schema.sync_milestones.c
    finished = {row.name: row.finished_at is not None for row in conn.execute(
        select(m.name, m.finished_at).where(m.run_id == run_id))}

    def reached(done: Mapping[str, bool]) -> list[Milestone]:
        out = []
        for milestone in MILESTONES:
            if milestone.key == ENABLED:
                continue
            members = [done[name] for name in done
                       if (STREAM[name].milestone if name in STREAM else name) == milestone.key]
            if not all(members):
                break
            out.append(milestone)
        return out

    before = reached({**finished, finished_stream: False})
    return [milestone_reached(conn, tenant_id, run_id, milestone)
            for milestone in reached(finished) if milestone not in before]


def report_ready(conn: Connection, tenant_id: int, run_id: int,
                 report: Mapping[str, Any]) -> int:
    """`disconnect.report_ready` with the report's counts (deleted, failed, verified, pending
    per LinkedIn resource)."""
    return host_events.emit(conn, tenant_id, "disconnect.report_ready", None,
                            {"run": run_id, **report})
