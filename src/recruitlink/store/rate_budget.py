"""The rows of the shared rate budget (linkedin/budget.py decides; this module reads and
writes them). Every call costs the same however many reservations the window holds:

- `rate_events`: the reservations (app, family, when, records), kept while they may still
  be in the sliding window; those of one `BUCKET_MS` slice of time share a row (`reserve`),
  so the window holds a bounded number of rows however many calls it holds, and every read
  of it (what slid out, when enough frees up, the records in it) reads at most those;
- `rate_windows`: per app and family, the records of the `rate_events` rows present, kept
  equal to their sum by every insert and delete here. The records in the window are that
  counter minus the rows that have slid out and are not dropped yet (an index range that
  only holds what expired since the last reservation), never a sum over the whole window;
- `rate_days`: requests per UTC day; `rate_blocks`: a 429's Retry-After and the 429s seen.

Writers hold `lock()` first (an advisory lock per app and family on PostgreSQL; SQLite's
BEGIN IMMEDIATE already serializes them), so the counter and its rows change together.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    bindparam,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from .compiled import run_compiled
from .schema import rate_blocks, rate_days, rate_events, rate_windows

_e, _w = rate_events.c, rate_windows.c


def lock(conn: Connection, client_id: str, family: str) -> None:
    """Serialize writers of one app's family (PostgreSQL; SQLite writes are already serial)."""
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(f"{client_id}/{family}".encode())
        run_compiled(conn, "rate_lock", _lock_stmt, {"k": key})


def _lock_stmt() -> Any:
    return text("SELECT pg_advisory_xact_lock(:k)")


def blocked_until(conn: Connection, client_id: str, family: str) -> int | None:
    """Until when a 429's Retry-After holds `family` back (it may be in the past)."""
    found = conn.execute(select(rate_blocks.c.until_ms).where(
        rate_blocks.c.client_id == client_id, rate_blocks.c.family == family)).scalar()
    return None if found is None else int(found)


def active_blocks(conn: Connection, client_id: str, now_ms: int) -> list[tuple[int, str]]:
    """(until, family) of the 429 blocks still holding the app's families back."""
    return [(int(row.until_ms), row.family) for row in conn.execute(
        select(rate_blocks.c.family, rate_blocks.c.until_ms).where(
            rate_blocks.c.client_id == client_id, rate_blocks.c.until_ms > now_ms))]


def requests_on(conn: Connection, client_id: str, family: str, day: str) -> int:
    return int(conn.execute(select(rate_days.c.requests).where(
        rate_days.c.client_id == client_id, rate_days.c.family == family,
        rate_days.c.day == day)).scalar() or 0)


def _of(client_id: str, family: str) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return _e.client_id == client_id, _e.family == family


def _counted(conn: Connection, client_id: str, family: str) -> int | None:
    found = conn.execute(select(_w.records).where(
        _w.client_id == client_id, _w.family == family)).scalar()
    return None if found is None else int(found)


def _present(conn: Connection, client_id: str, family: str) -> int:
    """The records of the rows present: the counter, or (no counter row yet: rows written
    before the counter existed) their sum, read once."""
    counted = _counted(conn, client_id, family)
    return _summed(conn, client_id, family) if counted is None else counted


def _summed(conn: Connection, client_id: str, family: str) -> int:
    return int(conn.execute(select(func.coalesce(func.sum(_e.records), 0)).where(
        *_of(client_id, family))).scalar() or 0)


def _slid_out(conn: Connection, client_id: str, family: str, cutoff_ms: int) -> int:
    """Records of the rows present that are out of the window (at or before `cutoff_ms`)."""
    return int(conn.execute(select(func.coalesce(func.sum(_e.records), 0)).where(
        *_of(client_id, family), _e.at_ms <= cutoff_ms)).scalar() or 0)


def records_in_window(conn: Connection, client_id: str, family: str, cutoff_ms: int) -> int:
    """Records reserved after `cutoff_ms` (read only: the progress page asks this too)."""
    return _present(conn, client_id, family) - _slid_out(conn, client_id, family, cutoff_ms)


