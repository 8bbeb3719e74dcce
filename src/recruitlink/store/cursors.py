"""Named positions per tenant (`sync_cursors`): how far a stream has been read or sent
(`in:mail:123`, `in:matches`, the sync's own), and the timed claims kept beside them
(`poll:lease`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from .schema import sync_cursors


def _insert(conn: Connection) -> Any:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def get_cursor(conn: Connection, tenant_id: int, name: str) -> int | None:
    return conn.execute(select(sync_cursors.c.position).where(
        sync_cursors.c.tenant_id == tenant_id, sync_cursors.c.name == name)).scalar()


def set_cursor(conn: Connection, tenant_id: int, name: str, position: int,
               now_ms: int) -> None:
    stmt = _insert(conn)(sync_cursors).values(tenant_id=tenant_id, name=name,
                                              position=position, updated_at=now_ms)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["tenant_id", "name"],
        set_={"position": position, "updated_at": now_ms}))


def forget_cursors(conn: Connection, tenant_id: int, names: list[str]) -> None:
    if names:
        conn.execute(delete(sync_cursors).where(sync_cursors.c.tenant_id == tenant_id,
                                                sync_cursors.c.name.in_(names)))


def take_timed_claim(conn: Connection, tenant_id: int, name: str, *, now_ms: int,
                     hold_ms: int) -> bool:
    """Claim `name` until now + `hold_ms` unless a claim on it still holds (its position is
    the time it ends; 0: free). Row-locked on PostgreSQL, so two takers never both win."""
    if get_cursor(conn, tenant_id, name) is None:
        set_cursor(conn, tenant_id, name, 0, now_ms)
    query = select(sync_cursors.c.position).where(sync_cursors.c.tenant_id == tenant_id,
                                                  sync_cursors.c.name == name)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    if (conn.execute(query).scalar() or 0) > now_ms:
        return False
    set_cursor(conn, tenant_id, name, now_ms + hold_ms, now_ms)
    return True
