"""Which process holds a lease, and whether it is gone.

A lease names its holder: the host (where its pid means something: the host name and, on
Linux, the pid namespace), its pid, and when that process started (the boot and the start
time the kernel gives it), so that a pid the system has since given to another process is not
taken for the holder. A holder on this host whose process is gone (or a zombie) is known to be
dead at once; a holder on another host, or one this process cannot look at, is trusted until
its lease expires.
"""

from __future__ import annotations

import contextlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path

_PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessId:
    host: str | None
    pid: int | None
    started: str | None
    """The boot and the process's start time, or None where the system does not say."""


class _Gone(Exception):
    """No such process (or only its zombie) on this host."""


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _host() -> str:
    namespace = None
    with contextlib.suppress(OSError):
        namespace = os.readlink(_PROC / "self" / "ns" / "pid")  # e.g. pid:[4026531836]
    name = socket.gethostname()[:200]
    return f"{name} {namespace}" if namespace else name


def _started(pid: int) -> str | None:
    """How this host names `pid`'s start, None if it cannot tell; raises _Gone if there is
    no such live process."""
    boot = _read(_PROC / "sys" / "kernel" / "random" / "boot_id")
    if boot is None:
        return None  # not Linux: the holder is trusted until its lease expires
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except FileNotFoundError as exc:
        raise _Gone() from exc
    except OSError:
        return None
    # After the command name (in parentheses, which may hold spaces): state is field 3,
    # starttime (clock ticks since boot) field 22.
    fields = stat[stat.rfind(")") + 2:].split()
    if fields[0] in ("Z", "X"):
        raise _Gone()
    return f"{boot}:{fields[19]}"


def lookup(pid: int) -> ProcessId | None:
    """The live process `pid` on this host (its start unknown where the system does not
    say), or None if there is none."""
    try:
        started = _started(pid)
    except _Gone:
        return None
    return ProcessId(_host(), pid, started)


_current: ProcessId | None = None


def current() -> ProcessId:
    """This process (looked up again after a fork)."""
    global _current
    if _current is None or _current.pid != os.getpid():
        _current = lookup(os.getpid()) or ProcessId(_host(), os.getpid(), None)
    return _current


def is_gone(holder: ProcessId) -> bool:
    """True only when the holder surely no longer runs: it ran on this host, and its pid is
    free or belongs to a process started since."""
    if holder.host != current().host or holder.pid is None or holder.started is None:
        return False
    now = lookup(holder.pid)
    return now is None or (now.started is not None and now.started != holder.started)
