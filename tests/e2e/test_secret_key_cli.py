"""The secret key through the CLI, as an operator meets it: commands that need it refuse to
start without an adequate one and say how to make one; `keys generate` makes one; `keys
rotate` re-encrypts stored secrets; commands that need no key keep working; SQLite files are
created readable by their owner only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from recruitlink import keys
from recruitlink.crypto import SecretBox
from recruitlink.store import Database
from recruitlink.store import connections as connection_state
from recruitlink.store.migrate import upgrade
from recruitlink.store.schema import connections
from tests.conftest import make_tenant

BIN = Path(sys.executable).parent / "recruitlink"
OLD = "an-old-secret-key-that-was-rotated-out-0001"
NEW = "the-current-secret-key-after-the-rotation-0002"


def run(tmp: Path, *args: str, key: str | None = None, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RECRUITLINK_")}
    clean.update(COLUMNS="200", NO_COLOR="1",
                 RECRUITLINK_DATABASE_URL=f"sqlite:///{tmp / 'ats.db'}", **env)
    if key is not None:
        clean["RECRUITLINK_SECRET_KEY"] = key
    return subprocess.run([str(BIN), *args], env=clean, capture_output=True, text=True,
                          timeout=60, cwd=tmp)


NEEDS_KEY = [
    ("serve", "--port", "0"),
    ("worker",),
    ("sync", "status", "--tenant", "acme"),
    ("connect", "--tenant", "acme", "--organization", "urn:li:organization:1",
     "--contract", "urn:li:contract:1"),
    ("disconnect", "--tenant", "acme"),
    ("inbound", "events", "--tenant", "acme"),
    ("keys", "rotate"),
]


@pytest.mark.parametrize("args", NEEDS_KEY, ids=lambda a: " ".join(a[:2]))
def test_commands_that_need_the_key_refuse_to_start_without_one(tmp_path, args):
    done = run(tmp_path, *args)
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "RECRUITLINK_SECRET_KEY is not set" in out
    assert "recruitlink keys generate" in out
    assert "Traceback" not in out
    assert not (tmp_path / "ats.db").exists()  # refused before touching the database


@pytest.mark.parametrize(("key", "reason"), [
    ("dev-only-change-me", "public development value"),
    ("k" * 31, "too short (31 characters; at least 32)"),
])
def test_a_public_or_short_key_is_refused(tmp_path, key, reason):
    done = run(tmp_path, "sync", "status", "--tenant", "acme", key=key)
    assert done.returncode == 2
    assert reason in done.stdout and "recruitlink keys generate" in done.stdout


def test_a_generated_key_is_accepted(tmp_path):
    made = run(tmp_path, "keys", "generate")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert len(key) >= 43 and key != run(tmp_path, "keys", "generate").stdout.strip()
    assert run(tmp_path, "tenant", "create", "acme").returncode == 0
    status = run(tmp_path, "sync", "status", "--tenant", "acme", key=key)
    assert status.returncode == 0, status.stdout + status.stderr


def test_commands_that_need_no_key_work_without_one_and_sqlite_files_are_private(tmp_path):
    assert run(tmp_path, "db", "upgrade").returncode == 0
    for path in (tmp_path / "ats.db", tmp_path / "ats.db-wal"):
        if path.exists():
            assert path.stat().st_mode & 0o777 == 0o600, path
    assert (tmp_path / "ats.db").exists()
    assert run(tmp_path, "tenant", "create", "acme").returncode == 0
    seeded = run(tmp_path, "seed", "--tenant", "beta", "--candidates", "3")
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    assert run(tmp_path, "users", "list", "--tenant", "acme").returncode == 0


def _connected_store(tmp: Path, sealed: str) -> Database:
    """A database holding one connected tenant whose client secret is `sealed`."""
    from recruitlink.core.policy import Policy
    from recruitlink.store import Store

    db = Database(f"sqlite:///{tmp / 'ats.db'}")
    upgrade(db)
    tenant = make_tenant(Store(db))
    with db.write() as conn:
        connection_state.create(conn, tenant_id=tenant.id, kind="RSC",
                                organization="urn:li:organization:1",
                                contracts=["urn:li:contract:1"], policy=Policy(),
                                now_ms=1_700_000_000_000)
        conn.execute(connections.update().values(client_id="child", client_secret=sealed))
    return db


def _stored_secret(db: Database) -> str:
    with db.read() as conn:
        return str(conn.execute(connections.select()).one().client_secret)


def test_rotate_reencrypts_what_a_previous_key_sealed_once(tmp_path):
    db = _connected_store(tmp_path, SecretBox(OLD).seal("child-secret"))
    try:
        done = run(tmp_path, "keys", "rotate", key=NEW, RECRUITLINK_PREVIOUS_SECRET_KEYS=OLD)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Re-encrypted 1 of 1 stored secrets" in done.stdout
        assert SecretBox(NEW).open(_stored_secret(db)) == "child-secret"  # the new key alone
        again = run(tmp_path, "keys", "rotate", key=NEW, RECRUITLINK_PREVIOUS_SECRET_KEYS=OLD)
        assert "Re-encrypted 0 of 1 stored secrets" in again.stdout
        # Without the previous key the command opens nothing it cannot, and changes nothing.
        stored = _stored_secret(db)
        assert run(tmp_path, "keys", "rotate", key=OLD).returncode == 2
        assert _stored_secret(db) == stored
    finally:
        db.dispose()


def test_rotate_reencrypts_what_the_pre_hkdf_release_sealed(tmp_path):
    legacy = Fernet(keys.legacy_fernet_key(NEW)).encrypt(b"child-secret").decode()
    db = _connected_store(tmp_path, legacy)
    try:
        done = run(tmp_path, "keys", "rotate", key=NEW)
        assert "Re-encrypted 1 of 1 stored secrets" in done.stdout, done.stdout + done.stderr
        assert SecretBox(NEW).sealed_with_current(_stored_secret(db))
    finally:
        db.dispose()
