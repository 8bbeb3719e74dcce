"""The data API's idempotency keys: a write sent with an `Idempotency-Key` claims the key
(per tenant) before it runs, and its answer is kept for a day so the same request sent again
gets the same answer instead of a second write (web/idempotency.py).

A row is either in progress (`status_code` NULL; `request_hash` holds the claim's token, so
only its owner completes or frees it) or done (the request's hash and the stored answer).
`expires_at` bounds both: a done row is kept `KEEP_MS`; an in-progress row whose process died
is taken over once its lease (`LEASE_MS`) runs out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Connection, and_, delete, insert, select, tuple_, update
from sqlalchemy.exc import IntegrityError

from .schema import idempotency_keys as keys

KEEP_MS = 24 * 3600 * 1000
"""How long an answer is replayed (issue 18: 24 hours)."""
LEASE_MS = 15 * 60 * 1000
"""How long a claim holds without an answer: longer than any request may run (a 10 MB upload
on a slow link), short enough that a key a crashed process held frees itself."""
PURGE_BATCH = 500
_CLAIM = "claim:"


@dataclass(frozen=True)
class Claimed:
    """The key is this request's: run it, then `complete` or `release` with the token."""

    token: str


@dataclass(frozen=True)
class Busy:
    """Another request with this key is running."""


@dataclass(frozen=True)
class Stored:
    """The key's request ran: its hash and answer."""

    request_hash: str
    status_code: int
    body: bytes
    content_type: str | None


Claim = Claimed | Busy | Stored


def claim(conn: Connection, tenant_id: int, key: str, *, now_ms: int) -> Claim:
    """Claim `key` for a new request, or say who has it. Run in its own short transaction:
    on PostgreSQL a concurrent claim of the same key waits for this one to commit, then
    finds the row; on SQLite writers are serialized."""
    token = _CLAIM + secrets.token_hex(16)
    values = {"request_hash": token, "status_code": None, "response": None,
              "content_type": None, "created_at": now_ms, "expires_at": now_ms + LEASE_MS}
    # Twice at most: an expired row may be purged between our statements (the purge runs
    # after any keyed write), and a key freed that way is simply claimed again.
    for _ in range(2):
        try:
            with conn.begin_nested():  # a failed insert rolls back to here, not the claim
                conn.execute(insert(keys).values(tenant_id=tenant_id, key=key, **values))
            return Claimed(token)
        except IntegrityError:
            pass
        # The key exists: an expired row (done a day ago, or a dead process's claim) is
        # taken over.
        taken = conn.execute(update(keys).where(
            keys.c.tenant_id == tenant_id, keys.c.key == key, keys.c.expires_at <= now_ms,
        ).values(**values)).rowcount
        if taken:
            return Claimed(token)
        row = conn.execute(select(keys.c.request_hash, keys.c.status_code, keys.c.response,
                                  keys.c.content_type)
                           .where(keys.c.tenant_id == tenant_id, keys.c.key == key)
                           ).one_or_none()
        if row is None:
            continue  # freed between our statements: claim it again
        if row.status_code is None:
            return Busy()
        return Stored(row.request_hash, int(row.status_code), bytes(row.response or b""),
                      row.content_type)
    return Busy()  # freed and taken again by another request meanwhile: the client retries


def complete(conn: Connection, tenant_id: int, key: str, token: str, *, request_hash: str,
             status_code: int, body: bytes, content_type: str | None, now_ms: int) -> bool:
    """Keep the answer of the claimed request; False if the claim was lost meanwhile."""
    done = conn.execute(update(keys).where(
        keys.c.tenant_id == tenant_id, keys.c.key == key, keys.c.request_hash == token,
    ).values(request_hash=request_hash, status_code=status_code, response=body,
             content_type=content_type, expires_at=now_ms + KEEP_MS)).rowcount
    return bool(done)


def release(conn: Connection, tenant_id: int, key: str, token: str) -> None:
    """Free the key (the request failed on our side): the client may send it again."""
    conn.execute(delete(keys).where(keys.c.tenant_id == tenant_id, keys.c.key == key,
                                    keys.c.request_hash == token))


def purge_expired(conn: Connection, *, now_ms: int, batch: int = PURGE_BATCH) -> int:
    """Delete up to `batch` expired keys, oldest first, through the `expires_at` index: a
    call never reads more than `batch` rows. Returns how many went."""
    oldest = (select(keys.c.tenant_id, keys.c.key).where(keys.c.expires_at <= now_ms)
              .order_by(keys.c.expires_at).limit(batch))
    pairs = [(row.tenant_id, row.key) for row in conn.execute(oldest)]
    if not pairs:
        return 0
    gone = conn.execute(delete(keys).where(
        tuple_(keys.c.tenant_id, keys.c.key).in_(pairs),
        keys.c.expires_at <= now_ms)).rowcount
    return int(gone)


def state(conn: Connection, tenant_id: int, key: str
          ) -> Literal["absent", "in_progress", "done"]:
    """For tests and diagnostics."""
    row = conn.execute(select(keys.c.status_code).where(
        and_(keys.c.tenant_id == tenant_id, keys.c.key == key))).one_or_none()
    if row is None:
        return "absent"
    return "in_progress" if row.status_code is None else "done"
