"""One-Click Export latency, end to end over loopback: from the moment a recruiter exports a
member in Recruiter (the sandbox) to the candidate being committed in the ATS store.

Acceptance point: "an export is in the ATS within 2 seconds of the push (p50 and p99 over
1,000 exports)".

Two processes besides this one, as in production: `recruitlink sandbox` (LinkedIn: it records
the export and sends the signed EXPORT_CANDIDATE_PROFILE push from its outbox) and
`recruitlink serve` (receives the push into `inbox_events`, whose inbound worker fetches the
export from LinkedIn and commits the candidate, marking the event done in the same
transaction). This process sets up the tenant (users, jobs, Recruiter seats mapped by email),
connects it with the served app's URL as the callback, syncs the jobs so they can be exported
into, then issues the exports through the sandbox's control API.

Latency of one export = inbox_events.processed_at - time.time() just before the export POST
(one machine, one clock), split into "before the push arrived" (received_at - export) and
"processing" (processed_at - received_at). By default the server runs with
RECRUITLINK_BACKGROUND_SYNC=false and RECRUITLINK_POLLERS=false so that only the push path is
measured; `--background-sync` leaves both on (the exported candidates then sync back to
LinkedIn while the exports arrive). Figures only: nothing is asserted.

    .venv/bin/python bench/export_latency.py --exports 1000             # 10 exports/s
    .venv/bin/python bench/export_latency.py --exports 1000 --rate 50
    .venv/bin/python bench/export_latency.py --exports 1000 --burst     # no pacing
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import select

from recruitlink.core.records import Job, User
from recruitlink.inbound.seats import pull_seats, refresh_seats
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store import connections, schema
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from recruitlink.sync.connect import connect
from servers import start, stop  # bench/servers.py (bench/ is on sys.path)

BIN = Path(sys.executable).parent / "recruitlink"
KEY = "bench-secret-key-at-least-32-characters-long"
ORG = "urn:li:organization:4242"
CONTRACT = "urn:li:contract:4242"
SEAT_QUOTA = 300  # exports per seat per month in the sandbox (as on LinkedIn)
JOBS = 5
DESCRIPTION = "<p>" + "We connect recruiting systems to LinkedIn Recruiter. " * 3 + "</p>"


def members(sandbox: httpx.Client, wanted: int) -> list[str]:
    """Exportable members of the synthetic directory (exportBlocked ones skipped)."""
    found: list[str] = []
    start_at = 0
    while len(found) < wanted:
        page = sandbox.get("/sandbox/members", params={"start": start_at, "count": 1000}).json()
        if not page["elements"]:
            raise SystemExit(f"the sandbox has only {len(found)} exportable members; "
                             "ask for fewer exports")
        found += [m["person"] for m in page["elements"] if not m["exportBlocked"]]
        start_at += len(page["elements"])
    return found[:wanted]


def inbox(rt: Runtime, tenant_id: int) -> dict[str, Any]:
    with rt.store.reader() as conn:
        rows = conn.execute(select(schema.inbox_events).where(
            schema.inbox_events.c.tenant_id == tenant_id)).all()
    return {r.request_id: r for r in rows}


def wait_for(what: str, check: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}")


def setup(rt: Runtime, sandbox: httpx.Client, server_url: str, seats: int,
          persons: list[str], background_sync: bool) -> tuple[int, list[dict[str, Any]]]:
    """The tenant: a default integration user, one recruiter per seat (mapped by email),
    JOBS open jobs; connected, ENABLED through the signed status pushes, jobs synced."""
    with rt.store.db.write() as conn:
        tenant = create_tenant(conn, ChangeSet, slug="bench", name="Bench", kind="ATS",
                               now_ms=int(time.time() * 1000))
    made = []
    for person in persons:
        r = sandbox.post(f"/sandbox/contracts/{CONTRACT}/seats", json={"person": person})
        r.raise_for_status()
        made.append(r.json())
    with rt.store.writer(tenant.id) as w:
        w.records("users", [(i, User(id=f"U{i}", name=f"Recruiter {i}",
                                     email=seat["emailAddress"], role="recruiter"))
                            for i, seat in enumerate(made)]
                  + [(len(made), User(id="INT", name="Integration", role="admin",
                                      email="integration@bench.example",
                                      is_default_integration_user=True))], mode="create")
        w.records("jobs", [(i, Job(id=f"J{i}", title=f"Role {i}", description=DESCRIPTION,
                                   location="Paris, FR", published_at="2025-01-01T00:00:00Z"))
                           for i in range(JOBS)], mode="create")
    # The partner client shares the engine's HTTP client: rt.close() closes both.
    connect(rt.store, rt.box, rt.engine, rt.partner(), tenant_slug="bench", organization=ORG,
            contracts=[CONTRACT], public_url=server_url)
    for context in (CONTRACT, ORG):
        sandbox.post("/sandbox/integrations/status",
                     json={"integrationContext": context, "status": "ENABLED"}
                     ).raise_for_status()
    wait_for("the status pushes", lambda: (
        len(events := inbox(rt, tenant.id)) >= 2
        and all(e.status == "done" for e in events.values())), 60)
    client = rt.engine.client_for(connections.load_required(rt.store, tenant.id, rt.box))
    report = refresh_seats(rt.store, tenant.id, pull_seats(client, [CONTRACT]),
                           int(time.time() * 1000))
    if not background_sync:  # the server does not sync: this process runs the history
        deadline = time.monotonic() + 300
        rt.engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    wait_for("the jobs to be exportable", lambda: len(sandbox.get(
        f"/sandbox/recruiter/seats/{made[0]['id']}/export-targets").json()["elements"]) >= JOBS,
        300)
    print(f"setup: tenant {tenant.id}, {len(made)} seats ({report.mapped} mapped by email), "
          f"{JOBS} jobs synced", flush=True)
    return tenant.id, made


def issue(sandbox: httpx.Client, seats: list[dict[str, Any]], persons: list[str],
          rate: float | None, senders: int
          ) -> tuple[dict[str, float], list[float], Counter[str], float]:
    """Export each person, round-robin over seats and jobs, at `rate`/s (None: as fast as
    `senders` concurrent recruiters get them accepted). Returns request id -> time.time()
    just before its POST (ms), POST round trips (ms), refusals by status and reason, and the
    seconds spent issuing."""
    sent: dict[str, float] = {}
    round_trips: list[float] = []
    refused: Counter[str] = Counter()
    lock = threading.Lock()
    begin = time.perf_counter()

    def one(i: int) -> None:
        if rate:
            ahead = begin + i / rate - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)
        at = time.time() * 1000
        r = sandbox.post("/sandbox/recruiter/exports", json={
            "seat": seats[i % len(seats)]["id"], "person": persons[i],
            "externalJobPostingId": f"J{i % JOBS}"})
        with lock:
            round_trips.append(time.time() * 1000 - at)
            if r.status_code == 201:
                sent[r.json()["requestId"]] = at
            else:
                refused[f"{r.status_code} {r.text[:120]}"] += 1

    with ThreadPoolExecutor(max_workers=senders) as pool:
        list(pool.map(one, range(len(persons))))
    return sent, round_trips, refused, time.perf_counter() - begin


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def line(label: str, values: list[float]) -> str:
    v = sorted(values)
    return (f"{label:<34} p50 {pct(v, 50):7.0f}  p90 {pct(v, 90):7.0f}  p99 {pct(v, 99):7.0f}  "
            f"max {v[-1]:7.0f}  mean {sum(v) / len(v):7.0f}")


def report(sent: dict[str, float], events: dict[str, Any], round_trips: list[float],
           refused: Counter[str], issuing_s: float) -> None:
    done = [(sent[rid], events[rid]) for rid in sent
            if rid in events and events[rid].processed_at is not None]
    outcomes = Counter(f"{e.status}/{e.outcome}" for _, e in done)
    missing = len(sent) - len(done)
    print(f"\nexports issued: {len(sent) + sum(refused.values())} in {issuing_s:.1f}s "
          f"({(len(sent) + sum(refused.values())) / max(issuing_s, 1e-9):.1f}/s); "
          f"accepted {len(sent)}, refused {sum(refused.values())}")
    for reason, n in refused.most_common():
        print(f"  refused x{n}: {reason}")
    print(f"processed: {len(done)} ({', '.join(f'{k} {n}' for k, n in outcomes.items())}); "
          f"not processed before the timeout: {missing}")
    if not done:
        return
    total = [e.processed_at - at for at, e in done]
    before = [e.received_at - at for at, e in done]
    processing = [e.processed_at - e.received_at for at, e in done]
    first = min(at for at, _ in done)
    last = max(e.processed_at for _, e in done)
    print(f"\nlatency in ms (count {len(done)})")
    print(line("export -> in the ATS (total)", total))
    print(line("  export -> push received", before))
    print(line("  push received -> committed", processing))
    print(line("  (export POST round trip)", round_trips))
    under = sum(t < 2000 for t in total)
    print(f"\nunder 2 s: {under}/{len(total)} = {under / len(total):.1%}")
    print(f"throughput: {len(done) / max((last - first) / 1000, 1e-9):.1f} exports/s "
          f"(first export to last commit, {(last - first) / 1000:.1f}s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exports", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="Exports per second.")
    parser.add_argument("--burst", action="store_true",
                        help="Issue the exports with no pacing, to show queueing.")
    parser.add_argument("--senders", type=int, default=4,
                        help="Concurrent export requests (keeps the pace when one is slow; "
                             "with --burst, how hard the sandbox is pressed).")
    parser.add_argument("--background-sync", action="store_true",
                        help="Leave the server's background sync and pollers on.")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="Seconds to wait for the last export after issuing.")
    args = parser.parse_args()
    seats = max(1, math.ceil(args.exports / SEAT_QUOTA))
    rate = None if args.burst else args.rate
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        db_url = f"sqlite:///{tmp / 'ats.db'}"
        li, li_url = start([str(BIN), "sandbox", "--port", "0", "--db", str(tmp / "li.db"),
                            "--partner-client-id", "bench", "--partner-client-secret", "bench",
                            "--job-task-delay", "0", "--no-demo",
                            "--members", str(max(10_000, 2 * (args.exports + seats)))],
                           "Sandbox listening on", {})
        procs = [li]
        try:
            flag = "true" if args.background_sync else "false"
            server, server_url = start(
                [str(BIN), "serve", "--port", "0", "--database-url", db_url],
                "recruitlink listening on", {
                    "RECRUITLINK_LINKEDIN_API_URL": li_url,
                    "RECRUITLINK_LINKEDIN_OAUTH_URL": li_url,
                    "RECRUITLINK_PARTNER_CLIENT_ID": "bench",
                    "RECRUITLINK_PARTNER_CLIENT_SECRET": "bench",
                    "RECRUITLINK_SECRET_KEY": KEY,
                    "RECRUITLINK_BACKGROUND_SYNC": flag, "RECRUITLINK_POLLERS": flag,
                    "RECRUITLINK_JOB_TASK_POLL_SECONDS": "0"})
            procs.append(server)
            settings = Settings(database_url=db_url, linkedin_api_url=li_url,
                                linkedin_oauth_url=li_url, partner_client_id="bench",
                                partner_client_secret="bench", secret_key=KEY,
                                public_url=server_url, job_task_poll_seconds=0.0,
                                background_sync=False, pollers=False)
            rt = Runtime.from_settings(settings)
            sandbox = httpx.Client(base_url=li_url, timeout=30)
            try:
                people = members(sandbox, args.exports + seats)
                tenant_id, made = setup(rt, sandbox, server_url, seats, people[:seats],
                             args.background_sync)
                pace = "no pacing (--burst)" if rate is None else f"{rate:g}/s"
                print(f"issuing {args.exports} exports at {pace} from {args.senders} senders "
                      f"over {seats} seats; server "
                      f"background sync and pollers {'on' if args.background_sync else 'off'}",
                      flush=True)
                sent, round_trips, refused, issuing_s = issue(sandbox, made, people[seats:],
                                                              rate, args.senders)
                deadline = time.monotonic() + args.timeout
                events = inbox(rt, tenant_id)
                while time.monotonic() < deadline and any(
                        rid not in events or events[rid].processed_at is None for rid in sent):
                    time.sleep(0.5)
                    events = inbox(rt, tenant_id)
                report(sent, events, round_trips, refused, issuing_s)
            finally:
                sandbox.close()
                rt.close()
        finally:
            for proc in reversed(procs):
                stop(proc)


if __name__ == "__main__":
    main()
