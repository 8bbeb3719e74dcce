"""Procrastinate's tables in the store's PostgreSQL (scale-out) and the transaction-level
advisory locks that keep several processes from doing the same thing at once: installing
them, ticking. The queue itself is runtime/queue.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, text

from .db import Database

if TYPE_CHECKING:
    from procrastinate.connector import BaseConnector


def procrastinate_installed(conn: Connection) -> bool:
    """Procrastinate's jobs table exists."""
    return conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None


def install_procrastinate(db: Database, schema_sql: str, *, lock_key: int) -> bool:
    """Run procrastinate's schema script once (True if it did); processes starting together
    wait for each other on the advisory lock `lock_key` instead of racing."""
    with db.write() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock_key})
        if procrastinate_installed(conn):
            return False
        # The raw connection: the schema is a multi-statement script with literal %s.
        conn.connection.driver_connection.execute(schema_sql)  # type: ignore
        return True


def live_jobs(conn: Connection) -> list[tuple[str, str, int]]:
    """(queue, status, count) of procrastinate's waiting and running jobs; none while its
    tables are not installed."""
    if not procrastinate_installed(conn):
        return []
    # Finished jobs stay in the table: count only the live ones (a partial index has them).
    return [(queue, status, int(n)) for queue, status, n in conn.execute(text(
        "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs "
        "WHERE status IN ('todo', 'doing') GROUP BY queue_name, status"))]


def try_lock(db: Database, key: int) -> Connection | None:
    """A connection holding the advisory lock `key` in an open transaction (closing it lets
    go), or None when another holds it."""
    conn = db.write_engine.connect()
    try:
        if conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key}).scalar():
            return conn
    except Exception:
        conn.close()
        raise
    conn.close()
    return None


async def busy_queueing_locks(connector: BaseConnector) -> set[str]:
    """Queueing locks of procrastinate's waiting and running jobs, through its own connector
    (the tick runs in procrastinate's event loop)."""
    rows = await connector.execute_query_all_async(
        "SELECT queueing_lock FROM procrastinate_jobs "
        "WHERE status IN ('todo', 'doing') AND queueing_lock IS NOT NULL")
    return {row["queueing_lock"] for row in rows}