@dataclass(frozen=True)
class Snapshot:
    """What a reservation reads, in one statement (`snapshot`) rather than one each: under
    `lock()` nobody else writes these rows before the transaction ends."""

    cutoff_ms: int
    counted: int | None
    """`rate_windows`' counter (None: no counter row yet)."""
    slid_out: int
    """Records of the rows at or before `cutoff_ms`."""
    blocked_until: int | None
    requests_today: int
    newest: tuple[int, int] | None
    """(id, at_ms) of the newest row after `cutoff_ms` (one at or before it is dropped)."""


def _param(name: str) -> Any:
    return bindparam(name, unique=False)


def _build_snapshot() -> Any:
    client, family, cutoff, day = (_param("client_id"), _param("family"), _param("cutoff_ms"),
                                   _param("day"))
    events = (_e.client_id == client, _e.family == family)
    newest_id = (select(_e.id).where(*events).order_by(_e.at_ms.desc(), _e.id.desc())
                 .limit(1).scalar_subquery())
    return select(
        select(_w.records).where(_w.client_id == client, _w.family == family)
        .scalar_subquery().label("counted"),
        select(func.coalesce(func.sum(_e.records), 0)).where(*events, _e.at_ms <= cutoff)
        .scalar_subquery().label("slid_out"),
        select(rate_blocks.c.until_ms).where(rate_blocks.c.client_id == client,
                                             rate_blocks.c.family == family)
        .scalar_subquery().label("blocked_until"),
        select(rate_days.c.requests).where(rate_days.c.client_id == client,
                                           rate_days.c.family == family,
                                           rate_days.c.day == day)
        .scalar_subquery().label("requests"),
        newest_id.label("newest_id"),
        select(_e.at_ms).where(_e.id == newest_id).scalar_subquery().label("newest_at"))




def snapshot(conn: Connection, client_id: str, family: str, cutoff_ms: int,
             day: str) -> Snapshot:
    """Under `lock()`: the counter, what slid out, the block, the day's requests and the
    newest row, in one round trip."""
    # Once per LinkedIn call: compiled once (store/compiled.py), its columns plain integers.
    row = run_compiled(conn, "rate_snapshot", _build_snapshot,
                       {"client_id": client_id, "family": family, "cutoff_ms": cutoff_ms,
                        "day": day}).one()
    newest = (None if row.newest_id is None or int(row.newest_at) <= cutoff_ms
              else (int(row.newest_id), int(row.newest_at)))
    return Snapshot(cutoff_ms, None if row.counted is None else int(row.counted),
                    int(row.slid_out or 0),
                    None if row.blocked_until is None else int(row.blocked_until),
                    int(row.requests or 0), newest)


def drop_slid_out(conn: Connection, client_id: str, family: str, cutoff_ms: int,
                  snap: Snapshot | None = None) -> int:
    """Under `lock()`: delete the rows out of the window, keep the counter equal to the rows
    left; returns the records in the window. `snap`: read at this `cutoff_ms` just before."""
    if snap is not None:
        assert snap.cutoff_ms == cutoff_ms
        counted, gone = snap.counted, snap.slid_out
    else:
        counted, gone = (_counted(conn, client_id, family),
                         _slid_out(conn, client_id, family, cutoff_ms))
    present = _present(conn, client_id, family) if counted is None else counted
    if gone:
        run_compiled(conn, "rate_drop", _drop_stmt,
                     {"client_id": client_id, "family": family, "cutoff_ms": cutoff_ms})
    if gone or counted is None:
        _set_counter(conn, client_id, family, present - gone)
    return present - gone


def _drop_stmt() -> Any:
    return delete(rate_events).where(_e.client_id == _param("client_id"),
                                     _e.family == _param("family"),
                                     _e.at_ms <= _param("cutoff_ms"))


def recount(conn: Connection, client_id: str, family: str) -> int:
    """Under `lock()`, after `drop_slid_out`: set the counter to the rows' sum (once, if it
    ever disagrees with them: rows deleted by hand); returns it."""
    total = _summed(conn, client_id, family)
    _set_counter(conn, client_id, family, total)
    return total


def freed_at(conn: Connection, client_id: str, family: str, cutoff_ms: int,
             need: int) -> int | None:
    """When (the reservation's time) enough of the window has slid out to free `need`
    records; None if the window does not hold that many. Reads the oldest rows only: each
    holds at least one record, so `need` rows are enough (a few more if older rows hold
    none)."""
    freed, after = 0, _e.at_ms > cutoff_ms
    while True:
        rows = conn.execute(select(_e.id, _e.at_ms, _e.records).where(
            *_of(client_id, family), after).order_by(_e.at_ms, _e.id)
            .limit(max(1, need - freed))).all()
        for row in rows:
            freed += row.records
            if freed >= need:
                return int(row.at_ms)
        if not rows:
            return None
        last = rows[-1]
        after = (_e.at_ms > last.at_ms) | ((_e.at_ms == last.at_ms) & (_e.id > last.id))


