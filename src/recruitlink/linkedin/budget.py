"""One rate budget in the database, shared by every process sending for an app.

Before a request, `acquire(family, records)` reserves its place: at most `per_minute` records
in any sliding window of `window_ms` (a little over LinkedIn's 60 s, since LinkedIn counts a
request when it arrives, a moment after we reserve it), at most `per_day` requests per UTC day,
and nothing at all while a 429's Retry-After is in force (`block`). Reservations are short
write transactions: serialized by SQLite's BEGIN IMMEDIATE, and by an advisory lock per app
and family on PostgreSQL. Each costs the same however many reservations the window holds
(store/rate_budget.py keeps a counter beside them, and a row per slice of time).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from sqlalchemy import Connection

from recruitlink.core.limits import Limit
from recruitlink.core.parity import share_of
from recruitlink.core.quotas import next_midnight_ms
from recruitlink.errors import Stopped
from recruitlink.store import rate_budget as rows
from recruitlink.store.db import Database

DEFAULT_WINDOW_MS = 61_000
MISCOUNTED = "miscounted"
"""`_held`'s answer when the counter says more than the rows hold: recount, then decide."""


def utc_day(now_ms: int) -> str:
    """The UTC date of `now_ms`, as the daily counters (rate_days) are keyed."""
    return _day_text(now_ms // 86_400_000)  # asked before every call: formatted once a day


@lru_cache(maxsize=4)
def _day_text(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%d")


def _held(conn: Connection, client_id: str, family: str, records: int, now: int,
          limit: Limit | None, window_ms: int, in_window: int | None,
          snap: rows.Snapshot | None = None) -> tuple[int, str]:
    """The rules, in order: a 429's block, the day's requests, the window's records.
    `in_window`: the records in the window if the caller has them (a writer that just
    dropped what slid out), else they are read. `snap`: the block and the day's requests,
    if the caller has read them."""
    blocked = (rows.blocked_until(conn, client_id, family) if snap is None
               else snap.blocked_until)
    if blocked is not None and blocked > now:
        return blocked, "throttled"
    if limit is not None and limit.per_day is not None and (
            rows.requests_on(conn, client_id, family, utc_day(now)) if snap is None
            else snap.requests_today) >= limit.per_day:
        return next_midnight_ms(now), "day"
    if limit is not None and limit.per_minute is not None:
        cutoff = now - window_ms
        used = (rows.records_in_window(conn, client_id, family, cutoff) if in_window is None
                else in_window)
        records = min(records, limit.per_minute)
        if used + records > limit.per_minute:
            freed = rows.freed_at(conn, client_id, family, cutoff,
                                  used + records - limit.per_minute)
            if freed is None:  # the rows hold less than the counter says (deleted by hand)
                return now, MISCOUNTED
            return freed + window_ms, "minute"
    return now, ""


def next_send_ms(conn: Connection, client_id: str, family: str, records: int, now: int,
                 limit: Limit | None, window_ms: int = DEFAULT_WINDOW_MS) -> tuple[int, str]:
    """Read only: when `records` records could next go to `family`, by the rules `acquire`
    follows ((`now`, "") when they could go now), and what holds them back: "throttled" (a
    429's Retry-After), "day" (the daily requests), "minute" (the records per minute)."""
    until, held = _held(conn, client_id, family, records, now, limit, window_ms, None)
    return (now, "") if held == MISCOUNTED else (until, held)


@dataclass(frozen=True)
class FamilyUsage:
    limit: Limit
    records_in_window: int
    """Records reserved in the sliding window (a little over a minute)."""
    requests_today: int
    """Requests this UTC day."""
    blocked_until: int | None
    """While a 429's Retry-After is in force: until when (epoch ms)."""


class RateBudget:
    def __init__(self, db: Database, client_id: str, limits: Mapping[str, Limit], *,
                 window_ms: int = DEFAULT_WINDOW_MS,
                 clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.db = db
        self.client_id = client_id
        self.limits = dict(limits)
        self.window_ms = window_ms
        self.clock = clock
        self.sleep = sleep
        self.waited_s = 0.0

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def acquire(self, family: str, records: int, *,
                should_stop: Callable[[], bool] | None = None, share: float = 1.0) -> None:
        """Block until `records` records may be sent to `family`, then count them. `share`:
        a background reader's part of the budget (live parity): it waits while the window
        (or the day) already holds more than that share, so the sync keeps the rest."""
        while True:
            wait = self.try_acquire(family, records, share=share)
            if wait <= 0:
                return
            if should_stop is not None and should_stop():
                raise Stopped(f"stopped while waiting {wait:.1f}s for the {family} budget")
            pause = min(wait, 1.0)
            self.waited_s += pause
            self.sleep(pause)

    def try_acquire(self, family: str, records: int, *, share: float = 1.0) -> float:
        """Reserve now and return 0, or return how many seconds to wait first."""
        limit = self.limits.get(family)
        if limit is not None and share < 1.0:
            limit = Limit(share_of(limit.per_day, share), share_of(limit.per_minute, share))
        if limit is not None and limit.per_minute is not None and records > limit.per_minute:
            raise ValueError(f"{records} records exceed the whole per-minute budget "
                             f"of {family} ({limit.per_minute}); send smaller calls")
        with self.db.write() as conn:
            rows.lock(conn, self.client_id, family)
            now = self._now_ms()
            cutoff, day = now - self.window_ms, utc_day(now)
            snap = rows.snapshot(conn, self.client_id, family, cutoff, day)
            in_window = rows.drop_slid_out(conn, self.client_id, family, cutoff, snap)
            until, held = _held(conn, self.client_id, family, records, now, limit,
                                self.window_ms, in_window, snap)
            if held == MISCOUNTED:
                in_window = rows.recount(conn, self.client_id, family)
                until, held = _held(conn, self.client_id, family, records, now, limit,
                                    self.window_ms, in_window)
            if held:
                wait = float(until - now) / 1000
                return max(1.0, wait) if held == "day" else max(0.001, wait)
            rows.reserve(conn, self.client_id, family, now, records, in_window, day, snap)
            return 0.0

    def block(self, family: str, retry_after_s: float | None) -> None:
        """LinkedIn said 429: nobody sends to `family` until Retry-After has passed. The row
        also counts the 429s; it is kept after the block ends, so the count never resets."""
        seconds = retry_after_s if retry_after_s is not None else 60.0
        until = self._now_ms() + math.ceil(seconds * 1000)
        with self.db.write() as conn:
            rows.lock(conn, self.client_id, family)
            rows.add_block(conn, self.client_id, family, until)

    def usage(self) -> dict[str, FamilyUsage]:
        """What each family has used of its limits now (one read transaction): the quotas
        the Setup page, the API and `recruitlink sync quotas` show."""
        now = self._now_ms()
        day = utc_day(now)
        out: dict[str, FamilyUsage] = {}
        with self.db.read() as conn:
            for family, limit in self.limits.items():
                blocked = rows.blocked_until(conn, self.client_id, family)
                out[family] = FamilyUsage(
                    limit=limit,
                    records_in_window=rows.records_in_window(
                        conn, self.client_id, family, now - self.window_ms),
                    requests_today=rows.requests_on(conn, self.client_id, family, day),
                    blocked_until=blocked if blocked is not None and blocked > now else None)
        return out
