"""Controlling a tenant's sync: pause and resume, retry of failed records, the dry-run plan,
status with progress and ETA, and disconnect (delete everything from LinkedIn, verify, keep
a deletion report)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import func, select, update

from recruitlink.core import field_labels
from recruitlink.errors import ConfigurationError, Disconnecting, LeaseLost
from recruitlink.store import connections, schema

from . import ledger, progress
from .engine import StepReport, SyncEngine, _Work, now_ms
from .items import delete_item
from .ledger import LIVE_STATES, PENDING_STATES
from .streams import ORDER, STREAM, VERIFY_RESOURCES, streams_for


def set_paused(engine: SyncEngine, tenant_id: int, paused: bool,
               contract: str | None = None) -> None:
    """Pause or resume the tenant (all sends), or one contract (its Recruiter data pulls)."""
    with engine.store.db.write() as conn:
        info = connections.load(conn, tenant_id, engine.box)
        if info is None:
            raise ConfigurationError("tenant: not connected to LinkedIn")
        if contract is None:
            connections.set_paused(conn, tenant_id, paused)
            return
        contracts = [dict(c) for c in info.contracts]
        match = [c for c in contracts if c["urn"] == contract]
        if not match:
            raise ConfigurationError(f"contract: {contract} is not connected for this tenant")
        match[0]["paused"] = paused
        conn.execute(update(schema.connections).where(
            schema.connections.c.tenant_id == tenant_id).values(contracts=contracts))


def retry(engine: SyncEngine, tenant_id: int, *, batch_id: int | None = None) -> StepReport:
    """Send again every record with an open error (of one batch, or all), as they are now,
    in logical batches like the sync's. The errors are marked replayed in the transaction
    that prepares the batches, so a crash or a pause loses none of them: what is not sent
    yet stays prepared, and the sync sends it (on resume)."""
    info = connections.load_required(engine.store, tenant_id, engine.box)
    engine.hold_lease(tenant_id)
    try:
        with engine.store.reader() as conn:
            query = select(schema.sync_errors.c.id, schema.sync_errors.c.entity,
                           schema.sync_errors.c.entity_id).where(
                schema.sync_errors.c.tenant_id == tenant_id,
                schema.sync_errors.c.status == "open")
            if batch_id is not None:
                query = query.where(schema.sync_errors.c.batch_id == batch_id)
            errors = conn.execute(query).all()
            if not errors:
                return StepReport("idle", message="no failed records to retry")
            refs = list(dict.fromkeys((r.entity, r.entity_id) for r in errors))
            work = engine._work(conn, info, refs, historical=False)
        return engine.send_in_batches(info, work, engine._sender(info), cursor_after=None,
                                      replayed=[r.id for r in errors])
    except Disconnecting as exc:
        return StepReport("idle", message=str(exc))
    finally:
        engine.release_lease(tenant_id)


@dataclass
class Plan:
    per_stream: dict[str, Counter[str]] = field(default_factory=dict)
    reasons: dict[str, Counter[str]] = field(default_factory=dict)
    records: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    """Per stream, the ids it would send or delete, and those it would exclude or reject
    with why ({"id", "reason"}, and "field" for a failed check)."""

    def as_json(self) -> dict[str, Any]:
        return {"streams": {k: dict(v) for k, v in self.per_stream.items()},
                "reasons": {k: dict(v) for k, v in self.reasons.items()},
                "records": self.records}


def plan(engine: SyncEngine, tenant_id: int) -> Plan:
    """What a historical sync would do now, sending nothing: counts per stream of records to
    send, unchanged, excluded and invalid, and why."""
    info = connections.load_required(engine.store, tenant_id, engine.box)
    result = Plan()
    for stream in streams_for(info.tenant_kind, info.policy):
        counts: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        ids: dict[str, list[Any]] = {"send": [], "delete": [], "excluded": [], "invalid": []}
        table = schema.metadata.tables[stream.table]
        after = 0
        while True:
            with engine.store.reader() as conn:
                rows = [dict(r._mapping) for r in conn.execute(
                    engine._stream_query(stream, tenant_id).where(table.c.id > after)
                    .order_by(table.c.id).limit(info.policy.batch_size))]
                if not rows:
                    break
                work = engine._work(conn, info, [(stream.table, r["id"]) for r in rows],
                                    historical=True,
                                    rows_by_ref={(stream.table, r["id"]): r for r in rows},
                                    streams={stream.name})
            after = rows[-1]["id"]
            counts["send"] += sum(1 for i in work.send if i.action == "upsert")
            counts["delete"] += sum(1 for i in work.send if i.action == "delete")
            counts["unchanged"] += len(work.skipped)
            counts["excluded"] += len(work.excluded)
            counts["invalid"] += len(work.rejected)
            reasons.update(i.excluded or "" for i in work.excluded)
            reasons.update(f"{e['field']}: {e['reason'].split(':')[0]}"
                           for i in work.rejected for e in i.errors)
            for item in work.send:
                ids["send" if item.action == "upsert" else "delete"].append(item.external_id)
            ids["excluded"] += [{"id": i.external_id, "reason": i.excluded or ""}
                                for i in work.excluded]
            ids["invalid"] += [{"id": i.external_id, "field": e["field"],
                                "reason": field_labels.explain(e["field"], e["reason"])}
                               for i in work.rejected for e in i.errors]
        result.per_stream[stream.name] = counts
        result.reasons[stream.name] = reasons
        result.records[stream.name] = ids
    return result


def status(engine: SyncEngine, tenant_id: int) -> dict[str, Any]:
    """The connection, the latest run's milestones with progress, rate, wait and ETA (the
    pages' computation: `progress.py`), the ledger, and the failed records."""
    now = now_ms()
    with engine.store.reader() as conn:
        info = connections.load(conn, tenant_id, engine.box)
        if info is None:
            return {"connected": False}
        state = progress.run_progress(conn, tenant_id, status=info.status,
                                      client_id=info.client_id, limits=engine.settings.limits,
                                      now=now)
        kind = conn.execute(select(schema.sync_runs.c.kind).where(
            schema.sync_runs.c.tenant_id == tenant_id).order_by(
            schema.sync_runs.c.id.desc()).limit(1)).scalar()
        by_state = select(schema.sync_ledger.c.state, func.count()).where(
            schema.sync_ledger.c.tenant_id == tenant_id).group_by(schema.sync_ledger.c.state)
        states: dict[str, int] = {r[0]: r[1] for r in conn.execute(by_state)}
        pending = conn.execute(select(func.count()).select_from(schema.sync_batches).where(
            schema.sync_batches.c.tenant_id == tenant_id,
            schema.sync_batches.c.status == "prepared")).scalar()
        cursor = ledger.get_cursor(conn, tenant_id, "changelog")
        head = conn.execute(select(func.coalesce(func.max(schema.changelog.c.seq), 0)).where(
            schema.changelog.c.tenant_id == tenant_id)).scalar()
    run = state["run"]
    return {
        "connected": True, "tenant": info.tenant_slug, "status": info.status,
        "paused": info.paused, "organization": info.organization,
        # Each contract with LinkedIn's say on it, as the setup page shows it.
        "contracts": [{**c, "linkedinStatus": s.status, "reason": s.reason}
                      for c, s in zip(info.contracts, info.contract_states(), strict=True)],
        "lastSyncAt": info.last_sync_at,
        "run": None if run is None else {
            "id": run["id"], "kind": "historical", "status": run["status"],
            "startedAt": run["startedAt"], "finishedAt": run["finishedAt"],
            "total": run["total"], "done": run["done"], "percent": run["percent"],
            "milestones": [
                {"name": s["name"], "milestone": s["milestone"], "total": s["total"],
                 "done": s["done"], "rejected": s["rejected"], "excluded": s["excluded"],
                 "startedAt": s["startedAt"], "finishedAt": s["finishedAt"]}
                for group in run["milestones"] for s in group["streams"]],
            "featureMilestones": [
                {"number": g["number"], "key": g["key"], "label": g["label"],
                 "state": g["state"], "done": g["done"], "total": g["total"],
                 "failed": g["failed"], "features": g["features"]}
                for g in run["milestones"]]},
        "latestRunKind": kind,
        "recordsPerSecond": state["recordsPerSecond"], "etaSeconds": state["etaSeconds"],
        "waiting": state["waiting"], "failedRecords": state["failedRecords"],
        "ledger": states, "openErrors": state["failedRecords"], "pendingBatches": pending,
        "changelogBehind": max(0, int(head or 0) - int(cursor or 0)) if cursor is not None
        else None,
    }


