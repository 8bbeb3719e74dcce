"""Historical sync benchmark, against `recruitlink sandbox` on loopback.

1. Throughput: N candidates + 2N applications (+ N/1000 jobs) in a fresh SQLite store, synced
   with throttles off; prints records/second end to end and the RSS of this process at each
   10% (memory must stay flat: everything is streamed in batches).
2. Budget use: the same kind of data with a records/minute limit set on both sides (LinkedIn's
   10,000/min scaled down so the run takes a few windows); prints the share of the allowed
   rate actually used and the 429s the sandbox answered (target: >= 95%, zero).

    .venv/bin/python bench/sync_throughput.py --candidates 1000000      # the full figure
    .venv/bin/python bench/sync_throughput.py --candidates 20000 --budget-minutes 3
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from recruitlink.core.records import Application, Candidate, Job
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from recruitlink.sync import control
from recruitlink.sync.connect import connect

BIN = Path(sys.executable).parent / "recruitlink"
DESCRIPTION = "<p>" + "We connect recruiting systems to LinkedIn Recruiter. " * 3 + "</p>"


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_sandbox(tmp: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([str(BIN), "sandbox", "--port", "0", "--db", str(tmp / "li.db"),
                             "--partner-client-id", "bench", "--partner-client-secret", "bench",
                             "--auto-enable", "--job-task-delay", "0", "--no-demo", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, COLUMNS="200"))
    assert proc.stdout is not None
    for line in proc.stdout:
        match = re.search(r"Sandbox listening on (http://\S+)", line)
        if match:
            return proc, match.group(1)
    raise SystemExit("sandbox did not start")


def load(rt: Runtime, tenant_id: int, candidates: int) -> int:
    jobs = max(10, candidates // 1000)
    with rt.store.writer(tenant_id) as w:
        w.records("jobs", [(i, Job(id=f"J{i}", title=f"Role {i}", description=DESCRIPTION,
                                   location="Paris, FR")) for i in range(jobs)], mode="create")
    chunk = 5000
    for start in range(0, candidates, chunk):
        ids = range(start, min(candidates, start + chunk))
        with rt.store.writer(tenant_id) as w:
            w.records("candidates", [(i, Candidate(
                id=f"C{i}", first_name=f"F{i}", last_name=f"L{i}",
                emails=[f"p{i}@example.com"])) for i in ids], mode="create")
            w.records("applications", [(k, Application(
                id=f"A{i}-{n}", candidate_id=f"C{i}", job_id=f"J{(i + n) % jobs}"))
                for k, (i, n) in enumerate((i, n) for i in ids for n in (0, 1))],
                mode="create")
    return jobs + candidates * 3


def sync(tmp: Path, url: str, candidates: int, *, per_minute: int | None,
         label: str) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp / (label + '.db')}",
                        linkedin_api_url=url, linkedin_oauth_url=url,
                        partner_client_id="bench", partner_client_secret="bench",
                        secret_key="bench-at-least-32-characters-long", job_task_poll_seconds=0.0,
                        # Throughput run: our own budget is lifted along with LinkedIn's.
                        rate_records_per_minute=per_minute or 10**9,
                        rate_requests_per_day=None if per_minute else 10**9)
    rt = Runtime.from_settings(settings)
    with rt.store.db.write() as conn:
        tenant = create_tenant(conn, ChangeSet, slug=label, name=label, kind="ATS",
                               now_ms=int(time.time() * 1000))
    started = time.perf_counter()
    records = load(rt, tenant.id, candidates)
    print(f"[{label}] loaded {records:,} records into the store in "
          f"{time.perf_counter() - started:.1f}s")
    partner = rt.partner()
    result = connect(rt.store, rt.box, rt.engine, partner, tenant_slug=label,
            organization=f"urn:li:organization:{abs(hash(label)) % 10**6}",
            contracts=[], public_url="http://127.0.0.1:9")
    marks = {10 * k: None for k in range(1, 11)}
    begin = time.perf_counter()
    samples: list[str] = []

    def on_step(_report: object) -> None:
        state = control.status(rt.engine, tenant.id)
        done = sum(m["done"] for m in (state.get("run") or {}).get("milestones", []))
        pct = 100 * done // max(1, records)
        for mark in marks:
            if marks[mark] is None and pct >= mark:
                marks[mark] = rss_mb()
                samples.append(f"{mark}%: {rss_mb():.0f} MB")
                # Printed as it happens so a long run shows its rate before it ends.
                seconds = time.perf_counter() - begin
                print(f"[{label}] {mark}% ({done:,} records) after {seconds:.0f}s = "
                      f"{done / max(seconds, 1e-9):,.0f} records/s, RSS {marks[mark]:.0f} MB",
                      flush=True)

    rt.engine.run(tenant.id, stop=lambda: False, on_step=on_step, until_done=True)
    elapsed = time.perf_counter() - begin
    state = control.status(rt.engine, tenant.id)
    print(f"[{label}] synced {records:,} records in {elapsed:.1f}s = "
          f"{records / elapsed:,.0f} records/s; ledger {state['ledger']}")
    print(f"[{label}] RSS of the sync process at each 10%: {', '.join(samples)}")
    if per_minute:
        # Milestones run one after another, each against its own family's budget, so the
        # share is per milestone. A sliding minute lets a full minute's records through at
        # once, then per_minute for every further minute: over T seconds LinkedIn allows
        # per_minute * (1 + T / 60) records.
        for m in state["run"]["milestones"]:
            if m["done"] < per_minute or not m["startedAt"] or not m["finishedAt"]:
                continue  # too small to say anything about a per-minute budget
            seconds = (m["finishedAt"] - m["startedAt"]) / 1000
            allowed = per_minute * (1 + seconds / 60)
            print(f"[{label}] {m['name']}: {m['done']:,} records in {seconds:.1f}s; LinkedIn "
                  f"allows {allowed:,.0f} in that time at {per_minute:,}/min: "
                  f"{m['done'] / allowed:.1%} of the allowed rate used")
    throttles = httpx.get(f"{url}/sandbox/throttles", params={"app": result.app_key}).json()
    refused = sum(int(v["throttled"]) for v in throttles["usage"].values())
    print(f"[{label}] 429s answered by LinkedIn (the sandbox): {refused}")
    partner.close()
    rt.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--candidates", type=int, default=1_000_000)
    parser.add_argument("--budget-minutes", type=float, default=3.0,
                        help="Length of the budget run (its limit is scaled to fit).")
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not args.skip_throughput:
            proc, url = start_sandbox(tmp, "--records-per-minute", "1000000000",
                                      "--requests-per-day", "1000000000")
            try:
                sync(tmp, url, args.candidates, per_minute=None, label="throughput")
            finally:
                proc.terminate()
                proc.wait()
        # Budget run: ~3 windows' worth of records at a limit both sides share.
        per_minute = 3000
        candidates = int(per_minute * 2 * args.budget_minutes / 3)
        proc, url = start_sandbox(tmp, "--records-per-minute", str(per_minute))
        try:
            sync(tmp, url, candidates, per_minute=per_minute, label="budget")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
