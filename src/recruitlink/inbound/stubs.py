"""InMail stub profiles (`mailStubs`, reference §5.6): a member who answered an InMail and
shared their contact info. The matched candidate gets the email, phone and LinkedIn URL; with
no match a candidate is created (rules: person URN, then email, then name, in
`core.stub_rules`). Values that fail validation are not written; the item keeps them with the
reason. A stub that could be several candidates goes to the review queue (`inbound.review`)
and is applied once an admin chooses."""

from __future__ import annotations

from typing import Any

from recruitlink.core import stub_rules
from recruitlink.core.identity import stub_evidence
from recruitlink.core.policy import Policy
from recruitlink.core.records import Candidate, DuplicateAlert
from recruitlink.store import Writer, entity
from recruitlink.store import identity as reviews
from recruitlink.store import inbound_items as items
from recruitlink.store.connections import stored_policy
from recruitlink.store.inbound_candidates import (
    list_fields,
    views_by_email,
    views_by_last_name,
    views_by_member,
)
from recruitlink.store.records import ids_by_external, new_external_id

from . import announce
from .exports import _alert_exists, _candidate_fields
from .history import write


def _row_id(w: Writer, candidate_id: str) -> int | None:
    return ids_by_external(w.conn, entity("candidates"), w.tenant_id,
                           [candidate_id]).get(candidate_id)


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
    decision = stub_rules.decide_stub(
        stub, views_by_member(conn, w.tenant_id, stub.person),
        views_by_email(conn, w.tenant_id, stub.email),
        views_by_last_name(conn, w.tenant_id, stub.last_name),
        phone_region=phone_region(w))
    if decision.outcome == "review":
        reviews.queue(conn, w.tenant_id, kind="stub", li_id=li_id, person=stub.person,
                      reason=f"{len(decision.review)} candidates are named {stub.first_name} "
                             f"{stub.last_name}, and neither the LinkedIn member nor the "
                             "email matches one",
                      candidates_=[{"id": c, "why": why} for c, why in decision.review],
                      payload={"element": element}, now_ms=now_ms)
        items.record(conn, w.tenant_id, "stub", li_id, outcome="review", now_ms=now_ms,
                     li_modified_at=stub.created_at,
                     reason="queued for review: several candidates could be this member")
        return "review"
    return apply_decision(w, li_id, element, stub, decision, now_ms)


def phone_region(w: Writer) -> str:
    return Policy.from_json(stored_policy(w.conn, w.tenant_id)).phone_region


def apply_decision(w: Writer, li_id: str, element: dict[str, Any], stub: stub_rules.MailStub,
                   decision: stub_rules.StubDecision, now_ms: int,
                   evidence: str | None = None) -> str:
    """Write what the rules (or an admin, through them) decided for a stub; `evidence`: why
    the candidate is this member, when not the rules' own match."""
    conn = w.conn
    candidate_id = decision.candidate_id or new_external_id()
    reasons = [f"{r.field}: {r.reason}" for r in decision.rejected]
    # The values not written stay with the item, for the pages (items.problems) and a replay.
    kept = {"element": element, "rejected": [r.__dict__ for r in decision.rejected]} \
        if decision.rejected else None
    if decision.outcome == "refused":
        refused_id = _row_id(w, candidate_id)
        items.record(conn, w.tenant_id, "stub", li_id, outcome=items.REFUSED, now_ms=now_ms,
                     candidate_id=refused_id, li_modified_at=stub.created_at,
                     reason="; ".join([decision.reason or "refused", *reasons]),
                     payload={**(kept or {}), "element": element})
        return items.REFUSED
    if not decision.write.empty:
        fields, dropped = _candidate_fields(conn, w.tenant_id, candidate_id, decision.write)
        if "person_urn" in fields:
            fields["link_evidence"] = (evidence or stub_evidence(
                decision.matched_by, person=stub.person, email=stub.email,
                first=stub.first_name, last=stub.last_name, phone=stub.phone,
                candidate_phones=_phones(w, candidate_id)))[:400]
        reasons += dropped
        problem = write(w, "candidates", Candidate(id=candidate_id, **fields))
        if problem is not None:
            items.record(conn, w.tenant_id, "stub", li_id, outcome=items.FAILED, now_ms=now_ms,
                         reason="; ".join([problem, *reasons]), payload={"element": element})
            return items.FAILED
        ids = {"person": stub.person, "seat": element.get("owner"), "linkedin_id": li_id}
        if decision.outcome == "created":
            announce.candidate_created(conn, w.tenant_id, candidate_id, source=announce.STUB,
                                       **ids)
        else:
            announce.candidate_updated(conn, w.tenant_id, candidate_id, fields,
                                       source=announce.STUB, **ids)
    for alert in decision.alerts:
        first = alert.candidate_id or candidate_id
        if not _alert_exists(conn, w.tenant_id, first, alert.other_candidate_id):
            write(w, "duplicate_alerts", DuplicateAlert(
                id=new_external_id(), candidate_id=first,
                other_candidate_id=alert.other_candidate_id, reason=alert.reason[:400],
                status="open"))
    stored = _row_id(w, candidate_id)
    outcome = decision.outcome + (f" (matched by {decision.matched_by})"
                                  if decision.matched_by else "")
    items.record(conn, w.tenant_id, "stub", li_id, outcome=decision.outcome, now_ms=now_ms,
                 candidate_id=stored, li_modified_at=stub.created_at,
                 reason="; ".join([outcome, *reasons]), payload=kept)
    return decision.outcome


def _phones(w: Writer, candidate_id: str) -> list[str]:
    row = list_fields(w.conn, w.tenant_id, candidate_id)
    return [p.get("number", "") for p in (row.phones or [])] if row is not None else []
