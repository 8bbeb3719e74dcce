"""Controlling a tenant's sync: pause and resume, retry of failed records, the dry-run plan,
status with progress and ETA, and disconnect (delete everything from LinkedIn, verify, keep
a deletion report)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from recruitlink.core import field_labels
from recruitlink.core.environment import kept_refusal
from recruitlink.errors import ConfigurationError, Disconnecting, LeaseLost
from recruitlink.store import connections

from . import host_events, ledger, progress
from .engine import StepReport, SyncEngine, Work, now_ms
from .items import delete_item
from .ledger import PENDING_STATES
from .parity import ReadBack
from .streams import ORDER, STREAM, VERIFY_RESOURCES, streams_for


def set_paused(engine: SyncEngine, tenant_id: int, paused: bool,
               contract: str | None = None) -> None:
    """Pause or resume the tenant (all sends), or one contract (its Recruiter data pulls)."""
    with engine.store.db.write() as conn:
        info = connections.load(conn, tenant_id, engine.box)
        if info is None:
            raise ConfigurationError("tenant: not connected to LinkedIn")
        before = connections.status_snapshot(conn, tenant_id)
        if contract is None:
            connections.set_paused(conn, tenant_id, paused)
        else:
            contracts = [dict(c) for c in info.contracts]
            match = [c for c in contracts if c["urn"] == contract]
            if not match:
                raise ConfigurationError(
                    f"contract: {contract} is not connected for this tenant")
            match[0]["paused"] = paused
            engine.state.set_contracts(conn, tenant_id, contracts)
        host_events.status_changed(conn, tenant_id, before, by="pause" if paused else "resume")


def retry(engine: SyncEngine, tenant_id: int, *, batch_id: int | None = None) -> StepReport:
    """Send again every record with an open error (of one batch, or all), as they are now,
    in logical batches like the sync's. The errors are marked replayed in the transaction
    that prepares the batches, so a crash or a pause loses none of them: what is not sent
    yet stays prepared, and the sync sends it (on resume)."""
    info = connections.load_required(engine.store, tenant_id, engine.box)
    engine.hold_lease(tenant_id)
    try:
        refs, error_ids = engine.state.open_errors(tenant_id, batch_id)
        if not refs:
            return StepReport("idle", message="no failed records to retry")
        work = engine.build_work(info, refs, historical=False)
        return engine.steps.send_in_batches(info, work, engine.sender_for(info),
                                            cursor_after=None, replayed=error_ids)
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
        after = 0
        while True:
            rows = engine.state.stream_page(stream, tenant_id, after,
                                           info.policy.batch_size)
            if not rows:
                break
            work = engine.build_work(info, [(stream.table, r["id"]) for r in rows],
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
                if item.action == "delete" and item.excluded:
                    # LinkedIn holds a record the policy now excludes: deleted, and why.
                    ids["excluded"].append({"id": item.external_id, "reason": item.excluded,
                                            "onLinkedIn": "deleted by the next sync"})
                    reasons[item.excluded] += 1
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
    summary = engine.state.summary(tenant_id)
    run = state["run"]
    return {
        "connected": True, "tenant": info.tenant_slug, "status": info.status,
        "paused": info.paused, "organization": info.organization,
        # Each contract with LinkedIn's say on it, as the setup page shows it.
        "contracts": [{**c, "linkedinStatus": s.status, "reason": s.reason}
                      for c, s in zip(info.contracts, info.contract_states(), strict=True)],
        "lastSyncAt": info.last_sync_at,
        # The environment guard: why nothing is sent, when it refuses (core/environment.py).
        "environmentRefusal": kept_refusal(engine.settings.environment, info.app_environment,
                                           info.client_id),
        "run": None if run is None else {
            "id": run["id"], "kind": "historical", "status": run["status"],
            "startedAt": run["startedAt"], "finishedAt": run["finishedAt"],
            "total": run["total"], "done": run["done"], "percent": run["percent"],
            "milestones": [
                {"name": s["name"], "milestone": s["milestone"], "total": s["total"],
                 "done": s["done"], "rejected": s["rejected"], "failed": s["failed"],
                 "excluded": s["excluded"],
                 "startedAt": s["startedAt"], "finishedAt": s["finishedAt"]}
                for group in run["milestones"] for s in group["streams"]],
            "featureMilestones": [
                {"number": g["number"], "key": g["key"], "label": g["label"],
                 "state": g["state"], "done": g["done"], "total": g["total"],
                 "failed": g["failed"], "features": g["features"]}
                for g in run["milestones"]]},
        "latestRunKind": summary["kind"],
        "recordsPerSecond": state["recordsPerSecond"], "rateText": state["rateText"],
        "etaSeconds": state["etaSeconds"], "waiting": state["waiting"],
        "failedRecords": state["failedRecords"],
        "ledger": summary["states"], "openErrors": state["failedRecords"],
        "pendingBatches": summary["pending"], "changelogBehind": summary["behind"],
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
        before = connections.status_snapshot(conn, tenant_id)
        connections.set_status(conn, tenant_id, "DISCONNECTING", now_ms())
        host_events.status_changed(conn, tenant_id, before, by="disconnect")
    own = engine.under_own_lease()
    say("Asking the running sync to stop...")
    try:
        own.hold_lease(tenant_id, timeout_s=wait_s if wait_s is not None else
                       max(120.0, engine.settings.lease_ttl_s + 30.0))
    except LeaseLost as exc:
        engine.state.put_status_back(tenant_id, info.status)
        raise LeaseLost(f"{exc.message}: nothing was deleted; try again") from exc
    try:
        return _disconnect(own, info, say)
    finally:
        own.release_lease(tenant_id)


def _disconnect(engine: SyncEngine, info: connections.ConnectionInfo,
                say: Callable[[str], None]) -> dict[str, Any]:
    tenant_id = info.tenant_id
    sender = engine.sender_for(info)
    sender.pause_check = None
    sender.disconnect_check = None  # this is the disconnect
    say("Deleting from LinkedIn everything recruitlink synced to it...")
    # A batch a crash left prepared may have reached LinkedIn without reaching the ledger:
    # finish it first, so the ledger knows everything there is to delete.
    for batch in engine.state.prepared(tenant_id):
        engine.steps.recover(info, batch, sender)
    run_id = engine.state.start_disconnect(tenant_id, now_ms())
    deleted: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    jobs = engine.state.job_ids_on_linkedin(tenant_id)
    # Children before parents: notes, stages and feedback, then applications, ...
    for stream in sorted(STREAM.values(), key=lambda s: -ORDER[s.name]):
        while True:
            rows = engine.state.live_on_linkedin(tenant_id, stream.resource,
                                                 info.policy.batch_size)
            if not rows:
                break
            work = Work(send=[delete_item(stream.name, r.entity, r.entity_id, r.external_id,
                                           dict(r.li_key), info.organization) for r in rows])
            # No run: a crashed delete batch is recovered as the continuous sync's are.
            report = engine.steps.send(info, work, sender, batch_id=None, run_id=None,
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
    engine.state.finish_disconnect(tenant_id, run_id, report_json, now_ms())
    return report_json


def _await_closes(engine: SyncEngine, info: connections.ConnectionInfo, sender: Any) -> None:
    """Poll the tenant's job tasks (its CLOSEs) until LinkedIn confirms each, or the wait
    runs out (`close_wait_s`)."""
    deadline = time.monotonic() + engine.settings.close_wait_s
    while time.monotonic() < deadline:
        if not engine.state.pending_tasks_count(info.tenant_id):
            return
        if engine.steps.poll_tasks(info, sender) is None:
            engine.renew_lease(info.tenant_id)
        engine.sleep(max(0.05, min(1.0, engine.settings.job_task_poll_s)))


def _job_outcomes(engine: SyncEngine, tenant_id: int, job_ids: list[int]) -> dict[str, int]:
    """How the disconnect's job closes ended: deleted (closed, or never there), failed
    (LinkedIn still lists the job), pending (not confirmed yet)."""
    counts = {"deleted": 0, "failed": 0, "pending": 0}
    for state in engine.state.job_states(tenant_id, job_ids):
        if state in ("deleted", "excluded"):
            counts["deleted"] += 1
        elif state in PENDING_STATES:
            counts["pending"] += 1
        else:
            counts["failed"] += 1
    return counts


def _verify_gone(engine: SyncEngine, info: connections.ConnectionInfo,
                 sender: Any) -> dict[str, Any]:
    """Read back what the ledger says was deleted: LinkedIn must answer nothing for it
    (live parity's reader, with the whole budget: nothing else sends for the tenant now)."""
    reader = ReadBack(engine.client_for(info), engine.budget_for(info), sleep=engine.sleep,
                      keep_alive=sender.keep_alive)
    checked: Counter[str] = Counter()
    still_there: dict[str, int] = defaultdict(int)
    by_resource = engine.state.deleted_keys(info.tenant_id, list(VERIFY_RESOURCES))
    for resource, keys in by_resource.items():
        found = reader.get(resource, keys)
        checked[resource] += len(keys)
        still_there[resource] += sum(1 for v in found if v is not None)
    # Only the resources LinkedIn can read back are checked: the report says which.
    return {"checked": sum(checked.values()),
            "checkedByResource": {k: v for k, v in checked.items() if v},
            "stillPresent": {k: v for k, v in still_there.items() if v}}
