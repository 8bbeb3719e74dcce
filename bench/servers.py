"""Starting and stopping the servers a benchmark runs against (`recruitlink sandbox`,
`recruitlink serve`), shared by the benchmarks."""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections import deque


def start(cmd: list[str], ready: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """Start a server, return it and the URL it prints; its output is drained (the last lines
    kept for a failure report) so a chatty server never blocks on a full pipe."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=dict(os.environ, COLUMNS="200", **env))
    assert proc.stdout is not None
    tail: deque[str] = deque(maxlen=40)
    for line in proc.stdout:
        tail.append(line)
        match = re.search(ready + r" (http://\S+)", line)
        if match:
            def drain() -> None:
                assert proc.stdout is not None
                for rest in proc.stdout:
                    tail.append(rest)
            threading.Thread(target=drain, daemon=True).start()
            return proc, match.group(1)
    raise SystemExit(f"{cmd[1]} did not start:\n{''.join(tail)}")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
