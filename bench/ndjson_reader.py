"""The bulk endpoint's NDJSON reader: the old splitter against the new one, and `/healthz`
latency while the server reads big NDJSON bodies. Figures are printed, never asserted.

1. In this process: the time to split one long line (20 MiB by default) fed in
   64 KiB chunks, by the old splitter (`pending += chunk`, then split all of `pending` again:
   quadratic) and by the new one (`NdjsonLines`, each chunk searched once; its 1 MiB line
   cap lifted here to time the splitting alone, then as the server runs it).
2. Over HTTP, against `recruitlink serve` on a fresh SQLite file: `/healthz` p50/p95 idle,
   while a 60 MiB single-line body is sent (`--line-mib`; refused at its first MiB), and while a
   ~50 MiB body of 10,000 jobs is stored. With `--old-src PATH` (another checkout's `src`,
   e.g. one from before the fix) the same is measured against that code too.

    .venv/bin/python bench/ndjson_reader.py
    .venv/bin/python bench/ndjson_reader.py --sizes 20 60 --old-src /path/to/old/checkout/src
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from recruitlink.web import api

CHUNK = 64 * 1024
MIB = 1024 * 1024
CLI = [sys.executable, "-m", "recruitlink.cli"]


# -- 1. the splitters alone ---------------------------------------------------------------------

def old_split(chunks: Iterator[bytes]) -> int:
    """The reader before the fix (web/api.py read_records), minus the parsing."""
    lines: list[tuple[int, bytes]] = []
    pending = b""
    number = 0
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            number += 1
            if line.strip():
                lines.append((number, line))
    if pending.strip():
        lines.append((number + 1, pending))
    return len(lines)


def new_split(chunks: Iterator[bytes]) -> int:
    lines = api.NdjsonLines(10_000)
    for chunk in chunks:
        lines.feed(chunk)
    return len(lines.finish())


def one_line(mib: int) -> Iterator[bytes]:
    piece = b"x" * CHUNK
    for _ in range(mib * MIB // CHUNK):
        yield piece
    yield b"\n"


def time_splitters(sizes: list[int]) -> None:
    print("splitting one long line fed in 64 KiB chunks (seconds):")
    print(f"  {'MiB':>5} {'old':>9} {'new':>9} {'new, 1 MiB cap':>16}")
    for mib in sizes:
        started = time.perf_counter()
        old_split(one_line(mib))
        old = time.perf_counter() - started
        cap = api.MAX_LINE_BYTES
        api.MAX_LINE_BYTES = 1 << 62  # lifted: time the whole line
        try:
            started = time.perf_counter()
            new_split(one_line(mib))
            new = time.perf_counter() - started
        finally:
            api.MAX_LINE_BYTES = cap
        started = time.perf_counter()
        with contextlib.suppress(api.ApiError):  # refused at its first MiB
            new_split(one_line(mib))
        capped = time.perf_counter() - started
        print(f"  {mib:>5} {old:>9.3f} {new:>9.3f} {capped:>16.4f}", flush=True)


# -- 2. the server --------------------------------------------------------------------------------

def run_cli(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([*CLI, *args], capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def start_server(env: dict[str, str], database_url: str) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen([*CLI, "serve", "--port", "0", "--database-url", database_url],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env={**env, "COLUMNS": "200"})
    assert server.stdout is not None
    for line in server.stdout:
        if "listening on" in line:
            url = line.rsplit(" ", 1)[-1].strip()
            break
    else:
        raise SystemExit("the server did not start")
    stdout = server.stdout
    threading.Thread(target=lambda: [None for _ in stdout], daemon=True).start()
    return server, url


def healthz_ms(base: str, stop: threading.Event, samples: list[float]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        while not stop.is_set():
            started = time.perf_counter()
            client.get("/healthz").raise_for_status()
            samples.append((time.perf_counter() - started) * 1000)
            time.sleep(0.01)


def idle() -> None:
    time.sleep(2)


def while_running(base: str, label: str, work: Callable[[], str | None]) -> None:
    samples: list[float] = []
    stop = threading.Event()
    prober = threading.Thread(target=healthz_ms, args=(base, stop, samples))
    prober.start()
    started = time.perf_counter()
    try:
        outcome = work()
    finally:
        stop.set()
        prober.join()
    seconds = time.perf_counter() - started
    ordered = sorted(samples) or [0.0]
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"  {label:<44} {seconds:>7.2f} s  /healthz p50 {statistics.median(ordered):7.1f} ms"
          f"  p95 {p95:7.1f} ms  ({len(samples)} probes){'  -> ' + outcome if outcome else ''}",
          flush=True)


def post(base: str, key: str, body: Iterator[bytes]) -> str:
    with httpx.Client(base_url=base, timeout=httpx.Timeout(600, connect=10),
                      headers={"Authorization": f"Bearer {key}"}) as client:
        try:
            response = client.post("/api/v1/jobs/bulk", content=body,
                                   headers={"Content-Type": "application/x-ndjson"})
        except httpx.HTTPError as exc:  # a server that answers before reading it all
            return f"{type(exc).__name__}"
        if response.status_code == 200:
            return f"200, {response.json()['summary']}"
        return f"{response.status_code} {response.json()['error']['message'][:60]}"


def many_jobs(count: int = 10_000, description: int = 5_000) -> Iterator[bytes]:
    text = "Build things. " * (description // 14)
    batch: list[bytes] = []
    for i in range(count):
        batch.append(json.dumps({"id": f"j{i}", "title": f"Engineer {i}",
                                 "description": text}).encode())
        if len(batch) == 10:
            yield b"\n".join(batch) + b"\n"
            batch = []
    if batch:
        yield b"\n".join(batch) + b"\n"


def measure_server(label: str, src: str | None, line_mib: int) -> None:
    env = {**os.environ, "RECRUITLINK_SECRET_KEY": secrets.token_hex(32),
           "RECRUITLINK_BACKGROUND_SYNC": "false", "RECRUITLINK_POLLERS": "false"}
    if src:
        env["PYTHONPATH"] = src
    with tempfile.TemporaryDirectory(prefix="rl-bench-") as tmp:
        url = f"sqlite:///{Path(tmp)}/bench.db"
        run_cli(env, "db", "upgrade", "--database-url", url)
        run_cli(env, "tenant", "create", "bench", "--kind", "BOTH", "--database-url", url)
        key = run_cli(env, "apikey", "create", "--tenant", "bench", "--database-url",
                      url).strip().splitlines()[-1]
        server, base = start_server(env, url)
        try:
            print(f"{label} server ({src or 'this checkout'}):")
            while_running(base, "idle, 2 s", idle)
            while_running(base, f"one {line_mib} MiB line",
                          lambda: post(base, key, one_line(line_mib)))
            while_running(base, "10,000 jobs, ~50 MiB of NDJSON",
                          lambda: post(base, key, many_jobs()))
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20],
                        help="MiB of the single line split in process (default 20; the old "
                             "splitter takes minutes past 40).")
    parser.add_argument("--line-mib", type=int, default=60,
                        help="MiB of the single line sent to the server (default 60).")
    parser.add_argument("--old-src", help="Another checkout's src directory to measure too.")
    parser.add_argument("--no-server", action="store_true", help="Only the splitters.")
    args = parser.parse_args()
    time_splitters(args.sizes)
    if args.no_server:
        return
    measure_server("new", None, args.line_mib)
    if args.old_src:
        measure_server("old", args.old_src, args.line_mib)


if __name__ == "__main__":
    main()
