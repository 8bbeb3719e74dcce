"""The historical sync's progress, one computation for the pages, the CLI, the demo and the API:

- five milestones for every tenant kind (`core/milestones.py`), each with its streams;
- counts move per call: a prepared batch's `sent` adds to its stream's committed `done`;
- counts never overshoot: records created during the run grow the total, never pass it;
- "failed records" is one figure everywhere: records (not errors) with an open error;
- a family blocked by LinkedIn's 429 (the budget's `rate_blocks`) is a "waiting" state with
  the time it resumes, and the ETA follows the budget (the rate actually reached, never above
  the per-minute budget of the families still to send, plus the wait).

Reads stored counters only: cheap for a tenant with millions of records.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from recruitlink.core.limits import Limit
from recruitlink.core.milestones import ENABLED, MILESTONES, features
from recruitlink.linkedin.budget import next_send_ms
from recruitlink.store import connections, rate_budget, sync_logs, sync_progress

from .streams import STREAM, first_stream_of, milestone_of

RATE_WINDOW_MS = 60_000
RATE_LOOKBACK = 500
"""Newest batches looked at for the rate (a minute of a fast sync is ~100 batches)."""
FAILED_CAP = 10_000
CALL_SIZE = 100
"""Records of one call: the budget holds a family back when one more call does not fit."""
MIN_SAMPLE = 100
"""Fewer records sent than this (one call) measure no rate: the ETA uses the budget's."""


def percent(done: int, total: int | None, finished: bool = False) -> int:
    if finished:
        return 100
    if not total:
        return 0
    return max(0, min(100, int(done * 100 / total)))


def failed_records(conn: Connection, tenant_id: int, cap: int = FAILED_CAP) -> int:
    """Records with an open error (one record failing two checks counts once), up to `cap`+1:
    the one "failed records" figure (page, Retry button, CLI, demo, API)."""
    return sync_progress.failed_record_count(conn, tenant_id, cap)


def failed_by_stream(conn: Connection, tenant_id: int, cap: int = FAILED_CAP
                     ) -> dict[str, int]:
    """Failed records per stream name (records with an open error on that stream), over the
    first `cap`+1 of them. Counted by stream, not by store entity: notes and files each feed
    two streams, in two milestones for files."""
    out: dict[str, int] = {}
    for stream, entity, count in sync_progress.failed_records_by_stream(conn, tenant_id, cap):
        name = stream or first_stream_of(entity)
        out[name] = out.get(name, 0) + count
    return out


def failed_by_milestone(conn: Connection, tenant_id: int, cap: int = FAILED_CAP
                        ) -> dict[str, int]:
    """Failed records per milestone key: the sum of its streams' (`failed_by_stream`)."""
    return _by_milestone(failed_by_stream(conn, tenant_id, cap))


