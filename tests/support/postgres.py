"""A throwaway PostgreSQL server for tests: Debian's binaries, a fresh cluster in a temporary
directory, listening on a free loopback port, removed afterwards.

PostgreSQL refuses to run as root, so when the tests run as root the cluster is owned by, and
run as, the `postgres` system user that Debian's package creates.
"""

from __future__ import annotations

import glob
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise RuntimeError("PostgreSQL is not installed; run scripts/bootstrap --system")
    return Path(found[-1]).parent


_PICKED = random.Random()  # not seeded by tests that seed `random`


def free_port() -> int:
    """A port nobody listens on, for a process that must be told its port before it starts.
    Picked below the kernel's ephemeral range (32768+ on Linux): the ports that bind(0) and
    outgoing connections take meanwhile never land on it, so only another pick could."""
    for _ in range(200):
        port = _PICKED.randrange(20000, 32768)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32767")


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a cluster; yield a SQLAlchemy URL (`postgresql+psycopg://…/postgres`)."""
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="recruitlink-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    try:
        subprocess.run(_as_owner([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
                                  "-A", "trust", "-E", "UTF8", "--no-sync"]),
                       check=True, capture_output=True)
        # The server's log goes to a file: a pipe nobody reads fills up and then every
        # backend blocks writing to it (a busy queue logs each refused duplicate).
        log_path = root / "postgres.log"
        log_file = open(log_path, "wb")  # noqa: SIM115 - closed in the finally below
        server = subprocess.Popen(
            _as_owner([str(bin_dir / "postgres"), "-D", str(data), "-p", str(port),
                       "-h", "127.0.0.1", "-k", str(root), "-c", "fsync=off",
                       "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                       "-c", "max_connections=200"]),
            stdout=subprocess.DEVNULL, stderr=log_file)
        try:
            deadline = time.monotonic() + 30
            while True:
                ready = subprocess.run([str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p",
                                        str(port)], capture_output=True)
                if ready.returncode == 0:
                    break
                if server.poll() is not None or time.monotonic() > deadline:
                    err = log_path.read_text(errors="replace")
                    raise RuntimeError(f"PostgreSQL did not start: {err[-2000:]}")
                time.sleep(0.1)
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log_file.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
