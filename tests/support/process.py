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


class Command:
    """A `recruitlink` subprocess whose output is collected (never blocks on a full pipe)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args = args
        self.lines: list[str] = []
        self.proc = subprocess.Popen([str(BIN), *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True,
                                     env=dict(env, COLUMNS="200", NO_COLOR="1"))
        self._drain = threading.Thread(target=self._read, daemon=True)
        self._drain.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_for_line(self, pattern: str, timeout: float = 30.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := regex.search(line):
                    return found
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{self.args} did not print {pattern!r}:\n" + "".join(self.lines))

    def kill(self) -> None:
        """SIGKILL: no cleanup at all in the process, as when a machine is lost."""
        self.proc.kill()
        self.stop()

    def stop(self, timeout: float = 30.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._drain.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return self.proc.returncode
