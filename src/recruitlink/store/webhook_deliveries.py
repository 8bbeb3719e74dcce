"""The delivery engine's rows (recruitlink.hooks): events turned into deliveries per endpoint,
due deliveries claimed for a while, and each attempt's outcome recorded.

- Dispatch moves an endpoint's cursor in the transaction that writes its deliveries, with the
  endpoint's row locked (PostgreSQL; SQLite writers are serialized), so no event is turned into
  a delivery twice or skipped. The event log hands out a tenant's sequence numbers in commit
  order (store/host_events.py), so reading after the cursor misses nothing.
- A claim is a time (`claimed_until`): a worker that dies (SIGKILL, machine lost) holds its
  deliveries until then, and they are taken again: at least once; receivers deduplicate by
  `webhook-id`. The time is also the claim's token: only its holder records a failure.
- One record's deliveries to one endpoint leave in event order: a delivery is not claimed
  while an older pending one of the same endpoint and record exists (in flight, or waiting
  for its retry). A failed (given up) delivery no longer holds the others back.
- An endpoint that did not answer (connection refused, timed out, name or TLS failure) is
  held, in its row so every worker honours it: none of its deliveries is claimed until the
  retry time of the one that failed (`held_until`), and then only that one (`held_by`), once
  per retry, until the endpoint answers again (any HTTP status). The others burn neither an
  attempt nor a connection meanwhile; the held one's retries grow and give up as any other's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    Connection,
    Integer,
    and_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from .host_events import HostEvent, read_after
from .schema import (
    host_events,
    tenants,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)
from .webhooks import sealed_signing_secrets


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    endpoint_id: int
    tenant_id: int
    url: str
    event: HostEvent
    attempts: int  # tries before this one (in this round of retries)
    created_at: int
    token: int  # the claim's `claimed_until`
    sealed_secrets: tuple[str, ...]  # the endpoint's signing secrets now (crypto.SecretBox)


_d = webhook_deliveries.c


# Dispatching, in statements built once (they run every round).
_e = webhook_endpoints.c
_BEHIND = select(_e.id).where(_e.enabled.is_(True), exists().where(
    host_events.c.tenant_id == _e.tenant_id, host_events.c.seq > _e.cursor)).order_by(_e.id)
_TO_DISPATCH = select(_e.tenant_id, _e.cursor, _e.types, _e.enabled).where(
    _e.id == bindparam("endpoint")).with_for_update()
_MOVE_CURSOR = update(webhook_endpoints).where(_e.id == bindparam("b_endpoint")).values(
    cursor=bindparam("b_cursor"))
_INSERT_NEW = {name: dialect.insert(webhook_deliveries).on_conflict_do_nothing(
    index_elements=["endpoint_id", "event_seq"]).returning(_d.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


def endpoints_behind(conn: Connection) -> list[int]:
    """Enabled endpoints with events past their cursor (one index probe each)."""
    return [int(i) for i in conn.execute(_BEHIND).scalars()]


class Dispatched(NamedTuple):
    written: int  # deliveries
    read: int  # events past the cursor (`limit` of them: more may be waiting)


def dispatch_endpoint(conn: Connection, endpoint_id: int, *, limit: int,
                      now_ms: int) -> Dispatched:
    """At most `limit` events past the endpoint's cursor become deliveries (those of the types
    it subscribes to) and the cursor moves past them, in the caller's transaction. A delivery
    already there for (endpoint, event), written by someone else first, is kept as it is:
    the round goes on with the others."""
    row = conn.execute(_TO_DISPATCH, {"endpoint": endpoint_id}).first()
    if row is None or not row.enabled:
        return Dispatched(0, 0)
    events = read_after(conn, row.tenant_id, row.cursor, limit=limit)
    if not events:
        return Dispatched(0, 0)
    wanted = set(row.types or ())
    rows = [{"tenant_id": row.tenant_id, "endpoint_id": endpoint_id, "event_seq": ev.seq,
             "record_key": ev.record_key[:240], "status": "pending", "attempts": 0,
             "next_attempt_at": now_ms, "created_at": now_ms}
            for ev in events if not wanted or ev.type in wanted]
    written = _insert_new(conn, rows) if rows else 0
    conn.execute(_MOVE_CURSOR, {"b_endpoint": endpoint_id, "b_cursor": events[-1].seq})
    return Dispatched(written, len(events))


def _insert_new(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert the deliveries, skipping those whose (endpoint, event) exists; how many were
    new."""
    return len(conn.execute(_INSERT_NEW[conn.dialect.name], rows).all())