def disconnect(engine: SyncEngine, tenant_id: int, *,
               progress: Callable[[str], None] | None = None,
               wait_s: float | None = None) -> dict[str, Any]:
    """Delete everything synced for the tenant (jobs are closed), verify LinkedIn no longer
    has it, and keep the deletion report on a `disconnect` run.

    The DISCONNECTING status asks whoever syncs the tenant (a runner thread of this process,
    another process, a worker) to stop: each sync loop looks before every call and lets go
    of the tenant's lease. The disconnect waits for the lease under an owner of its own
    (never the one of a runner in this process); if the holder does not let go in time,
    nothing is deleted and the status is put back. `wait_s`: how long to wait for it (default:
    longer than a lease lives). `progress` hears each stage in words."""
    say = progress or (lambda _message: None)
    info = connections.load_required(engine.store, tenant_id, engine.box)
    with engine.store.db.write() as conn:
        connections.set_status(conn, tenant_id, "DISCONNECTING", now_ms())
    own = engine.under_own_lease()
    say("Asking the running sync to stop...")
    try:
        own.hold_lease(tenant_id, timeout_s=wait_s if wait_s is not None else
                       max(120.0, engine.settings.lease_ttl_s + 30.0))
    except LeaseLost as exc:
        with engine.store.db.write() as conn:
            conn.execute(update(schema.connections).where(
                schema.connections.c.tenant_id == tenant_id,
                schema.connections.c.status == "DISCONNECTING").values(status=info.status))
        raise LeaseLost(f"{exc.message}: nothing was deleted; try again") from exc
    try:
        return _disconnect(own, info, say)
    finally:
        own.release_lease(tenant_id)


