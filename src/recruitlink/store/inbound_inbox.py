"""The push inbox: every verified push is stored before it is answered, keyed by (tenant,
type, request id) so that LinkedIn's retries do nothing twice; workers claim due events and
record what each became. Failed processing is retried with backoff, then kept as failed with
its reason (never dropped)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from recruitlink.core.backoff import Backoff

from .schema import candidates, connections, inbox_events

MAX_ATTEMPTS = 6
FIRST_RETRY_S = 2.0
LEASE_MS = 10 * 60 * 1000
"""How long a claim holds: a worker that died is replaced after this, never sooner."""


@dataclass(frozen=True)
class Event:
    id: int
    tenant_id: int
    type: str
    request_id: str
    body: dict[str, Any]
    attempts: int


def tenant_for_token(conn: Connection, token: str) -> tuple[int, str | None] | None:
    """(tenant id, sealed client secret) of the connection owning this callback URL."""
    row = conn.execute(select(connections.c.tenant_id, connections.c.client_secret)
                       .where(connections.c.callback_token == token)).first()
    return (int(row.tenant_id), row.client_secret) if row is not None else None


def store_event(conn: Connection, *, tenant_id: int, body: dict[str, Any],
                now_ms: int) -> bool:
    """Keep a push; False when the same push was already kept (a retry or a replay)."""
    key = (inbox_events.c.tenant_id == tenant_id) & (inbox_events.c.type == body["type"]) & (
        inbox_events.c.request_id == body["requestId"])
    if conn.execute(select(inbox_events.c.id).where(key)).first() is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(inbox_events.insert().values(
                tenant_id=tenant_id, type=body["type"], request_id=body["requestId"],
                body=body, status="pending", attempts=0, received_at=now_ms,
                next_attempt_at=now_ms))
    except IntegrityError:  # a concurrent copy of the same push won the race
        return False
    return True


def claim_due(conn: Connection, now_ms: int, limit: int = 20) -> list[Event]:
    """Due events, oldest first, each leased to the caller (status `processing` until the
    lease ends): pending ones whose time has come, and ones whose worker died."""
    query = (select(inbox_events).where(inbox_events.c.status.in_(("pending", "processing")),
                                        inbox_events.c.next_attempt_at <= now_ms)
             .order_by(inbox_events.c.id).limit(limit))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = conn.execute(query).all()
    for row in rows:
        conn.execute(update(inbox_events).where(inbox_events.c.id == row.id).values(
            status="processing", attempts=row.attempts + 1, next_attempt_at=now_ms + LEASE_MS))
    return [Event(r.id, r.tenant_id, r.type, r.request_id, dict(r.body), r.attempts + 1)
            for r in rows]


def has_due(conn: Connection, now_ms: int) -> bool:
    """Whether `claim_due` would find anything (the scale-out tick asks before deferring)."""
    return conn.execute(select(inbox_events.c.id).where(
        inbox_events.c.status.in_(("pending", "processing")),
        inbox_events.c.next_attempt_at <= now_ms).limit(1)).first() is not None


def _mine(event: Event) -> Any:
    """Only the holder of the current claim may settle an event (the attempt is the token)."""
    return (inbox_events.c.id == event.id) & (inbox_events.c.attempts == event.attempts) & (
        inbox_events.c.status == "processing")


def retry_policy() -> Backoff:
    """Built when asked, so that MAX_ATTEMPTS is the one knob (tests set it to 1)."""
    return Backoff(FIRST_RETRY_S, 2.0, None, MAX_ATTEMPTS)


def finish(conn: Connection, event: Event, *, outcome: str, reason: str | None,
           candidate_id: int | None, now_ms: int, seat: str | None = None,
           details: dict[str, Any] | None = None) -> bool:
    """Mark the event done; False when the claim was lost (the caller rolls back). An
    export also records its seat and what it exported (`details`), a status push what it
    changed (`details`), for the pages."""
    values: dict[str, Any] = {"status": "done", "outcome": outcome, "reason": reason,
                              "candidate_id": candidate_id, "processed_at": now_ms}
    if seat is not None or details is not None:
        values.update(seat=seat, details=details)
    return bool(conn.execute(update(inbox_events).where(_mine(event)).values(
        **values)).rowcount)


def failed_attempt(conn: Connection, event: Event, reason: str, now_ms: int) -> bool:
    """A transient failure: retried later, or after the last attempt kept as failed. True
    when this gave up (the event is failed for good)."""
    retry = retry_policy()
    values: dict[str, Any] = {"reason": reason[:2000], "status": "pending",
                              "next_attempt_at": now_ms + int(retry.delay(event.attempts) * 1000)}
    gives_up = retry.gives_up(event.attempts)
    if gives_up:
        values.update(status="failed", outcome="error", processed_at=now_ms)
    changed = conn.execute(update(inbox_events).where(_mine(event)).values(**values)).rowcount
    return gives_up and bool(changed)


def replay(conn: Connection, event_id: int, now_ms: int) -> bool:
    """Put a failed event back in the queue (the admin's "retry")."""
    changed = conn.execute(update(inbox_events).where(
        inbox_events.c.id == event_id, inbox_events.c.status == "failed").values(
        status="pending", attempts=0, next_attempt_at=now_ms)).rowcount
    return bool(changed)


def replay_for(conn: Connection, tenant_id: int, event_id: int, now_ms: int) -> str:
    """Replay one of this tenant's events: "replayed", "missing" (none such for this
    tenant) or "not failed" (only a failed push is queued again). The API and the pages."""
    owner = conn.execute(select(inbox_events.c.tenant_id).where(
        inbox_events.c.id == event_id)).scalar()
    if owner != tenant_id:
        return "missing"
    return "replayed" if replay(conn, event_id, now_ms) else "not failed"


def fail(conn: Connection, event: Event, reason: str, now_ms: int) -> bool:
    """A terminal failure: kept as failed with its reason, for the admin to see or replay.
    False when the claim was lost (another worker owns the event now)."""
    return bool(conn.execute(update(inbox_events).where(_mine(event)).values(
        status="failed", outcome="error", reason=reason[:2000], processed_at=now_ms)).rowcount)


# Reads of the inbox for those who list it: the data API, the CLI and certify.

def newest(conn: Connection, tenant_id: int, *, status: str | None = None,
           before: int | None = None, limit: int) -> list[Any]:
    """The tenant's pushes, newest first: with `status` only those, below id `before`."""
    query = select(inbox_events).where(inbox_events.c.tenant_id == tenant_id)
    if status:
        query = query.where(inbox_events.c.status == status)
    if before:
        query = query.where(inbox_events.c.id < before)
    return list(conn.execute(query.order_by(inbox_events.c.id.desc()).limit(limit)).all())


def owned(conn: Connection, tenant_id: int, event_ids: Iterable[int]) -> set[int]:
    """Which of these pushes are the tenant's."""
    return {r.id for r in conn.execute(select(inbox_events.c.id).where(
        inbox_events.c.tenant_id == tenant_id, inbox_events.c.id.in_(list(event_ids))))}


def by_request(conn: Connection, tenant_id: int, request_id: str) -> Any:
    """The tenant's push with this request id (status, outcome, reason, and the external id
    of the candidate it made or updated), or None."""
    return conn.execute(
        select(inbox_events.c.status, inbox_events.c.outcome, inbox_events.c.reason,
               candidates.c.external_id)
        .outerjoin(candidates, candidates.c.id == inbox_events.c.candidate_id)
        .where(inbox_events.c.tenant_id == tenant_id,
               inbox_events.c.request_id == request_id)).first()


def reviewed(conn: Connection, tenant_id: int, request_id: str, *, outcome: str,
             reason: str | None, candidate_id: int | None) -> None:
    """An export queued for review was resolved: its push shows what it became."""
    conn.execute(update(inbox_events).where(
        inbox_events.c.tenant_id == tenant_id, inbox_events.c.request_id == request_id,
        inbox_events.c.outcome == "review").values(outcome=outcome, reason=reason,
                                                  candidate_id=candidate_id))