# Claiming, in statements built once (they run every round): `now` is the time of the round.
_NOW: Any = bindparam("now", type_=BigInteger)


def _claimable(t: Any) -> Any:
    """A delivery of `t` (the table or an alias of it) that may be claimed now: pending, due,
    unclaimed (or its claim ran out), its endpoint open, no older one of its record pending."""
    older, ep = webhook_deliveries.alias(), webhook_endpoints.alias()
    held_back = exists().where(older.c.endpoint_id == t.c.endpoint_id,
                               older.c.record_key == t.c.record_key,
                               older.c.event_seq < t.c.event_seq, older.c.status == "pending")
    # Enabled, and not held, or held no longer and this is the delivery it waits on. (That
    # one leaves `pending` only by being delivered, which releases the hold, or failed for
    # good, which disables the endpoint, and enabling releases it.)
    open_ = exists().where(ep.c.id == t.c.endpoint_id, ep.c.enabled.is_(True), or_(
        ep.c.held_until.is_(None),
        and_(ep.c.held_until <= _NOW, ep.c.held_by == t.c.id)))
    return and_(t.c.status == "pending", t.c.next_attempt_at <= _NOW,
                or_(t.c.claimed_until.is_(None), t.c.claimed_until <= _NOW), open_, ~held_back)


_CLAIMABLE = _claimable(webhook_deliveries)
# Through the (claimed_until) index: the deliveries in flight (a few), not every pending one;
# counted here, as SQLite would rather read all in endpoint order for a GROUP BY. (A claim
# is cleared when its delivery leaves `pending`: no status test, which a planner without
# statistics would take the (status, ...) index for.)
_IN_FLIGHT = select(_d.endpoint_id).where(_d.claimed_until > _NOW)
_ANY_DUE = select(_d.id).where(_CLAIMABLE).limit(1)

# The candidates: per open endpoint, its first `per_endpoint` claimable deliveries, read in
# the (endpoint_id, status, next_attempt_at, id) index's order (a probe and a few rows each,
# however long an endpoint's backlog), then the oldest due of them all.
_c = webhook_deliveries.alias("c")
_PER_ENDPOINT: Any = bindparam("per_endpoint", type_=Integer)
_h = host_events.c
_COLUMNS = (_d.id, _d.endpoint_id, _d.tenant_id, _d.attempts, _d.created_at, _e.url,
            _e.secret, _e.previous_secret, _e.previous_until,
            _h.seq, _h.type, _h.subject, _h.subject_id, _h.data, _h.at)
_ENDPOINT_OPEN = (_e.enabled.is_(True), or_(_e.held_until.is_(None), _e.held_until <= _NOW),
                  _e.id.not_in(bindparam("full", expanding=True, type_=BigInteger)))
_CANDIDATES: Any = bindparam("candidates", type_=Integer)
# PostgreSQL: one statement, each open endpoint's firsts in a LATERAL subquery.
_firsts = (select(_c.c.id).where(_c.c.endpoint_id == _e.id, _claimable(_c))
           .order_by(_c.c.next_attempt_at, _c.c.id).limit(_PER_ENDPOINT)
           .correlate(webhook_endpoints).lateral("firsts"))
_DUE_LATERAL = (select(*_COLUMNS).select_from(webhook_endpoints).join(_firsts, true())
                .join(webhook_deliveries, _d.id == _firsts.c.id)
                .join(host_events, _h.seq == _d.event_seq).where(*_ENDPOINT_OPEN)
                .order_by(_d.next_attempt_at, _d.id).limit(_CANDIDATES))
