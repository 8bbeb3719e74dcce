"""`recruitlink serve` delivers webhooks from a child process (runtime/deliveries.py), started
once an endpoint is enabled, that ends with the server: Ctrl-C (SIGINT to the whole process
group, as a terminal sends it), SIGTERM to the server alone, or the server SIGKILLed (the
child sees its pipe close). Leaves no process behind (issue 18)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from standardwebhooks import Webhook

from recruitlink.crypto import SecretBox
from recruitlink.processes import lookup
from recruitlink.store import Database, Store, host_events, webhooks
from tests.conftest import make_tenant
from tests.support.demo import clean_env
from tests.support.keys import TEST_SECRET_KEY
from tests.support.process import BIN
from tests.support.servers import PushReceiver, serve

pytestmark = pytest.mark.timeout(120)

LISTENING = re.compile(r"recruitlink listening on (http://\S+)")


class Server:
    """`recruitlink serve` in a session of its own (a process group to send Ctrl-C to)."""

    def __init__(self, db: Path) -> None:
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [str(BIN), "serve", "--port", "0", "--database-url", f"sqlite:///{db}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
            env=clean_env(RECRUITLINK_SECRET_KEY=TEST_SECRET_KEY, COLUMNS="200", NO_COLOR="1",
                          RECRUITLINK_BACKGROUND_SYNC="false", RECRUITLINK_POLLERS="false"))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def wait_listening(self) -> None:
        wait_until(lambda: any(LISTENING.search(line) for line in self.lines)
                   or self.proc.poll() is not None, 60, "the server to listen")
        assert self.proc.poll() is None, "".join(self.lines)

    def children(self) -> list[int]:
        """The server's child processes (each thread's: the one that started it counts)."""
        found = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            with contextlib.suppress(OSError):
                found += [int(p) for p in (task / "children").read_text().split()]
        return found

    def end(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def wait_until(check, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    rec = PushReceiver()
    with serve(rec.app()) as url:
        rec.url = f"{url}/hook"
        yield rec


@pytest.mark.parametrize("ending", ["ctrl-c", "sigterm", "server-sigkilled"])
def test_the_delivery_process_ends_with_the_server(tmp_path, receiver, ending) -> None:
    db_path = tmp_path / "recruitlink.db"
    server = Server(db_path)
    store = None
    try:
        server.wait_listening()  # migrated
        assert server.children() == []  # no endpoint: no delivery process
        store = Store(Database(f"sqlite:///{db_path}"))
        tenant = make_tenant(store)
        with store.db.write() as conn:
            _, secret = webhooks.create_endpoint(conn, SecretBox(TEST_SECRET_KEY), tenant.id,
                                                 url=receiver.url, types=[],
                                                 now_ms=int(time.time() * 1000))
            seq = host_events.emit(conn, tenant.id, "candidate.created", "c-1", {})
        [push] = receiver.wait_for(1, timeout=60)
        assert Webhook(secret).verify(push.body, push.headers)["id"] == f"evt_{seq}"
        kids = server.children()  # the delivery process, and multiprocessing's tracker
        [child] = [k for k in kids if b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes()]
        if ending == "ctrl-c":
            os.killpg(server.proc.pid, signal.SIGINT)
        elif ending == "sigterm":
            server.proc.send_signal(signal.SIGTERM)
        else:
            server.proc.kill()
        # uvicorn stops, then ends by the signal it got (130 after Ctrl-C).
        code = server.proc.wait(timeout=60)
        assert code in {"ctrl-c": (0, 130), "sigterm": (0, -15),
                        "server-sigkilled": (-9,)}[ending], "".join(server.lines)
        if ending != "server-sigkilled":  # the server stopped it, and waited for it
            assert lookup(child) is None
        wait_until(lambda: all(lookup(k) is None for k in kids), 30,
                   "the delivery process (and the tracker) to end")
        assert "Traceback" not in "".join(server.lines), "".join(server.lines)
    finally:
        server.end()
        if store is not None:
            store.dispose()
