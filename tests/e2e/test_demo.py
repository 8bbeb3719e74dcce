"""`recruitlink demo`, the README's main job, as a user runs it (scaled down)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select

from recruitlink.crypto import SecretBox
from recruitlink.keys import legacy_fernet_key
from recruitlink.store import Database
from recruitlink.store.schema import connections

BIN = Path(sys.executable).parent / "recruitlink"


def test_demo_seeds_connects_and_syncs_then_reports_where_to_look(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECRUITLINK_")}
    env["COLUMNS"] = "200"
    done = subprocess.run([str(BIN), "demo", "--candidates", "60", "--port", "0",
                           "--sandbox-port", "0", "--directory", str(tmp_path),
                           "--exit-after-sync"], env=env, capture_output=True, text=True,
                          timeout=300)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "integration ENABLED" in out
    assert re.search(r"demo\s*│\s*done", out) and re.search(r"demo-crm\s*│\s*done", out)
    assert re.search(r"Workspace demo \(.*\): API key rlk_", out)
    assert (tmp_path / "recruitlink.db").exists() and (tmp_path / "recruitlink-sandbox.db").exists()
    # No RECRUITLINK_SECRET_KEY given: the demo made one, readable by its owner only.
    key_file = tmp_path / "recruitlink.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text()
    assert len(key.strip()) >= 32
    assert (tmp_path / "recruitlink.db").stat().st_mode & 0o777 == 0o600
    # The passwords and API keys it printed, kept for the next run: its owner's only.
    assert (tmp_path / "recruitlink-demo-credentials.json").stat().st_mode & 0o777 == 0o600
    # A demo database made by a release before the key file: its secret was sealed with the
    # public default key (sha256-derived); the next run still opens it and re-seals it.
    db = Database(f"sqlite:///{tmp_path / 'recruitlink.db'}")
    with db.write() as conn:
        for row in conn.execute(select(connections.c.tenant_id, connections.c.client_secret)
                                ).all():
            plain = SecretBox(key.strip()).open(row.client_secret)
            conn.execute(connections.update().where(
                connections.c.tenant_id == row.tenant_id).values(client_secret=Fernet(
                    legacy_fernet_key("dev-only-change-me")).encrypt(plain.encode()).decode()))
    # A second run reuses the tenant and the connection and syncs nothing new.
    again = subprocess.run([str(BIN), "demo", "--port", "0", "--sandbox-port", "0",
                            "--directory", str(tmp_path), "--exit-after-sync"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Seeding" not in again.stdout
    assert key_file.read_text() == key  # reused
    with db.read() as conn:
        resealed = conn.execute(select(connections.c.client_secret)).scalars().all()
    db.dispose()
    assert resealed and all(SecretBox(key.strip()).sealed_with_current(s) for s in resealed)
