"""The example ATS's own commands (`python -m host_ats`, run from examples/ as its README says),
as a vendor's engineer first tries them against a connected recruitlink: push records, read
the change feed, show what the ATS holds (the record LinkedIn would refuse on its fix list
with the field and reason)."""

# ruff: noqa: F811  (the fixtures imported below are parameters here)
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from examples.host_ats.push import add_candidate

from tests.e2e.test_host_ats_webhooks import (  # noqa: F401  (pytest fixtures)
    engine,
    host,
    server,
    wired,
)
from tests.integration.test_inbound_exports import ORG

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


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_a_stage_move_in_the_example_ats_shows_in_recruiter(store, tenant, li, host, wired,
                                                            engine):
    """The example ATS keeps only an application's current stage (no history). Its move,
    pushed, reaches Recruiter: recruitlink writes the transitions (found on the SmartRecruiters
    walk, where Recruiter went on showing no stage)."""
    env = dict(os.environ, HOST_ATS_DB=host.db.path, HOST_ATS_API_KEY=host.api_key,
               HOST_ATS_RECRUITLINK_URL=host.url)

    def synced_application() -> dict:
        deadline = time.monotonic() + 60
        engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
        view = li.control.get(f"/organizations/{ORG}/candidates/HA-C1")
        assert view.status_code == 200, view.text
        (application,) = view.json()["applications"]
        return application

    assert synced_application()["currentStage"] is None  # pushed with a stage, no history
    moved = host_ats("move", "HA-A1", "Interview", env=env)
    assert moved.returncode == 0, moved.stderr
    pushed = host_ats("push", env=env)
    assert (pushed.returncode, pushed.stdout.strip()) == (0, "sent: 1 applications"), pushed
    application = synced_application()
    assert application["currentStage"] == "Interview"
    assert [s["stage"] for s in application["stages"]] == ["New", "Interview"], application
    assert "(Interview)" in host_ats("show", env=env).stdout

    missing = host_ats("move", "HA-NONE", "Interview", env=env)
    assert missing.returncode == 1 and "no application HA-NONE" in missing.stderr
