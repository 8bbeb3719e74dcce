"""After a write through the data API or a page form, the server's in-process sync runner
starts its next round now instead of at its idle tick, so the change goes to LinkedIn at once.
(Scale-out workers, and the runner of another process, find the change on their own.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Depends, Request

READS = frozenset({"GET", "HEAD", "OPTIONS"})


async def wake_sync_after_write(request: Request) -> AsyncIterator[None]:
    yield
    if request.method not in READS:
        runner = getattr(request.app.state, "background", None)
        if runner is not None:
            runner.notify()


WAKE_SYNC = Depends(wake_sync_after_write)