BUCKET_MS = 250
"""Reservations within one slice of this many ms share a row, dated by the latest of them:
a record may count up to this much longer than its own time says (never shorter, so
LinkedIn's limits still hold), and a window of W ms holds at most W / BUCKET_MS + 1 rows."""


def reserve(conn: Connection, client_id: str, family: str, at_ms: int, records: int,
            in_window: int, day: str, snap: Snapshot | None = None) -> None:
    """Under `lock()`, after `drop_slid_out` answered `in_window`: count one request of
    `records` records (added to the newest row when it is of the same slice of time).
    `snap`: read before `drop_slid_out`, whose newest row is the newest left after it."""
    if records > 0:  # a request of no records (a file upload) only counts for the day
        if snap is not None:
            newest = snap.newest
        else:
            found = conn.execute(select(_e.id, _e.at_ms).where(*_of(client_id, family))
                                 .order_by(_e.at_ms.desc()).limit(1)).first()
            newest = None if found is None else (int(found.id), int(found.at_ms))
        if newest is not None and newest[1] // BUCKET_MS == at_ms // BUCKET_MS:
            run_compiled(conn, "rate_add_to_row", _add_to_row,
                         {"row_id": newest[0], "more": records,
                          "at_ms": max(newest[1], at_ms)})
        else:
            run_compiled(conn, "rate_new_row", _new_row,
                         {"client_id": client_id, "family": family, "at_ms": at_ms,
                          "records": records})
        _set_counter(conn, client_id, family, in_window + records)
    run_compiled(conn, "rate_days_upsert", partial(_upsert, conn, rate_days.name),
                 {"client_id": client_id, "family": family, "day": day})


def _add_to_row() -> Any:
    return update(rate_events).where(_e.id == _param("row_id")).values(
        records=_e.records + _param("more"), at_ms=_param("at_ms"))


def _new_row() -> Any:
    return rate_events.insert().values(client_id=_param("client_id"), family=_param("family"),
                                       at_ms=_param("at_ms"), records=_param("records"))


def _build_upserts(dialect: Any) -> dict[str, Any]:
    """Each dialect's two upserts."""
    days = dialect.insert(rate_days).values(client_id=_param("client_id"),
                                            family=_param("family"), day=_param("day"),
                                            requests=1)
    windows = dialect.insert(rate_windows).values(client_id=_param("client_id"),
                                                  family=_param("family"),
                                                  records=_param("records"))
    return {
        rate_days.name: days.on_conflict_do_update(
            index_elements=["client_id", "family", "day"],
            set_={"requests": rate_days.c.requests + 1}),
        rate_windows.name: windows.on_conflict_do_update(
            index_elements=["client_id", "family"],
            set_={"records": windows.excluded.records})}


_UPSERTS = {"postgresql": _build_upserts(postgresql), "sqlite": _build_upserts(sqlite)}


def _upsert(conn: Connection, table: str) -> Any:
    return _UPSERTS["postgresql" if conn.dialect.name == "postgresql" else "sqlite"][table]


def _set_counter(conn: Connection, client_id: str, family: str, records: int) -> None:
    run_compiled(conn, "rate_windows_upsert", partial(_upsert, conn, rate_windows.name),
                 {"client_id": client_id, "family": family, "records": records})


def add_block(conn: Connection, client_id: str, family: str, until_ms: int) -> None:
    """Under `lock()`: nobody sends to `family` before `until_ms` (a later block wins), and
    one more 429 is counted (the row outlives the block, so the count never resets)."""
    current = blocked_until(conn, client_id, family)
    if current is None:
        conn.execute(rate_blocks.insert().values(client_id=client_id, family=family,
                                                 until_ms=until_ms, throttled=1))
        return
    conn.execute(update(rate_blocks).where(
        rate_blocks.c.client_id == client_id, rate_blocks.c.family == family).values(
        until_ms=max(current, until_ms), throttled=rate_blocks.c.throttled + 1))
