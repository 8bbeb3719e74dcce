"""One measured end-to-end sync, printed as one JSON line: the child `bench/compare.py` runs
once per side (an earlier commit's code, then the working tree's), with PYTHONPATH pointing
at that side's `src/`, so the same harness and the same data exercise each side's code.

It starts `recruitlink sandbox` (that side's code: the subprocess inherits PYTHONPATH) with
throttles off, loads N candidates + 2N applications + N/1000 jobs (as bench/sync_throughput.py)
into a fresh SQLite store, connects, then syncs until done, and measures the sync alone:
wall time, this process's CPU (all threads), the sandbox process's CPU (from /proc), and the
peak RSS of each (VmHWM; this process's is reset just before the sync where Linux allows).
The sync runs as `recruitlink sync start` runs it: inside `core.heap.settled` where the side
has it (its collection before the sync is not timed).

    PYTHONPATH=src .venv/bin/python bench/sync_measure.py --records 20000

Only APIs that have been stable since issue 16 are used, with fallbacks for modules issue 17
moves, so the harness runs against either side.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from recruitlink.core.records import Application, Candidate, Job, Phone
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from servers import start as start_server  # bench/servers.py (bench/ is on sys.path)
from servers import stop as stop_server

try:
    from recruitlink.sync.connect import connect
except ImportError:  # pragma: no cover - a later layout
    from recruitlink.store.connect import connect  # type: ignore[no-redef]
try:  # what `recruitlink sync start` runs the sync in, where the side has it
    from recruitlink.core.heap import settled
except ImportError:  # pragma: no cover - an earlier commit: its sync ran without
    settled = contextlib.nullcontext  # type: ignore[assignment]

BIN = Path(sys.executable).parent / "recruitlink"
DESCRIPTION = "<p>" + "We connect recruiting systems to LinkedIn Recruiter. " * 3 + "</p>"
TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


def peak_rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak_rss() -> None:
    with contextlib.suppress(OSError):  # Linux >= 4.0: "5" resets VmHWM to the current RSS
        Path("/proc/self/clear_refs").write_text("5")


def start_sandbox(tmp: Path) -> tuple[subprocess.Popen[str], str]:
    return start_server([str(BIN), "sandbox", "--port", "0", "--db", str(tmp / "li.db"),
                         "--partner-client-id", "bench", "--partner-client-secret", "bench",
                         "--auto-enable", "--job-task-delay", "0", "--no-demo",
                         "--records-per-minute", "1000000000",
                         "--requests-per-day", "1000000000"],
                        "Sandbox listening on", {})


def load(rt: Runtime, tenant_id: int, candidates: int) -> int:
    """The same records on every side: ids and values depend on the index only."""
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
                emails=[f"p{i}@example.com"],
                phones=[Phone(number=f"+33 1 {i % 10**8:08d}", type="mobile")]))
                for i in ids], mode="create")
            w.records("applications", [(k, Application(
                id=f"A{i}-{n}", candidate_id=f"C{i}", job_id=f"J{(i + n) % jobs}"))
                for k, (i, n) in enumerate((i, n) for i in ids for n in (0, 1))],
                mode="create")
    return jobs + candidates * 3


def measure(tmp: Path, url: str, sandbox_pid: int, candidates: int) -> dict[str, Any]:
    settings = Settings(database_url=f"sqlite:///{tmp / 'ats.db'}",
                        linkedin_api_url=url, linkedin_oauth_url=url,
                        partner_client_id="bench", partner_client_secret="bench",
                        secret_key="bench-at-least-32-characters-long", job_task_poll_seconds=0.0,
                        rate_records_per_minute=10**9, rate_requests_per_day=10**9)
    rt = Runtime.from_settings(settings)
    with rt.store.db.write() as conn:
        tenant = create_tenant(conn, ChangeSet, slug="bench", name="bench", kind="ATS",
                               now_ms=int(time.time() * 1000))
    records = load(rt, tenant.id, candidates)
    partner = rt.partner()
    connect(rt.store, rt.box, rt.engine, partner, tenant_slug="bench",
            organization="urn:li:organization:4242", contracts=[],
            public_url="http://127.0.0.1:9")
    with settled():
        reset_peak_rss()
        t0 = os.times(); cpu0, box0, wall0 = time.process_time(), proc_cpu_s(sandbox_pid), time.perf_counter()
        report = rt.engine.run(tenant.id, stop=lambda: False, until_done=True)
        wall = time.perf_counter() - wall0
        cpu, box = time.process_time() - cpu0, proc_cpu_s(sandbox_pid) - box0; t1 = os.times(); print("USER", (t1.user-t0.user)/records*1e6, "SYS", (t1.system-t0.system)/records*1e6, file=sys.stderr)
    if getattr(report, "kind", None) == "error" or getattr(report, "terminal", False):
        raise SystemExit(f"the sync ended with an error: {report}")
    figures = {"records": records, "seconds": wall, "records_per_s": records / wall,
               "sync_cpu_ms_per_1k": 1e6 * cpu / records,
               "sandbox_cpu_ms_per_1k": 1e6 * box / records,
               "sync_peak_rss_mb": peak_rss_mb(),
               "sandbox_peak_rss_mb": peak_rss_mb(sandbox_pid),
               "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    partner.close()
    rt.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000,
                        help="About this many records (a third candidates, two thirds "
                             "applications, plus jobs).")
    args = parser.parse_args()
    if args.records < 30:
        parser.error("--records must be at least 30")
    with tempfile.TemporaryDirectory(prefix="rl-measure-") as tmp_name:
        tmp = Path(tmp_name)
        proc, url = start_sandbox(tmp)
        try:
            figures = measure(tmp, url, proc.pid, args.records // 3)
        finally:
            stop_server(proc)
    import recruitlink
    figures["code"] = str(Path(recruitlink.__file__).resolve().parents[1])
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
