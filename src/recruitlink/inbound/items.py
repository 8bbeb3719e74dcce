"""What became of each LinkedIn item brought in (`inbound_items`): the pollers re-read windows
and LinkedIn re-sends, so every item is applied once, by LinkedIn's id. An item whose member
has no candidate yet waits here with its payload until one is linked (by an export, a stub
profile or the profile widget), then it is applied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, String, cast, null, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from recruitlink.store.schema import candidates, inbound_items

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


def seen(conn: Connection, tenant_id: int, kind: str, li_id: str) -> Seen | None:
    row = conn.execute(select(inbound_items.c.outcome, inbound_items.c.li_modified_at).where(
        inbound_items.c.tenant_id == tenant_id, inbound_items.c.kind == kind,
        inbound_items.c.li_id == li_id)).first()
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


@dataclass(frozen=True)
class CandidateRef:
    id: int
    external_id: str
    confidential: bool


def candidate_of(conn: Connection, tenant_id: int, person: str) -> CandidateRef | None:
    """The candidate linked to a LinkedIn member (the oldest, if several are)."""
    row = conn.execute(select(candidates.c.id, candidates.c.external_id,
                              candidates.c.confidential)
                       .where(candidates.c.tenant_id == tenant_id,
                              candidates.c.person_urn == person)
                       .order_by(candidates.c.id).limit(1)).first()
    return CandidateRef(row.id, row.external_id, bool(row.confidential)) if row else None


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
    def status(self) -> str:
        """The outcome in a person's words."""
        return {REFUSED: "refused", FAILED: "failed"}.get(self.outcome, "partly taken")


def _needs_attention() -> Any:
    return or_(inbound_items.c.outcome.in_([FAILED, REFUSED]),
               (inbound_items.c.outcome != WAITING)
               & inbound_items.c.payload.is_not(None)
               # rows written before payloads were kept hold JSON null
               & (cast(inbound_items.c.payload, String) != "null"))


def _problems(conn: Connection, tenant_id: int, *where: Any, limit: int) -> list[Problem]:
    query = (select(inbound_items, candidates.c.external_id.label("candidate"))
             .outerjoin(candidates, candidates.c.id == inbound_items.c.candidate_id)
             .where(inbound_items.c.tenant_id == tenant_id, _needs_attention(), *where))
    rows = conn.execute(query.order_by(inbound_items.c.updated_at.desc(),
                                       inbound_items.c.li_id).limit(limit))
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
    where = [] if candidate_external_id is None else [
        candidates.c.tenant_id == tenant_id, candidates.c.external_id == candidate_external_id]
    return _problems(conn, tenant_id, *where, limit=limit)


def problem(conn: Connection, tenant_id: int, kind: str, li_id: str) -> Problem | None:
    """One item's problem; None when it has none (or there is no such item)."""
    found = _problems(conn, tenant_id, inbound_items.c.kind == kind,
                      inbound_items.c.li_id == li_id, limit=1)
    return found[0] if found else None
