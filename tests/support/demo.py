"""`recruitlink demo` as a person starts it: a subprocess on random free ports, in its own
directory, with none of the user's RECRUITLINK_ settings; what it printed, and its store."""

from __future__ import annotations

import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recruitlink.store import Database
from tests.support.process import BIN, Command

ORGANIZATION = "urn:li:organization:2001001"
CONTRACT = "urn:li:contract:3001001"
CRM_ORGANIZATION = "urn:li:organization:2001002"
CRM_CONTRACT = "urn:li:contract:3001002"
SIGN_IN = re.compile(r"sign in as (company admin|recruiter): workspace (\S+), email (\S+), "
                     r"password (\S+)")


def clean_env(**extra: str) -> dict[str, str]:
    """The user's environment: no RECRUITLINK_ setting (no key, no database URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECRUITLINK_")}
    return {**env, **extra}


@dataclass
class Demo:
    command: Command
    server: str
    sandbox: str
    directory: Path

    @classmethod
    def start(cls, directory: Path, candidates: int = 40, **env: str) -> Demo:
        # Port 0: the demo binds its own ports and prints them (ports picked here and let go
        # could be taken by another test's server before the demo binds them).
        command = Command(["demo", "--candidates", str(candidates), "--port", "0",
                           "--sandbox-port", "0", "--directory", str(directory)],
                          clean_env(**env))
        try:
            command.wait_for_line(r"Continuous sync running", timeout=240)
            server = command.wait_for_line(r"Demo ready at (http://\S+)").group(1)
            sandbox = command.wait_for_line(r"LinkedIn sandbox\s+│ (http://[^/\s]+)/").group(1)
        except BaseException:
            command.stop()
            raise
        return cls(command, server, sandbox, directory)

    @property
    def output(self) -> str:
        return "".join(self.command.lines)

    def sign_ins(self, workspace: str = "demo") -> dict[str, tuple[str, str]]:
        """Role -> (email, password), as the demo printed them for `workspace`."""
        return {m.group(1): (m.group(3), m.group(4)) for m in SIGN_IN.finditer(self.output)
                if m.group(2) == workspace}

    def api_key(self, workspace: str = "demo") -> str | None:
        found = re.search(rf"Workspace {re.escape(workspace)} \(.*?\): API key (rlk_\S+)",
                          self.output)
        return found.group(1) if found else None

    def db(self) -> Database:
        return Database(f"sqlite:///{self.directory / 'recruitlink.db'}")

    def cli(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        """`recruitlink ARGS` run in the demo's directory with no extra environment, as a
        person types it beside the running demo."""
        return subprocess.run([str(BIN), *args], cwd=self.directory,
                              env=clean_env(COLUMNS="200", NO_COLOR="1"),
                              capture_output=True, text=True, timeout=timeout)


def eventually(check: Any, timeout: float = 30.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)
