"""SQLite transactions begin on the driver's connection (store/db.py): a write begins as
BEGIN IMMEDIATE (holding the write lock from its start), a read does not take it, and a
lock still held after the busy timeout is SQLAlchemy's OperationalError, as before (the
API answers it with a 503)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from recruitlink.store.db import Database


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'store.db'}")
    with database.write() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    return database


def test_a_write_holds_the_lock_from_its_start_and_a_read_does_not(db: Database) -> None:
    with db.write() as conn:
        assert conn.connection.driver_connection.in_transaction  # type: ignore[union-attr]
        with db.read() as reader:
            assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
        with db.write_engine.connect() as other:
            other.connection.driver_connection.execute(  # type: ignore[union-attr]
                "PRAGMA busy_timeout=50")
            with pytest.raises(OperationalError, match="database is locked") as raised:
                other.begin()
            assert "BEGIN IMMEDIATE" in str(raised.value)
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with db.read() as reader:
        assert reader.execute(text("SELECT n FROM t")).scalars().all() == [1]
    db.dispose()
