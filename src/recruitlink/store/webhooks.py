"""A tenant's webhook endpoints, their deliveries and the attempts at each, as the admin page,
the API and the CLI manage them. Turning events into deliveries and sending them is in
recruitlink.hooks (dispatcher, sender, worker); this module only reads and writes the rows.

An endpoint's signing secret is "whsec_" + base64 of 24 random bytes (Standard Webhooks),
sealed at rest; only `create_endpoint` and `rotate_secret` return it in clear.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, update

from recruitlink.core.host_events import event_id
from recruitlink.crypto import SecretBox

from . import host_events as events_log
from .schema import host_events, webhook_attempts, webhook_deliveries, webhook_endpoints

SECRET_PREFIX = "whsec_"
DISABLED_BY_ADMIN = "disabled by an admin"
STATUSES = ("pending", "delivered", "failed")


@dataclass(frozen=True)
class Endpoint:
    id: int
    tenant_id: int
    url: str
    description: str
    types: tuple[str, ...]  # () = every type
    enabled: bool
    disabled_reason: str | None
    disabled_at: int | None
    cursor: int  # the newest event already turned into deliveries
    created_at: int
    updated_at: int
    rotating_until: int | None  # the previous secret still signs until then
    # After a connection failure: nothing is sent until `held_until`, then only `held_by`
    # (the delivery that failed) until the endpoint answers (store/webhook_deliveries.py).
    held_until: int | None = None
    held_by: int | None = None

    def held(self, now_ms: int) -> bool:
        """Paused after a connection failure, its next try still ahead."""
        return self.enabled and self.held_until is not None and self.held_until > now_ms

    def probing(self, now_ms: int) -> bool:
        """Its next try after a connection failure is due or out: one delivery at a time."""
        return self.enabled and self.held_until is not None and self.held_until <= now_ms

    def wants(self, type_: str) -> bool:
        return not self.types or type_ in self.types


@dataclass(frozen=True)
class Delivery:
    id: int
    endpoint_id: int
    event_seq: int
    event_id: str
    event_type: str
    event_at: int
    record_key: str
    status: str  # pending | delivered | failed
    attempts: int
    next_attempt_at: int
    last_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    created_at: int
    delivered_at: int | None


@dataclass(frozen=True)
class Attempt:
    id: int
    delivery_id: int
    at: int
    code: int | None  # None: no answer (timeout, refused connection, ...)
    latency_ms: int
    error: str | None


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _endpoint(row: Any) -> Endpoint:
    return Endpoint(
        id=row.id, tenant_id=row.tenant_id, url=row.url, description=row.description or "",
        types=tuple(row.types or ()), enabled=bool(row.enabled),
        disabled_reason=row.disabled_reason, disabled_at=row.disabled_at, cursor=row.cursor,
        created_at=row.created_at, updated_at=row.updated_at,
        rotating_until=row.previous_until if row.previous_secret else None,
        held_until=row.held_until, held_by=row.held_by)


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row.id, endpoint_id=row.endpoint_id, event_seq=row.event_seq,
        event_id=event_id(row.event_seq), event_type=row.event_type, event_at=row.event_at,
        record_key=row.record_key, status=row.status, attempts=row.attempts,
        next_attempt_at=row.next_attempt_at, last_code=row.last_code,
        last_latency_ms=row.last_latency_ms, last_error=row.last_error,
        created_at=row.created_at, delivered_at=row.delivered_at)


def _of_tenant(tenant_id: int, endpoint_id: int) -> Any:
    e = webhook_endpoints.c
    return (e.tenant_id == tenant_id) & (e.id == endpoint_id)


def create_endpoint(conn: Connection, box: SecretBox, tenant_id: int, *, url: str,
                    types: Sequence[str], description: str = "",
                    now_ms: int) -> tuple[Endpoint, str]:
    """A new, enabled endpoint and its secret in clear (shown once). It gets the events
    written from now on: its cursor starts at the tenant's newest event."""
    secret = new_secret()
    endpoint_id = conn.execute(webhook_endpoints.insert().values(
        tenant_id=tenant_id, url=url, description=description, types=list(types),
        secret=box.seal(secret), enabled=True, cursor=events_log.head(conn, tenant_id),
        created_at=now_ms, updated_at=now_ms,
    ).returning(webhook_endpoints.c.id)).scalar_one()
    endpoint = get_endpoint(conn, tenant_id, int(endpoint_id))
    assert endpoint is not None
    return endpoint, secret