# SQLite (no LATERAL; without statistics its planner would drive a correlated form from the
# deliveries, all of them): the open endpoints, each one's firsts, then their rows.
_OPEN_ENDPOINTS = select(_e.id).where(*_ENDPOINT_OPEN).order_by(_e.id)
_FIRSTS_OF = (select(_c.c.id).where(_c.c.endpoint_id == bindparam("endpoint"), _claimable(_c))
              .order_by(_c.c.next_attempt_at, _c.c.id).limit(_PER_ENDPOINT))
_ROWS = (select(*_COLUMNS).join_from(webhook_deliveries, webhook_endpoints,
                                     _e.id == _d.endpoint_id)
         .join(host_events, _h.seq == _d.event_seq)
         .where(_d.id.in_(bindparam("ids", expanding=True, type_=BigInteger)))
         .order_by(_d.next_attempt_at, _d.id).limit(_CANDIDATES))
_TAKE = (update(webhook_deliveries).where(_d.id.in_(bindparam("ids", expanding=True)), _CLAIMABLE)
         .values(claimed_until=bindparam("token")).returning(_d.id))


def in_flight(conn: Connection, now_ms: int) -> dict[int, int]:
    """Deliveries claimed and not finished, per endpoint."""
    return dict(Counter(int(ep) for ep in conn.execute(_IN_FLIGHT, {"now": now_ms}).scalars()))


def due(conn: Connection, *, now_ms: int, limit: int, per_endpoint: int) -> list[Any]:
    """Candidates for a claim (a read: an idle worker takes no write lock): due deliveries of
    endpoints with fewer than `per_endpoint` in flight, oldest due first, with what sending
    them takes. At most `per_endpoint` are read per endpoint (through its index, whatever its
    backlog), so one endpoint's backlog never crowds out the others' deliveries."""
    if limit <= 0:
        return []
    full = [endpoint for endpoint, n in in_flight(conn, now_ms).items() if n >= per_endpoint]
    params = {"now": now_ms, "full": full, "per_endpoint": per_endpoint,
              "candidates": limit * 2}
    if conn.dialect.name == "postgresql":
        return list(conn.execute(_DUE_LATERAL, params))
    ids = [i for endpoint in conn.execute(_OPEN_ENDPOINTS, params).scalars()
           for i in conn.execute(_FIRSTS_OF, {**params, "endpoint": endpoint}).scalars()]
    return list(conn.execute(_ROWS, {**params, "ids": ids})) if ids else []


def claim_due(conn: Connection, candidates: Sequence[Any], *, now_ms: int, limit: int,
              per_endpoint: int, claim_ms: int) -> list[Claim]:
    """Up to `limit` of the `candidates` (from `due`, read just before), at most
    `per_endpoint` in flight per endpoint, claimed until `now_ms + claim_ms` in one
    statement. Each is checked again as it is claimed (still due, unclaimed, its endpoint
    enabled, no older delivery of its record pending): what changed since the read is left."""
    if limit <= 0 or not candidates:
        return []
    busy = in_flight(conn, now_ms)
    chosen: list[Any] = []
    for c in candidates:
        if len(chosen) >= limit:
            break
        if busy.get(c.endpoint_id, 0) < per_endpoint:
            busy[c.endpoint_id] = busy.get(c.endpoint_id, 0) + 1
            chosen.append(c)
    token = now_ms + claim_ms
    taken = set(conn.execute(_TAKE, {"ids": [c.id for c in chosen], "now": now_ms,
                                     "token": token}).scalars())
    return [Claim(c.id, c.endpoint_id, c.tenant_id, c.url,
                  HostEvent(c.seq, c.tenant_id, c.type, c.subject, c.subject_id, c.data, c.at),
                  c.attempts, c.created_at, token, sealed_signing_secrets(c, now_ms))
            for c in chosen if c.id in taken]


@dataclass(frozen=True)
class Finished:
    """One attempt's outcome, to record: delivered (`error` None), failed and due again at
    `next_at_ms`, or failed for good (`next_at_ms` None)."""
    claim: Claim
    at_ms: int
    code: int | None  # the endpoint's HTTP status; None: no answer
    latency_ms: int
    error: str | None
    next_at_ms: int | None = None


