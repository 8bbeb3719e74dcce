"""The store's SQLite files hold sealed secrets and personal data: only their owner may read
them, the -wal and -shm files beside them included."""

from __future__ import annotations

from sqlalchemy import text

from recruitlink.sandbox.store import Store as SandboxStore
from recruitlink.store import Database
from recruitlink.store.migrate import upgrade


def test_a_fresh_sqlite_database_and_its_wal_files_are_owner_only(tmp_path):
    path = tmp_path / "fresh.db"
    db = Database(f"sqlite:///{path}")
    try:
        upgrade(db)
        with db.write() as conn:
            conn.execute(text("CREATE TABLE probe (x INTEGER)"))
        with db.read() as conn:  # WAL mode: the -wal and -shm files exist while it is open
            conn.execute(text("SELECT count(*) FROM probe")).one()
            made = [p for p in (path, tmp_path / "fresh.db-wal", tmp_path / "fresh.db-shm")
                    if p.exists()]
            assert len(made) == 3
            assert {p.name: p.stat().st_mode & 0o777 for p in made} == {
                p.name: 0o600 for p in made}
    finally:
        db.dispose()


def test_an_existing_file_keeps_the_mode_its_owner_gave_it(tmp_path):
    path = tmp_path / "shared.db"
    path.touch(mode=0o640)
    path.chmod(0o640)
    db = Database(f"sqlite:///{path}")
    try:
        upgrade(db)
    finally:
        db.dispose()
    assert path.stat().st_mode & 0o777 == 0o640


def test_the_sandboxs_file_and_its_wal_files_are_owner_only(tmp_path):
    """The sandbox's file holds every app's client secret (reviewer: it was 0644)."""
    path = tmp_path / "sandbox.db"
    store = SandboxStore(str(path))
    try:
        with store.tx() as conn:
            conn.execute(text("SELECT count(*) FROM apps")).one()
            made = [p for p in (path, tmp_path / "sandbox.db-wal", tmp_path / "sandbox.db-shm")
                    if p.exists()]
            assert path in made
            assert {p.name: p.stat().st_mode & 0o777 for p in made} == {
                p.name: 0o600 for p in made}
    finally:
        store.close()
