"""`recruitlink demo`, the README's main job, as a user runs it (scaled down)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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
    assert re.search(r"Historical sync\s*│\s*done", out)
    assert re.search(r"API key \(tenant demo\)\s*│\s*rlk_", out)
    assert (tmp_path / "recruitlink.db").exists() and (tmp_path / "recruitlink-sandbox.db").exists()
    # A second run reuses the tenant and the connection and syncs nothing new.
    again = subprocess.run([str(BIN), "demo", "--port", "0", "--sandbox-port", "0",
                            "--directory", str(tmp_path), "--exit-after-sync"], env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Seeding" not in again.stdout
