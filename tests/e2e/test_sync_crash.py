"""Crash test: `recruitlink sync start` runs as a subprocess against `recruitlink sandbox`, and
is killed with SIGKILL at 20 random moments while the ATS keeps writing. After the last
restart, LinkedIn holds exactly what the store holds (nothing lost, nothing stale), and at
most one batch was re-sent per kill."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from recruitlink.core.records import Application, Candidate
from recruitlink.settings import Settings
from recruitlink.store import schema
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from tests.support.atsdata import write_ats_data
from tests.support.process import sandbox_process

BIN = Path(sys.executable).parent / "recruitlink"
ORG = "urn:li:organization:9001"
KILLS = 20


def env_for(tmp: Path, sandbox_url: str) -> dict[str, str]:
    return dict(os.environ, COLUMNS="120",
                RECRUITLINK_DATABASE_URL=f"sqlite:///{tmp / 'ats.db'}",
                RECRUITLINK_LINKEDIN_API_URL=sandbox_url,
                RECRUITLINK_LINKEDIN_OAUTH_URL=sandbox_url,
                RECRUITLINK_PARTNER_CLIENT_ID="crash-partner",
                RECRUITLINK_PARTNER_CLIENT_SECRET="crash-secret",
                RECRUITLINK_SECRET_KEY="crash-test-key-at-least-32-characters-long",
                RECRUITLINK_SYNC_LEASE_SECONDS="1",
                RECRUITLINK_JOB_TASK_POLL_SECONDS="0")


def run_cli(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_sigkill_at_random_moments_loses_nothing(tmp_path):
    rng = random.Random(2026)
    with sandbox_process("--partner-client-id", "crash-partner", "--partner-client-secret",
                         "crash-secret", "--auto-enable", "--job-task-delay", "0.05",
                         "--no-demo", "--db", str(tmp_path / "linkedin.db")) as (url, _):
        env = env_for(tmp_path, url)
        from recruitlink.runtime.context import Runtime

        settings = Settings(**{k[len("RECRUITLINK_"):].lower(): v for k, v in env.items()
                               if k.startswith("RECRUITLINK_")})
        rt = Runtime.from_settings(settings)
        with rt.store.db.write() as conn:
            tenant = create_tenant(conn, ChangeSet, slug="acme", name="Acme", kind="ATS",
                                   now_ms=1_700_000_000_000)
        write_ats_data(rt.store, tenant.id, 1500)
        out = run_cli(env, "connect", "--tenant", "acme", "--organization", ORG,
                      "--contract", "urn:li:contract:9002", "--wait", "10")
        assert "ENABLED" in out

        stop_writing = threading.Event()
        writes = {"updated": 0, "created": 0, "deleted": 0}

        def ats_writer() -> None:
            n = 0
            while not stop_writing.is_set():
                n += 1
                with rt.store.writer(tenant.id) as w:
                    w.records("candidates", [(0, Candidate(
                        id=f"C{rng.randrange(1500)}", current_title=f"Title {n}"))],
                        mode="update")
                    writes["updated"] += 1
                    if n % 10 == 0:
                        w.records("candidates", [(0, Candidate(
                            id=f"NEW{n}", first_name="New", emails=[f"new{n}@example.com"]))],
                            mode="create")
                        w.records("applications", [(0, Application(
                            id=f"NEWA{n}", candidate_id=f"NEW{n}", job_id="J1"))],
                            mode="create")
                        writes["created"] += 1
                    if n % 25 == 0 and w.delete("candidates", f"C{rng.randrange(1500)}"):
                        writes["deleted"] += 1
                time.sleep(0.02)

        writer = threading.Thread(target=ats_writer)
        writer.start()
        try:
            for _ in range(KILLS):
                proc = subprocess.Popen([str(BIN), "sync", "start", "--tenant", "acme",
                                         "--follow"], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
                time.sleep(rng.uniform(1.0, 2.5))
                proc.kill()
                proc.wait()
        finally:
            stop_writing.set()
            writer.join()
        assert writes["updated"] > 100 and writes["created"] > 5 and writes["deleted"] > 2

        run_cli(env, "sync", "start", "--tenant", "acme", timeout=600)

        with rt.store.reader() as conn:
            candidates = {r.external_id: r for r in conn.execute(
                select(schema.candidates).where(schema.candidates.c.tenant_id == tenant.id))}
            applications = {r.external_id for r in conn.execute(select(
                schema.applications.c.external_id).where(
                schema.applications.c.tenant_id == tenant.id))}
            resent = conn.execute(select(func.count(), func.coalesce(func.max(
                schema.sync_batches.c.records), 0)).where(
                schema.sync_batches.c.attempts > 1)).one()
            prepared = conn.execute(select(func.count()).select_from(schema.sync_batches)
                                    .where(schema.sync_batches.c.status == "prepared")).scalar()
        rt.close()

        def linkedin(resource: str) -> dict[str, dict]:
            out, start = {}, 0
            while True:
                page = httpx.get(f"{url}/sandbox/organizations/{ORG}/records/{resource}",
                                 params={"start": start, "count": 1000}).json()
                for e in page["elements"]:
                    out[e["key"].get("atsCandidateId") or e["key"].get(
                        "atsJobApplicationId")] = e["record"]
                start += 1000
                if start >= page["paging"]["total"]:
                    return out

        synced = linkedin("atsCandidates")
        assert set(synced) == set(candidates)  # nothing lost, deletes propagated
        stale = [k for k, row in candidates.items()
                 if synced[k]["atsLastModifiedAt"] != row.modified_at
                 or synced[k].get("currentJobTitle") != row.current_title]
        assert stale == []  # every record carries its latest version
        assert set(linkedin("atsApplications")) == applications
        assert prepared == 0
        # Each kill leaves at most one prepared batch, sent again once on restart.
        assert resent[0] <= KILLS and resent[1] <= 1000
