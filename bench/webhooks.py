"""Webhooks to the host ATS (issue 18), measured in one run:

1. delivery throughput: --events events written to a tenant's log, then delivered (signed,
   POSTed, marked delivered) to a local receiver that verifies each with `standardwebhooks`:
   events/s from the first to the last delivery;
2. the sync beside the webhooks: the same historical sync four times on the same data (one
   candidate in --rejected-every with an email LinkedIn refuses, so the sync writes
   `record.rejected` events), with no endpoint, with an endpoint at a fast local receiver,
   with one at a slow receiver (--slow-ms per answer), and with one that is down (its port
   refuses connections). Printed side by side: the sync's wall time, this process's CPU
   per 1,000 records (the sync's process) and the delivery process's CPU per 1,000 records
   (the delivery loop runs in a child process, as `serve` runs it; `--in-thread`: in a
   thread of this process, as before), and their ratios to the run without an endpoint (the
   added cost; a slow or dead endpoint must not slow the sync).

Four processes: `recruitlink sandbox` (throttles off), the receiver (uvicorn), the delivery
process and this one (store on SQLite, the sync engine in a thread). The throughput run's
delivery loop is a thread of this process (the engine's speed, without a process to start).
Figures only.

    .venv/bin/python bench/webhooks.py                       # 2,000 events, ~6,000 records
    .venv/bin/python bench/webhooks.py --events 10000 --records 30000 --slow-ms 2000
    .venv/bin/python bench/webhooks.py --repeat 3            # medians, on a busy machine
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
import uvicorn
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from recruitlink.core.records import Application, Candidate, Job
from recruitlink.runtime.context import Runtime
from recruitlink.runtime.deliveries import DeliveryProcess
from recruitlink.runtime.servers import bound_socket
from recruitlink.settings import Settings
from recruitlink.store import host_events, schema, webhooks
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from recruitlink.sync.connect import connect
from servers import start, stop  # bench/servers.py (bench/ is on sys.path)

BIN = Path(sys.executable).parent / "recruitlink"
KEY = "bench-secret-key-at-least-32-characters-long"
DESCRIPTION = "<p>" + "We connect recruiting systems to LinkedIn Recruiter. " * 3 + "</p>"


def receiver_app(secret: str, slow_ms: int) -> Starlette:
    """A host ATS's endpoint reduced to what costs: verify the signature, answer 204."""
    verifier = Webhook(secret)

    async def receive(request: Request) -> Response:
        body = await request.body()
        try:
            verifier.verify(body, dict(request.headers), json_parse=False)
        except WebhookVerificationError:
            return Response(status_code=401)
        if slow_ms:
            await asyncio.sleep(slow_ms / 1000)
        return Response(status_code=204)

    return Starlette(routes=[Route("/hook", receive, methods=["POST"])])


def run_receiver(port: int, secret: str, slow_ms: int) -> None:
    uvicorn.run(receiver_app(secret, slow_ms), host="127.0.0.1", port=port, log_level="error",
                access_log=False)


@contextmanager
def receiving(rt: Runtime, tenant_id: int, slow_ms: int = 0,
              subscribed: bool = True, down: bool = False) -> Iterator[None]:
    """The receiver in a process of its own (its CPU is not the sender's), subscribed to
    every event type of the tenant; `down`: subscribed, but nothing listens on its port
    (every delivery is refused, and tried again later)."""
    sock = bound_socket()
    port = sock.getsockname()[1]
    sock.close()
    secret = subscribe(rt, tenant_id, f"http://127.0.0.1:{port}/hook") if subscribed else "x"
    if down:
        yield
        return
    proc = multiprocessing.get_context("spawn").Process(
        target=run_receiver, args=(port, secret if subscribed else "whsec_eA==", slow_ms),
        daemon=True)
    proc.start()
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.post(f"http://127.0.0.1:{port}/hook", timeout=2)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise SystemExit("the receiver did not start") from None
            time.sleep(0.1)
    try:
        yield
    finally:
        proc.terminate()
        proc.join(10)


def delivered(rt: Runtime, tenant_id: int) -> int:
    d = schema.webhook_deliveries.c
    with rt.store.reader() as conn:
        return int(conn.execute(select(func.count()).where(
            d.tenant_id == tenant_id, d.status == "delivered")).scalar() or 0)


