"""What became of each LinkedIn item brought in (`inbound_items`), by (tenant, kind,
LinkedIn's id): the pollers re-read windows and LinkedIn re-sends, so every item is applied
once. An item whose member has no candidate yet waits here with its payload until one is
linked; one the store refused is kept, with its reason, for a replay (`inbound/items.py`
says what the outcomes mean to a person)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, String, cast, null, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .schema import candidates, inbound_items

WAITING = "waiting"
"""The item's member has no candidate in the ATS yet."""
FAILED = "failed"
"""The store refused it (reason kept); a replay applies it again."""
KEPT = (WAITING, FAILED)
"""Outcomes that are applied again later (waiting: automatically; failed: by a replay)."""
REFUSED = "refused"
"""The seeds' rules refuse it (e.g. a contact share for a confidential candidate); final."""


@dataclass(frozen=True)
class Seen:
    outcome: str
    li_modified_at: int | None


def _item(tenant_id: int, kind: str, li_id: str) -> Any:
    return (inbound_items.c.tenant_id == tenant_id) & (inbound_items.c.kind == kind) & (
        inbound_items.c.li_id == li_id)


def seen(conn: Connection, tenant_id: int, kind: str, li_id: str) -> Seen | None:
    row = conn.execute(select(inbound_items.c.outcome, inbound_items.c.li_modified_at).where(
        _item(tenant_id, kind, li_id))).first()
    return Seen(row.outcome, row.li_modified_at) if row is not None else None


def record(conn: Connection, tenant_id: int, kind: str, li_id: str, *, outcome: str,
           now_ms: int, reason: str | None = None, candidate_id: int | None = None,
           record_id: int | None = None, li_modified_at: int | None = None,
           person: str | None = None, payload: dict[str, Any] | None = None) -> None:
    """`payload`: the item, kept to apply it later (KEPT outcomes) or because part of it was
    refused or rejected (`problems` lists those)."""
    values = {"outcome": outcome, "reason": reason[:2000] if reason else None,
              "candidate_id": candidate_id, "record_id": record_id,
              "li_modified_at": li_modified_at, "updated_at": now_ms,
              "person": person if outcome in KEPT else None,
              "payload": payload if payload is not None else null()}
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(inbound_items).values(tenant_id=tenant_id, kind=kind, li_id=li_id,
                                               **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["tenant_id", "kind", "li_id"],
                                            set_=values))


def payload_of(conn: Connection, tenant_id: int, kind: str, li_id: str) -> Any:
    return conn.execute(select(inbound_items.c.payload).where(
        _item(tenant_id, kind, li_id))).scalar()


def set_outcome(conn: Connection, tenant_id: int, kind: str, li_id: str, outcome: str) -> None:
    conn.execute(update(inbound_items).where(_item(tenant_id, kind, li_id)).values(
        outcome=outcome))


def candidate_external_id_of(conn: Connection, tenant_id: int, kind: str,
                             li_id: str) -> str | None:
    """The external id of the candidate the item was applied to, if any."""
    return conn.execute(
        select(candidates.c.external_id).join(
            inbound_items, inbound_items.c.candidate_id == candidates.c.id)
        .where(_item(tenant_id, kind, li_id))).scalar()


def li_ids_of_kind(conn: Connection, tenant_id: int, kind: str,
                   li_id: str | None = None) -> list[str]:
    """LinkedIn's ids of the items of one kind (`li_id`: only that one, if seen)."""
    query = select(inbound_items.c.li_id).where(inbound_items.c.tenant_id == tenant_id,
                                                inbound_items.c.kind == kind)
    if li_id is not None:
        query = query.where(inbound_items.c.li_id == li_id)
    return [r.li_id for r in conn.execute(query)]


def failed(conn: Connection, tenant_id: int, limit: int = 500) -> list[Any]:
    return list(conn.execute(
        select(inbound_items.c.kind, inbound_items.c.li_id, inbound_items.c.payload)
        .where(inbound_items.c.tenant_id == tenant_id, inbound_items.c.outcome == FAILED,
               inbound_items.c.payload.is_not(None))
        .order_by(inbound_items.c.updated_at).limit(limit)))


def waiting_with_candidates(conn: Connection, tenant_id: int,
                            limit: int = 500) -> list[Any]:
    """Waiting items whose member now has a candidate, oldest first."""
    linked = select(candidates.c.id).where(candidates.c.tenant_id == tenant_id,
                                           candidates.c.person_urn == inbound_items.c.person)
    return list(conn.execute(
        select(inbound_items.c.kind, inbound_items.c.li_id, inbound_items.c.payload)
        .where(inbound_items.c.tenant_id == tenant_id, inbound_items.c.outcome == WAITING,
               linked.exists())
        .order_by(inbound_items.c.updated_at).limit(limit)))


def _needs_attention() -> Any:
    return or_(inbound_items.c.outcome.in_([FAILED, REFUSED]),
               (inbound_items.c.outcome != WAITING)
               & inbound_items.c.payload.is_not(None)
               # rows written before payloads were kept hold JSON null
               & (cast(inbound_items.c.payload, String) != "null"))


def needing_attention(conn: Connection, tenant_id: int, *, kind: str | None = None,
                      li_id: str | None = None, candidate_external_id: str | None = None,
                      limit: int) -> list[Any]:
    """Rows (with `candidate`: the candidate's external id) of the items a person should
    see, newest first: refused, failed, or with rejected values."""
    where = []
    if candidate_external_id is not None:
        where += [candidates.c.tenant_id == tenant_id,
                  candidates.c.external_id == candidate_external_id]
    if kind is not None:
        where.append(inbound_items.c.kind == kind)
    if li_id is not None:
        where.append(inbound_items.c.li_id == li_id)
    query = (select(inbound_items, candidates.c.external_id.label("candidate"))
             .outerjoin(candidates, candidates.c.id == inbound_items.c.candidate_id)
             .where(inbound_items.c.tenant_id == tenant_id, _needs_attention(), *where))
    return list(conn.execute(query.order_by(inbound_items.c.updated_at.desc(),
                                            inbound_items.c.li_id).limit(limit)))
