"""Starting `recruitlink` commands as real subprocesses in tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent / "recruitlink"
URL_LINE = re.compile(r"Sandbox listening on (http://\S+)")


@contextmanager
def sandbox_process(*args: str, timeout: float = 15.0) -> Iterator[tuple[str, list[str]]]:
    """Run `recruitlink sandbox --port 0 ARGS`; yield (base URL, stdout lines so far)."""
    env = dict(os.environ, COLUMNS="200", NO_COLOR="1")
    proc = subprocess.Popen([str(BIN), "sandbox", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    drain: threading.Thread | None = None
    try:
        deadline = time.monotonic() + timeout
        url = None
        assert proc.stdout is not None
        while url is None:
            if time.monotonic() > deadline:
                raise AssertionError("sandbox did not print its URL:\n" + "".join(lines))
            line = proc.stdout.readline()
            if not line:
                raise AssertionError("sandbox exited:\n" + "".join(lines))
            lines.append(line)
            match = URL_LINE.search(line)
            if match:
                url = match.group(1)
        # Keep reading, so a chatty process never blocks on a full pipe.
        drain = threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True)
        drain.start()
        yield url, lines
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if drain is not None:
            drain.join(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()
