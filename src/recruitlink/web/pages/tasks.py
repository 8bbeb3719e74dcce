"""Long admin actions (disconnect, retry of every failed record) run in a thread of the server
process, one per (tenant, action), so the page answers at once and follows the work live.

The database holds the state the pages show (the connection's DISCONNECTING status, the
batches a retry prepares); what only this process knows is whether the thread is still running
and how it ended, kept for the page to show.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from recruitlink.errors import RecruitlinkError

log = logging.getLogger(__name__)


@dataclass
class Task:
    name: str
    started: float
    finished: float | None = None
    result: Any = None
    error: str | None = None
    stage: str | None = None
    """What the work is doing now, in words, for the page (set by the work itself)."""

    @property
    def running(self) -> bool:
        return self.finished is None


_tasks: dict[tuple[int, str], Task] = {}
_lock = threading.Lock()


def start(tenant_id: int, name: str, work: Callable[[], Any]) -> bool:
    """Run `work` in a daemon thread unless the same action of the tenant is running; True if
    it was started."""
    with _lock:
        current = _tasks.get((tenant_id, name))
        if current is not None and current.running:
            return False
        task = _tasks[(tenant_id, name)] = Task(name, time.monotonic())

    def run() -> None:
        try:
            task.result = work()
        except RecruitlinkError as exc:
            log.warning("%s of tenant %s failed: %s", name, tenant_id, exc.message)
            task.error = exc.message
        except Exception as exc:  # the page shows it; the log has the traceback
            log.exception("%s of tenant %s failed", name, tenant_id)
            task.error = f"unexpected error: {exc}"
        finally:
            task.finished = time.monotonic()

    threading.Thread(target=run, name=f"recruitlink-{name}-{tenant_id}", daemon=True).start()
    return True


def get(tenant_id: int, name: str) -> Task | None:
    with _lock:
        return _tasks.get((tenant_id, name))


def wait(tenant_id: int, name: str, timeout: float) -> Task | None:
    """Wait for the task to finish (tests, and the short actions the page waits for)."""
    deadline = time.monotonic() + timeout
    task = get(tenant_id, name)
    while task is not None and task.running and time.monotonic() < deadline:
        time.sleep(0.02)
    return task
