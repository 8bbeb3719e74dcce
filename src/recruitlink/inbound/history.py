"""InMail history (`conversationEvents`) and Recruiter notes (`prospectNotes`) on the
candidate, attributed to the seat's mapped ATS user (seeds: SmartRecruiters, Comeet, PageUp).

Only organisation-visible items are imported; confidential candidates get none. An item for a
member with no candidate yet waits (`items.WAITING`) and is applied once one is linked. The
records carry `origin="linkedin"` so the outbound sync never sends them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from recruitlink.core.records import Interaction, Note
from recruitlink.store import Writer, entity, inbound_candidates
from recruitlink.store import inbound_items as items
from recruitlink.store.records import ids_by_external

from . import announce

VISIBLE = "ORGANIZATION"


@dataclass(frozen=True)
class SeatOwner:
    """A mapped seat: whose InMails and notes these are."""

    seat: str
    person: str | None
    user_external_id: str


def _when(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def _member(event: dict[str, Any], owner: SeatOwner) -> tuple[str | None, str]:
    """(the member on the other side, direction) of an InMail event."""
    sender = event.get("sender")
    recipients = [r for r in event.get("recipients") or [] if isinstance(r, str)]
    direction = str(event.get("direction") or "").lower()
    if direction not in ("inbound", "outbound"):
        direction = "outbound" if owner.person and sender == owner.person else "inbound"
    if direction == "outbound":
        return (recipients[0] if recipients else None), direction
    return (sender if isinstance(sender, str) else None), direction


def apply_inmail(w: Writer, owner: SeatOwner, event: dict[str, Any], now_ms: int) -> str:
    """Bring one InMail event in; returns what it became."""
    li_id = str(event.get("id") or "")
    if not li_id:
        raise ValueError("id: a conversationEvents element needs an id")
    kept = {"owner": owner.__dict__, "element": event}
    before = items.seen(w.conn, w.tenant_id, "inmail", li_id)
    if before is not None and before.outcome not in items.KEPT:
        return "already"
    person, direction = _member(event, owner)
    occurred = event.get("occurredAt")
    if person is None or not isinstance(occurred, int) or isinstance(occurred, bool):
        items.record(w.conn, w.tenant_id, "inmail", li_id, outcome="failed", now_ms=now_ms,
                     reason="malformed conversationEvents element: no member or occurredAt",
                     payload=kept)
        return "failed"
    if event.get("visibility") != VISIBLE:
        items.record(w.conn, w.tenant_id, "inmail", li_id, outcome="skipped", now_ms=now_ms,
                     reason=f"visibility {event.get('visibility')}: only InMails visible to "
                            "the organization are imported")
        return "skipped"
    candidate = inbound_candidates.candidate_of(w.conn, w.tenant_id, person)
    if candidate is None:
        items.record(w.conn, w.tenant_id, "inmail", li_id, outcome=items.WAITING,
                     now_ms=now_ms, person=person,
                     reason="no candidate is linked to this member yet",
                     payload=kept)
        return items.WAITING
    if candidate.confidential:
        items.record(w.conn, w.tenant_id, "inmail", li_id, outcome="skipped", now_ms=now_ms,
                     candidate_id=candidate.id, reason="confidential candidate")
        return "skipped"
    external_id = f"li-inmail-{li_id}"
    subject = event.get("subject")
    body = event.get("body")
    existed = _exists(w, "interactions", external_id)
    problem = write(w, "interactions", Interaction(
        id=external_id, candidate_id=candidate.external_id, user_id=owner.user_external_id,
        type="inmail", direction=direction, occurred_at=_when(occurred),
        subject=subject[:400] if isinstance(subject, str) else None,
        content=body if isinstance(body, str) else None, origin="linkedin"))
    if problem is not None:
        items.record(w.conn, w.tenant_id, "inmail", li_id, outcome="failed", now_ms=now_ms,
                     candidate_id=candidate.id, reason=problem, person=person, payload=kept)
        return "failed"
    record_id = ids_by_external(w.conn, entity("interactions"), w.tenant_id,
                                [external_id]).get(external_id)
    items.record(w.conn, w.tenant_id, "inmail", li_id, outcome="applied", now_ms=now_ms,
                 candidate_id=candidate.id, record_id=record_id, li_modified_at=occurred)
    announce.history_item(w.conn, w.tenant_id, "interaction", external_id,
                          created=not existed, source=announce.INMAIL,
                          candidate=candidate.external_id, user=owner.user_external_id,
                          type="inmail", direction=direction, seat=owner.seat, person=person,
                          linkedin_id=li_id)
    return "applied"


def apply_note(w: Writer, owner: SeatOwner, note: dict[str, Any], now_ms: int) -> str:
    """Bring one Recruiter note in (a new one, an edit, or a deletion)."""
    li_id = str(note.get("id") or "")
    modified = note.get("lastModifiedAt")
    if not li_id:
        raise ValueError("id: a prospectNotes element needs an id")
    kept = {"owner": owner.__dict__, "element": note}
    if not isinstance(modified, int) or isinstance(modified, bool):
        items.record(w.conn, w.tenant_id, "note", li_id, outcome=items.FAILED, now_ms=now_ms,
                     reason="lastModifiedAt: must be epoch milliseconds", payload=kept)
        return items.FAILED
    before = items.seen(w.conn, w.tenant_id, "note", li_id)
    if before is not None and (before.li_modified_at or 0) > modified:
        return "already"  # an older version than the one we hold
    if before is not None and before.outcome not in items.KEPT and (
            before.li_modified_at or 0) >= modified:
        return "already"
    external_id = f"li-note-{li_id}"
    if note.get("active") is False:
        removed = announce.delete(w, "notes", external_id, source=announce.NOTE,
                                  linkedin_id=li_id)
        items.record(w.conn, w.tenant_id, "note", li_id, outcome="deleted", now_ms=now_ms,
                     li_modified_at=modified,
                     reason=None if removed else "deleted in Recruiter before it was imported")
        return "deleted"
    if note.get("visibility") != VISIBLE:
        # A note made private later leaves the ATS too.
        announce.delete(w, "notes", external_id, source=announce.NOTE, linkedin_id=li_id,
                        reason="made private in Recruiter")
        items.record(w.conn, w.tenant_id, "note", li_id, outcome="skipped", now_ms=now_ms,
                     li_modified_at=modified,
                     reason=f"visibility {note.get('visibility')}: only notes visible to the "
                            "organization are imported")
        return "skipped"
    person = note.get("person")
    text = note.get("note")
    if not isinstance(person, str) or not isinstance(text, str) or not text.strip():
        items.record(w.conn, w.tenant_id, "note", li_id, outcome="failed", now_ms=now_ms,
                     li_modified_at=modified, payload=kept,
                     reason="malformed prospectNotes element: no person or empty note")
        return "failed"
    candidate = inbound_candidates.candidate_of(w.conn, w.tenant_id, person)
    if candidate is None:
        items.record(w.conn, w.tenant_id, "note", li_id, outcome=items.WAITING, now_ms=now_ms,
                     person=person, li_modified_at=modified,
                     reason="no candidate is linked to this member yet",
                     payload=kept)
        return items.WAITING
    if candidate.confidential:
        items.record(w.conn, w.tenant_id, "note", li_id, outcome="skipped", now_ms=now_ms,
                     candidate_id=candidate.id, li_modified_at=modified,
                     reason="confidential candidate")
        return "skipped"
    created = note.get("created")
    # Dated when it was written in Recruiter, not when the poller brought it in: the
    # candidate's timeline puts it in its place among the InMails and stages.
    written = _when(created) if isinstance(created, int) and not isinstance(
        created, bool) else None
    existed = _exists(w, "notes", external_id)
    problem = write(w, "notes", Note(id=external_id, candidate_id=candidate.external_id,
                                     author_id=owner.user_external_id, body=text,
                                     visibility="public", origin="linkedin",
                                     created_at=written))
    if problem is not None:
        items.record(w.conn, w.tenant_id, "note", li_id, outcome="failed", now_ms=now_ms,
                     candidate_id=candidate.id, li_modified_at=modified, reason=problem,
                     person=person, payload=kept)
        return "failed"
    record_id = ids_by_external(w.conn, entity("notes"), w.tenant_id,
                                [external_id]).get(external_id)
    items.record(w.conn, w.tenant_id, "note", li_id, outcome="applied", now_ms=now_ms,
                 candidate_id=candidate.id, record_id=record_id, li_modified_at=modified)
    announce.history_item(w.conn, w.tenant_id, "note", external_id, created=not existed,
                          source=announce.NOTE, candidate=candidate.external_id,
                          user=owner.user_external_id, seat=owner.seat, person=person,
                          linkedin_id=li_id)
    return "applied"


def _exists(w: Writer, name: str, external_id: str) -> bool:
    return bool(ids_by_external(w.conn, entity(name), w.tenant_id, [external_id]))


def write(w: Writer, entity: str, model: Any) -> str | None:
    """Upsert one record; the store's reasons when it refuses it (kept on the item, which a
    replay retries), else None."""
    outcome = w.records(entity, [(0, model)], "upsert")[0]
    if outcome.status != "rejected":
        return None
    problems = "; ".join(f"{e['field']}: {e['reason']}" for e in outcome.errors or [])
    return f"{entity}: {problems}"