def list_endpoints(conn: Connection, tenant_id: int) -> list[Endpoint]:
    rows = conn.execute(select(webhook_endpoints).where(
        webhook_endpoints.c.tenant_id == tenant_id).order_by(webhook_endpoints.c.id))
    return [_endpoint(r) for r in rows]


def any_enabled(conn: Connection) -> bool:
    """Some tenant has an enabled endpoint (the server then runs its delivery process)."""
    return conn.execute(select(webhook_endpoints.c.id).where(
        webhook_endpoints.c.enabled.is_(True)).limit(1)).first() is not None


def get_endpoint(conn: Connection, tenant_id: int, endpoint_id: int) -> Endpoint | None:
    row = conn.execute(select(webhook_endpoints).where(
        _of_tenant(tenant_id, endpoint_id))).first()
    return _endpoint(row) if row is not None else None


def update_endpoint(conn: Connection, tenant_id: int, endpoint_id: int, *, now_ms: int,
                    url: str | None = None, types: Sequence[str] | None = None,
                    description: str | None = None,
                    enabled: bool | None = None) -> Endpoint | None:
    """Change what is given (None: unchanged); None when there is no such endpoint.
    Enabling clears the reason it was disabled; disabling here is a person's doing."""
    values: dict[str, Any] = {"updated_at": now_ms}
    if url is not None:
        values.update(url=url, **_RELEASED)  # another receiver: tried at once
    if types is not None:
        values["types"] = list(types)
    if description is not None:
        values["description"] = description
    if enabled is True:
        values.update(enabled=True, disabled_reason=None, disabled_at=None, **_RELEASED)
    elif enabled is False:
        current = get_endpoint(conn, tenant_id, endpoint_id)
        if current is not None and current.enabled:
            values.update(enabled=False, disabled_reason=DISABLED_BY_ADMIN, disabled_at=now_ms)
    changed = conn.execute(update(webhook_endpoints).where(
        _of_tenant(tenant_id, endpoint_id)).values(**values)).rowcount
    return get_endpoint(conn, tenant_id, endpoint_id) if changed else None


def disable_endpoint(conn: Connection, endpoint_id: int, *, reason: str, now_ms: int) -> None:
    """Disabled by the engine (deliveries given up), with the reason the admin is shown."""
    conn.execute(update(webhook_endpoints).where(
        webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.enabled.is_(True)).values(
        enabled=False, disabled_reason=reason, disabled_at=now_ms, updated_at=now_ms))


def rotate_secret(conn: Connection, box: SecretBox, tenant_id: int, endpoint_id: int, *,
                  now_ms: int, overlap_ms: int) -> str | None:
    """A new secret in clear (shown once); the old one still signs too for `overlap_ms`, so
    the receiver can switch without refusing a delivery. None: no such endpoint."""
    row = conn.execute(select(webhook_endpoints.c.secret).where(
        _of_tenant(tenant_id, endpoint_id))).first()
    if row is None:
        return None
    secret = new_secret()
    conn.execute(update(webhook_endpoints).where(_of_tenant(tenant_id, endpoint_id)).values(
        secret=box.seal(secret), previous_secret=row.secret if overlap_ms > 0 else None,
        previous_until=now_ms + overlap_ms if overlap_ms > 0 else None, updated_at=now_ms))
    return secret


def sealed_signing_secrets(row: Any, now_ms: int) -> tuple[str, ...]:
    """An endpoint row's sealed secrets that sign now: the current one, and the previous one
    while a rotation overlaps."""
    if row.previous_secret and (row.previous_until or 0) > now_ms:
        return (row.secret, row.previous_secret)
    return (row.secret,)


def signing_secrets(conn: Connection, box: SecretBox, endpoint_id: int,
                    now_ms: int) -> list[str]:
    """The secrets (in clear) a delivery is signed with now; [] for no such endpoint."""
    e = webhook_endpoints.c
    row = conn.execute(select(e.secret, e.previous_secret, e.previous_until).where(
        e.id == endpoint_id)).first()
    return [] if row is None else [box.open(s) for s in sealed_signing_secrets(row, now_ms)]


