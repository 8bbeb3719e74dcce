"""One rate budget in the database, shared by every process sending for an app.

Before a request, `acquire(family, records)` reserves its place: at most `per_minute` records
in any sliding window of `window_ms` (a little over LinkedIn's 60 s, since LinkedIn counts a
request when it arrives, a moment after we reserve it), at most `per_day` requests per UTC day,
and nothing at all while a 429's Retry-After is in force (`block`). Reservations are short
write transactions: serialized by SQLite's BEGIN IMMEDIATE, and by an advisory lock per app
and family on PostgreSQL.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from recruitlink.core.limits import Limit
from recruitlink.errors import Stopped
from recruitlink.store.db import Database
from recruitlink.store.schema import rate_blocks, rate_days, rate_events

DEFAULT_WINDOW_MS = 61_000


def utc_day(now_ms: int) -> str:
    """The UTC date of `now_ms`, as the daily counters (rate_days) are keyed."""
    return datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y-%m-%d")


def next_send_ms(conn: Connection, client_id: str, family: str, records: int, now: int,
                 limit: Limit | None, window_ms: int = DEFAULT_WINDOW_MS) -> tuple[int, str]:
    """Read only: when `records` records could next go to `family`, by the rules `acquire`
    follows ((`now`, "") when they could go now), and what holds them back: "throttled" (a
    429's Retry-After), "day" (the daily requests), "minute" (the records per minute)."""
    blocked = conn.execute(select(rate_blocks.c.until_ms).where(
        rate_blocks.c.client_id == client_id, rate_blocks.c.family == family)).scalar()
    if blocked is not None and blocked > now:
        return int(blocked), "throttled"
    if limit is not None and limit.per_day is not None:
        used_today = conn.execute(select(rate_days.c.requests).where(
            rate_days.c.client_id == client_id, rate_days.c.family == family,
            rate_days.c.day == utc_day(now))).scalar() or 0
        if used_today >= limit.per_day:
            midnight = datetime.fromtimestamp(now / 1000, UTC).replace(
                hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
            return int(midnight.timestamp() * 1000), "day"
    if limit is not None and limit.per_minute is not None:
        events = conn.execute(select(rate_events.c.at_ms, rate_events.c.records).where(
            rate_events.c.client_id == client_id, rate_events.c.family == family,
            rate_events.c.at_ms > now - window_ms).order_by(rate_events.c.at_ms)).all()
        used = sum(e.records for e in events)
        records = min(records, limit.per_minute)
        if used + records > limit.per_minute:
            need, freed = used + records - limit.per_minute, 0
            for event in events:
                freed += event.records
                if freed >= need:
                    return int(event.at_ms + window_ms), "minute"
    return now, ""


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
                should_stop: Callable[[], bool] | None = None) -> None:
        """Block until `records` records may be sent to `family`, then count them."""
        while True:
            wait = self.try_acquire(family, records)
            if wait <= 0:
                return
            if should_stop is not None and should_stop():
                raise Stopped(f"stopped while waiting {wait:.1f}s for the {family} budget")
            pause = min(wait, 1.0)
            self.waited_s += pause
            self.sleep(pause)

    def try_acquire(self, family: str, records: int) -> float:
        """Reserve now and return 0, or return how many seconds to wait first."""
        limit = self.limits.get(family)
        if limit is not None and limit.per_minute is not None and records > limit.per_minute:
            raise ValueError(f"{records} records exceed the whole per-minute budget "
                             f"of {family} ({limit.per_minute}); send smaller calls")
        with self.db.write() as conn:
            self._lock(conn, family)
            now = self._now_ms()
            conn.execute(delete(rate_events).where(
                rate_events.c.client_id == self.client_id, rate_events.c.family == family,
                rate_events.c.at_ms <= now - self.window_ms))
            until, held = next_send_ms(conn, self.client_id, family, records, now, limit,
                                       self.window_ms)
            if held:
                wait = float(until - now) / 1000
                return max(1.0, wait) if held == "day" else max(0.001, wait)
            conn.execute(rate_events.insert().values(client_id=self.client_id, family=family,
                                                     at_ms=now, records=records))
            self._count_request(conn, family, utc_day(now))
            return 0.0

    def _count_request(self, conn: Connection, family: str, day: str) -> None:
        values = {"client_id": self.client_id, "family": family, "day": day, "requests": 1}
        dialect = postgresql if self.db.is_postgres else sqlite
        stmt = dialect.insert(rate_days).values(**values)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["client_id", "family", "day"],
            set_={"requests": rate_days.c.requests + 1}))

    def _lock(self, conn: Connection, family: str) -> None:
        if self.db.is_postgres:
            key = zlib.crc32(f"{self.client_id}/{family}".encode())
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    def block(self, family: str, retry_after_s: float | None) -> None:
        """LinkedIn said 429: nobody sends to `family` until Retry-After has passed. The row
        also counts the 429s; it is kept after the block ends, so the count never resets."""
        seconds = retry_after_s if retry_after_s is not None else 60.0
        until = self._now_ms() + math.ceil(seconds * 1000)
        with self.db.write() as conn:
            self._lock(conn, family)
            current = conn.execute(select(rate_blocks.c.until_ms).where(
                rate_blocks.c.client_id == self.client_id,
                rate_blocks.c.family == family)).scalar()
            if current is None:
                conn.execute(rate_blocks.insert().values(client_id=self.client_id,
                                                         family=family, until_ms=until,
                                                         throttled=1))
                return
            conn.execute(update(rate_blocks).where(
                rate_blocks.c.client_id == self.client_id,
                rate_blocks.c.family == family).values(
                until_ms=max(current, until), throttled=rate_blocks.c.throttled + 1))

    def usage(self) -> dict[str, dict[str, object]]:
        now = self._now_ms()
        day = utc_day(now)
        out: dict[str, dict[str, object]] = {}
        with self.db.read() as conn:
            for family, limit in self.limits.items():
                minute = conn.execute(select(func.coalesce(func.sum(rate_events.c.records), 0))
                                      .where(rate_events.c.client_id == self.client_id,
                                             rate_events.c.family == family,
                                             rate_events.c.at_ms > now - self.window_ms)
                                      ).scalar()
                today = conn.execute(select(rate_days.c.requests).where(
                    rate_days.c.client_id == self.client_id, rate_days.c.family == family,
                    rate_days.c.day == day)).scalar() or 0
                out[family] = {"recordsLastMinute": minute, "requestsToday": today,
                               "perMinute": limit.per_minute, "perDay": limit.per_day}
        return out
