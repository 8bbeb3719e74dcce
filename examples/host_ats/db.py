"""The example ATS's own database (SQLite): its records, and what it learned from recruitlink.

`inbox` holds every event applied, keyed by the event id (Standard Webhooks' `webhook-id`): a
delivery seen before is acknowledged and not applied again. `versions` holds, per record, the
cursor of the last event applied to it: an older event arriving late never undoes a newer one.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS candidates (
    id TEXT PRIMARY KEY,
    first_name TEXT, last_name TEXT, email TEXT, phone TEXT, headline TEXT,
    person_urn TEXT,
    origin TEXT NOT NULL DEFAULT 'ats',        -- 'ats': made here; 'linkedin': came from it
    pushed INTEGER NOT NULL DEFAULT 0,         -- sent to recruitlink since its last change
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, location TEXT, description TEXT,
    pushed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS applications (
    id TEXT PRIMARY KEY, candidate_id TEXT NOT NULL, job_id TEXT NOT NULL, stage TEXT,
    origin TEXT NOT NULL DEFAULT 'ats',
    pushed INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS activities (        -- Recruiter notes and InMails from LinkedIn
    id TEXT NOT NULL, kind TEXT NOT NULL, candidate_id TEXT, summary TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, id)
);
CREATE TABLE IF NOT EXISTS problems (          -- what someone has to look at or fix
    event_id TEXT PRIMARY KEY, kind TEXT NOT NULL, entity TEXT, record_id TEXT,
    field TEXT, reason TEXT NOT NULL, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS inbox (
    event_id TEXT PRIMARY KEY, cursor INTEGER NOT NULL, type TEXT NOT NULL,
    record_key TEXT NOT NULL, outcome TEXT NOT NULL, via TEXT NOT NULL,
    applied_order INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (record_key TEXT PRIMARY KEY, cursor INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class Database:
    """One SQLite file; writes are serialized (one writer at a time, as SQLite wants)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        conn = self._connect()
        try:
            conn.executescript(SCHEMA)
        finally:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                               check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed on success, rolled back on any error."""
        with self._lock:
            conn = self._connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                conn.close()

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        conn = self._connect()
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def get_state(self, key: str, default: str = "") -> str:
        rows = self.query("SELECT value FROM state WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else default


def set_state(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO state (key, value) VALUES (?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))