def delete_endpoint(conn: Connection, tenant_id: int, endpoint_id: int) -> bool:
    """The endpoint, its deliveries and their attempts (SQLite may not enforce the cascade)."""
    if get_endpoint(conn, tenant_id, endpoint_id) is None:
        return False
    d = webhook_deliveries.c
    conn.execute(delete(webhook_attempts).where(webhook_attempts.c.delivery_id.in_(
        select(d.id).where(d.endpoint_id == endpoint_id))))
    conn.execute(delete(webhook_deliveries).where(d.endpoint_id == endpoint_id))
    conn.execute(delete(webhook_endpoints).where(_of_tenant(tenant_id, endpoint_id)))
    return True


def _deliveries_query() -> Any:
    return select(webhook_deliveries, host_events.c.type.label("event_type"),
                  host_events.c.at.label("event_at")).join(
        host_events, host_events.c.seq == webhook_deliveries.c.event_seq)


def list_deliveries(conn: Connection, tenant_id: int, endpoint_id: int, *,
                    before_id: int | None = None, limit: int = 50,
                    status: str | None = None) -> list[Delivery]:
    """An endpoint's deliveries, newest first; the next page is `before_id=` the last id."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
    d = webhook_deliveries.c
    query = _deliveries_query().where(d.tenant_id == tenant_id, d.endpoint_id == endpoint_id)
    if before_id is not None:
        query = query.where(d.id < before_id)
    if status is not None:
        query = query.where(d.status == status)
    return [_delivery(r) for r in conn.execute(query.order_by(d.id.desc()).limit(limit))]


def get_delivery(conn: Connection, tenant_id: int, delivery_id: int) -> Delivery | None:
    d = webhook_deliveries.c
    row = conn.execute(_deliveries_query().where(d.tenant_id == tenant_id,
                                                 d.id == delivery_id)).first()
    return _delivery(row) if row is not None else None


def list_attempts(conn: Connection, tenant_id: int, delivery_id: int) -> list[Attempt]:
    """A delivery's attempts, oldest first ([] for another tenant's delivery)."""
    a, d = webhook_attempts.c, webhook_deliveries.c
    rows = conn.execute(select(webhook_attempts).join(
        webhook_deliveries, d.id == a.delivery_id).where(
        d.tenant_id == tenant_id, a.delivery_id == delivery_id).order_by(a.id))
    return [Attempt(r.id, r.delivery_id, r.at, r.code, r.latency_ms, r.error) for r in rows]


# No longer held after a connection failure (an admin's enable, new URL or replay: try now).
_RELEASED: dict[str, Any] = {"held_until": None, "held_by": None}


def _release(conn: Connection, endpoint_id: Any) -> None:
    conn.execute(update(webhook_endpoints).where(webhook_endpoints.c.id == endpoint_id)
                 .values(**_RELEASED))


def _send_again() -> dict[str, Any]:
    # A fresh round of retries; the attempts already made stay in the log.
    return {"status": "pending", "attempts": 0, "claimed_until": None, "delivered_at": None}


def replay_delivery(conn: Connection, tenant_id: int, delivery_id: int, *, now_ms: int) -> bool:
    """Due now again, whatever its status (its endpoint no longer held: a person asked for a
    try now); False when there is no such delivery."""
    d = webhook_deliveries.c
    if not conn.execute(update(webhook_deliveries).where(
            d.tenant_id == tenant_id, d.id == delivery_id).values(
            next_attempt_at=now_ms, **_send_again())).rowcount:
        return False
    _release(conn, select(d.endpoint_id).where(d.id == delivery_id).scalar_subquery())
    return True


def replay_range(conn: Connection, tenant_id: int, endpoint_id: int, *, since_ms: int,
                 until_ms: int, now_ms: int) -> int:
    """The endpoint's deliveries created from `since_ms` to `until_ms` (inclusive) due now
    again (the endpoint no longer held); how many."""
    d = webhook_deliveries.c
    n = int(conn.execute(update(webhook_deliveries).where(
        d.tenant_id == tenant_id, d.endpoint_id == endpoint_id, d.created_at >= since_ms,
        d.created_at <= until_ms).values(next_attempt_at=now_ms, **_send_again())).rowcount)
    if n:
        _release(conn, endpoint_id)
    return n