# Recording, in statements built once (building one costs more than running it).
_EXISTING = select(_d.id).where(_d.id.in_(bindparam("ids", expanding=True)))
_ADD_ATTEMPT = insert(webhook_attempts)
_DELIVERED = update(webhook_deliveries).where(
    _d.id == bindparam("b_id"), _d.status == "pending").values(
    status="delivered", delivered_at=bindparam("b_at"), attempts=_d.attempts + 1,
    last_code=bindparam("b_code"), last_latency_ms=bindparam("b_latency"), last_error=None,
    claimed_until=None)
_STILL_OURS = (_d.id == bindparam("b_id"), _d.status == "pending",
               _d.claimed_until == bindparam("b_token"))
_FAILED_ATTEMPT = {"attempts": _d.attempts + 1, "last_code": bindparam("b_code"),
                   "last_latency_ms": bindparam("b_latency"),
                   "last_error": bindparam("b_error"), "claimed_until": None}
_RETRY = update(webhook_deliveries).where(*_STILL_OURS).values(
    next_attempt_at=bindparam("b_next"), **_FAILED_ATTEMPT)
_GIVE_UP = update(webhook_deliveries).where(*_STILL_OURS).values(
    status="failed", **_FAILED_ATTEMPT)
# A hold only ever moves later: a straggler's earlier retry time does not shorten it.
_HOLD = update(webhook_endpoints).where(
    _e.id == bindparam("b_endpoint"),
    or_(_e.held_until.is_(None), _e.held_until < bindparam("b_until"))).values(
    held_until=bindparam("b_until"), held_by=bindparam("b_delivery"))
_RELEASE = update(webhook_endpoints).where(
    _e.id.in_(bindparam("ids", expanding=True)), _e.held_until.is_not(None)).values(
    held_until=None, held_by=None)


def unreachable(f: Finished) -> bool:
    """The attempt got no answer: the endpoint is down or out of reach, not refusing."""
    return f.error is not None and f.code is None


def record_outcomes(conn: Connection, finished: Sequence[Finished]) -> set[int]:
    """Each attempt in its delivery's log and the delivery's new state, in the caller's
    transaction; the ids of the failed ones that were applied. An attempt whose delivery is
    gone (its endpoint was deleted while the POST was out) is dropped. A delivered one is
    marked delivered even if its claim ran out meanwhile (the receiver has it); a failure
    only while the claim is still its own (another worker may have taken it over)."""
    if not finished:
        return set()
    there = set(conn.execute(_EXISTING, {"ids": [f.claim.delivery_id for f in finished]})
                .scalars())
    kept = [f for f in finished if f.claim.delivery_id in there]
    if not kept:
        return set()
    conn.execute(_ADD_ATTEMPT, [
        {"delivery_id": f.claim.delivery_id, "at": f.at_ms, "code": f.code,
         "latency_ms": f.latency_ms, "error": f.error} for f in kept])
    delivered = [{"b_id": f.claim.delivery_id, "b_at": f.at_ms, "b_code": f.code or 200,
                  "b_latency": f.latency_ms} for f in kept if f.error is None]
    if delivered:
        conn.execute(_DELIVERED, delivered)
    applied = set()
    for f in kept:  # failures are few: one statement each, for its own answer
        if f.error is None:
            continue
        params = {"b_id": f.claim.delivery_id, "b_token": f.claim.token, "b_code": f.code,
                  "b_latency": f.latency_ms, "b_error": f.error, "b_next": f.next_at_ms}
        if conn.execute(_GIVE_UP if f.next_at_ms is None else _RETRY, params).rowcount:
            applied.add(f.claim.delivery_id)
    _hold_or_release(conn, kept, applied)
    return applied


