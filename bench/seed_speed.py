"""How long `recruitlink seed` takes to fill a fresh SQLite store.

Target (issue: synthetic data generator): 100,000 candidates in under 120 seconds. Seeds N
candidates (default 100,000) into a fresh SQLite file with the same function the command uses,
then prints the total time, where it went (generating, writing each entity, committing the
changelog), records/second per entity and overall, how each entity's write rate changes from
the first chunk to the last (a falling rate means a write gets slower as the table grows), and
the ratio to the target. Asserts nothing.

    .venv/bin/python bench/seed_speed.py [N] [--chunk 2000] [--seed 1] [--kind BOTH]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from recruitlink.store import Database, Store
from recruitlink.store.migrate import upgrade
from recruitlink.store.seed import CHUNK_CANDIDATES, Step, seed

TARGET_S = 120.0
TARGET_N = 100_000
NOW_MS = 1_750_000_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("candidates", nargs="?", type=int, default=TARGET_N)
    parser.add_argument("--chunk", type=int, default=CHUNK_CANDIDATES)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kind", default="BOTH")
    args = parser.parse_args()

    records: dict[tuple[str, str], int] = defaultdict(int)
    seconds: dict[tuple[str, str], float] = defaultdict(float)
    per_chunk: dict[str, list[tuple[int, float]]] = defaultdict(list)

    def progress(step: Step) -> None:
        key = (step.kind, step.entity)
        records[key] += step.records
        seconds[key] += step.seconds
        if step.kind == "write":
            per_chunk[step.entity].append((step.records, step.seconds))

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "seed.db"
        db = Database(f"sqlite:///{path}")
        upgrade(db)
        store = Store(db)
        started = time.perf_counter()
        counts = seed(store, "bench", args.candidates, seed=args.seed, kind=args.kind,
                      now_ms=NOW_MS, progress=progress, chunk_size=args.chunk)
        elapsed = time.perf_counter() - started
        store.dispose()
        size_mb = path.stat().st_size / 1e6

    total = sum(counts.values())
    print(f"seeded {args.candidates:,} candidates ({args.kind}, chunks of {args.chunk:,}): "
          f"{total:,} records in {elapsed:.1f} s = {total / elapsed:,.0f} records/s "
          f"(database {size_mb:,.0f} MB, peak memory "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB)")
    print()
    print(f"{'step':<32}{'records':>12}{'seconds':>10}{'share':>8}{'rec/s':>10}"
          f"{'first chunk':>13}{'last chunk':>12}")
    for (kind, name), secs in sorted(seconds.items(), key=lambda kv: -kv[1]):
        n = records[(kind, name)]
        first = last = ""
        chunks = per_chunk.get(name) if kind == "write" else None
        if chunks and len(chunks) > 2:
            (n0, s0), (n1, s1) = chunks[1], chunks[-1]  # chunks[0] is setup for some
            first, last = f"{n0 / max(s0, 1e-9):,.0f}/s", f"{n1 / max(s1, 1e-9):,.0f}/s"
        label = f"{kind} {name}" if kind == "write" else (
            f"{kind} ({name})" if kind == "generate" else "commit (changelog + COMMIT)")
        print(f"{label:<32}{n:>12,}{secs:>10.1f}{secs / elapsed:>8.0%}"
              f"{n / max(secs, 1e-9):>10,.0f}{first:>13}{last:>12}")
    accounted = sum(seconds.values())
    print(f"{'other (tenant, checks)':<32}{'':>12}{elapsed - accounted:>10.1f}")
    print()
    if args.candidates == TARGET_N:
        print(f"target: {TARGET_N:,} candidates in {TARGET_S:.0f} s; took {elapsed:.1f} s "
              f"= {elapsed / TARGET_S:.2f} x the target")
    else:
        linear = elapsed * TARGET_N / max(1, args.candidates)
        print(f"target: {TARGET_N:,} candidates in {TARGET_S:.0f} s; linear extrapolation "
              f"to {TARGET_N:,}: {linear:.0f} s = {linear / TARGET_S:.2f} x the target "
              f"(an under-estimate if a write rate falls with table size, see above)")


if __name__ == "__main__":
    main()
