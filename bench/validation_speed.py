"""Record validation alone, on the records the sync sends: the interpretive schema check beside
the compiled fast path (core/linkedin_schema.py), then the sync's whole check per record
(core/validation.py: the schema, then emails and phone numbers), printed as one JSON line.

The records are those of bench/sync_measure.py (N/3 candidates, 2N/3 applications, jobs),
loaded into a fresh SQLite store and built into payloads by the sync's own builders
(sync/items.py), so the mapping is the sync's. Each figure is the fastest of --rounds passes,
the two schema paths alternating within each round; validation's value caches are emptied
before each pass, as a historical sync sees each record once.

    PYTHONPATH=src .venv/bin/python bench/validation_speed.py --records 20000

`check_us_per_record` compares across commits: run the script once per side (PYTHONPATH at
that side's `src/`); a side without the fast path prints the interpretive figure alone.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from recruitlink.core import linkedin_schema, validation
from recruitlink.core.mapping import MappingContext
from recruitlink.core.policy import Policy
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.records import as_dicts
from recruitlink.store.tenants import create_tenant
from recruitlink.sync.items import STREAM, BuildContext, build
from recruitlink.sync.state import stream_query

sys.path.insert(0, str(Path(__file__).parent))
from sync_measure import load

Record = tuple[str, dict[str, Any], str | None]


def payloads(records: int) -> list[Record]:
    """(resource, payload, operation) of every payload the sync would send for the records."""
    out: list[Record] = []
    with tempfile.TemporaryDirectory(prefix="rl-valid-") as tmp:
        rt = Runtime.from_settings(Settings(
            database_url=f"sqlite:///{Path(tmp) / 'ats.db'}",
            secret_key="bench-at-least-32-characters-long"))
        now = int(time.time() * 1000)
        with rt.store.db.write() as conn:
            tenant = create_tenant(conn, ChangeSet, slug="bench", name="bench", kind="ATS",
                                   now_ms=now)
        load(rt, tenant.id, records // 3)
        ctx = MappingContext("urn:li:organization:4242", "http://127.0.0.1:8000")
        for name in ("jobs", "candidates", "applications"):
            with rt.store.reader() as conn:
                rows = as_dicts(conn.execute(stream_query(STREAM[name], tenant.id)))
                bc = BuildContext(conn, tenant.id, ctx, Policy(), now, historical=True)
                for item in build(STREAM[name], rows, bc):
                    sent = item.job_payloads or ([item.payload] if item.payload else [])
                    ops = list(item.operations) or [None] * len(sent)
                    out.extend((item.resource, p, op) for p, op in zip(sent, ops, strict=True))
        rt.close()
    return out


def timed(run: Callable[[], object], records: int) -> float:
    """Microseconds per record of one pass, caches emptied first."""
    for cached in (validation._phone_problem, validation._email_problem):
        cached.cache_clear()
    start = time.perf_counter()
    run()
    return 1e6 * (time.perf_counter() - start) / records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    records = payloads(args.records)
    gc.collect()
    gc.freeze()  # the records stay: collections would walk them during the timing
    now = int(time.time() * 1000)
    interpretive = getattr(linkedin_schema, "_validate_record", None)

    def schema_interpreted() -> None:
        assert interpretive is not None
        for resource, payload, op in records:
            interpretive(resource, payload, now, op, fast=False)

    def schema_fast() -> None:
        for resource, payload, op in records:
            linkedin_schema.validate_record(resource, payload, now_ms=now, operation=op)

    def whole_check() -> None:
        for resource, payload, op in records:
            validation.check(resource, payload, now_ms=now, operation=op)

    bad = [r for r in records if linkedin_schema.validate_record(r[0], r[1], now_ms=now,
                                                                 operation=r[2])]
    runs: dict[str, list[float]] = {"fast": [], "interpreted": [], "check": []}
    for _ in range(args.rounds):
        if interpretive is not None:
            runs["interpreted"].append(timed(schema_interpreted, len(records)))
        runs["fast"].append(timed(schema_fast, len(records)))
        runs["check"].append(timed(whole_check, len(records)))
    best = {name: min(times) for name, times in runs.items() if times}
    figures: dict[str, Any] = {
        "records": len(records), "invalid": len(bad),
        "resources": dict(Counter(r[0] for r in records)),
        "schema_interpreted_us_per_record": best.get("interpreted"),
        "validate_record_us_per_record": best["fast"],  # the compiled fast path, if the side has it
        "schema_speedup": best["interpreted"] / best["fast"] if "interpreted" in best else None,
        "check_us_per_record": best["check"],
        "code": str(Path(validation.__file__).resolve().parents[2]),
    }
    print(json.dumps({k: round(v, 2) if isinstance(v, float) else v
                      for k, v in figures.items()}))


if __name__ == "__main__":
    main()
