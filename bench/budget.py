"""Cost per call of the shared rate budget and of the sandbox's throttle, by how many
reservations their sliding window already holds: flat when a call never reads the window.

For each fill (0, 1k, 5k, 20k reservations of one record in the last 30 s of one app's
family), times `--calls` calls of:
- `RateBudget.try_acquire` that is granted (the limit is above the fill),
- `RateBudget.try_acquire` that is refused (the limit is the fill: it must say when to retry),
- the sandbox's `Throttles.charge` that is granted,
and prints milliseconds per call and, last, each column's ratio of the biggest fill to the
empty window (the issue asks for at most 2). Runs on a SQLite file (or `--database URL`, e.g.
a PostgreSQL database) and the sandbox's own SQLite file. Asserts nothing.

    .venv/bin/python bench/budget.py [--fills 0,1000,5000,20000] [--calls 300] [--database URL]

Run with an older checkout first on PYTHONPATH to see the shape it replaces (it reads
`recruitlink.sync.budget` when there is no `recruitlink.linkedin.budget`).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import insert

from recruitlink.core.limits import Limit
from recruitlink.store import Database, schema
from recruitlink.store.migrate import upgrade

try:
    from recruitlink.linkedin.budget import RateBudget
except ImportError:  # an older checkout
    from recruitlink.sync.budget import RateBudget  # type: ignore[import-not-found,no-redef]

from recruitlink.sandbox import store as sandbox_store
from recruitlink.sandbox.api.throttle import Throttles

FAMILY = "atsCandidates"
NOW = 1_800_000_000_000


def fill_budget(db: Database, client_id: str, events: int) -> None:
    """`events` reservations of one record in the last 30 s, and their counter if this
    checkout keeps one (written as the budget would have)."""
    rows = [{"client_id": client_id, "family": FAMILY, "records": 1,
             "at_ms": NOW - 30_000 + (n * 30_000) // max(1, events)} for n in range(events)]
    with db.write() as conn:
        if rows:
            conn.execute(insert(schema.rate_events), rows)
        windows = schema.metadata.tables.get("rate_windows")
        if windows is not None:
            conn.execute(insert(windows).values(client_id=client_id, family=FAMILY,
                                                records=events))


def fill_sandbox(store: sandbox_store.Store, app_id: int, events: int) -> None:
    rows = [{"app_id": app_id, "family": FAMILY, "records": 1,
             "at_ms": NOW - 30_000 + (n * 30_000) // max(1, events)} for n in range(events)]
    with store.tx() as conn:
        if rows:
            conn.execute(insert(sandbox_store.throttle_minute), rows)
        windows = getattr(sandbox_store, "throttle_window", None)
        if windows is not None:
            conn.execute(insert(windows).values(app_id=app_id, family=FAMILY, records=events))


def per_call_ms(calls: int, call: Callable[[], object]) -> float:
    call()  # warm: the first call may build statements
    start = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - start) * 1000 / calls


def measure(db: Database, sandbox: sandbox_store.Store, events: int,
            calls: int) -> tuple[float, float, float]:
    """(granted, refused, sandbox charge) milliseconds per call with `events` in the window."""
    client_id = f"bench-{time.time_ns()}"  # a fresh app: its window is ours
    fill_budget(db, client_id, events)
    roomy = {FAMILY: Limit(None, events + 10 * calls + 10)}
    full = {FAMILY: Limit(None, max(1, events))}
    clock = lambda: (NOW + 1) / 1000  # noqa: E731 - all calls in the same window
    granted = RateBudget(db, client_id, roomy, clock=clock)
    fill_budget(db, f"{client_id}-full", max(1, events))
    refused = RateBudget(db, f"{client_id}-full", full, clock=clock)
    budget_ms = per_call_ms(calls, lambda: granted.try_acquire(FAMILY, 1))
    refused_ms = per_call_ms(calls, lambda: refused.try_acquire(FAMILY, 1))

    fill_sandbox(sandbox, 1, events)
    throttles = Throttles(records_per_minute=events + 10 * calls + 10, requests_per_day=None)

    def charge() -> None:
        with sandbox.tx() as conn:
            throttles.charge(conn, 1, FAMILY, 1, NOW + 1)

    return budget_ms, refused_ms, per_call_ms(calls, charge)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fills", default="0,1000,5000,20000")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--database", default="sqlite")
    args = parser.parse_args()
    fills = [int(n) for n in args.fills.split(",")]
    results: list[tuple[int, float, float, float]] = []
    for events in fills:
        # A fresh database per fill (on SQLite): only the window differs between rows.
        with tempfile.TemporaryDirectory() as tmp:
            url = (f"sqlite:///{Path(tmp) / 'bench.db'}" if args.database == "sqlite"
                   else args.database)
            db = Database(url)
            upgrade(db)
            sandbox = sandbox_store.Store(str(Path(tmp) / "linkedin.db"))
            try:
                results.append((events, *measure(db, sandbox, events, args.calls)))
            finally:
                sandbox.close()
                db.dispose()

    print(f"{'events in window':>16} {'budget granted':>15} {'budget refused':>15} "
          f"{'sandbox charge':>15}   (ms per call, {args.calls} calls, "
          f"{'SQLite' if args.database == 'sqlite' else 'given database'})")
    for events, budget_ms, refused_ms, sandbox_ms in results:
        print(f"{events:>16,} {budget_ms:>15.3f} {refused_ms:>15.3f} {sandbox_ms:>15.3f}")
    first, last = results[0], results[-1]
    print(f"{f'ratio {last[0]:,}/{first[0]:,}':>16} "
          + " ".join(f"{last[i] / first[i]:>15.2f}" for i in (1, 2, 3)))


if __name__ == "__main__":
    main()
