"""A worker killed while it ran the tick must not stop every later tick: the tick is what gives
the jobs of killed workers back, so a lock left by the dead tick would keep the sync stopped
for good (CI, stop 20: every tenant's sync job done, the tick 'doing' on a dead worker)."""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from recruitlink.runtime import queue
from recruitlink.settings import Settings
from tests.support.keys import TEST_SECRET_KEY


def test_a_tick_left_doing_by_a_killed_worker_does_not_stop_the_next(postgres_template):
    with postgres_template.store() as store:
        queue.ensure_schema(store.db)
        settings = Settings(database_url=store.db.url, secret_key=TEST_SECRET_KEY,
                            tick_seconds=1, worker_stalled_seconds=2,
                            worker_heartbeat_seconds=1)
        tasks = queue.TaskQueue(settings)
        try:
            # In a thread of its own: once a browser test has run, Playwright's sync API
            # makes the main thread look as if it ran an event loop (tests/support/browser.py).
            with ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, _scenario(tasks, store)).result(timeout=120)
        finally:
            tasks.close()


async def _scenario(tasks: queue.TaskQueue, store) -> None:
    async with tasks.app.open_async():
        # The tick a worker was running when it was killed: 'doing', its worker's heartbeat
        # long stopped.
        await tasks.tick_task.defer_async(timestamp=0)
        with store.db.write() as conn:
            worker = conn.execute(text(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (now() - interval '1 hour') RETURNING id")).scalar()
            conn.execute(text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w "
                              "WHERE task_name = 'recruitlink.tick'"), {"w": worker})
        # A worker that starts later runs the next tick, which gives the dead one back.
        run = asyncio.create_task(tasks.app.run_worker_async(
            queues=[queue.CONTROL], wait=True, update_heartbeat_interval=1,
            stalled_worker_timeout=2, install_signal_handlers=False,
            delete_jobs="never"))
        try:
            for _ in range(100):
                await asyncio.sleep(0.2)
                with store.db.write() as conn:
                    stuck = conn.execute(text(
                        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' "
                        "AND worker_id = :w"), {"w": worker}).scalar()
                    ticks_done = conn.execute(text(
                        "SELECT count(*) FROM procrastinate_jobs WHERE status = 'succeeded' "
                        "AND task_name = 'recruitlink.tick'")).scalar()
                if stuck == 0 and ticks_done >= 2:
                    break
            assert (stuck, ticks_done >= 2) == (0, True), (stuck, ticks_done)
        finally:
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
