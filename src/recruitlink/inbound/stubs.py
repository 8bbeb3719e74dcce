"""InMail stub profiles (`mailStubs`, reference §5.6): a member who answered an InMail and
shared their contact info. The matched candidate gets the email, phone and LinkedIn URL; with
no match a candidate is created (rules: person URN, then email, then name, in
`core.stub_rules`). Values that fail validation are not written; the item keeps them with the
reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, exists, func, literal_column, select

from recruitlink.core import stub_rules
from recruitlink.core.export_rules import CandidateView
from recruitlink.core.policy import Policy
from recruitlink.core.records import Candidate, DuplicateAlert
from recruitlink.store import Writer
from recruitlink.store.records import new_external_id
from recruitlink.store.schema import candidates, connections

from . import items
from .exports import _alert_exists, _candidate_fields, _similar_names, _views
from .history import write


def _by_email(conn: Connection, tenant_id: int, email: str | None) -> list[CandidateView]:
    """Candidates holding this address (any case) in their email list."""
    if not email:
        return []
    wanted = email.strip().lower()
    if conn.dialect.name == "postgresql":
        element = func.jsonb_array_elements_text(candidates.c.emails).table_valued("value")
        where = exists(select(literal_column("1")).select_from(element)
                       .where(func.lower(element.c.value) == wanted))
    else:
        element = func.json_each(candidates.c.emails).table_valued("value")
        where = exists(select(literal_column("1")).select_from(element)
                       .where(func.lower(element.c.value) == wanted))
    return _views(conn, tenant_id, where)


def apply_stub(w: Writer, element: dict[str, Any], now_ms: int) -> str:
    """Bring one stub profile in; returns what it became."""
    li_id = str(element.get("id") or f"{element.get('person')}@{element.get('createdAt')}")
    before = items.seen(w.conn, w.tenant_id, "stub", li_id)
    if before is not None and before.outcome not in items.KEPT:
        return "already"
    try:
        stub = stub_rules.parse_stub(element)
    except ValueError as exc:
        items.record(w.conn, w.tenant_id, "stub", li_id, outcome=items.FAILED, now_ms=now_ms,
                     reason=f"malformed mailStubs element: {exc}", payload={"element": element})
        return items.FAILED
    conn = w.conn
    policy = conn.execute(select(connections.c.policy).where(
        connections.c.tenant_id == w.tenant_id)).scalar()
    region = Policy.from_json(policy).phone_region
    decision = stub_rules.decide_stub(
        stub, _views(conn, w.tenant_id, candidates.c.person_urn == stub.person),
        _by_email(conn, w.tenant_id, stub.email),
        _similar_names(conn, w.tenant_id, stub.last_name), phone_region=region)
    candidate_id = decision.candidate_id or new_external_id()
    reasons = [f"{r.field}: {r.reason}" for r in decision.rejected]
    # The values not written stay with the item, for the pages (items.problems) and a replay.
    kept = {"element": element, "rejected": [r.__dict__ for r in decision.rejected]} \
        if decision.rejected else None
    if decision.outcome == "refused":
        refused_id = conn.execute(select(candidates.c.id).where(
            candidates.c.tenant_id == w.tenant_id,
            candidates.c.external_id == candidate_id)).scalar()
        items.record(conn, w.tenant_id, "stub", li_id, outcome=items.REFUSED, now_ms=now_ms,
                     candidate_id=refused_id, li_modified_at=stub.created_at,
                     reason="; ".join([decision.reason or "refused", *reasons]),
                     payload={**(kept or {}), "element": element})
        return items.REFUSED
    if not decision.write.empty:
        fields, dropped = _candidate_fields(conn, w.tenant_id, candidate_id, decision.write)
        reasons += dropped
        problem = write(w, "candidates", Candidate(id=candidate_id, **fields))
        if problem is not None:
            items.record(conn, w.tenant_id, "stub", li_id, outcome=items.FAILED, now_ms=now_ms,
                         reason="; ".join([problem, *reasons]), payload={"element": element})
            return items.FAILED
    for alert in decision.alerts:
        first = alert.candidate_id or candidate_id
        if not _alert_exists(conn, w.tenant_id, first, alert.other_candidate_id):
            write(w, "duplicate_alerts", DuplicateAlert(
                id=new_external_id(), candidate_id=first,
                other_candidate_id=alert.other_candidate_id, reason=alert.reason[:400],
                status="open"))
    stored = conn.execute(select(candidates.c.id).where(
        candidates.c.tenant_id == w.tenant_id,
        candidates.c.external_id == candidate_id)).scalar()
    outcome = decision.outcome + (f" (matched by {decision.matched_by})"
                                  if decision.matched_by else "")
    items.record(conn, w.tenant_id, "stub", li_id, outcome=decision.outcome, now_ms=now_ms,
                 candidate_id=stored, li_modified_at=stub.created_at,
                 reason="; ".join([outcome, *reasons]), payload=kept)
    return decision.outcome
