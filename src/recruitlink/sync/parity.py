"""Live parity: read back what LinkedIn holds and compare it with what the ledger says it
should hold, per entity; reconcile what drifted. The disconnect's read-back is the same
reader (`ReadBack`).

What is read back: the streams the registry marks `verify` (`sync/streams.py`): the
resources LinkedIn lets us read by key (candidates, applications; CRM pipelines and
interactions). Jobs are not among them: LinkedIn has no read of `simpleJobPostings`.

A round reads, per entity, the next `max_records` ledger ids from where the previous round
stopped (a pass through the whole ledger may take several rounds: "by id ranges"), in calls
of at most 100 keys, each through the shared rate budget with only `share` of its window
and day (`RateBudget.acquire(share=...)`): while the sync uses more than that, parity waits,
so it never starves the sync and never makes it exceed LinkedIn's limits.

Reconcile corrects the ledger to what LinkedIn was found to hold (a missing record is not
there, an extra one is) and queues the records as a write-ahead batch; the sync's next step
sends it like a batch a crash left prepared: a missing or stale record is sent again as it
is now, an extra one deleted (sync/steps.py `recover`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from recruitlink.core.parity import DRIFT_KINDS, Expect, judge, parity_percent, share_of
from recruitlink.core.planner import LIVE_STATES, Ref
from recruitlink.errors import ConfigurationError, LinkedInThrottled, LinkedInUnavailable, Stopped
from recruitlink.linkedin import LinkedInClient
from recruitlink.linkedin.budget import RateBudget
from recruitlink.linkedin.wire import as_key
from recruitlink.store import connections
from recruitlink.store import parity as rows
from recruitlink.store.connections import ConnectionInfo

from .engine import SyncEngine, now_ms
from .items import Item
from .streams import Stream, family_for, streams_for

MAX_KEYS = 100
"""Keys per BATCH_GET (LinkedIn's batch size)."""
SLICE = 500
"""Ledger rows judged and recorded together."""
UNAVAILABLE_TRIES = 3


def parity_streams(info: ConnectionInfo) -> list[Stream]:
    """The tenant's streams parity reads back (one per ledger entity)."""
    seen: set[str] = set()
    out = []
    for s in streams_for(info.tenant_kind, info.policy):
        if s.verify and s.entity not in seen:
            seen.add(s.entity)
            out.append(s)
    return out


@dataclass
class ReadBack:
    """Reads records back from LinkedIn by key through the shared rate budget, with `share`
    of it (1.0: all of it, for the disconnect). A 429 blocks the family for everyone (as
    the sender does) and the call is tried again."""

    client: LinkedInClient
    budget: RateBudget
    share: float = 1.0
    should_stop: Callable[[], bool] | None = None
    sleep: Callable[[float], None] = time.sleep
    keep_alive: Callable[[], None] | None = None
    """Called before each call (the disconnect keeps its lease)."""
    calls: int = 0
    throttled: int = 0

    def chunk_size(self, resource: str) -> int:
        limit = self.budget.limits.get(family_for(resource))
        cap = share_of(limit.per_minute, self.share) if limit is not None else None
        return max(1, min(MAX_KEYS, cap if cap is not None else MAX_KEYS))

    def get(self, resource: str, keys: Sequence[Any]) -> list[dict[str, Any] | None]:
        """LinkedIn's record for each key, in order (None: LinkedIn has none)."""
        out: list[dict[str, Any] | None] = []
        size = self.chunk_size(resource)
        for start in range(0, len(keys), size):
            chunk = list(keys[start:start + size])
            found = self._call(resource, chunk)
            out.extend(found.get(as_key(k)) for k in chunk)
        return out

    def _call(self, resource: str, keys: list[Any]) -> dict[Any, Any]:
        family = family_for(resource)
        failures = 0
        while True:
            if self.keep_alive is not None:
                self.keep_alive()
            self.budget.acquire(family, len(keys), should_stop=self.should_stop,
                                share=self.share)
            try:
                found = self.client.get(resource, keys)
            except LinkedInThrottled as exc:
                self.throttled += 1
                self.budget.block(family, exc.retry_after)
                continue
            except LinkedInUnavailable:
                failures += 1
                if failures >= UNAVAILABLE_TRIES:
                    raise
                self.sleep(0.5 * failures)
                continue
            self.calls += 1
            return found


@dataclass
class RoundReport:
    checked: dict[str, int] = field(default_factory=dict)
    drift: dict[str, dict[str, int]] = field(default_factory=dict)
    calls: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "drift": self.drift, "calls": self.calls}


