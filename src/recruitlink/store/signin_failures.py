"""Failed sign-ins counted per (scope, key) and fixed window, shared by every server
(web/pages/signin_budget.py decides what the counts mean). Times are epoch milliseconds."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from .schema import signin_failures


def counts(conn: Connection, keys: Mapping[str, str], window_start: int) -> dict[str, int]:
    """Scope -> failures in the window starting at `window_start`, for these (scope, key)."""
    return dict(conn.execute(
        select(signin_failures.c.scope, signin_failures.c.failures).where(
            signin_failures.c.window_start == window_start,
            or_(*(and_(signin_failures.c.scope == scope, signin_failures.c.key == key)
                  for scope, key in keys.items())))).all())


def add_failure(conn: Connection, keys: Mapping[str, str], window_start: int) -> None:
    """One more failure for each (scope, key) in this window; windows before it are dropped."""
    conn.execute(delete(signin_failures).where(signin_failures.c.window_start < window_start))
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    for scope, key in keys.items():
        stmt = insert(signin_failures).values(scope=scope, key=key,
                                              window_start=window_start, failures=1)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["scope", "key", "window_start"],
            set_={"failures": signin_failures.c.failures + 1}))


def forgive(conn: Connection, scope: str, key: str) -> None:
    """Forget the failures of (scope, key), in every window."""
    conn.execute(delete(signin_failures).where(signin_failures.c.scope == scope,
                                               signin_failures.c.key == key))


def take_back(conn: Connection, keys: Mapping[str, str], window_start: int) -> None:
    """One failure fewer for each (scope, key) in this window (an attempt counted before its
    password was checked that turned out refused or right)."""
    for scope, key in keys.items():
        conn.execute(update(signin_failures).where(
            signin_failures.c.scope == scope, signin_failures.c.key == key,
            signin_failures.c.window_start == window_start, signin_failures.c.failures > 0,
        ).values(failures=signin_failures.c.failures - 1))
