"""Compliance duties' rows (`compliance_duties`) and the purges they do in the store's
LinkedIn-side tables (core/compliance.py says what each duty is; runtime/compliance.py runs
them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, case, delete, exists, null, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from . import schema
from .inbound_items import KEPT
from .schema import candidates, inbound_items, inbox_events, interactions, notes
from .schema import compliance_duties as duties

OPEN, DONE = "open", "done"
PURGED = "purged"


def open_duty(conn: Connection, tenant_id: int, kind: str, subject: str, *, due_at: int,
              now: int, process: str, outcome: str | None = None,
              detail: dict[str, Any] | None = None) -> int:
    """Open (or open again) the duty; its id."""
    values = {"status": OPEN, "due_at": due_at, "updated_at": now, "done_at": None,
              "process": process, "outcome": outcome,
              "detail": detail if detail is not None else null()}
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(duties).values(tenant_id=tenant_id, kind=kind, subject=subject,
                                       created_at=now, **values)
                 .on_conflict_do_update(index_elements=["tenant_id", "kind", "subject"],
                                        set_=values))
    return int(conn.execute(select(duties.c.id).where(
        duties.c.tenant_id == tenant_id, duties.c.kind == kind,
        duties.c.subject == subject)).scalar_one())


def add_missing(conn: Connection, tenant_id: int, kind: str, rows: Iterable[tuple[str, int]],
                now: int, process: str) -> int:
    """Open a duty for each (subject, due_at) that has none yet; how many were opened."""
    added = 0
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for subject, due_at in rows:
        result = conn.execute(insert(duties).values(
            tenant_id=tenant_id, kind=kind, subject=subject, status=OPEN, due_at=due_at,
            created_at=now, updated_at=now, process=process).on_conflict_do_nothing())
        added += result.rowcount or 0
    return added


def closures_without_duty(conn: Connection, tenant_id: int, limit: int) -> list[Any]:
    """Closures the pollers read that have no duty yet: (li_id, li_modified_at)."""
    has = exists().where(duties.c.tenant_id == tenant_id, duties.c.kind == "closure",
                         duties.c.subject == inbound_items.c.li_id)
    return list(conn.execute(
        select(inbound_items.c.li_id, inbound_items.c.li_modified_at)
        .where(inbound_items.c.tenant_id == tenant_id, inbound_items.c.kind == "closure",
               inbound_items.c.li_modified_at.is_not(None), ~has)
        .order_by(inbound_items.c.li_modified_at).limit(limit)))


def open_duties(conn: Connection, tenant_id: int, kind: str, *, due_by: int | None = None,
                limit: int) -> list[Any]:
    """Open duties of a kind, soonest due first (`due_by`: only those due by then)."""
    query = select(duties).where(duties.c.tenant_id == tenant_id, duties.c.kind == kind,
                                 duties.c.status == OPEN)
    if due_by is not None:
        query = query.where(duties.c.due_at <= due_by)
    return list(conn.execute(query.order_by(duties.c.due_at, duties.c.id).limit(limit)))


def settle(conn: Connection, duty_id: int, *, done: bool, outcome: str, now: int,
           process: str, detail: dict[str, Any] | None = None,
           due_at: int | None = None) -> None:
    values: dict[str, Any] = {"status": DONE if done else OPEN, "outcome": outcome[:2000],
                              "updated_at": now, "process": process,
                              "done_at": now if done else None}
    if detail is not None:
        values["detail"] = detail
    if due_at is not None:
        values["due_at"] = due_at
    conn.execute(update(duties).where(duties.c.id == duty_id).values(**values))


def duty(conn: Connection, tenant_id: int, kind: str, subject: str) -> Any:
    return conn.execute(select(duties).where(
        duties.c.tenant_id == tenant_id, duties.c.kind == kind,
        duties.c.subject == subject)).first()


def listing(conn: Connection, tenant_id: int, *, status: str | None = None,
            kind: str | None = None, limit: int = 200) -> list[Any]:
    """The task list: open duties soonest due first, then the done ones, latest first."""
    query = select(duties).where(duties.c.tenant_id == tenant_id)
    if status is not None:
        query = query.where(duties.c.status == status)
    if kind is not None:
        query = query.where(duties.c.kind == kind)
    first_open = case((duties.c.status == OPEN, 0), else_=1)
    return list(conn.execute(query.order_by(
        first_open, case((duties.c.status == OPEN, duties.c.due_at), else_=-duties.c.done_at),
        duties.c.id).limit(limit)))


def for_subjects(conn: Connection, tenant_id: int, subjects: Sequence[str],
                 limit: int = 50) -> list[Any]:
    subjects = [s for s in subjects if s]
    if not subjects:
        return []
    return list(conn.execute(select(duties).where(
        duties.c.tenant_id == tenant_id, duties.c.subject.in_(subjects))
        .order_by(duties.c.created_at.desc(), duties.c.id.desc()).limit(limit)))


# -- purges of what came from LinkedIn ---------------------------------------------------------

def _forget(reason: str, now: int) -> dict[str, Any]:
    return {"payload": null(), "person": None, "reason": reason, "updated_at": now}


def lapse_member(conn: Connection, tenant_id: int, person: str, reason: str, now: int) -> int:
    """What waits for a candidate of the member (InMails, notes, stubs, the closure itself)
    is purged: its payload dropped, never applied. How many items."""
    waiting = conn.execute(update(inbound_items).where(
        inbound_items.c.tenant_id == tenant_id, inbound_items.c.person == person,
        inbound_items.c.outcome.in_(KEPT), inbound_items.c.kind != "closure")
        .values(outcome=PURGED, **_forget(reason, now))).rowcount or 0
    conn.execute(update(inbound_items).where(
        inbound_items.c.tenant_id == tenant_id, inbound_items.c.kind == "closure",
        inbound_items.c.li_id == person).values(outcome=PURGED, **_forget(reason, now)))
    return int(waiting)


def purge_candidate_items(conn: Connection, tenant_id: int, candidate_id: int,
                          person: str | None, reason: str, now: int) -> dict[str, int]:
    """An erased candidate: the payloads of what came from LinkedIn for it (applied, kept,
    or waiting for its member) and the names its One-Click Exports recorded. Counts."""
    mine = inbound_items.c.candidate_id == candidate_id
    if person is not None:
        mine = mine | (inbound_items.c.person == person)
    items = conn.execute(update(inbound_items).where(inbound_items.c.tenant_id == tenant_id,
                                                     mine)
                         .values(**_forget(reason, now))).rowcount or 0
    exported = conn.execute(update(inbox_events).where(
        inbox_events.c.tenant_id == tenant_id, inbox_events.c.candidate_id == candidate_id,
        inbox_events.c.details.is_not(None)).values(details=null())).rowcount or 0
    return {"inboundItems": int(items), "exports": int(exported)}


ERASED_TEXT = "[erased with its candidate]"
EVENT_IDS = frozenset({
    "candidate", "application", "note", "interaction", "job", "user", "seat", "request",
    "entity", "id", "field", "fieldLabel", "source", "batch", "type", "direction",
    "linkedin_id", "stage"})
"""What an erased record's host events keep: ids and fixed words (the certificate keeps the
same ids); a person's URN, a refusal's message quoting a value, field values are dropped."""


def scrub_erased(conn: Connection, tenant_id: int, external_id: str,
                 gone: Sequence[tuple[str, int, str]], person: str | None) -> dict[str, int]:
    """An erased candidate's copies kept beside its rows: the reasons of its records' sync
    errors and ledger rows (a refused email is quoted); the last error and the bodies of the
    failed LinkedIn calls kept for support bundles of the batches that carried one of them
    (LinkedIn's messages may quote what was sent), and of any call naming it; its records'
    host events (the change feed and webhook deliveries read them); the merges into or of it
    (a merged duplicate's snapshot is the same person); the identity reviews of its member
    and its place among the candidates other reviews weigh; the data API's stored answers
    naming it. Counts."""
    refs = [(e, i) for e, i, _ in gone]
    if not refs:
        return {}
    errs, calls, events = schema.sync_errors, schema.failed_calls, schema.host_events
    merges, reviews = schema.candidate_merges, schema.identity_reviews
    done = {"syncErrors": conn.execute(update(errs).where(
        errs.c.tenant_id == tenant_id, tuple_(errs.c.entity, errs.c.entity_id).in_(refs))
        .values(reason=ERASED_TEXT)).rowcount or 0}
    ledger = schema.sync_ledger
    done["ledger"] = conn.execute(update(ledger).where(
        ledger.c.tenant_id == tenant_id, ledger.c.reason.is_not(None),
        tuple_(ledger.c.entity, ledger.c.entity_id).in_(refs))
        .values(reason=ERASED_TEXT)).rowcount or 0
    items = schema.sync_batch_items
    batches = select(items.c.batch_id).where(tuple_(items.c.entity, items.c.entity_id).in_(refs))
    batch = schema.sync_batches
    done["batches"] = conn.execute(update(batch).where(
        batch.c.tenant_id == tenant_id, batch.c.last_error.is_not(None),
        batch.c.id.in_(batches)).values(last_error=ERASED_TEXT)).rowcount or 0
    named = [external_id, *([person] if person else [])]
    done["failedCalls"] = conn.execute(update(calls).where(
        calls.c.tenant_id == tenant_id,
        or_(calls.c.batch_id.in_(batches),
            *(c.contains(n, autoescape=True) for n in named
              for c in (calls.c.url, calls.c.request_body, calls.c.response_body))))
        .values(request_body=ERASED_TEXT, response_body=ERASED_TEXT)).rowcount or 0
    subjects = {ext for _, _, ext in gone} | {f"{e}:{ext}" for e, _, ext in gone}
    done["events"] = 0
    for seq, data in conn.execute(select(events.c.seq, events.c.data).where(
            events.c.tenant_id == tenant_id, events.c.subject_id.in_(subjects))).all():
        kept = {k: v for k, v in (data or {}).items() if k in EVENT_IDS}
        if kept != data:
            conn.execute(update(events).where(events.c.seq == seq)
                         .values(data={**kept, "erased": True}))
            done["events"] += 1
    of_it = (merges.c.tenant_id == tenant_id) & or_(merges.c.kept == external_id,
                                                    merges.c.merged == external_id)
    duplicates = [str(m) for m in conn.execute(select(merges.c.merged).where(of_it)).scalars()]
    done["merges"] = conn.execute(delete(merges).where(of_it)).rowcount or 0
    done["storedAnswers"] = _erase_answers(
        conn, tenant_id, {*named, *duplicates, *(ext for _, _, ext in gone)})
    done["reviews"] = 0 if person is None else conn.execute(delete(reviews).where(
        reviews.c.tenant_id == tenant_id, reviews.c.person == person)).rowcount or 0
    for review in conn.execute(select(reviews.c.id, reviews.c.candidates).where(
            reviews.c.tenant_id == tenant_id)).all():
        others = [c for c in review.candidates or () if c.get("id") != external_id]
        if len(others) != len(review.candidates or ()):
            conn.execute(update(reviews).where(reviews.c.id == review.id)
                         .values(candidates=others))
            done["reviews"] += 1
    return {k: int(v) for k, v in done.items()}


ERASED_ANSWER = (b'{"error":{"status":410,"message":"this answer named a candidate since '
                 b'erased: it is no longer kept"}}')


def _erase_answers(conn: Connection, tenant_id: int, ids: set[str]) -> int:
    """The data API's stored answers (`Idempotency-Key`, kept a day) naming one of `ids`
    become a 410: the same request sent again is neither answered with the erased data nor
    run again (which could create the candidate anew)."""
    keys = schema.idempotency_keys
    named = [r.key for r in conn.execute(select(keys.c.key, keys.c.response).where(
        keys.c.tenant_id == tenant_id, keys.c.response.is_not(None)))
        if any(i.encode() in bytes(r.response) for i in ids)]
    if named:
        conn.execute(update(keys).where(keys.c.tenant_id == tenant_id, keys.c.key.in_(named))
                     .values(status_code=410, response=ERASED_ANSWER,
                             content_type="application/json"))
    return len(named)


def expired_history(conn: Connection, tenant_id: int, cutoff: int, limit: int) -> list[Any]:
    """Imported InMails and notes LinkedIn dated before `cutoff`, still in the store:
    (kind, li_id, entity, external_id) with the record's external id (None: gone already)."""
    inmail = select(interactions.c.external_id).where(
        interactions.c.id == inbound_items.c.record_id).scalar_subquery()
    note = select(notes.c.external_id).where(
        notes.c.id == inbound_items.c.record_id).scalar_subquery()
    return list(conn.execute(
        select(inbound_items.c.kind, inbound_items.c.li_id,
               case((inbound_items.c.kind == "inmail", inmail), else_=note).label("external_id"))
        .where(inbound_items.c.tenant_id == tenant_id,
               inbound_items.c.kind.in_(("inmail", "note")),
               inbound_items.c.outcome != PURGED,
               inbound_items.c.li_modified_at < cutoff)
        .order_by(inbound_items.c.li_modified_at).limit(limit)))


def mark_purged(conn: Connection, tenant_id: int, kind: str, li_id: str, reason: str,
                now: int) -> None:
    conn.execute(update(inbound_items).where(
        inbound_items.c.tenant_id == tenant_id, inbound_items.c.kind == kind,
        inbound_items.c.li_id == li_id).values(outcome=PURGED, **_forget(reason, now)))


def candidate_of(conn: Connection, tenant_id: int, external_id: str) -> Any:
    """(id, person_urn) of a candidate, or None."""
    return conn.execute(select(candidates.c.id, candidates.c.person_urn).where(
        candidates.c.tenant_id == tenant_id, candidates.c.external_id == external_id)).first()
