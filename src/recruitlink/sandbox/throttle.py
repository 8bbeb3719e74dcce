"""Throttles per app and resource family: requests per UTC day and records per minute.

Defaults are LinkedIn's published numbers (reference §4). The minute limit is a sliding
60-second window; the daily counter resets at 00:00 UTC. A throttled request is answered 429
with `Retry-After` and consumes nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, func, select

from recruitlink.core.limits import copy_limits

from .errors import ApiError
from .store import throttle_day, throttle_minute


class Throttles:
    def __init__(self, records_per_minute: int | None, requests_per_day: int | None) -> None:
        self.limits = copy_limits()
        self.refused: Counter[tuple[int, str]] = Counter()
        """429s answered, per app and family (a client that keeps to its budget gets none)."""
        self.set_all(records_per_minute=records_per_minute, requests_per_day=requests_per_day)
        self.enabled = True

    def set_all(self, *, records_per_minute: int | None = None,
                requests_per_day: int | None = None) -> None:
        for limit in self.limits.values():
            if records_per_minute is not None:
                limit.per_minute = records_per_minute
            if requests_per_day is not None:
                limit.per_day = requests_per_day

    def charge(self, conn: Connection, app_id: int, family: str, records: int,
               now_ms: int) -> None:
        """Count one request of `records` records, or raise 429 without counting it."""
        limit = self.limits.get(family)
        if limit is None or not self.enabled:
            return
        day = datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y-%m-%d")
        if limit.per_day is not None:
            used = conn.execute(select(throttle_day.c.requests).where(
                throttle_day.c.app_id == app_id, throttle_day.c.family == family,
                throttle_day.c.day == day)).scalar() or 0
            if used >= limit.per_day:
                midnight = (datetime.fromtimestamp(now_ms / 1000, UTC).replace(
                    hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1))
                wait = max(1, math.ceil(midnight.timestamp() - now_ms / 1000))
                self.refused[(app_id, family)] += 1
                raise ApiError(429, f"Resource level throttle APPLICATION DAY limit for calls "
                                    f"to this resource is reached ({family}: {limit.per_day} "
                                    "requests per day).", {"Retry-After": str(wait)})
        if limit.per_minute is not None:
            window_start = now_ms - 60_000
            conn.execute(delete(throttle_minute).where(
                throttle_minute.c.app_id == app_id, throttle_minute.c.family == family,
                throttle_minute.c.at_ms <= window_start))
            rows = conn.execute(select(throttle_minute.c.at_ms, throttle_minute.c.records).where(
                throttle_minute.c.app_id == app_id, throttle_minute.c.family == family,
            ).order_by(throttle_minute.c.at_ms)).all()
            used_records = sum(r.records for r in rows)
            if records > limit.per_minute:
                self.refused[(app_id, family)] += 1
                raise ApiError(429, f"Resource level throttle APPLICATION MINUTE limit: this "
                                    f"request carries {records} records, more than the "
                                    f"{limit.per_minute} records per minute allowed for "
                                    f"{family}; send smaller batches.",
                               {"Retry-After": "60"})
            if used_records + records > limit.per_minute:
                # Wait until enough of the window has slid out to fit this request.
                need = used_records + records - limit.per_minute
                freed, wait_ms = 0, 60_000
                for row in rows:
                    freed += row.records
                    if freed >= need:
                        wait_ms = row.at_ms + 60_000 - now_ms
                        break
                wait = max(1, math.ceil(wait_ms / 1000))
                self.refused[(app_id, family)] += 1
                raise ApiError(429, f"Resource level throttle APPLICATION MINUTE limit for "
                                    f"records sent to this resource is reached ({family}: "
                                    f"{limit.per_minute} records per minute).",
                               {"Retry-After": str(wait)})
            conn.execute(throttle_minute.insert().values(app_id=app_id, family=family,
                                                         at_ms=now_ms, records=records))
        if limit.per_day is not None:
            _bump_day(conn, app_id, family, day)

    def usage(self, conn: Connection, app_id: int, now_ms: int) -> dict[str, dict[str, object]]:
        day = datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y-%m-%d")
        out: dict[str, dict[str, object]] = {}
        for family, limit in self.limits.items():
            requests = conn.execute(select(throttle_day.c.requests).where(
                throttle_day.c.app_id == app_id, throttle_day.c.family == family,
                throttle_day.c.day == day)).scalar() or 0
            records = conn.execute(select(func.coalesce(func.sum(throttle_minute.c.records), 0))
                                   .where(throttle_minute.c.app_id == app_id,
                                          throttle_minute.c.family == family,
                                          throttle_minute.c.at_ms > now_ms - 60_000)).scalar()
            out[family] = {"requestsToday": requests, "recordsLastMinute": records,
                           "perDay": limit.per_day, "perMinute": limit.per_minute,
                           "throttled": self.refused[(app_id, family)]}
        return out


def _bump_day(conn: Connection, app_id: int, family: str, day: str) -> None:
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(throttle_day).values(app_id=app_id, family=family, day=day, requests=1)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["app_id", "family", "day"],
        set_={"requests": throttle_day.c.requests + 1}))
