"""Continuous-sync latency, end to end over loopback: from a data-API write (a new candidate,
`POST /api/v1/candidates`) to the candidate being visible on LinkedIn (the sandbox), p50 and
p99, in two phases:

1. idle: nothing else to sync;
2. backfill: the same writes while the server's runner is sending the historical run (the
   backfill) of --backfill records (candidates + 2 applications each, as
   bench/sync_throughput.py) — measured first, then idle once the backfill is done.

Two processes besides this one, as in production: `recruitlink sandbox` (throttles off) and
`recruitlink serve` (background sync on, pollers off) on a fresh SQLite store. This process
sets up the tenant, makes the writes at --rate per second and watches the sandbox for each
candidate (a control-API read every --poll-ms). Latency = first seen - just before the POST
(one machine, one clock); the watch adds up to --poll-ms. Figures only: nothing is asserted.

    .venv/bin/python bench/latency.py                        # 50 changes per phase
    .venv/bin/python bench/latency.py --changes 200 --backfill 60000
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from recruitlink.core.records import Application, Candidate, Job
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_api_key, create_tenant
from servers import start, stop  # bench/servers.py (bench/ is on sys.path)

try:
    from recruitlink.sync.connect import connect
except ImportError:  # pragma: no cover - a later layout
    from recruitlink.store.connect import connect  # type: ignore[no-redef]

BIN = Path(sys.executable).parent / "recruitlink"
KEY = "bench-secret-key-at-least-32-characters-long"
ORG = "urn:li:organization:4343"


def load_backfill(rt: Runtime, tenant_id: int, candidates: int) -> int:
    jobs = max(10, candidates // 1000)
    with rt.store.writer(tenant_id) as w:
        w.records("jobs", [(i, Job(id=f"J{i}", title=f"Role {i}", location="Paris, FR"))
                           for i in range(jobs)], mode="create")
    for start_at in range(0, candidates, 5000):
        ids = range(start_at, min(candidates, start_at + 5000))
        with rt.store.writer(tenant_id) as w:
            w.records("candidates", [(i, Candidate(id=f"B{i}", first_name=f"F{i}",
                                                   last_name=f"L{i}",
                                                   emails=[f"b{i}@example.com"]))
                                     for i in ids], mode="create")
            w.records("applications", [(k, Application(
                id=f"BA{i}-{n}", candidate_id=f"B{i}", job_id=f"J{(i + n) % jobs}"))
                for k, (i, n) in enumerate((i, n) for i in ids for n in (0, 1))],
                mode="create")
    return jobs + 3 * candidates


def synced(sandbox: httpx.Client, resource: str) -> int:
    page = sandbox.get(f"/sandbox/organizations/{ORG}/records/{resource}",
                       params={"count": 1}).json()
    return int(page["paging"]["total"])


def visible(sandbox: httpx.Client, candidate_id: str) -> bool:
    return sandbox.get(f"/sandbox/organizations/{ORG}/candidates/{candidate_id}"
                       ).status_code == 200


def measure(api: httpx.Client, li_url: str, phase: str, changes: int, rate: float,
            poll_s: float, timeout_s: float) -> list[float]:
    """POST `changes` new candidates at `rate`/s; each one's latency to visible, in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    begin = time.perf_counter()

    def one(n: int) -> None:
        ahead = begin + n / rate - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)
        candidate_id = f"{phase}-{n}"
        with httpx.Client(base_url=li_url, timeout=30) as sandbox:
            at = time.perf_counter()
            r = api.post("/api/v1/candidates", json={
                "id": candidate_id, "first_name": "Live", "last_name": f"Change {n}",
                "emails": [f"{candidate_id}@example.com"]})
            if r.status_code != 201:
                raise SystemExit(f"POST {candidate_id}: {r.status_code} {r.text[:300]}")
            deadline = at + timeout_s
            while time.perf_counter() < deadline:
                if visible(sandbox, candidate_id):
                    with lock:
                        latencies.append(1000 * (time.perf_counter() - at))
                    return
                time.sleep(poll_s)
        print(f"  {candidate_id} not visible after {timeout_s:.0f}s", flush=True)

    # Enough watchers that pacing holds while earlier changes are still on their way.
    with ThreadPoolExecutor(max_workers=max(4, math.ceil(rate * 3))) as pool:
        list(pool.map(one, range(changes)))
    return latencies


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def report(phase: str, latencies: list[float], changes: int, note: str = "") -> None:
    if not latencies:
        print(f"{phase:<9} no change became visible{note}")
        return
    print(f"{phase:<9} {len(latencies)}/{changes} visible; change -> visible on LinkedIn: "
          f"p50 {pct(latencies, 50):,.0f} ms, p99 {pct(latencies, 99):,.0f} ms, "
          f"max {max(latencies):,.0f} ms{note}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=50, help="Writes per phase.")
    parser.add_argument("--rate", type=float, default=5.0, help="Writes per second.")
    parser.add_argument("--backfill", type=int, default=30_000,
                        help="About this many records in the backfill phase (0: skip it).")
    parser.add_argument("--poll-ms", type=float, default=20.0)
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="Seconds a change may take before it counts as lost.")
    args = parser.parse_args()
    poll_s = args.poll_ms / 1000
    with tempfile.TemporaryDirectory(prefix="rl-latency-") as tmp_name:
        tmp = Path(tmp_name)
        db_url = f"sqlite:///{tmp / 'ats.db'}"
        li, li_url = start([str(BIN), "sandbox", "--port", "0", "--db", str(tmp / "li.db"),
                            "--partner-client-id", "bench", "--partner-client-secret", "bench",
                            "--auto-enable", "--job-task-delay", "0", "--no-demo",
                            "--records-per-minute", "1000000000",
                            "--requests-per-day", "1000000000"], "Sandbox listening on", {})
        procs = [li]
        try:
            settings = Settings(database_url=db_url, linkedin_api_url=li_url,
                                linkedin_oauth_url=li_url, partner_client_id="bench",
                                partner_client_secret="bench", secret_key=KEY,
                                job_task_poll_seconds=0.0, background_sync=False,
                                pollers=False, rate_records_per_minute=10**9,
                                rate_requests_per_day=10**9)
            rt = Runtime.from_settings(settings)
            with rt.store.db.write() as conn:
                tenant = create_tenant(conn, ChangeSet, slug="bench", name="Bench", kind="ATS",
                                       now_ms=int(time.time() * 1000))
                key = create_api_key(conn, tenant.id, name="latency",
                                     now_ms=int(time.time() * 1000))
            candidates = args.backfill // 3
            records = load_backfill(rt, tenant.id, candidates) if candidates else 0
            # Connecting starts the historical run: the backfill of what the store holds.
            partner = rt.partner()
            connect(rt.store, rt.box, rt.engine, partner, tenant_slug="bench",
                    organization=ORG, contracts=[], public_url="http://127.0.0.1:9")
            server, server_url = start(
                [str(BIN), "serve", "--port", "0", "--database-url", db_url],
                "recruitlink listening on", {
                    "RECRUITLINK_LINKEDIN_API_URL": li_url,
                    "RECRUITLINK_LINKEDIN_OAUTH_URL": li_url,
                    "RECRUITLINK_PARTNER_CLIENT_ID": "bench",
                    "RECRUITLINK_PARTNER_CLIENT_SECRET": "bench",
                    "RECRUITLINK_SECRET_KEY": KEY, "RECRUITLINK_BACKGROUND_SYNC": "true",
                    "RECRUITLINK_POLLERS": "false", "RECRUITLINK_JOB_TASK_POLL_SECONDS": "0",
                    "RECRUITLINK_RATE_RECORDS_PER_MINUTE": str(10**9),
                    "RECRUITLINK_RATE_REQUESTS_PER_DAY": str(10**9)})
            procs.append(server)
            with httpx.Client(base_url=server_url, timeout=60,
                              headers={"Authorization": f"Bearer {key}"}) as api, \
                    httpx.Client(base_url=li_url, timeout=30) as sandbox:
                if candidates:
                    print(f"backfill: {records:,} records in the historical run; "
                          f"{args.changes} new candidates at {args.rate:g}/s while it runs",
                          flush=True)
                    latencies = measure(api, li_url, "backfill", args.changes, args.rate,
                                        poll_s, args.timeout)
                    done = synced(sandbox, "atsApplications")
                    note = ("" if done < 2 * candidates else "; the backfill ended before "
                            "the last change: raise --backfill")
                    report("backfill", latencies, args.changes,
                           f" (by then {synced(sandbox, 'atsCandidates'):,} candidates and "
                           f"{done:,}/{2 * candidates:,} applications on LinkedIn{note})")
                    deadline = time.monotonic() + args.timeout * 10
                    while synced(sandbox, "atsApplications") < 2 * candidates:
                        if time.monotonic() > deadline:
                            raise SystemExit("the backfill did not finish")
                        time.sleep(1)
                print(f"idle: {args.changes} new candidates at {args.rate:g}/s", flush=True)
                report("idle", measure(api, li_url, "idle", args.changes, args.rate, poll_s,
                                       args.timeout), args.changes)
            partner.close()
            rt.close()
        finally:
            for proc in reversed(procs):
                stop(proc)


if __name__ == "__main__":
    main()
