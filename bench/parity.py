"""Live parity (issue 19) measured in one run, against `recruitlink sandbox` on loopback:

1. a parity round alone: a tenant of --candidates candidates and as many applications
   synced (throttles off), then one round reading the whole ledger back: records read back
   per second, and the CPU per 1,000 records of this process (parity) and of the sandbox;
2. the sync beside parity: --new candidates and as many applications added to that tenant
   and synced by the continuous sync, once alone and once with a parity thread running
   rounds back to back (in this process, as `serve` runs it): the sync's records/s, this
   process's CPU per 1,000 synced records (with the thread: the sync's and parity's), and
   their ratios to the run alone (--repeat: alternating, medians);
3. parity within its share of the budget: a second tenant synced under a low limit on both
   sides (--budget-per-minute records a minute and --budget-per-day requests a day, per
   family) with the parity thread running at `parity_share`: the 429s LinkedIn (the sandbox)
   answered, parity's requests and records against its share, the sync's time.

Two processes: the sandbox and this one (store on SQLite, the sync and parity in threads).
Figures only.

    .venv/bin/python bench/parity.py                       # ~2 minutes of phase 3
    .venv/bin/python bench/parity.py --candidates 20000 --new 5000 --repeat 3
    .venv/bin/python bench/parity.py --skip-budget         # phases 1 and 2 only
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from recruitlink.core.parity import share_of
from recruitlink.core.records import Application, Candidate, Job
from recruitlink.errors import Stopped
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from recruitlink.sync import parity
from recruitlink.sync.connect import connect
from servers import start, stop  # bench/servers.py (bench/ is on sys.path)
from webhooks import cpu_s  # bench/webhooks.py: a process's CPU time from /proc

BIN = Path(sys.executable).parent / "recruitlink"
KEY = "bench-secret-key-at-least-32-characters-long"
DESCRIPTION = "<p>" + "We connect recruiting systems to LinkedIn Recruiter. " * 3 + "</p>"
FAMILIES = ("atsCandidates", "atsApplications")
"""The families parity reads (an ATS tenant's candidates and applications)."""
LIFTED = 10**9


def runtime(tmp: Path, name: str, sandbox: str, per_minute: int, per_day: int) -> Runtime:
    return Runtime.from_settings(Settings(
        database_url=f"sqlite:///{tmp / f'{name}.db'}", linkedin_api_url=sandbox,
        linkedin_oauth_url=sandbox, partner_client_id="bench", partner_client_secret="bench",
        secret_key=KEY, job_task_poll_seconds=0.0, rate_records_per_minute=per_minute,
        rate_requests_per_day=per_day))


def add_records(rt: Runtime, tenant_id: int, first: int, candidates: int,
                jobs: int) -> int:
    """Candidates `first`.. with one application each (into the tenant's `jobs` jobs)."""
    chunk = 5000
    for start_at in range(first, first + candidates, chunk):
        ids = range(start_at, min(first + candidates, start_at + chunk))
        with rt.store.writer(tenant_id) as w:
            w.records("candidates", [(i, Candidate(
                id=f"C{i}", first_name=f"F{i}", last_name=f"L{i}",
                emails=[f"p{i}@example.com"])) for i in ids], mode="create")
            w.records("applications", [(i, Application(
                id=f"A{i}", candidate_id=f"C{i}", job_id=f"J{i % jobs}")) for i in ids],
                mode="create")
    return 2 * candidates


def connected_tenant(rt: Runtime, slug: str, candidates: int, org: int) -> tuple[int, int, str]:
    """A tenant with its data, connected: (tenant id, records, the sandbox's app key)."""
    with rt.store.db.write() as conn:
        tenant_id = create_tenant(conn, ChangeSet, slug=slug, name=slug, kind="ATS",
                                  now_ms=int(time.time() * 1000)).id
    jobs = max(10, candidates // 1000)
    with rt.store.writer(tenant_id) as w:
        w.records("jobs", [(i, Job(id=f"J{i}", title=f"Role {i}", description=DESCRIPTION,
                                   location="Paris, FR")) for i in range(jobs)], mode="create")
    records = jobs + add_records(rt, tenant_id, 0, candidates, jobs)
    partner = rt.partner()
    try:
        result = connect(rt.store, rt.box, rt.engine, partner, tenant_slug=slug,
                         organization=f"urn:li:organization:{org}", contracts=[],
                         public_url="http://127.0.0.1:9")
    finally:
        partner.close()
    return tenant_id, records, result.app_key


class ParityThread:
    """Parity rounds of one tenant back to back (a short rest when a round found nothing to
    read), until stopped; a round waiting for its share gives way when stopped."""

    def __init__(self, rt: Runtime, tenant_id: int, share: float, max_records: int) -> None:
        self.rounds: list[parity.RoundReport] = []
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(rt, tenant_id, share,
                                                                max_records), daemon=True)

    def _run(self, rt: Runtime, tenant_id: int, share: float, max_records: int) -> None:
        while not self._done.is_set():
            try:
                report = parity.run_round(rt.engine, tenant_id, share=share,
                                          max_records=max_records,
                                          should_stop=self._done.is_set)
            except Stopped:
                return
            self.rounds.append(report)
            if not report.calls:
                self._done.wait(0.2)

    def __enter__(self) -> ParityThread:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join(60)

    def calls(self) -> int:
        return sum(r.calls for r in self.rounds)

    def checked(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rounds:
            for entity, n in r.checked.items():
                out[entity] = out.get(entity, 0) + n
        return out

    def drift(self) -> dict[str, int]:
        return drift_by_kind(self.rounds)


def drift_by_kind(rounds: list[parity.RoundReport]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in rounds:
        for kinds in r.drift.values():
            for kind, n in kinds.items():
                out[kind] = out.get(kind, 0) + n
    return out


def said(drift: dict[str, int]) -> str:
    found = {k: n for k, n in drift.items() if n}
    return ", ".join(f"{n} {k}" for k, n in found.items()) if found else "none"


def timed_sync(rt: Runtime, tenant_id: int) -> tuple[float, float]:
    """The sync until caught up: (wall seconds, this process's CPU seconds)."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    rt.engine.run(tenant_id, stop=lambda: False, until_done=True)
    return time.perf_counter() - wall0, time.process_time() - cpu0


# -- 1 and 2: a round alone, and the sync with and without parity ---------------------------

def round_alone(rt: Runtime, tenant_id: int, sandbox_pid: int,
                max_records: int) -> dict[str, float]:
    cpu0, wall0, box0 = time.process_time(), time.perf_counter(), cpu_s(sandbox_pid)
    report = parity.run_round(rt.engine, tenant_id, share=rt.settings.parity_share,
                              max_records=max_records)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    box = cpu_s(sandbox_pid) - box0
    read = sum(report.checked.values())
    drift = sum(n for kinds in report.drift.values() for n in kinds.values())
    return {"read": read, "calls": report.calls, "seconds": wall, "per_s": read / wall,
            "cpu_ms_per_1k": 1e6 * cpu / max(1, read),
            "sandbox_ms_per_1k": 1e6 * box / max(1, read), "drift": drift}


def throughput(tmp: Path, sandbox: str, sandbox_pid: int, candidates: int, new: int,
               repeat: int) -> None:
    rt = runtime(tmp, "throughput", sandbox, LIFTED, LIFTED)
    tenant_id, records, _ = connected_tenant(rt, "throughput", candidates, 7001)
    jobs = max(10, candidates // 1000)
    wall, _ = timed_sync(rt, tenant_id)
    print(f"historical sync: {records:,} records in {wall:.1f} s = {records / wall:,.0f}/s "
          "(throttles off)")
    alone = round_alone(rt, tenant_id, sandbox_pid, max_records=records)  # the whole ledger
    print(f"\n1. a parity round alone: {alone['read']:,} records read back in "
          f"{alone['calls']} calls, {alone['seconds']:.2f} s = {alone['per_s']:,.0f} "
          f"records/s; CPU per 1,000 records: this process {alone['cpu_ms_per_1k']:.0f} ms, "
          f"the sandbox {alone['sandbox_ms_per_1k']:.0f} ms; drift found: {alone['drift']}")

    runs: dict[bool, list[dict[str, float]]] = {False: [], True: []}
    first = candidates
    for _ in range(max(1, repeat)):
        for with_parity in (False, True):
            added = add_records(rt, tenant_id, first, new, jobs)
            first += new
            if with_parity:
                with ParityThread(rt, tenant_id, rt.settings.parity_share,
                                  rt.settings.parity_max_records) as thread:
                    wall, cpu = timed_sync(rt, tenant_id)
                read = sum(thread.checked().values())
            else:
                (wall, cpu), read = timed_sync(rt, tenant_id), 0
            runs[with_parity].append({"records": added, "seconds": wall,
                                      "per_s": added / wall,
                                      "cpu_ms_per_1k": 1e6 * cpu / added, "read": read})
    rt.close()
    med = {k: {f: statistics.median(r[f] for r in v) for f in v[0]} for k, v in runs.items()}
    base = med[False]
    times = f", medians of {repeat}" if repeat > 1 else ""
    print(f"\n2. the continuous sync of {int(base['records']):,} new records, with and "
          f"without a parity thread (rounds back to back{times}):")
    print(f"{'parity':<10}{'sync s':>9}{'records/s':>11}{'ratio':>8}{'CPU ms/1k':>11}"
          f"{'ratio':>8}{'read back meanwhile':>21}")
    for with_parity in (False, True):
        run = med[with_parity]
        print(f"{'running' if with_parity else 'off':<10}{run['seconds']:>9.2f}"
              f"{run['per_s']:>11,.0f}{run['per_s'] / base['per_s']:>8.2f}"
              f"{run['cpu_ms_per_1k']:>11.0f}{run['cpu_ms_per_1k'] / base['cpu_ms_per_1k']:>8.2f}"
              f"{int(run['read']):>21,}")
    print("ratio: to the sync without parity (records/s: below 1 is slower; CPU: the "
          "process's, parity's thread included)")


# -- 3: parity within its share of a low budget ----------------------------------------------

class Changes:
    """A recruiter's edits at a steady rate: `per_s` candidates' titles changed a second
    (cycling over the tenant's candidates), for the continuous sync to send."""

    def __init__(self, rt: Runtime, tenant_id: int, candidates: int, per_s: float) -> None:
        self.written = 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(rt, tenant_id, candidates,
                                                                per_s), daemon=True)

    def _run(self, rt: Runtime, tenant_id: int, candidates: int, per_s: float) -> None:
        begin = time.monotonic()
        while not self._done.wait(0.5):
            due = int(per_s * (time.monotonic() - begin)) - self.written
            if due <= 0:
                continue
            with rt.store.writer(tenant_id) as w:
                w.records("candidates", [(0, Candidate(
                    id=f"C{(self.written + k) % candidates}",
                    current_title=f"Title {self.written + k}")) for k in range(due)],
                    mode="update")
            self.written += due

    def __enter__(self) -> Changes:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join(30)


def within_share(tmp: Path, sandbox: str, candidates: int, per_minute: int, per_day: int,
                 load: float, seconds: float) -> None:
    control = f"{sandbox}/sandbox/throttles"
    httpx.put(control, json={"perMinute": per_minute, "perDay": per_day}).raise_for_status()
    try:
        rt = runtime(tmp, "budget", sandbox, per_minute, per_day)
        share = rt.settings.parity_share
        tenant_id, records, app_key = connected_tenant(rt, "budget", candidates, 7002)
        historical, _ = timed_sync(rt, tenant_id)
        stop_sync = threading.Event()
        syncing = threading.Thread(target=rt.engine.run, args=(tenant_id,),
                                   kwargs={"stop": stop_sync.is_set}, daemon=True)
        began = time.perf_counter()
        with ParityThread(rt, tenant_id, share, rt.settings.parity_max_records) as thread:
            syncing.start()
            with Changes(rt, tenant_id, candidates, load * per_minute / 60) as changes:
                time.sleep(seconds)
            stop_sync.set()
            syncing.join(60)
            elapsed = time.perf_counter() - began
            usage = httpx.get(control, params={"app": app_key}).json()["usage"]
        catch_up, _ = timed_sync(rt, tenant_id)  # what the sync had left when stopped
        # Nothing changes any more: a round now says what was drift and what was a record
        # changing while the rounds ran.
        quiet = parity.run_round(rt.engine, tenant_id, share=share,
                                 max_records=rt.settings.parity_max_records)
        rt.close()
    finally:
        httpx.put(control, json={"perMinute": LIFTED, "perDay": LIFTED}).raise_for_status()
    minute_share, day_share = share_of(per_minute, share), share_of(per_day, share)
    # A sliding window lets a full window through at once, then its limit per window.
    allowed = int(minute_share * (1 + elapsed / 61))
    print(f"\n3. {per_minute:,} records a minute and {per_day:,} requests a day per family "
          f"(both sides); parity's share {share:.0%}: {minute_share:,} records a minute, "
          f"{day_share:,} requests a day per family. A tenant of {records:,} records synced "
          f"({historical:.1f} s), then for {elapsed:.0f} s: {changes.written:,} candidates "
          f"changed ({load:.0%} of the candidates' minute) and sent by the continuous sync "
          f"(caught up {catch_up:.1f} s after the last change), parity's thread beside it "
          f"({len(thread.rounds)} rounds completed, {thread.calls()} requests, drift found: "
          f"{said(thread.drift())}; a round once the changes stopped: "
          f"{said(drift_by_kind([quiet]))}):")
    checked = thread.checked()
    print(f"   {'family':<17}{'parity read':>12}{'its share allows':>18}"
          f"{'requests today (all)':>22}{'of':>7}{'429s':>6}")
    refused = 0
    for family, entity in zip(FAMILIES, ("candidates", "applications"), strict=True):
        used = usage[family]
        refused += int(used["throttled"])
        print(f"   {family:<17}{checked.get(entity, 0):>12,}{allowed:>18,}"
              f"{used['requestsToday']:>22,}{per_day:>7,}{used['throttled']:>6}")
    print(f"   parity's requests: {thread.calls()}, its share of the day: at most "
          f"{day_share} per family; 429s answered by LinkedIn (the sandbox): {refused}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=3000,
                        help="Candidates of the synced tenant (and one application each).")
    parser.add_argument("--new", type=int, default=1500,
                        help="New candidates (and one application each) per sync of phase 2.")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--budget-candidates", type=int, default=250,
                        help="Phase 3's tenant (its historical sync fits in one window).")
    parser.add_argument("--budget-per-minute", type=int, default=3000)
    parser.add_argument("--budget-per-day", type=int, default=2000)
    parser.add_argument("--budget-load", type=float, default=0.1,
                        help="The changes' rate, as a part of the candidates' minute.")
    parser.add_argument("--budget-seconds", type=float, default=70.0,
                        help="How long the changes, the sync and parity run together.")
    parser.add_argument("--skip-budget", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rl-parity-") as tmp_name:
        tmp = Path(tmp_name)
        proc, sandbox = start(
            [str(BIN), "sandbox", "--port", "0", "--db", str(tmp / "li.db"),
             "--partner-client-id", "bench", "--partner-client-secret", "bench",
             "--auto-enable", "--job-task-delay", "0", "--no-demo",
             "--records-per-minute", str(LIFTED), "--requests-per-day", str(LIFTED)],
            "Sandbox listening on", {})
        try:
            throughput(tmp, sandbox, proc.pid, args.candidates, args.new, args.repeat)
            if not args.skip_budget:
                within_share(tmp, sandbox, args.budget_candidates, args.budget_per_minute,
                             args.budget_per_day, args.budget_load, args.budget_seconds)
        finally:
            stop(proc)


if __name__ == "__main__":
    main()

