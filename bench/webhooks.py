"""Webhooks to the host ATS (issue 18), measured in one run:

1. delivery throughput: --events events written to a tenant's log, then delivered (signed,
   POSTed, marked delivered) to a local receiver that verifies each with `standardwebhooks`:
   events/s from the first to the last delivery;
2. the sync beside the webhooks: the same historical sync four times on the same data (one
   candidate in --rejected-every with an email LinkedIn refuses, so the sync writes
   `record.rejected` events), with no endpoint, with an endpoint at a fast local receiver,
   with one at a slow receiver (--slow-ms per answer), and with one that is down (its port
   refuses connections). Printed side by side: the sync's wall time and this process's CPU
   per 1,000 records (the webhook loop runs in this process, as in `serve`), and their
   ratios to the run without an endpoint (the added cost; a slow or dead endpoint must not
   slow the sync).

Three processes: `recruitlink sandbox` (throttles off), the receiver (uvicorn), and this one
(store on SQLite, the sync engine and the webhook delivery loop in threads). Figures only.

    .venv/bin/python bench/webhooks.py                       # 2,000 events, ~6,000 records
    .venv/bin/python bench/webhooks.py --events 10000 --records 30000 --slow-ms 2000
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
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


def sync_run(tmp: Path, sandbox: str, n: int, mode: str, candidates: int,
             slow_ms: int, rejected_every: int) -> dict[str, Any]:
    name = f"sync-{mode}"
    rt = runtime(tmp, name, sandbox)
    tenant_id = new_tenant(rt, name)
    records = load(rt, tenant_id, candidates, rejected_every)
    worker = rt.delivery_worker()
    with receiving(rt, tenant_id, slow_ms if mode == "slow" else 0, subscribed=mode != "none",
                   down=mode == "down"):
        partner = rt.partner()
        connect(rt.store, rt.box, rt.engine, partner, tenant_slug=name,
                organization=f"urn:li:organization:{5000 + n}", contracts=[],
                public_url="http://127.0.0.1:9")
        worker.start()
        try:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            rt.engine.run(tenant_id, stop=lambda: False, until_done=True)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
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
            "cpu_ms_per_1k": 1e6 * cpu / records, "events": written,
            "delivered_during_sync": delivered_in_sync}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--records", type=int, default=6000,
                        help="About this many records per sync (candidates and applications).")
    parser.add_argument("--slow-ms", type=int, default=1500,
                        help="How long the slow receiver takes to answer each delivery.")
    parser.add_argument("--rejected-every", type=int, default=20,
                        help="One candidate in this many has an email LinkedIn refuses.")
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
            runs = [sync_run(tmp, sandbox, n, mode, max(10, args.records // 2), args.slow_ms,
                             max(1, args.rejected_every))
                    for n, mode in enumerate(("none", "fast", "slow", "down"))]
        finally:
            stop(proc)
    base = runs[0]
    print(f"\nthe same historical sync ({base['records']} records), four ways:")
    print(f"{'endpoint':<10}{'sync s':>9}{'x none':>8}{'CPU ms/1k rec':>15}{'x none':>8}"
          f"{'events':>8}{'sent during sync':>18}")
    for run in runs:
        label = {"none": "none", "fast": "fast", "slow": f"slow {args.slow_ms}ms",
                 "down": "down"}[run["mode"]]
        print(f"{label:<10}{run['seconds']:>9.2f}{run['seconds'] / base['seconds']:>8.2f}"
              f"{run['cpu_ms_per_1k']:>15.1f}{run['cpu_ms_per_1k'] / base['cpu_ms_per_1k']:>8.2f}"
              f"{run['events']:>8}{run['delivered_during_sync']:>18}")
    added = (runs[1]["cpu_ms_per_1k"] - base["cpu_ms_per_1k"]) / 1000
    print(f"\nadded CPU per synced record with an endpoint: {added * 1000:.1f} us")


if __name__ == "__main__":
    main()
