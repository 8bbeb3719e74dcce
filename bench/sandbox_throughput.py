"""Candidate writes per second the sandbox accepts: tunnelled batch_update PUTs of 100
candidates, throttles raised out of the way, state in a SQLite file. Prints figures only.

    .venv/bin/python bench/sandbox_throughput.py [records]
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.linkedin import (
    Raw,
    body_key,
    candidate_key,
    candidate_record,
    ids_query,
)

BIN = Path(sys.executable).parent / "recruitlink"
ORG = "urn:li:organization:1001"


def main() -> None:
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [str(BIN), "sandbox", "--port", "0", "--db", f"{tmp}/bench.db",
             "--records-per-minute", "1000000000", "--requests-per-day", "1000000000"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, COLUMNS="200"))
        try:
            assert proc.stdout is not None
            text = ""
            url = None
            for line in proc.stdout:
                text += line
                match = re.search(r"Sandbox listening on (http://\S+)", line)
                if match:
                    url = match.group(1)
                    break
            assert url is not None, text
            client_id = re.search(r"Demo client id\s*│?\s*(\S+)", text).group(1)  # type: ignore[union-attr]
            secret = re.search(r"Demo client secret\s*│?\s*(\S+)", text).group(1)  # type: ignore[union-attr]
            raw = Raw(url, client_id, secret)
            started = time.perf_counter()
            for start in range(0, total, 100):
                keys = [candidate_key(f"C{i}", ORG) for i in range(start, start + 100)]
                body = {"entities": {body_key(k): candidate_record(i)
                                     for i, k in enumerate(keys, start)}}
                response = raw.tunnel("PUT", "/v2/atsCandidates", ids_query(keys),
                                      method="batch_update", json=body)
                assert response.status_code == 200 and not response.json()["errors"]
            elapsed = time.perf_counter() - started
            raw.close()
        finally:
            proc.terminate()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
    rate = total / elapsed
    print(f"sandbox atsCandidates batch_update: {total} records in {elapsed:.2f} s = "
          f"{rate:,.0f} records/s ({rate * 60 / 10_000:.1f}x LinkedIn's 10,000 records/min)")


if __name__ == "__main__":
    main()