def runtime(tmp: Path, name: str, sandbox: str) -> Runtime:
    return Runtime.from_settings(Settings(
        database_url=f"sqlite:///{tmp / f'{name}.db'}", linkedin_api_url=sandbox,
        linkedin_oauth_url=sandbox, partner_client_id="bench", partner_client_secret="bench",
        secret_key=KEY, job_task_poll_seconds=0.0, rate_records_per_minute=10**9,
        rate_requests_per_day=10**9))


def new_tenant(rt: Runtime, slug: str) -> int:
    with rt.store.db.write() as conn:
        return create_tenant(conn, ChangeSet, slug=slug, name=slug, kind="ATS",
                             now_ms=int(time.time() * 1000)).id


def subscribe(rt: Runtime, tenant_id: int, url: str) -> str:
    with rt.store.db.write() as conn:
        _, secret = webhooks.create_endpoint(conn, rt.box, tenant_id, url=url, types=(),
                                             now_ms=int(time.time() * 1000))
    return secret


def wait_for(done: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the deliveries")
        time.sleep(0.02)


# -- 1. delivery throughput --------------------------------------------------------------------

def delivery_throughput(tmp: Path, sandbox: str, events: int) -> dict[str, float]:
    rt = runtime(tmp, "throughput", sandbox)
    tenant_id = new_tenant(rt, "throughput")
    with receiving(rt, tenant_id):
        chunk = 1000
        for start_at in range(0, events, chunk):
            with rt.store.db.write() as conn:
                for i in range(start_at, min(events, start_at + chunk)):
                    host_events.emit(conn, tenant_id, "record.rejected", f"C{i}", {
                        "entity": "candidates", "id": f"C{i}", "field": "emails.0",
                        "reason": "not a valid email address", "source": "validation"})
        worker = rt.delivery_worker()
        began = time.perf_counter()
        worker.start()
        try:
            wait_for(lambda: delivered(rt, tenant_id) >= events, timeout=600)
        finally:
            worker.stop()
        wall = time.perf_counter() - began
    rt.close()
    return {"events": events, "seconds": wall, "events_per_s": events / wall}


# -- 2. the sync with no endpoint, a fast one, a slow one -------------------------------------

def load(rt: Runtime, tenant_id: int, candidates: int, rejected_every: int) -> int:
    jobs = max(10, candidates // 1000)
    with rt.store.writer(tenant_id) as w:
        w.records("jobs", [(i, Job(id=f"J{i}", title=f"Role {i}", description=DESCRIPTION,
                                   location="Paris, FR")) for i in range(jobs)], mode="create")
    chunk = 5000
    for start_at in range(0, candidates, chunk):
        ids = range(start_at, min(candidates, start_at + chunk))
        with rt.store.writer(tenant_id) as w:
            w.records("candidates", [(i, Candidate(
                id=f"C{i}", first_name=f"F{i}", last_name=f"L{i}",
                emails=[f"p{i}@@example" if i % rejected_every == 0 else f"p{i}@example.com"]))
                for i in ids], mode="create")
            w.records("applications", [(k, Application(
                id=f"A{i}", candidate_id=f"C{i}", job_id=f"J{i % jobs}"))
                for k, i in enumerate(ids)], mode="create")
    return jobs + candidates * 2


def cpu_s(pid: int | None) -> float:
    """A process's CPU time so far (user + system), from /proc; 0 when there is none."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sync_run(tmp: Path, sandbox: str, n: int, mode: str, candidates: int,
             slow_ms: int, rejected_every: int, in_thread: bool) -> dict[str, Any]:
    name = f"sync-{n}-{mode}"
    rt = runtime(tmp, name, sandbox)
    tenant_id = new_tenant(rt, name)
    records = load(rt, tenant_id, candidates, rejected_every)
    worker = (rt.delivery_worker() if in_thread
              else DeliveryProcess(rt.settings, rt.store, check_s=0.2))
    with receiving(rt, tenant_id, slow_ms if mode == "slow" else 0, subscribed=mode != "none",
                   down=mode == "down"):
        partner = rt.partner()
        connect(rt.store, rt.box, rt.engine, partner, tenant_slug=name,
                organization=f"urn:li:organization:{5000 + n}", contracts=[],
                public_url="http://127.0.0.1:9")
        worker.start()
        pid = None
        if isinstance(worker, DeliveryProcess) and mode != "none":
            wait_for(lambda: worker.pid is not None, timeout=30)
            pid = worker.pid
            time.sleep(3)  # its imports and first round done before the sync starts
        try:
            cpu0, wall0, hooks0 = time.process_time(), time.perf_counter(), cpu_s(pid)
            rt.engine.run(tenant_id, stop=lambda: False, until_done=True)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            hooks_cpu = cpu_s(pid) - hooks0
            with rt.store.reader() as conn:
                written = len(host_events.read_after(conn, tenant_id, 0, limit=10**6))
            delivered_in_sync = delivered(rt, tenant_id)
            if mode == "fast":
                wait_for(lambda: delivered(rt, tenant_id) >= written, timeout=300)
        finally:
            worker.stop()
            partner.close()
    rt.close()
    return {"mode": mode, "records": records, "seconds": wall,
            "cpu_ms_per_1k": 1e6 * cpu / records, "hooks_ms_per_1k": 1e6 * hooks_cpu / records,
            "events": written, "delivered_during_sync": delivered_in_sync}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over the repeats of one way."""
    return {key: (statistics.median(run[key] for run in runs)
                  if isinstance(runs[0][key], int | float) else runs[0][key])
            for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--records", type=int, default=6000,
                        help="About this many records per sync (candidates and applications).")
    parser.add_argument("--slow-ms", type=int, default=1500,
                        help="How long the slow receiver takes to answer each delivery.")
    parser.add_argument("--rejected-every", type=int, default=20,
                        help="One candidate in this many has an email LinkedIn refuses.")
    parser.add_argument("--repeat", type=int, default=1,
                        help="Run the four syncs this many times, in turn, and print each "
                             "figure's median (a loaded machine's noise).")
    parser.add_argument("--in-thread", action="store_true",
                        help="The delivery loop in a thread of the sync's process (as "
                             "RECRUITLINK_WEBHOOK_PROCESS=false), not a child process.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rl-webhooks-") as tmp_name:
        tmp = Path(tmp_name)
        proc, sandbox = start(
            [str(BIN), "sandbox", "--port", "0", "--db", str(tmp / "li.db"),
             "--partner-client-id", "bench", "--partner-client-secret", "bench",
             "--auto-enable", "--job-task-delay", "0", "--no-demo",
             "--records-per-minute", "1000000000", "--requests-per-day", "1000000000"],
            "Sandbox listening on", {})
        try:
            t = delivery_throughput(tmp, sandbox, args.events)
            print(f"delivery: {t['events']} events in {t['seconds']:.2f} s = "
                  f"{t['events_per_s']:.0f} events/s to a local receiver "
                  "(its own process, verifying every signature)")
            modes = ("none", "fast", "slow", "down")
            rounds = [[sync_run(tmp, sandbox, r * len(modes) + n, mode,
                                max(10, args.records // 2), args.slow_ms,
                                max(1, args.rejected_every), args.in_thread)
                       for n, mode in enumerate(modes)] for r in range(max(1, args.repeat))]
            runs = [median_run([r[n] for r in rounds]) for n in range(len(modes))]
        finally:
            stop(proc)
    base = runs[0]
    where = "a thread of the sync's process" if args.in_thread else "a child process"
    times = f", medians of {args.repeat}" if args.repeat > 1 else ""
    print(f"\nthe same historical sync ({base['records']} records), four ways "
          f"(deliveries from {where}{times}):")
    print(f"{'endpoint':<13}{'sync s':>8}{'x none':>8}{'sync CPU ms/1k':>16}{'x none':>8}"
          f"{'hooks CPU ms/1k':>17}{'events':>8}{'sent during sync':>18}")
    for run in runs:
        label = {"none": "none", "fast": "fast", "slow": f"slow {args.slow_ms}ms",
                 "down": "down"}[run["mode"]]
        hooks = "(in sync)" if args.in_thread else f"{run['hooks_ms_per_1k']:.1f}"
        print(f"{label:<13}{run['seconds']:>8.2f}{run['seconds'] / base['seconds']:>8.2f}"
              f"{run['cpu_ms_per_1k']:>16.1f}{run['cpu_ms_per_1k'] / base['cpu_ms_per_1k']:>8.2f}"
              f"{hooks:>17}{run['events']:>8}{run['delivered_during_sync']:>18}")
    added = (runs[1]["cpu_ms_per_1k"] + runs[1]["hooks_ms_per_1k"] - base["cpu_ms_per_1k"])
    print(f"\nadded CPU per synced record with a fast endpoint (both processes): "
          f"{added:.1f} us")


if __name__ == "__main__":
    main()
