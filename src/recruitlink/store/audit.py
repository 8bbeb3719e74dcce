"""The rows of one candidate's journey (the per-candidate audit view, runtime/audit.py): what
was sent to LinkedIn for it and what hangs on it, what came from LinkedIn, what the change
feed told the host ATS. Each read is by the record's keys and limited: never a whole
table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from .schema import (
    applications,
    candidates,
    host_events,
    inbound_items,
    inbox_events,
    interactions,
    notes,
    sync_batch_items,
    sync_batches,
    sync_ledger,
)

Ref = tuple[str, int]


def candidate(conn: Connection, tenant_id: int, external_id: str) -> Any:
    return conn.execute(select(candidates.c.id, candidates.c.external_id,
                               candidates.c.person_urn).where(
        candidates.c.tenant_id == tenant_id,
        candidates.c.external_id == external_id)).first()


def record_refs(conn: Connection, tenant_id: int, candidate_id: int,
                limit: int = 200) -> list[tuple[str, int, str]]:
    """The candidate and the records hanging on it that the sync sends: (entity, id,
    external id), at most `limit` of each kind."""
    out = [("candidates", candidate_id, "")]
    for name, table in (("applications", applications), ("notes", notes),
                        ("interactions", interactions)):
        out += [(name, r.id, r.external_id) for r in conn.execute(
            select(table.c.id, table.c.external_id).where(
                table.c.tenant_id == tenant_id, table.c.candidate_id == candidate_id)
            .order_by(table.c.id).limit(limit))]
    return out


def _refs_clause(entity_col: Any, id_col: Any, refs: Sequence[Ref]) -> Any:
    by_entity: dict[str, list[int]] = {}
    for entity, entity_id in refs:
        by_entity.setdefault(entity, []).append(entity_id)
    return or_(*(and_(entity_col == e, id_col.in_(ids)) for e, ids in by_entity.items()))


def sent(conn: Connection, tenant_id: int, refs: Sequence[Ref], limit: int) -> list[Any]:
    """The batches that carried these records, newest first."""
    if not refs:
        return []
    return list(conn.execute(
        select(sync_batch_items.c.entity, sync_batch_items.c.external_id,
               sync_batch_items.c.action, sync_batch_items.c.outcome,
               sync_batch_items.c.resource, sync_batches.c.id.label("batch"),
               sync_batches.c.run_id, sync_batches.c.status, sync_batches.c.created_at,
               sync_batches.c.committed_at, sync_batches.c.last_error)
        .join(sync_batches, sync_batches.c.id == sync_batch_items.c.batch_id)
        .where(sync_batches.c.tenant_id == tenant_id,
               _refs_clause(sync_batch_items.c.entity, sync_batch_items.c.entity_id, refs))
        .order_by(sync_batches.c.id.desc()).limit(limit)))


def ledger(conn: Connection, tenant_id: int, refs: Sequence[Ref]) -> list[Any]:
    """What the ledger says LinkedIn holds of these records now."""
    if not refs:
        return []
    return list(conn.execute(
        select(sync_ledger.c.entity, sync_ledger.c.external_id, sync_ledger.c.state,
               sync_ledger.c.reason, sync_ledger.c.updated_at)
        .where(sync_ledger.c.tenant_id == tenant_id,
               _refs_clause(sync_ledger.c.entity, sync_ledger.c.entity_id, refs))
        .order_by(sync_ledger.c.entity, sync_ledger.c.entity_id)))


def received(conn: Connection, tenant_id: int, candidate_id: int, limit: int) -> list[Any]:
    """LinkedIn items applied to the candidate (InMails, notes, stubs, closures)."""
    return list(conn.execute(
        select(inbound_items.c.kind, inbound_items.c.li_id, inbound_items.c.outcome,
               inbound_items.c.reason, inbound_items.c.updated_at)
        .where(inbound_items.c.tenant_id == tenant_id,
               inbound_items.c.candidate_id == candidate_id)
        .order_by(inbound_items.c.updated_at.desc()).limit(limit)))


def exports(conn: Connection, tenant_id: int, candidate_id: int, limit: int) -> list[Any]:
    """One-Click Export pushes that created or updated the candidate."""
    return list(conn.execute(
        select(inbox_events.c.id, inbox_events.c.type, inbox_events.c.request_id,
               inbox_events.c.status, inbox_events.c.outcome, inbox_events.c.reason,
               inbox_events.c.received_at, inbox_events.c.processed_at)
        .where(inbox_events.c.tenant_id == tenant_id,
               inbox_events.c.candidate_id == candidate_id)
        .order_by(inbox_events.c.id.desc()).limit(limit)))


def events(conn: Connection, tenant_id: int, subject_ids: Sequence[str],
           limit: int) -> list[Any]:
    """The change feed's events about these records, newest first."""
    ids = [s for s in subject_ids if s]
    if not ids:
        return []
    return list(conn.execute(
        select(host_events.c.seq, host_events.c.type, host_events.c.subject_id,
               host_events.c.data, host_events.c.at)
        .where(host_events.c.tenant_id == tenant_id, host_events.c.subject_id.in_(ids))
        .order_by(host_events.c.seq.desc()).limit(limit)))
