"""Scale-out workers back off a tenant whose poll (or sync) job failed by the one retry policy
set from the settings (RECRUITLINK_RETRY_TENANTS), as the server's threads do: the failed job
queues the next one after the policy's wait, growing with each failure in a row."""

from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import text

from recruitlink.core.backoff import Backoff
from recruitlink.runtime import queue
from recruitlink.settings import Settings
from tests.support.keys import TEST_SECRET_KEY

NOT_CONNECTED = 424242
"""A tenant the poll cannot run for (no connection): each poll job fails."""


def test_a_failing_poll_is_queued_again_after_the_retry_policys_waits(postgres_template):
    with postgres_template.store() as store:
        queue.ensure_schema(store.db)
        settings = Settings(database_url=store.db.url, secret_key=TEST_SECRET_KEY,
                            retry_tenants=Backoff(7.0, 3.0, None, None),
                            poll_interval_seconds=60)
        tasks = queue.TaskQueue(settings)
        try:
            # In a thread of its own (see test_killed_tick.py).
            with ThreadPoolExecutor(1) as pool:
                waits = pool.submit(asyncio.run, _failing_polls(tasks, store, 2)).result(
                    timeout=120)
        finally:
            tasks.close()
    assert waits == [7, 21]  # first, then first * factor


async def _failing_polls(tasks: queue.TaskQueue, store: Any, rounds: int) -> list[int]:
    """Run the tenant's poll job `rounds` times (each failing); the seconds each failure
    scheduled the next job after."""
    waits: list[int] = []
    async with tasks.app.open_async():
        assert await tasks.defer_poll(NOT_CONNECTED)
        run = asyncio.create_task(tasks.app.run_worker_async(
            queues=[queue.POLL], wait=True, fetch_job_polling_interval=0.1,
            install_signal_handlers=False, delete_jobs="never"))
        try:
            seen: set[int] = set()
            while len(waits) < rounds:
                job_id, wait = await asyncio.to_thread(_next_job, store, seen)
                seen.add(job_id)
                waits.append(wait)
                with store.db.write() as conn:  # due now: the worker runs it again
                    conn.execute(text("UPDATE procrastinate_jobs SET scheduled_at = now() "
                                      "WHERE id = :id"), {"id": job_id})
        finally:
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
    return waits


def _next_job(store: Any, seen: set[int]) -> tuple[int, int]:
    """The poll job queued by a failed one (not in `seen`): its id and how many seconds after
    it was queued it is due."""
    lock = queue.TaskQueue.poll_lock(NOT_CONNECTED)
    for _ in range(300):
        with store.reader() as conn:
            row = conn.execute(text(
                "SELECT j.id, extract(epoch FROM s.at - d.at) AS wait "
                "FROM procrastinate_jobs j "
                "JOIN procrastinate_events d ON d.job_id = j.id AND d.type = 'deferred' "
                "JOIN procrastinate_events s ON s.job_id = j.id AND s.type = 'scheduled' "
                "WHERE j.queueing_lock = :lock AND j.status = 'todo' "
                "AND j.scheduled_at IS NOT NULL ORDER BY j.id DESC LIMIT 1"),
                {"lock": lock}).first()
        if row is not None and row.id not in seen:
            return int(row.id), round(float(row.wait))
        time.sleep(0.1)
    raise AssertionError("no poll job was queued again after the failure")
