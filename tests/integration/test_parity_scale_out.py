"""Scale-out live parity (PostgreSQL, procrastinate): the periodic tick defers a parity job for
each connected tenant whose round is due, a worker runs it, and a second tick within the
interval defers none."""

from __future__ import annotations

import asyncio
import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

from recruitlink.crypto import secret_box
from recruitlink.runtime import queue
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.sync import parity
from tests.conftest import make_tenant
from tests.integration.test_sync_engine import connected, run_until_idle, seed_small
from tests.support.keys import TEST_SECRET_KEY


def test_the_tick_hands_due_parity_rounds_to_the_workers(postgres_template, li):
    with postgres_template.store() as store:
        queue.ensure_schema(store.db)
        tenant = make_tenant(store)
        settings = Settings(database_url=store.db.url, secret_key=TEST_SECRET_KEY,
                            linkedin_api_url=li.url, linkedin_oauth_url=li.url,
                            job_task_poll_seconds=0.0, parity_interval_seconds=600)
        runtime = Runtime(settings, store, secret_box(settings))
        tasks = queue.TaskQueue(settings, runtime)
        try:
            seed_small(store, tenant.id)
            connected(store, runtime.engine, li, tenant)
            run_until_idle(runtime.engine, tenant.id)
            with ThreadPoolExecutor(1) as pool:  # asyncio in a thread (test_killed_tick.py)
                first, second = pool.submit(asyncio.run, _ticks(tasks, runtime, tenant.id)
                                            ).result(timeout=120)
        finally:
            tasks.close()
            runtime.close_engine()
    assert first["parity"] == 1 and second["parity"] == 0


async def _ticks(tasks: queue.TaskQueue, runtime: Runtime, tenant_id: int) -> tuple[dict, dict]:
    async with tasks.app.open_async():
        first = await tasks.tick()
        run = asyncio.create_task(tasks.app.run_worker_async(
            queues=[queue.POLL], wait=True, fetch_job_polling_interval=0.1,
            install_signal_handlers=False, delete_jobs="never"))
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                state = await asyncio.to_thread(parity.status, runtime.engine, tenant_id)
                if state["entities"] and state["entities"][0]["checkedAt"]:
                    break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("no parity round ran")
            # C1 read back and in parity; C2 (confidential) not on LinkedIn, as it should.
            assert state["entities"][0]["checked"] == 2 and state["drift"] == []
            second = await tasks.tick()
        finally:
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
    return first, second