def _disconnect(engine: SyncEngine, info: connections.ConnectionInfo,
                say: Callable[[str], None]) -> dict[str, Any]:
    tenant_id = info.tenant_id
    sender = engine._sender(info)
    sender.pause_check = None
    sender.disconnect_check = None  # this is the disconnect
    say("Deleting everything synced from LinkedIn...")
    # A batch a crash left prepared may have reached LinkedIn without reaching the ledger:
    # finish it first, so the ledger knows everything there is to delete.
    with engine.store.reader() as conn:
        prepared = ledger.prepared_batches(conn, tenant_id)
    for batch in prepared:
        engine._recover(info, batch, sender)
    now = now_ms()
    with engine.store.db.write() as conn:
        connections.set_status(conn, tenant_id, "DISCONNECTING", now)
        conn.execute(update(schema.sync_runs).where(
            schema.sync_runs.c.tenant_id == tenant_id,
            schema.sync_runs.c.status == "running").values(status="cancelled",
                                                           finished_at=now))
        run_id = int(conn.execute(schema.sync_runs.insert().values(
            tenant_id=tenant_id, kind="disconnect", status="running", start_seq=0,
            started_at=now)).inserted_primary_key[0])  # type: ignore[index]
    deleted: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    jobs = _jobs_on_linkedin(engine, tenant_id)
    # Children before parents: notes, stages and feedback, then applications, ...
    for stream in sorted(STREAM.values(), key=lambda s: -ORDER[s.name]):
        while True:
            with engine.store.reader() as conn:
                rows = conn.execute(select(schema.sync_ledger).where(
                    schema.sync_ledger.c.tenant_id == tenant_id,
                    schema.sync_ledger.c.resource == stream.resource,
                    schema.sync_ledger.c.state.in_(LIVE_STATES))
                    .limit(info.policy.batch_size)).all()
            if not rows:
                break
            work = _Work(send=[delete_item(stream.name, r.entity, r.entity_id, r.external_id,
                                           dict(r.li_key), info.organization) for r in rows])
            # No run: a crashed delete batch is recovered as the continuous sync's are.
            report = engine._send(info, work, sender, batch_id=None, run_id=None,
                                  milestone=ledger.DISCONNECT_BATCH, cursor_after=None)
            tally = report.tally
            deleted[stream.resource] += tally.synced if tally else 0
            failed[stream.resource] += (tally.rejected + tally.retryable) if tally else 0
            if tally and tally.synced == 0:
                break  # LinkedIn refuses these deletes; they stay listed as failures
    _await_closes(engine, info, sender)
    closed = _job_outcomes(engine, tenant_id, jobs)
    deleted["simpleJobPostings"] = closed["deleted"]
    failed["simpleJobPostings"] = closed["failed"]
    say("Reading back what was deleted...")
    verification = _verify_gone(engine, info, sender)
    client = engine.client_for(info)
    export = client.integration_key(info.organization, "CRM_ONE_CLICK_EXPORT"
                                    if info.kind == "CRM" else "ONE_CLICK_EXPORT")
    client.delete_configuration(export, "CALLBACK_URL")
    report_json: dict[str, Any] = {"deleted": {k: v for k, v in deleted.items() if v},
                                   "failed": {k: v for k, v in failed.items() if v},
                                   "verified": verification}
    if closed["pending"]:
        # LinkedIn has not confirmed these closes yet; the sync keeps polling them.
        report_json["pending"] = {"simpleJobPostings": closed["pending"]}
    finished = now_ms()
    with engine.store.db.write() as conn:
        conn.execute(update(schema.sync_runs).where(schema.sync_runs.c.id == run_id).values(
            status="done", finished_at=finished, report=report_json))
        connections.set_status(conn, tenant_id, "DISCONNECTED", finished)
        conn.execute(schema.sync_cursors.delete().where(
            schema.sync_cursors.c.tenant_id == tenant_id))
    return report_json