def _by_milestone(by_stream: Mapping[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for name, count in by_stream.items():
        key = STREAM[name].milestone if name in STREAM else milestone_of(name)
        out[key] = out.get(key, 0) + count
    return out


HELD = {"throttled": "LinkedIn throttled the sync", "day": "the daily request limit is used up",
        "minute": "the records-per-minute limit is reached"}


def waiting(conn: Connection, client_id: str | None, now: int,
            limits: Mapping[str, Limit] | None = None,
            families: list[str] | None = None, call: int = CALL_SIZE
            ) -> dict[str, Any] | None:
    """LinkedIn's rate limit holds the sync back: the family, why, and when it resumes. A
    429's block (any family of the app), and, with `limits`, the budget of `families` (the
    families being sent) as `RateBudget.acquire` would find it for one call of `call`
    records."""
    if not client_id:
        return None
    held: list[tuple[int, str, str]] = [
        (until, family, "throttled")
        for until, family in rate_budget.active_blocks(conn, client_id, now)]
    for family in families or []:
        until, why = next_send_ms(conn, client_id, family, call, now,
                                  (limits or {}).get(family))
        if why:
            held.append((until, family, why))
    if not held:
        return None
    until, family, why = max(held)
    seconds = max(1, round((until - now) / 1000))
    at = datetime.fromtimestamp(until / 1000, UTC).strftime("%H:%M:%S UTC")
    return {"family": family, "untilMs": until, "seconds": seconds, "reason": why,
            "text": f"Waiting for LinkedIn's rate limit ({family}: {HELD[why]}): "
                    f"resumes at {at}, in {seconds:,} s."}


def sent_per_second(conn: Connection, tenant_id: int, now: int, since: int
                    ) -> tuple[float, int]:
    """Records per second over the last minute, or since the run started if that is later
    (a run a few seconds old is not measured over a whole minute), counting what the batches
    being sent have sent so far: (records per second, records measured)."""
    start = max(now - RATE_WINDOW_MS, since)
    committed, sending = sync_progress.records_sent_since(
        conn, tenant_id, committed_after=start, prepared_since=since, lookback=RATE_LOOKBACK)
    seconds = max(1.0, (now - start) / 1000)
    return float(committed + sending) / seconds, int(committed + sending)


def _budget_per_second(streams: list[dict[str, Any]], limits: Mapping[str, Limit] | None
                       ) -> float | None:
    """The slowest per-minute budget among the streams still to finish, per second."""
    if not limits:
        return None
    rates = []
    for s in streams:
        if s["finishedAt"] is not None or s["name"] not in STREAM:
            continue
        limit = limits.get(STREAM[s["name"]].family)
        if limit is not None and limit.per_minute:
            rates.append(limit.per_minute / 60)
    return min(rates) if rates else None


def rate_text(per_second: float, *, measured: bool = True) -> str:
    """The rate as the pages and the CLI show it. Below MIN_SAMPLE records it is not a measure
    yet (the time left then assumes LinkedIn's rate limits): "measuring", not a number."""
    return f"{round(per_second, 1):,} records/s" if measured else "rate: measuring"


def run_progress(conn: Connection, tenant_id: int, *, status: str, client_id: str | None,
                 limits: Mapping[str, Limit] | None, now: int) -> dict[str, Any]:
    """The latest historical run's milestones, totals, rate, wait and ETA; `run` is None
    before the first run."""
    run = sync_logs.latest_run(conn, tenant_id)
    failed = failed_records(conn, tenant_id)
    base: dict[str, Any] = {"run": None, "recordsPerSecond": 0.0, "rateText": rate_text(0.0),
                            "etaSeconds": None, "waiting": waiting(conn, client_id, now),
                            "failedRecords": failed}
    if run is None:
        return base
    rows = sync_logs.milestones(conn, run.id)
    in_flight = sync_progress.sent_in_flight(conn, tenant_id, run.id)
    streams = []
    for row in rows:
        finished = row.finished_at is not None
        done = int(row.done) + (0 if finished else in_flight.get(row.name, 0))
        total = max(int(row.total or 0), done)  # records created during the run count too
        if finished:
            total = done = max(total, int(row.done))
        streams.append({
            "name": row.name, "label": row.name.replace("_", " "),
            "milestone": STREAM[row.name].milestone if row.name in STREAM else row.name,
            "total": total, "done": done, "rejected": row.rejected, "excluded": row.excluded,
            "percent": percent(done, total, finished),
            "startedAt": row.started_at, "finishedAt": row.finished_at,
            "state": "done" if finished else "running" if row.started_at else "waiting"})
    failed_by = failed_by_stream(conn, tenant_id)
    for s in streams:
        s["failed"] = failed_by.get(s["name"], 0)
    failed_in = _by_milestone(failed_by)  # the sum of its streams' rows
    kind = connections.kind_of(conn, tenant_id) or "RSC"
    groups = []
    for milestone in MILESTONES:
        if milestone.key == ENABLED:
            state = "done" if status == "ENABLED" else status.lower()
            groups.append({"key": milestone.key, "number": milestone.number,
                           "label": milestone.label, "features": list(features(milestone, kind)),
                           "total": 0, "done": 0, "percent": 100 if state == "done" else 0,
                           "state": state, "failed": 0, "rejected": 0, "excluded": 0,
                           "streams": []})
            continue
        members = [s for s in streams if s["milestone"] == milestone.key]
        total = sum(s["total"] for s in members)
        done = sum(s["done"] for s in members)
        state = ("done" if all(s["state"] == "done" for s in members) else
                 "waiting" if all(s["state"] == "waiting" for s in members) else "running")
        groups.append({"key": milestone.key, "number": milestone.number,
                       "label": milestone.label, "features": list(features(milestone, kind)),
                       "total": total, "done": done,
                       "percent": percent(done, total, state == "done"), "state": state,
                       "failed": failed_in.get(milestone.key, 0),
                       "rejected": sum(s["rejected"] for s in members),
                       "excluded": sum(s["excluded"] for s in members), "streams": members})
    remaining = sum(s["total"] - s["done"] for s in streams if s["finishedAt"] is None)
    wait = base["waiting"]
    if run.status == "running":
        # The family being sent now (the first unfinished stream) is what the budget holds.
        current = next((s for s in streams if s["finishedAt"] is None and s["name"] in STREAM),
                       None)
        families = [STREAM[current["name"]].family] if current else []
        call = min(CALL_SIZE, max(1, current["total"] - current["done"])) if current else 0
        wait = base["waiting"] = waiting(conn, client_id, now, limits, families, call)
    per_second, eta, rate_measured = 0.0, None, True
    if run.status == "running":
        per_second, measured = sent_per_second(conn, tenant_id, now, int(run.started_at))
        budget = _budget_per_second(streams, limits)
        rate_measured = measured >= MIN_SAMPLE
        if budget and not rate_measured:
            pace: float | None = budget  # too little sent to measure: the budget's pace
        else:
            pace = min(per_second, budget) if per_second and budget else per_second or budget
        if remaining and pace:
            eta = round(remaining / pace) + (wait["seconds"] if wait else 0)
        elif wait:
            eta = wait["seconds"]
    total_all = sum(s["total"] for s in streams)
    done_all = sum(s["done"] for s in streams)
    base.update({
        "run": {"id": run.id, "status": run.status, "startedAt": run.started_at,
                "finishedAt": run.finished_at, "milestones": groups, "total": total_all,
                "done": done_all, "remaining": remaining,
                "percent": percent(done_all, total_all, run.status == "done")},
        "recordsPerSecond": round(per_second, 1), "etaSeconds": eta,
        "rateText": rate_text(per_second, measured=rate_measured)})
    if run.status != "running":
        base["waiting"] = None
    return base
