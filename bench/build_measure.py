"""The sync's build path alone, printed as one JSON line: read each page of a stream (1,000
records) and build its items (sync/items.py: mapping, validation, content hashes), for the
same records as bench/sync_measure.py, with no sandbox and no sending. Its CPU time is what
the sync process spends building work; the end-to-end figure also holds sending and commits.

Run it once per side (PYTHONPATH pointing at that side's `src/`), alternating sides: each
figure is the fastest of --rounds passes over all records (validation's caches are emptied
before each pass, as a historical sync sees each record once).

    PYTHONPATH=src .venv/bin/python bench/build_measure.py --records 20000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from recruitlink.core import validation
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

PAGE = 1000
STREAMS = ("jobs", "candidates", "applications")


def one_pass(rt: Runtime, tenant_id: int) -> tuple[float, int]:
    """CPU seconds to read and build every page of every stream, and the items built."""
    for cached in (validation._phone_problem, validation._email_problem):
        cached.cache_clear()
    validation._clean.clear()
    ctx = MappingContext("urn:li:organization:4242", "http://127.0.0.1:8000")
    built, cpu0 = 0, time.process_time()
    for name in STREAMS:
        stream = STREAM[name]
        table = stream_query(stream, tenant_id).selected_columns[0].table
        after = 0
        while True:
            with rt.store.reader() as conn:
                rows = as_dicts(conn.execute(stream_query(stream, tenant_id)
                                             .where(table.c.id > after)
                                             .order_by(table.c.id).limit(PAGE)))
                if not rows:
                    break
                bc = BuildContext(conn, tenant_id, ctx, Policy(), int(time.time() * 1000),
                                  historical=True)
                built += len(build(stream, rows, bc))
            after = rows[-1]["id"]
    return time.process_time() - cpu0, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rl-build-") as tmp:
        rt = Runtime.from_settings(Settings(
            database_url=f"sqlite:///{Path(tmp) / 'ats.db'}",
            secret_key="bench-at-least-32-characters-long"))
        with rt.store.db.write() as conn:
            tenant = create_tenant(conn, ChangeSet, slug="bench", name="bench", kind="ATS",
                                   now_ms=int(time.time() * 1000))
        load(rt, tenant.id, args.records // 3)
        passes = [one_pass(rt, tenant.id) for _ in range(args.rounds)]
        rt.close()
    cpu, built = min(passes)
    import recruitlink
    print(json.dumps({"items": built, "build_cpu_ms_per_1k": 1e6 * cpu / built,
                      "passes_ms_per_1k": [round(1e6 * c / b, 1) for c, b in passes],
                      "code": str(Path(recruitlink.__file__).resolve().parents[1])}))


if __name__ == "__main__":
    main()
