"""Page sessions on the server: started at sign-in, ended at sign-out, by idleness, by the
absolute lifetime or by a password change. The web layer (web/pages/security.py) reads a row
on every page request (`with_user`); the rest are the writes. Times are epoch milliseconds.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, delete, select, update

from .schema import page_sessions, tenants, users

KEEP_MS = 24 * 3600 * 1000  # rows stay a day past their expiry (who signed in when), then go


def session_id(nonce: str) -> str:
    """The row id of the session whose cookie carries `nonce`: the nonce is not stored."""
    return hashlib.sha256(nonce.encode()).hexdigest()


def start(conn: Connection, *, nonce: str, user_id: int, tenant_id: int, now_ms: int,
          expires_ms: int) -> None:
    prune(conn, now_ms)
    conn.execute(page_sessions.insert().values(
        id=session_id(nonce), user_id=user_id, tenant_id=tenant_id, created_at=now_ms,
        last_seen_at=now_ms, expires_at=expires_ms, ended_at=None))


def touch(conn: Connection, nonce: str, now_ms: int) -> None:
    """Record activity (the idle timeout counts from here)."""
    conn.execute(update(page_sessions).where(page_sessions.c.id == session_id(nonce),
                                             page_sessions.c.ended_at.is_(None))
                 .values(last_seen_at=now_ms))


def end(conn: Connection, nonce: str, now_ms: int) -> None:
    conn.execute(update(page_sessions).where(page_sessions.c.id == session_id(nonce),
                                             page_sessions.c.ended_at.is_(None))
                 .values(ended_at=now_ms))


def end_all_of_user(conn: Connection, user_id: int, now_ms: int) -> None:
    """Sign a user out everywhere (the password changed)."""
    conn.execute(update(page_sessions).where(page_sessions.c.user_id == user_id,
                                             page_sessions.c.ended_at.is_(None))
                 .values(ended_at=now_ms))


def prune(conn: Connection, now_ms: int) -> None:
    """Delete sessions expired for a day (through the expires_at index; a session ended
    early goes with the rest once it would have expired)."""
    conn.execute(delete(page_sessions).where(page_sessions.c.expires_at < now_ms - KEEP_MS))


def with_user(conn: Connection, nonce: str, user_id: int, tenant_id: int) -> Any:
    """The session whose cookie carries `nonce` (its times) joined with its user and the
    user's tenant, if it is this user's of this tenant; None otherwise. One read by the
    session's primary key."""
    return conn.execute(
        select(users.c.id, users.c.external_id, users.c.tenant_id, users.c.name,
               users.c.email, users.c.role, users.c.active, users.c.password_hash,
               tenants.c.slug, tenants.c.name.label("tenant_name"),
               tenants.c.kind.label("tenant_kind"), page_sessions.c.last_seen_at,
               page_sessions.c.expires_at, page_sessions.c.ended_at)
        .select_from(page_sessions)
        .join(users, users.c.id == page_sessions.c.user_id)
        .join(tenants, tenants.c.id == users.c.tenant_id)
        .where(page_sessions.c.id == session_id(nonce),
               users.c.id == user_id, users.c.tenant_id == tenant_id)
    ).first()
