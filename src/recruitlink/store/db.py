"""Engines for the store: a SQLite file by default, PostgreSQL via a URL.

SQLite writes run as `BEGIN IMMEDIATE` (one writer at a time, no deadlock-prone lock
upgrades) in WAL mode so readers never wait; reads use a separate engine with ordinary
deferred transactions. PostgreSQL uses one pooled engine for both. SQL errors never show
their parameters (values a client sent: an email, a token), in messages or logs. JSON columns
are read and written by core/json_text.py (orjson where its value is json's: the sync reads
and writes one per record).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from recruitlink.core.json_text import dumps as json_dumps
from recruitlink.core.json_text import loads as json_loads
from recruitlink.private_files import create_private


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60},
                           pool_size=8, max_overflow=8, hide_parameters=True,
                           json_deserializer=json_loads, json_serializer=json_dumps)
    path = make_url(url).database or ""

    @event.listens_for(engine, "do_connect")
    def _before_connect(*_args: Any) -> None:
        # On first connect, not in the constructor: a Database over a mistyped path must not
        # make an empty file (store/transfer.py refuses a missing source).
        if not path.startswith("file:"):  # a URI filename: SQLite's to open
            create_private(path)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event issue BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MB: the 2 MB default thrashes
        cursor.close()

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # On the driver's connection: every transaction begins here, and SQLAlchemy's
        # statement machinery cost more than the BEGIN. Its error is the one
        # `exec_driver_sql` would raise (a lock still held after the busy timeout is an
        # OperationalError, which the API answers with a 503).
        try:
            conn.connection.driver_connection.execute(begin)  # type: ignore[union-attr]
        except sqlite3.Error as exc:
            raise DBAPIError.instance(begin, (), exc, sqlite3.Error, hide_parameters=True,
                                      dialect=engine.dialect) from exc

    return engine


class Database:
    """The store's database: `write()` for a write transaction, `read()` for reads."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise ValueError("the store needs a SQLite file, not an in-memory database")
            self.write_engine = _sqlite_engine(url, immediate=True)
            self.read_engine = _sqlite_engine(url, immediate=False)
        elif self.dialect == "postgresql":
            self.write_engine = create_engine(url, pool_size=10, max_overflow=20,
                                              pool_pre_ping=True, hide_parameters=True,
                                              json_deserializer=json_loads,
                                              json_serializer=json_dumps)
            self.read_engine = self.write_engine
        else:
            raise ValueError(f"unsupported database {self.dialect!r}: use sqlite or postgresql")

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.write_engine.begin() as conn:
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.read_engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()