def _expectations(engine: SyncEngine, info: ConnectionInfo, stream: Stream,
                  ledger_rows: Sequence[Any]) -> dict[int, tuple[Expect, dict[str, Any] | None]]:
    """What LinkedIn should hold for each ledger row, by the ledger and the store as they
    are now: the payload last sent (the sync would skip the record: unchanged), a change on
    its way (the sync will send or delete it), or nothing."""
    refs: list[Ref] = [(stream.entity, r.entity_id) for r in ledger_rows]
    work = engine.build_work(info, refs, historical=False, streams={stream.name})
    changing = {i.entity_id for i in work.send}
    unchanged = {i.entity_id: i for i in work.skipped
                 if not i.excluded and i.content_hash is not None}
    out: dict[int, tuple[Expect, dict[str, Any] | None]] = {}
    for r in ledger_rows:
        item = unchanged.get(r.entity_id)
        if r.entity_id in changing:
            out[r.entity_id] = ("changing", None)
        elif r.state in LIVE_STATES:
            if item is not None and item.content_hash == r.content_hash:
                out[r.entity_id] = ("held", item.payload)
            else:
                out[r.entity_id] = ("changing", None)
        else:
            out[r.entity_id] = ("absent", None)
    return out


def _judge_slice(engine: SyncEngine, info: ConnectionInfo, stream: Stream, reader: ReadBack,
                 page: Sequence[Any]) -> tuple[list[rows.Drift], int]:
    """Read back one slice of ledger rows and judge each: (the drift, how many were read)."""
    expected = _expectations(engine, info, stream, page)
    asked = [r for r in page if expected[r.entity_id][0] != "changing"
             and (r.li_key or {}).get("key") is not None]
    held = reader.get(stream.resource, [r.li_key["key"] for r in asked])
    now = now_ms()
    found = []
    for r, record in zip(asked, held, strict=True):
        expect, sent = expected[r.entity_id]
        verdict = judge(expect, sent, record)
        if verdict is not None:
            found.append(rows.Drift(stream.entity, r.entity_id, r.external_id, verdict.kind,
                                    verdict.fields, now))
    return _still_settled(engine, info.tenant_id, page, found), len(asked)


def _still_settled(engine: SyncEngine, tenant_id: int, page: Sequence[Any],
                   found: list[rows.Drift]) -> list[rows.Drift]:
    """The drift of records the sync has not touched since the slice was judged: a round
    may wait seconds for its share between judging and reading, and a record sent meanwhile
    differs from the old expectation only because it is newer (it is judged next round)."""
    if not found:
        return found
    before = {r.entity_id: (r.state, r.content_hash) for r in page}
    now = engine.state.ledger_rows(tenant_id, [(d.entity, d.entity_id) for d in found])
    return [d for d in found
            if (row := now.get((d.entity, d.entity_id))) is not None
            and (row.state, row.content_hash) == before.get(d.entity_id)]


def run_round(engine: SyncEngine, tenant_id: int, *, share: float, max_records: int,
              should_stop: Callable[[], bool] | None = None) -> RoundReport:
    """One parity round of a tenant: the next `max_records` ledger records of each entity
    read back and judged; what drifted replaces what earlier rounds found in that range."""
    info = connections.load_required(engine.store, tenant_id, engine.box)
    if info.status != "ENABLED":
        raise ConfigurationError(f"tenant {info.tenant_slug}: parity needs an ENABLED "
                                 f"connection (it is {info.status})")
    with engine.store.db.write() as conn:  # a round on demand counts as the scheduled one
        rows.claim_round(conn, tenant_id, now_ms(), 0)
    reader = ReadBack(engine.client_for(info), engine.budget_for(info), share=share,
                      should_stop=should_stop, sleep=engine.sleep)
    report = RoundReport()
    for stream in parity_streams(info):
        report.checked[stream.entity] = 0
        report.drift[stream.entity] = dict.fromkeys(DRIFT_KINDS, 0)
        with engine.store.reader() as conn:
            after = rows.position(conn, tenant_id, stream.entity)
        left = max_records
        while left > 0:
            # A slice at a time, each recorded as it ends: a round that gives way (its
            # share of the budget spent) keeps what it has read.
            size = min(SLICE, left)
            with engine.store.reader() as conn:
                page = rows.ledger_page(conn, tenant_id, stream.entity, after, size)
            found, asked = _judge_slice(engine, info, stream, reader, page)
            ended = len(page) < size  # the ledger's end: the next round starts a new pass
            last = None if ended else page[-1].entity_id
            with engine.store.db.write() as conn:
                rows.record_range(conn, tenant_id, stream.entity, after, last, found, asked,
                                  now_ms(), pass_done=ended)
            report.checked[stream.entity] += asked
            for d in found:
                report.drift[stream.entity][d.kind] += 1
            if last is None:
                break
            after, left = last, left - len(page)
    report.calls = reader.calls
    return report


