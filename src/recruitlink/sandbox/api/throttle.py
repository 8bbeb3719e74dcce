"""Throttles per app and resource family: requests per UTC day and records per minute.

Defaults are LinkedIn's published numbers (reference §4). The minute limit is a sliding
60-second window; the daily counter resets at 00:00 UTC. A throttled request is answered 429
with `Retry-After` and consumes nothing. A charge costs the same however many requests the
minute holds: `throttle_window` counts the records of the `throttle_minute` rows, and the
requests of one `BUCKET_MS` slice of time share a row, so the minute holds a bounded number
of rows (what slides out, when enough frees up and `usage` read at most those).
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert

from recruitlink.core.limits import copy_limits

from ..errors import ApiError
from ..store import Prepared, throttle_day, throttle_minute, throttle_window

WINDOW_MS = 60_000
BUCKET_MS = 100
"""Requests within one slice of this many ms share a row, dated by the latest: a record
counts up to this much longer than LinkedIn's exact minute (stricter, never laxer; well
inside the second the rate budget keeps in hand, linkedin/budget.py)."""


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
        # First, a write: the rest of the charge holds the database's write lock.
        in_minute = _drop_slid_out(conn, app_id, family, now_ms - WINDOW_MS)
        if limit.per_day is not None:
            used = _DAY_REQUESTS.scalar(conn, {"app_id": app_id, "family": family,
                                               "day": day}) or 0
            if used >= limit.per_day:
                midnight = (datetime.fromtimestamp(now_ms / 1000, UTC).replace(
                    hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1))
                wait = max(1, math.ceil(midnight.timestamp() - now_ms / 1000))
                self.refused[(app_id, family)] += 1
                raise ApiError(429, f"Resource level throttle APPLICATION DAY limit for calls "
                                    f"to this resource is reached ({family}: {limit.per_day} "
                                    "requests per day).", {"Retry-After": str(wait)})
        if limit.per_minute is not None:
            if records > limit.per_minute:
                self.refused[(app_id, family)] += 1
                raise ApiError(429, f"Resource level throttle APPLICATION MINUTE limit: this "
                                    f"request carries {records} records, more than the "
                                    f"{limit.per_minute} records per minute allowed for "
                                    f"{family}; send smaller batches.",
                               {"Retry-After": "60"})
            if in_minute + records > limit.per_minute:
                # Wait until enough of the window has slid out to fit this request.
                freed = _freed_at(conn, app_id, family, now_ms - WINDOW_MS,
                                  in_minute + records - limit.per_minute)
                wait_ms = WINDOW_MS if freed is None else freed + WINDOW_MS - now_ms
                wait = max(1, math.ceil(wait_ms / 1000))
                self.refused[(app_id, family)] += 1
                raise ApiError(429, f"Resource level throttle APPLICATION MINUTE limit for "
                                    f"records sent to this resource is reached ({family}: "
                                    f"{limit.per_minute} records per minute).",
                               {"Retry-After": str(wait)})
            _count_records(conn, app_id, family, now_ms, records, in_minute)
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
                                          throttle_minute.c.at_ms > now_ms - WINDOW_MS)).scalar()
            out[family] = {"requestsToday": requests, "recordsLastMinute": records,
                           "perDay": limit.per_day, "perMinute": limit.per_minute,
                           "throttled": self.refused[(app_id, family)]}
        return out


def _drop_slid_out(conn: Connection, app_id: int, family: str, cutoff_ms: int) -> int:
    """Delete the rows out of the minute and keep the counter equal to the rows left;
    returns the records in the minute. Its first statement writes, so the whole charge
    holds SQLite's write lock (another process sharing the file waits)."""
    key = {"app_id": app_id, "family": family}
    gone = sum(int(row[0]) for row in _SLID_OUT.run(conn, {**key, "cutoff": cutoff_ms}))
    counted = _WINDOW.scalar(conn, key)
    if counted is None:  # a file from before the counter: its rows, summed once
        counted = conn.execute(select(func.coalesce(func.sum(throttle_minute.c.records), 0))
                               .where(throttle_minute.c.app_id == app_id,
                                      throttle_minute.c.family == family)).scalar() or 0
        _set_window(conn, app_id, family, int(counted))
        return int(counted)
    if gone:
        _set_window(conn, app_id, family, int(counted) - gone)
    return int(counted) - gone


