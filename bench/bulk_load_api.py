"""Bulk-load benchmark of the data API: N candidates, J jobs, then 2N applications through
`POST /api/v1/{entity}/bulk`, in calls of 10,000 NDJSON records generated on the fly and
streamed (chunked), never all held in memory.

It runs `recruitlink serve` as a subprocess on a fresh SQLite file (or --database-url), creates
a tenant and a key with the CLI, and prints records/second per entity and overall, and the
server's resident memory (VmRSS, and its peak VmHWM from /proc/<pid>/status) at checkpoints,
to show that memory stays flat however many records go through.

    .venv/bin/python bench/bulk_load_api.py                    # N = 1,000,000
    .venv/bin/python bench/bulk_load_api.py --candidates 20000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

CLI = [sys.executable, "-m", "recruitlink.cli"]
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia",
         "Tim", "Margaret", "Dennis", "Sophie", "Linus", "Hedy", "John"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
        "Perlman", "Berners-Lee", "Hamilton", "Ritchie", "Wilson", "Torvalds", "Lamarr"]
CITIES = ["London", "Leeds", "Manchester", "Dublin", "Berlin", "Paris", "Amsterdam", "Lisbon"]
STAGES = ["Applied", "Phone screen", "Onsite", "Offer", "Hired"]


def candidate(i: int) -> dict[str, Any]:
    first, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
    return {"id": f"c{i}", "first_name": first, "last_name": last,
            "emails": [f"{first}.{last}.{i}@example.com".lower()],
            "phones": [{"number": f"+44 20 {i:08d}", "type": "mobile"}],
            "current_title": "Software Engineer", "current_company": f"Company {i % 5000}",
            "location": CITIES[i % len(CITIES)], "tags": ["bench", f"cohort-{i % 12}"],
            "linkedin_url": f"https://www.linkedin.com/in/bench-{i}"}


def job(k: int) -> dict[str, Any]:
    return {"id": f"j{k}", "title": f"Engineer {k}", "location": CITIES[k % len(CITIES)],
            "status": "open", "description": "Build things. " * 20}


def application_for(jobs: int) -> Callable[[int], dict[str, Any]]:
    def application(k: int) -> dict[str, Any]:
        c = k // 2  # every candidate applies to two different jobs
        return {"id": f"a{k}", "candidate_id": f"c{c}", "job_id": f"j{(c + k % 2) % jobs}",
                "current_stage": STAGES[k % len(STAGES)], "source": "Career site"}

    return application


def ndjson(make: Callable[[int], dict[str, Any]], start: int, stop: int) -> Iterator[bytes]:
    """The records [start, stop) as NDJSON, in ~64 KB chunks."""
    lines: list[str] = []
    size = 0
    for i in range(start, stop):
        line = json.dumps(make(i), separators=(",", ":"))
        lines.append(line)
        size += len(line)
        if size >= 65_536:
            yield ("\n".join(lines) + "\n").encode()
            lines, size = [], 0
    if lines:
        yield ("\n".join(lines) + "\n").encode()


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process, in MB."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def run_cli(*args: str) -> str:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def start_server(database_url: str) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen([*CLI, "serve", "--port", "0", "--database-url", database_url],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**os.environ, "COLUMNS": "200"})
    assert server.stdout is not None
    for line in server.stdout:
        if "listening on" in line:
            url = line.rsplit(" ", 1)[-1].strip()
            break
    else:
        raise SystemExit("the server did not start")
    stdout = server.stdout

    def drain() -> None:  # keep the pipe from filling (and show any server error)
        for line in stdout:
            print(f"[server] {line}", end="", file=sys.stderr)

    threading.Thread(target=drain, daemon=True).start()
    return server, url


def load(client: httpx.Client, pid: int, entity: str, make: Callable[[int], dict[str, Any]],
         total: int, batch: int, checkpoints: int) -> float:
    """Send `total` records in calls of `batch`; returns the seconds it took."""
    calls = -(-total // batch)
    every = max(1, calls // checkpoints)
    started = time.perf_counter()
    for n, start in enumerate(range(0, total, batch), 1):
        stop = min(start + batch, total)
        response = client.post(f"/api/v1/{entity}/bulk", content=ndjson(make, start, stop),
                               headers={"Content-Type": "application/x-ndjson"})
        if response.status_code != 200:
            raise SystemExit(f"{entity} call {n}: {response.status_code} {response.text[:500]}")
        summary = response.json()["summary"]
        if summary["created"] != stop - start:
            bad = next(r for r in response.json()["results"] if r["status"] != "created")
            raise SystemExit(f"{entity} call {n}: {summary}; first: {bad}")
        if n % every == 0 or n == calls:
            elapsed = time.perf_counter() - started
            rss, peak = memory_mb(pid)
            print(f"  {entity:<13} {stop:>10,}/{total:,}  {stop / elapsed:>9,.0f} records/s  "
                  f"server RSS {rss:7.1f} MB  peak {peak:7.1f} MB", flush=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=1_000_000, help="N (default 1M)")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=10_000, help="Records per call.")
    parser.add_argument("--checkpoints", type=int, default=10, help="Memory readings per "
                                                                    "entity.")
    parser.add_argument("--database-url", help="Default: a fresh SQLite file.")
    args = parser.parse_args()
    if args.jobs < 2:
        parser.error("--jobs must be at least 2 (each candidate applies to two jobs)")

    with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        run_cli("db", "upgrade", "--database-url", url)
        run_cli("tenant", "create", "bench", "--kind", "BOTH", "--database-url", url)
        key = run_cli("apikey", "create", "--tenant", "bench", "--database-url",
                      url).strip().splitlines()[-1]
        server, base = start_server(url)
        try:
            rss, peak = memory_mb(server.pid)
            print(f"server {base} (pid {server.pid}) on {url}; idle RSS {rss:.1f} MB, "
                  f"peak {peak:.1f} MB", flush=True)
            plan = [("jobs", job, args.jobs),
                    ("candidates", candidate, args.candidates),
                    ("applications", application_for(args.jobs), 2 * args.candidates)]
            timings: list[tuple[str, int, float]] = []
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"},
                              timeout=httpx.Timeout(600, connect=10)) as client:
                for entity, make, total in plan:
                    seconds = load(client, server.pid, entity, make, total, args.batch,
                                   args.checkpoints)
                    timings.append((entity, total, seconds))
                listed = client.get("/api/v1/applications", params={"limit": 1}).json()
                assert listed["items"] and listed["next_cursor"], listed
            rss, peak = memory_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        print()
        print(f"{'entity':<13} {'records':>11} {'seconds':>9} {'records/s':>11}")
        for entity, total, seconds in timings:
            print(f"{entity:<13} {total:>11,} {seconds:>9.1f} {total / seconds:>11,.0f}")
        records = sum(t for _, t, _ in timings)
        seconds = sum(s for _, _, s in timings)
        print(f"{'overall':<13} {records:>11,} {seconds:>9.1f} {records / seconds:>11,.0f}")
        print(f"server memory at the end: RSS {rss:.1f} MB, peak (VmHWM) {peak:.1f} MB")


if __name__ == "__main__":
    main()