def _hold_or_release(conn: Connection, kept: Sequence[Finished], applied: set[int]) -> None:
    """An endpoint that answered (any status) is released; one that did not, and answered
    none of this batch, is held until the retry of its delivery that failed to connect (the
    latest, when several did: the one whose waits have grown most)."""
    answered = {f.claim.endpoint_id for f in kept if not unreachable(f)}
    holds: dict[int, Finished] = {}
    for f in kept:
        ep = f.claim.endpoint_id
        if (unreachable(f) and f.next_at_ms is not None and ep not in answered
                and f.claim.delivery_id in applied
                and (ep not in holds or (holds[ep].next_at_ms or 0) < f.next_at_ms)):
            holds[ep] = f
    if answered:
        conn.execute(_RELEASE, {"ids": sorted(answered)})
    for ep, f in sorted(holds.items()):
        conn.execute(_HOLD, {"b_endpoint": ep, "b_until": f.next_at_ms,
                             "b_delivery": f.claim.delivery_id})


def purge_finished(conn: Connection, *, before_ms: int, limit: int) -> int:
    """Delete up to `limit` delivered or failed deliveries (and their attempts) whose last
    try was before `before_ms`, through the (status, next_attempt_at) index; how many."""
    d = webhook_deliveries.c
    ids = list(conn.execute(select(d.id).where(
        d.status.in_(("delivered", "failed")), d.next_attempt_at < before_ms,
        d.created_at < before_ms).limit(limit)).scalars())
    if ids:
        conn.execute(delete(webhook_attempts).where(webhook_attempts.c.delivery_id.in_(ids)))
        conn.execute(delete(webhook_deliveries).where(d.id.in_(ids)))
    return len(ids)


def claimable(conn: Connection, now_ms: int) -> bool:
    """A delivery is due (or its claim ran out)."""
    return conn.execute(_ANY_DUE, {"now": now_ms}).first() is not None


def has_due(conn: Connection, now_ms: int) -> bool:
    """Anything for a delivery worker to do now: an endpoint behind its events, or a delivery
    that is due (or whose claim ran out)."""
    return claimable(conn, now_ms) or bool(endpoints_behind(conn))


# -- /metrics (web/metrics.py): small aggregates, read at scrape time -------------------------

LATENCY_WINDOW = 100  # an endpoint's latency is the mean over its newest answered deliveries


def status_counts(conn: Connection) -> list[tuple[str, str, int]]:
    """(tenant slug, status, deliveries)."""
    d = webhook_deliveries.c
    return [(slug, status, int(n)) for slug, status, n in conn.execute(
        select(tenants.c.slug, d.status, func.count())
        .join_from(webhook_deliveries, tenants, tenants.c.id == d.tenant_id)
        .group_by(tenants.c.slug, d.status))]


def oldest_pending(conn: Connection) -> list[tuple[str, int]]:
    """(tenant slug, created_at of its oldest pending delivery), tenants with one only."""
    d = webhook_deliveries.c
    return [(slug, int(at)) for slug, at in conn.execute(
        select(tenants.c.slug, func.min(d.created_at))
        .join_from(webhook_deliveries, tenants, tenants.c.id == d.tenant_id)
        .where(d.status == "pending").group_by(tenants.c.slug))]


def endpoint_latency(conn: Connection) -> list[tuple[str, int, bool, float | None]]:
    """(tenant slug, endpoint id, enabled, mean latency in ms of its newest answered
    deliveries or None), through the (endpoint_id, event_seq) index."""
    e, d = webhook_endpoints.c, webhook_deliveries.c
    newest = (select(d.last_latency_ms).where(d.endpoint_id == e.id,
                                              d.last_latency_ms.is_not(None))
              .order_by(d.event_seq.desc()).limit(LATENCY_WINDOW).correlate(webhook_endpoints)
              .subquery())
    mean = select(func.avg(newest.c.last_latency_ms)).scalar_subquery()
    return [(slug, int(i), bool(enabled), None if ms is None else float(ms))
            for slug, i, enabled, ms in conn.execute(
                select(tenants.c.slug, e.id, e.enabled, mean)
                .join_from(webhook_endpoints, tenants, tenants.c.id == e.tenant_id)
                .order_by(e.id))]