def _freed_at(conn: Connection, app_id: int, family: str, cutoff_ms: int,
              need: int) -> int | None:
    """When (a row's time) enough of the minute slides out to free `need` records. Every
    row holds at least one record, so the `need` oldest rows are enough."""
    freed = 0
    for row in conn.execute(select(throttle_minute.c.at_ms, throttle_minute.c.records).where(
            throttle_minute.c.app_id == app_id, throttle_minute.c.family == family,
            throttle_minute.c.at_ms > cutoff_ms).order_by(
            throttle_minute.c.at_ms, throttle_minute.c.id).limit(need)):
        freed += row.records
        if freed >= need:
            return int(row.at_ms)
    return None


def _count_records(conn: Connection, app_id: int, family: str, now_ms: int, records: int,
                   used: int) -> None:
    if records > 0:
        key = {"app_id": app_id, "family": family}
        newest = _NEWEST.first(conn, key)  # (id, at_ms)
        if newest is not None and newest[1] // BUCKET_MS == now_ms // BUCKET_MS:
            _ADD_TO_ROW.run(conn, {"row_id": newest[0], "more": records,
                                   "latest": max(int(newest[1]), now_ms)})
        else:
            _ADD_MINUTE.run(conn, {**key, "at_ms": now_ms, "records": records})
        _set_window(conn, app_id, family, used + records)


def _set_window(conn: Connection, app_id: int, family: str, records: int) -> None:
    _SET_WINDOW.run(conn, {"app_id": app_id, "family": family, "records": records})


def _bump_day(conn: Connection, app_id: int, family: str, day: str) -> None:
    _BUMP_DAY.run(conn, {"app_id": app_id, "family": family, "day": day})


# Built once, with bound parameters, and run by the driver: every throttled call runs these.
_DAY_REQUESTS = Prepared(select(throttle_day.c.requests).where(
    throttle_day.c.app_id == bindparam("app_id"), throttle_day.c.family == bindparam("family"),
    throttle_day.c.day == bindparam("day")))
_SLID_OUT = Prepared(delete(throttle_minute).where(
    throttle_minute.c.app_id == bindparam("app_id"),
    throttle_minute.c.family == bindparam("family"),
    throttle_minute.c.at_ms <= bindparam("cutoff")).returning(throttle_minute.c.records))
_WINDOW = Prepared(select(throttle_window.c.records).where(
    throttle_window.c.app_id == bindparam("app_id"),
    throttle_window.c.family == bindparam("family")))
_ADD_MINUTE = Prepared(throttle_minute.insert().values(
    app_id=bindparam("app_id"), family=bindparam("family"), at_ms=bindparam("at_ms"),
    records=bindparam("records")))
_NEWEST = Prepared(select(throttle_minute.c.id, throttle_minute.c.at_ms).where(
    throttle_minute.c.app_id == bindparam("app_id"),
    throttle_minute.c.family == bindparam("family")).order_by(
    throttle_minute.c.at_ms.desc()).limit(1))
_ADD_TO_ROW = Prepared(update(throttle_minute).where(
    throttle_minute.c.id == bindparam("row_id")).values(
    records=throttle_minute.c.records + bindparam("more"), at_ms=bindparam("latest")))
_SET_WINDOW = Prepared(insert(throttle_window).values(
    app_id=bindparam("app_id"), family=bindparam("family"), records=bindparam("records")
).on_conflict_do_update(index_elements=["app_id", "family"],
                        set_={"records": bindparam("records")}))
_BUMP_DAY = Prepared(insert(throttle_day).values(
    app_id=bindparam("app_id"), family=bindparam("family"), day=bindparam("day"), requests=1
).on_conflict_do_update(index_elements=["app_id", "family", "day"],
                        set_={"requests": throttle_day.c.requests + 1}))