def _jobs_on_linkedin(engine: SyncEngine, tenant_id: int) -> list[int]:
    """The jobs LinkedIn lists (or is closing) for the tenant, before the disconnect."""
    with engine.store.reader() as conn:
        return list(conn.execute(select(schema.sync_ledger.c.entity_id).where(
            schema.sync_ledger.c.tenant_id == tenant_id, schema.sync_ledger.c.entity == "jobs",
            schema.sync_ledger.c.state.in_((*LIVE_STATES, "closing")))).scalars())


def _await_closes(engine: SyncEngine, info: connections.ConnectionInfo, sender: Any) -> None:
    """Poll the tenant's job tasks (its CLOSEs) until LinkedIn confirms each, or the wait
    runs out (`close_wait_s`)."""
    deadline = time.monotonic() + engine.settings.close_wait_s
    while time.monotonic() < deadline:
        with engine.store.reader() as conn:
            pending = conn.execute(select(func.count()).select_from(schema.sync_ledger).where(
                schema.sync_ledger.c.tenant_id == info.tenant_id,
                schema.sync_ledger.c.state.in_(PENDING_STATES))).scalar()
        if not pending:
            return
        if engine._poll_tasks(info, sender) is None:
            engine.renew_lease(info.tenant_id)
        engine.sleep(max(0.05, min(1.0, engine.settings.job_task_poll_s)))


def _job_outcomes(engine: SyncEngine, tenant_id: int, job_ids: list[int]) -> dict[str, int]:
    """How the disconnect's job closes ended: deleted (closed, or never there), failed
    (LinkedIn still lists the job), pending (not confirmed yet)."""
    counts = {"deleted": 0, "failed": 0, "pending": 0}
    with engine.store.reader() as conn:
        for start in range(0, len(job_ids), 500):
            for state in conn.execute(select(schema.sync_ledger.c.state).where(
                    schema.sync_ledger.c.tenant_id == tenant_id,
                    schema.sync_ledger.c.entity == "jobs",
                    schema.sync_ledger.c.entity_id.in_(job_ids[start:start + 500]))).scalars():
                if state in ("deleted", "excluded"):
                    counts["deleted"] += 1
                elif state in PENDING_STATES:
                    counts["pending"] += 1
                else:
                    counts["failed"] += 1
    return counts


def _verify_gone(engine: SyncEngine, info: connections.ConnectionInfo,
                 sender: Any) -> dict[str, Any]:
    """Read back what the ledger says was deleted: LinkedIn must answer nothing for it."""
    client = engine.client_for(info)
    checked = 0
    still_there: dict[str, int] = defaultdict(int)
    with engine.store.reader() as conn:
        rows = conn.execute(select(schema.sync_ledger).where(
            schema.sync_ledger.c.tenant_id == info.tenant_id,
            schema.sync_ledger.c.state == "deleted",
            schema.sync_ledger.c.resource.in_(VERIFY_RESOURCES))).all()
    by_resource: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_resource[row.resource].append(row.li_key["key"])
    for resource, keys in by_resource.items():
        for start in range(0, len(keys), 100):
            chunk = keys[start:start + 100]
            found: dict[Any, Any] = sender._call(
                resource, len(chunk), partial(client.get, resource, chunk))
            checked += len(chunk)
            still_there[resource] += sum(1 for v in found.values() if v is not None)
    return {"checked": checked, "stillPresent": {k: v for k, v in still_there.items() if v}}
