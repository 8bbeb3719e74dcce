"""Fresh, migrated stores for tests on SQLite and PostgreSQL.

Each database kind is migrated once per session into a template; every test gets its own
copy (a file copy for SQLite, `CREATE DATABASE … TEMPLATE` for PostgreSQL), so tests are
isolated and fast.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from recruitlink.store import Database, Store
from recruitlink.store.migrate import upgrade

_counter = itertools.count()


class SqliteTemplate:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.template = directory / "template.db"
        db = Database(f"sqlite:///{self.template}")
        upgrade(db)
        db.dispose()

    @contextmanager
    def store(self) -> Iterator[Store]:
        path = self.directory / f"store-{next(_counter)}.db"
        shutil.copyfile(self.template, path)
        store = Store(Database(f"sqlite:///{path}"))
        try:
            yield store
        finally:
            store.dispose()


class PostgresTemplate:
    def __init__(self, server_url: str) -> None:
        self.server_url = server_url
        self.admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as conn:
            conn.execute(text("CREATE DATABASE store_template"))
        db = Database(self._url("store_template"))
        upgrade(db)
        db.dispose()

    def _url(self, name: str) -> str:
        return self.server_url.rsplit("/", 1)[0] + "/" + name

    @contextmanager
    def store(self) -> Iterator[Store]:
        name = f"store_{next(_counter)}"
        with self.admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE store_template"))
        store = Store(Database(self._url(name)))
        try:
            yield store
        finally:
            store.dispose()
            with self.admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def dispose(self) -> None:
        self.admin.dispose()
