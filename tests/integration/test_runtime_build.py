"""`build_runtime`: the one place that builds a server's runtime and decides how its work runs
(threads in the process on SQLite, procrastinate workers on PostgreSQL)."""

from __future__ import annotations

import threading

from sqlalchemy import text

from recruitlink.runtime.build import build_runtime
from recruitlink.settings import Settings
from recruitlink.store import Store

THREADS = {"recruitlink-inbound", "recruitlink-background", "recruitlink-parity"}


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
