"""How long `recruitlink sandbox` takes to print its URL and to answer its first request.

Target (issue: foundation and sandbox): under 2 seconds. Prints figures and the ratio to the
target; asserts nothing.

    .venv/bin/python bench/sandbox_startup.py [runs]
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

TARGET_S = 2.0
BIN = Path(sys.executable).parent / "recruitlink"


def one_run() -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen([str(BIN), "sandbox", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, COLUMNS="200"))
    try:
        assert proc.stdout is not None
        url = None
        for line in proc.stdout:
            match = re.search(r"Sandbox listening on (http://\S+)", line)
            if match:
                url = match.group(1)
                break
        printed = time.perf_counter() - started
        if url is None:
            raise SystemExit("the sandbox never printed its URL")
        while True:
            try:
                if httpx.get(f"{url}/sandbox/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.005)
        answered = time.perf_counter() - started
        return printed, answered
    finally:
        proc.terminate()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    results = [one_run() for _ in range(runs)]
    printed = [r[0] for r in results]
    answered = [r[1] for r in results]
    print(f"recruitlink sandbox startup over {runs} runs")
    print(f"  URL and credentials printed: median {statistics.median(printed):.3f} s, "
          f"max {max(printed):.3f} s")
    print(f"  first request answered:      median {statistics.median(answered):.3f} s, "
          f"max {max(answered):.3f} s")
    print(f"  target {TARGET_S:.1f} s; worst / target = {max(answered) / TARGET_S:.2f}")


if __name__ == "__main__":
    main()
