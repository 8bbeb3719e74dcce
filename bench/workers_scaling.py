"""Scale-out benchmark: total records/second with 1, 2 and 4 `recruitlink worker` processes on
the same data, throttles off, against `recruitlink sandbox` on loopback and Debian's PostgreSQL.

Each round gets a fresh database and a fresh sandbox, loads the same tenants (N candidates,
2N applications and N/1000 jobs each, as bench/sync_throughput.py), connects them, starts
their historical syncs and times the workers until every tenant is caught up. Prints a
table: workers, records, seconds, records/s, and the ratio to one worker.

    .venv/bin/python bench/workers_scaling.py                       # 8 tenants x 2,000
    .venv/bin/python bench/workers_scaling.py --tenants 16 --candidates 5000 --workers 1 2 4 8

The machine's cores bound the ratios: the sandbox, PostgreSQL and the workers share them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sync_throughput import load
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from tests.support.postgres import postgres_server
from tests.support.process import Command, sandbox_process

from recruitlink.runtime.context import Runtime
from recruitlink.runtime.work import caught_up
from recruitlink.settings import Settings
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import create_tenant
from recruitlink.sync.connect import connect, refresh_status

console = Console()


def one_round(server_url: str, workers: int, tenants: int, candidates: int,
              tmp: Path) -> tuple[int, float]:
    name = f"bench_{workers}w"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    db_url = server_url.rsplit("/", 1)[0] + "/" + name
    with sandbox_process("--partner-client-id", "bench", "--partner-client-secret", "bench",
                         "--auto-enable", "--job-task-delay", "0", "--no-demo", "--db",
                         str(tmp / f"li-{workers}.db")) as (url, _):
        env = dict(os.environ, RECRUITLINK_DATABASE_URL=db_url,
                   RECRUITLINK_LINKEDIN_API_URL=url, RECRUITLINK_LINKEDIN_OAUTH_URL=url,
                   RECRUITLINK_PARTNER_CLIENT_ID="bench",
                   RECRUITLINK_PARTNER_CLIENT_SECRET="bench",
                   RECRUITLINK_SECRET_KEY="bench-key-at-least-32-characters-long",
                   RECRUITLINK_JOB_TASK_POLL_SECONDS="0",
                   RECRUITLINK_TICK_SECONDS="1", RECRUITLINK_POLL_INTERVAL_SECONDS="3600")
        settings = Settings(**{k[len("RECRUITLINK_"):].lower(): v for k, v in env.items()
                               if k.startswith("RECRUITLINK_")})
        rt = Runtime.from_settings(settings)
        try:
            records, ids = 0, []
            for n in range(tenants):
                with rt.store.db.write() as conn:
                    tenant = create_tenant(conn, ChangeSet, slug=f"b{n}", name=f"B{n}",
                                           kind="ATS", now_ms=1_700_000_000_000)
                records += load(rt, tenant.id, candidates)
                connect(rt.store, rt.box, rt.engine, rt.partner(), tenant_slug=f"b{n}",
                        organization=f"urn:li:organization:{5000 + n}",
                        contracts=[f"urn:li:contract:{6000 + n}"],
                        public_url=settings.public_url)
                refresh_status(rt.store, rt.box, rt.engine, tenant.id)  # starts the run
                ids.append(tenant.id)
            pool = [Command(["worker", "--name", f"w{i}"], env) for i in range(workers)]
            try:
                for worker in pool:
                    worker.wait_for_line(r"Worker w\d+ on postgresql", timeout=60)
                started = time.perf_counter()
                while not all(caught_up(rt.store, t) for t in ids):
                    time.sleep(0.5)
                elapsed = time.perf_counter() - started
            finally:
                for worker in pool:
                    worker.stop()
        finally:
            rt.close()
    return records, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=8)
    parser.add_argument("--candidates", type=int, default=2000, help="per tenant")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    table = Table(title=f"Historical sync of {args.tenants} tenants x {args.candidates:,} "
                        f"candidates, throttles off ({os.cpu_count()} cores)")
    for column in ("workers", "records", "seconds", "records/s", "vs 1 worker"):
        table.add_column(column, justify="right")
    base = None
    with postgres_server() as server_url, tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            records, elapsed = one_round(server_url, workers, args.tenants, args.candidates,
                                         Path(tmp))
            rate = records / elapsed
            base = base or rate
            console.print(f"[bench] {workers} worker(s): {records:,} records in {elapsed:.1f}s "
                          f"= {rate:,.0f} records/s", highlight=False, markup=False)
            table.add_row(str(workers), f"{records:,}", f"{elapsed:.1f}", f"{rate:,.0f}",
                          f"{rate / base:.2f}x")
    console.print(table)


if __name__ == "__main__":
    main()
