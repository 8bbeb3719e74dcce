"""The example ATS's own commands (`python -m host_ats`, run from examples/ as its README says),
as a vendor's engineer first tries them against a connected recruitlink: push records, read
the change feed, show what the ATS holds (the record LinkedIn would refuse on its fix list
with the field and reason)."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from examples.host_ats.push import add_candidate

from tests.e2e.test_host_ats_webhooks import (  # noqa: F401  (pytest fixtures)
    engine,
    host,
    server,
    wired,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def host_ats(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "host_ats", *args], cwd=EXAMPLES, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_push_feed_and_show_from_the_command_line(store, tenant, host, wired):
    env = dict(os.environ, HOST_ATS_DB=host.db.path, HOST_ATS_API_KEY=host.api_key,
               HOST_ATS_RECRUITLINK_URL=host.url)
    add_candidate(host.db, "HA-C4", "Dee", "Four", email="dee@four.example")
    pushed = host_ats("push", env=env)
    assert (pushed.returncode, pushed.stdout.strip()) == (0, "sent: 1 candidates"), pushed

    fed = host_ats("feed", env=env)
    assert fed.returncode == 0, fed.stderr
    count = int(fed.stdout.split()[1])
    assert count == len(host.recruitlink_events()) > 0, fed.stdout
    again = host_ats("feed", env=env)
    assert again.stdout.strip() == "applied 0 event(s)"

    shown = host_ats("show", env=env).stdout
    assert shown.startswith("integration: ENABLED | feed cursor: "), shown
    assert "HA-C4: Dee Four <dee@four.example>" in shown
    rejected = [line for line in shown.splitlines() if line.strip().startswith(
        "record.rejected candidates HA-C3")]
    assert rejected and "email" in rejected[0], shown

    # Another ATS database that wants only the rejections: the feed filtered by type.
    only = dict(env, HOST_ATS_DB=str(Path(host.db.path).with_name("rejections.db")))
    fed = host_ats("feed", "--types", "record.rejected", env=only)
    rejections = [e for e in host.recruitlink_events() if e.type == "record.rejected"]
    assert fed.stdout.strip() == f"applied {len(rejections)} event(s)" and rejections, fed
    shown = host_ats("show", env=only).stdout
    assert shown.startswith("integration: unknown") and "record.rejected candidates HA-C3" \
        in shown, shown

    no_key = host_ats("push", env={k: v for k, v in env.items() if k != "HOST_ATS_API_KEY"})
    assert no_key.returncode == 2 and "API key" in no_key.stderr