def run_if_due(engine: SyncEngine, tenant_id: int, *, interval_s: float, share: float,
               max_records: int, should_stop: Callable[[], bool] | None = None
               ) -> RoundReport | None:
    """The scheduled round: taken only if no round ran within `interval_s` (and no other
    process took it meanwhile)."""
    with engine.store.db.write() as conn:
        if not rows.claim_round(conn, tenant_id, now_ms(), int(interval_s * 1000)):
            return None
    try:
        return run_round(engine, tenant_id, share=share, max_records=max_records,
                         should_stop=should_stop)
    except Stopped:
        return None


def due_tenants(engine: SyncEngine, tenant_ids: Sequence[int], interval_s: float) -> list[int]:
    with engine.store.reader() as conn:
        return rows.due_tenants(conn, tenant_ids, now_ms(), int(interval_s * 1000))


def status(engine: SyncEngine, tenant_id: int, *, drift_limit: int = 500) -> dict[str, Any]:
    """Per entity: records checked, drift by kind, the parity figure; and the drift list."""
    with engine.store.reader() as conn:
        info = connections.load(conn, tenant_id, engine.box)
        summary = rows.summary(conn, tenant_id)
        drift = rows.drift(conn, tenant_id, limit=drift_limit)
        last = rows.last_round(conn, tenant_id)
    readable = parity_streams(info) if info is not None else []
    entities = [s.entity for s in readable]
    tenant_streams = streams_for(info.tenant_kind, info.policy) if info is not None else []
    entities += [e for e in summary if e not in entities]
    per_entity = []
    for entity in entities:
        s = summary.get(entity, {"checked": 0, "roundAt": None, "missing": 0, "stale": 0,
                                 "extra": 0})
        drifted = s["missing"] + s["stale"] + s["extra"]
        per_entity.append({"entity": entity, "checked": s["checked"],
                           "missing": s["missing"], "stale": s["stale"], "extra": s["extra"],
                           "parityPercent": parity_percent(s["checked"], drifted),
                           "checkedAt": s["roundAt"]})
    return {"lastRoundAt": last, "entities": per_entity,
            # What parity does not read back: jobs (LinkedIn has no read of job postings),
            # and the records kept under a parent (notes, stages, feedback, files, ...).
            "notReadable": sorted({s.entity for s in tenant_streams} - set(entities)),
            "drift": [{"entity": d.entity, "id": d.external_id, "kind": d.kind,
                       "fields": list(d.fields), "foundAt": d.found_at} for d in drift]}


def reconcile(engine: SyncEngine, tenant_id: int) -> dict[str, int]:
    """Queue every drifted record for the sync: missing and stale ones are sent again,
    extra ones deleted. Returns how many of each were queued."""
    info = connections.load_required(engine.store, tenant_id, engine.box)
    with engine.store.reader() as conn:
        drift = rows.drift(conn, tenant_id)
    if not drift:
        return dict.fromkeys(DRIFT_KINDS, 0)
    kinds = _queue(engine, info, {(d.entity, d.entity_id): d.kind for d in drift})
    return {k: sum(1 for v in kinds.values() if v == k) for k in DRIFT_KINDS}


def queue_deletes(engine: SyncEngine, tenant_id: int, refs: Sequence[Ref]) -> int:
    """Records found on LinkedIn that should not be there (an erasure's read-back): queued
    for the sync to delete again, as reconcile does with `extra` drift. How many."""
    info = connections.load_required(engine.store, tenant_id, engine.box)
    return len(_queue(engine, info, dict.fromkeys(refs, "extra")))


def _queue(engine: SyncEngine, info: ConnectionInfo, wanted: dict[Ref, str]) -> dict[Ref, str]:
    """Queue the records (ref -> drift kind) the ledger and parity's streams know; those."""
    by_entity = {s.entity: s for s in parity_streams(info)}
    refs = [ref for ref in wanted if ref[0] in by_entity]
    ledger = engine.state.ledger_rows(info.tenant_id, refs)
    items: list[Item] = []
    kinds: dict[Ref, str] = {}
    for ref in refs:
        row = ledger.get(ref)
        if row is None:
            continue
        kind = kinds[ref] = wanted[ref]
        items.append(Item(stream=by_entity[ref[0]].name, entity=ref[0], entity_id=ref[1],
                          external_id=row.external_id, resource=row.resource,
                          action="delete" if kind == "extra" else "upsert",
                          key=row.li_key.get("key"), parent=row.li_key.get("parent"),
                          organization=info.organization))
    if items:
        engine.state.queue_reconcile(info.tenant_id, items, kinds, now_ms())
    return kinds


__all__ = ["ReadBack", "RoundReport", "due_tenants", "parity_streams", "queue_deletes",
           "reconcile", "run_if_due", "run_round", "status"]
