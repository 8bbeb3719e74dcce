"""Feed mode: instead of (or beside) webhooks, poll recruitlink's change feed
(`GET /api/v1/events?after=CURSOR`) from the cursor saved in the ATS's database.

The cursor is saved after a page is applied; if the ATS stops in between, the page is read
again and its events are found in `inbox` (applied once, whichever way they came).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from .apply import apply_event
from .db import Database, set_state
from .recruitlink_api import Recruitlink

CURSOR = "feed_cursor"


def poll_once(db: Database, api: Recruitlink, *, limit: int = 100,
              types: Sequence[str] = ()) -> int:
    """Read and apply one page; how many events it had."""
    items, next_cursor = api.events(db.get_state(CURSOR) or None, limit=limit, types=types)
    for item in items:
        apply_event(db, api, item, via="feed")
    if next_cursor:
        with db.write() as conn:
            set_state(conn, CURSOR, str(next_cursor))
    return len(items)


def catch_up(db: Database, api: Recruitlink, *, limit: int = 100,
             types: Sequence[str] = ()) -> int:
    """Every page until the feed has nothing newer; how many events."""
    total = 0
    while (count := poll_once(db, api, limit=limit, types=types)):
        total += count
    return total


def follow(db: Database, api: Recruitlink, *, interval: float = 5.0,
           types: Sequence[str] = (), stop: Callable[[], bool] = lambda: False) -> None:
    while not stop():
        if not catch_up(db, api, types=types):
            time.sleep(interval)
