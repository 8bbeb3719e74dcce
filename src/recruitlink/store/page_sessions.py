"""Page sessions on the server: started at sign-in, ended at sign-out, by idleness, by the
absolute lifetime or by a password change. The web layer (web/pages/security.py) reads a row
on every page request; these are the writes. Times are epoch milliseconds.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, delete, update

from .schema import page_sessions

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
