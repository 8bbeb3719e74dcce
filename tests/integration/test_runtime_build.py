"""`build_runtime`: the one place that builds a server's runtime and decides how its work runs
(threads in the process on SQLite, procrastinate workers on PostgreSQL)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from recruitlink.runtime import background
from recruitlink.runtime.build import build_runtime
from recruitlink.settings import Settings
from recruitlink.store import Store
from recruitlink.sync.steps import StepReport

THREADS = {"recruitlink-inbound", "recruitlink-background", "recruitlink-pollers",
           "recruitlink-parity"}


def running_threads() -> set[str]:
    return {thread.name for thread in threading.enumerate()} & THREADS


def test_the_database_chooses_where_the_work_runs(store: Store) -> None:
    services = build_runtime(Settings(database_url=store.db.url), store)
    scale_out = store.db.url.startswith("postgresql")
    assert (services.queue is not None) is scale_out
    assert (services.inbound is None) is scale_out
    assert (services.background is None) is scale_out
    assert not services.owns_store
    with services.running():
        assert running_threads() == (set() if scale_out else THREADS)
    assert running_threads() == set()
    # A store it was given is the caller's: still open.
    with store.reader() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_workers_switched_off_are_not_built(store: Store) -> None:
    services = build_runtime(Settings(database_url=store.db.url, work_queue="in-process",
                                      inbound_worker=False, background_sync=False,
                                      pollers=False), store)
    assert (services.queue, services.inbound, services.background) == (None, None, None)
    with services.running():
        services.notify_inbox()  # nobody to wake: nothing happens
        assert running_threads() == set()


def test_only_the_pollers_leave_the_background_runner_without_the_sync(store: Store) -> None:
    services = build_runtime(Settings(database_url=store.db.url, work_queue="in-process",
                                      background_sync=False), store)
    assert services.background is not None and services.inbound is not None
    assert (services.background.sync, services.background.pollers) == (False, True)


def test_a_long_poll_round_does_not_hold_up_the_syncs(store: Store,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A new seat's first read takes minutes on LinkedIn (a call per 12-hour window); the
    syncs, a live change's included, go on meanwhile (they once waited in the same thread)."""
    polling, release = threading.Event(), threading.Event()
    steps_while_polling: list[float] = []

    def slow_poll_round(self: background.BackgroundRunner) -> bool:
        polling.set()
        release.wait(30)
        return False

    def step(engine: object, tenant_id: int) -> StepReport:
        if polling.is_set() and not release.is_set():
            steps_while_polling.append(time.monotonic())
        return StepReport("idle")

    monkeypatch.setattr(background.BackgroundRunner, "_poll_round", slow_poll_round)
    monkeypatch.setattr(background, "syncing_tenants", lambda _store: [SimpleNamespace(id=1)])
    monkeypatch.setattr(background, "sync_step", step)
    services = build_runtime(Settings(database_url=store.db.url, work_queue="in-process",
                                      parity_interval_seconds=0), store)
    with services.running():
        try:
            assert polling.wait(20)
            assert services.background is not None
            services.background.notify()  # a data-API write wakes the syncs
            deadline = time.monotonic() + 20
            while not steps_while_polling and time.monotonic() < deadline:
                time.sleep(0.05)
            assert steps_while_polling, "no sync step while a poll round was running"
        finally:
            release.set()
