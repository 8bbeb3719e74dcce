"""The ATS/CRM store: tables, migrations, record reads and writes, and the changelog."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import Connection, text

from .changelog import ChangeSet
from .db import Database
from .entities import ENTITIES, Entity, entity
from .records import Mode, Outcome, delete_record, write_records

__all__ = ["ENTITIES", "Database", "Entity", "Outcome", "Store", "Writer", "entity"]


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Writer:
    """One write transaction for one tenant; its changelog rows are written at the end."""

    conn: Connection
    tenant_id: int
    now_ms: int
    changes: ChangeSet

    def records(self, name: str, items: Sequence[tuple[int, BaseModel]],
                mode: Mode) -> list[Outcome]:
        return write_records(self.conn, self.changes, entity(name), items,
                             tenant_id=self.tenant_id, now_ms=self.now_ms, mode=mode)

    def delete(self, name: str, external_id: str) -> bool:
        return delete_record(self.conn, self.changes, entity(name), tenant_id=self.tenant_id,
                             external_id=external_id, now_ms=self.now_ms)


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db

    @contextmanager
    def writer(self, tenant_id: int) -> Iterator[Writer]:
        with self.db.write() as conn:
            writer = Writer(conn, tenant_id, now_ms(), ChangeSet(tenant_id))
            yield writer
            # Last step of the transaction: the changelog, in commit order.
            writer.changes.flush(conn, writer.now_ms)

    @contextmanager
    def reader(self) -> Iterator[Connection]:
        with self.db.read() as conn:
            yield conn

    def ping(self) -> None:
        """Raise unless the database answers a query (the health check)."""
        with self.reader() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.db.dispose()


