"""Compliance duties end to end (issue 19, part 4), on SQLite and PostgreSQL, against the
sandbox over loopback: a member's closure older than the policy's window is acted on by the
background scheduler with no manual step; an erasure is deleted on LinkedIn by the sync,
verified by reading LinkedIn back, and leaves a certificate; a read-back that finds LinkedIn
still holding the record keeps the duty open and says so."""

# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)
from __future__ import annotations

import asyncio
import contextlib
import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from recruitlink.crypto import SecretBox, secret_box
from recruitlink.runtime import compliance as duties
from recruitlink.runtime import queue
from recruitlink.runtime.background import BackgroundRunner
from recruitlink.runtime.compliance import Compliance, task_list
from recruitlink.runtime.context import Runtime
from recruitlink.settings import Settings
from recruitlink.store import schema
from tests.conftest import make_tenant
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    KEY,
    engine,
    member,
    server,
    wired,
)
from tests.integration.test_inbound_pollers import exported, inmail, interactions_of, poller
from tests.integration.test_parity import make_engine, seed_more
from tests.integration.test_sync_engine import connected, records, run_until_idle, seed_small
from tests.support.keys import TEST_SECRET_KEY

DAY_S = 86_400


@pytest.fixture
def sync_engine(store, li, linkedin_api_version):
    eng = make_engine(store, li, api_version=linkedin_api_version)
    yield eng
    eng.close()


def sandbox_clock(li) -> Any:
    """LinkedIn's time (the sandbox's, which its control API moves on) as the scheduler's."""
    return lambda: li.control.get("/clock").json()["nowMs"] / 1000


def inbound(store, kind: str, li_id: str) -> Any:
    with store.reader() as conn:
        return conn.execute(select(schema.inbound_items).where(
            schema.inbound_items.c.kind == kind, schema.inbound_items.c.li_id == li_id)).one()


def inmails(store, candidate_id: int) -> list[Any]:
    return [i for i in interactions_of(store, candidate_id) if i.type == "inmail"]


def duty_of(store, tenant_id: int, kind: str, subject: str) -> dict[str, Any] | None:
    found = [d for d in task_list(store, tenant_id, int(time.time() * 1000))
             if d["kind"] == kind and d["subject"] == subject]
    return found[0] if found else None


def test_duties_past_their_window_are_kept_by_the_scheduler(store, tenant, li, wired, engine):
    """A closure older than the policy's window, and imported InMails older than its retention,
    are acted on by the background scheduler: nobody does anything but wait."""
    duties.set_policy(store, tenant.id, history_retention_days=30)
    exported_member, row = exported(store, li, wired["seat"], 40, 2)
    inmail(li, wired["seat"], exported_member["person"])
    # A member the recruiter only noted (no candidate in the ATS): the note waits for one,
    # with the member's data; then the member closes their account.
    m = member(li, 30)
    r = li.control.post("/recruiter/notes", json={"seat": wired["seat"]["id"],
                                                  "person": m["person"], "note": "Met at a fair"})
    assert r.status_code == 201, r.text
    note_id = str(r.json()["id"])
    assert li.control.post(f"/recruiter/members/{m['person']}/close").status_code == 200
    # The pollers read both: the note and the closure wait for a candidate of the member.
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["closures:waiting"] == 1, report.outcomes
    assert report.outcomes["inmails:applied"] == 1, report.outcomes
    assert len(inmails(store, row.id)) == 1

    settings = Settings(secret_key=KEY, linkedin_api_url=li.url, linkedin_oauth_url=li.url,
                        background_sync=False, poll_interval_seconds=3600,
                        inbound_backfill_days=1, compliance_interval_seconds=0.2)
    runtime = Runtime(settings, store, SecretBox(KEY))
    runner = BackgroundRunner(runtime, sync=False, pollers=True, idle_s=0.1,
                              clock=sandbox_clock(li))
    runner.start()
    try:
        deadline = time.monotonic() + 30
        while (duty := duty_of(store, tenant.id, "closure", m["person"])) is None \
                or duty_of(store, tenant.id, "retention", "history") is None:
            assert time.monotonic() < deadline, "the scheduler opened no duties"
            time.sleep(0.1)
        # The InMail is new: kept (retention looks again in a day).
        assert len(inmails(store, row.id)) == 1
        # Read by the pollers, no candidate to notify: due 30 days after the closure.
        assert duty["state"] == "due", duty
        assert inbound(store, "closure", m["person"]).outcome == "waiting"
        waiting = inbound(store, "note", note_id)
        assert waiting.outcome == "waiting" and waiting.payload is not None

        # 31 days on, LinkedIn's clock and so the scheduler's: nobody does anything.
        li.control.post("/clock/advance", json={"seconds": 31 * DAY_S})
        deadline = time.monotonic() + 30
        while (duty := duty_of(store, tenant.id, "closure", m["person"]))["state"] != "done" \
                or (retention := duty_of(store, tenant.id, "retention", "history")
                    )["doneAt"] is None or retention["doneAt"] < duty["doneAt"]:
            assert time.monotonic() < deadline, f"not acted on: {duty}, {retention}"
            time.sleep(0.1)
    finally:
        runner.stop()
        runtime.close_engine()
    assert duty["process"] == "scheduler" and duty["outcome"].startswith("purged"), duty
    # What came from LinkedIn for the member is gone, and will not be applied later.
    purged = inbound(store, "note", note_id)
    assert purged.outcome == "purged" and purged.payload is None and purged.person is None
    assert inbound(store, "closure", m["person"]).outcome == "purged"
    # The InMail, 31 days old, is past the 30 days' retention: gone, and what was kept of it.
    assert retention["state"] == "done" and not inmails(store, row.id), retention
    assert retention["outcome"].startswith("1 imported InMail(s) and note(s) older than 30"), \
        retention
    with store.reader() as conn:
        (item,) = conn.execute(select(schema.inbound_items).where(
            schema.inbound_items.c.kind == "inmail")).all()
    assert item.outcome == "purged" and item.payload is None

    # The exported member closes too, under the purge policy: the pollers delete the
    # candidate, and its One-Click Export keeps no name of the member (the export deletion).
    with store.reader() as conn:
        (push,) = conn.execute(select(schema.inbox_events).where(
            schema.inbox_events.c.candidate_id == row.id)).all()
    assert push.details is not None
    duties.set_policy(store, tenant.id, closed_members="purge")
    assert li.control.post(f"/recruiter/members/{exported_member['person']}/close"
                           ).status_code == 200
    report = poller(store, engine).poll(tenant.id)
    assert report.outcomes["closures:purged"] == 1, report.outcomes
    with store.reader() as conn:
        assert conn.execute(select(schema.inbox_events.c.details).where(
            schema.inbox_events.c.id == push.id)).scalar() is None


def test_an_erasure_is_verified_by_read_back_and_leaves_a_certificate(store, tenant, li,
                                                                      sync_engine):
    engine = sync_engine
    seed_small(store, tenant.id)
    seed_more(store, tenant.id)
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    assert {"C4"} <= set(records(li, "atsCandidates"))
    assert {"A4"} <= set(records(li, "atsApplications"))
    compliance = Compliance(engine)

    certificate = compliance.erase(tenant.id, "C4", process="cli")
    assert certificate["deleted"] == {"applications": 1, "candidates": 1}, certificate
    assert {(r["entity"], r["id"], r["readable"]) for r in certificate["records"]} == {
        ("candidates", "C4", True), ("applications", "A4", True)}
    # Before the sync has run, nothing is read back: the duty waits for it.
    compliance.run_tenant(tenant.id)
    state = compliance.certificate(tenant.id, "C4")
    assert state["state"] == "due" and "waiting for the sync" in state["outcome"], state

    # LinkedIn answers the candidate's delete but keeps it (as if re-created behind our back).
    li.control.put("/faults/atsCandidates", json={"ignore_deletes": True})
    run_until_idle(engine, tenant.id)
    li.control.delete("/faults")
    assert "C4" in records(li, "atsCandidates") and "A4" not in records(li, "atsApplications")
    compliance.run_tenant(tenant.id)
    state = compliance.certificate(tenant.id, "C4")
    assert not state["verified"] and state["state"] == "due", state
    assert "LinkedIn still holds 1 record(s): candidates/C4" in state["outcome"]
    assert state["certificate"]["readBack"]["held"] == ["candidates/C4"]

    # The failed read-back queued the delete again; once the sync has sent it, verified.
    run_until_idle(engine, tenant.id)
    assert "C4" not in records(li, "atsCandidates")
    compliance.run_tenant(tenant.id)
    state = compliance.certificate(tenant.id, "C4")
    assert state["verified"] and state["state"] == "done", state
    cert = state["certificate"]
    assert cert["readBack"]["held"] == [] and cert["readBack"]["checked"] == 2
    assert cert["verifiedAt"] >= cert["requestedAt"] and cert["requestedBy"] == "cli"
    # Ids and times only: nothing of the person.
    text = json.dumps(state)
    assert "Curie" not in text and "marie@" not in text and "Marie" not in text


def test_scale_out_the_tick_hands_the_scheduler_to_a_worker(postgres_template, li):
    """In scale-out the tick defers `recruitlink.compliance`; a worker runs it and verifies a
    pending erasure with no manual step."""
    with postgres_template.store() as store:
        queue.ensure_schema(store.db)
        tenant = make_tenant(store)
        settings = Settings(database_url=store.db.url, secret_key=TEST_SECRET_KEY,
                            linkedin_api_url=li.url, linkedin_oauth_url=li.url,
                            job_task_poll_seconds=0.0, parity_interval_seconds=0,
                            compliance_interval_seconds=1)  # due at every tick
        runtime = Runtime(settings, store, secret_box(settings))
        tasks = queue.TaskQueue(settings, runtime)
        try:
            seed_small(store, tenant.id)
            connected(store, runtime.engine, li, tenant)
            run_until_idle(runtime.engine, tenant.id)
            Compliance(runtime.engine).erase(tenant.id, "C1", process="api")
            run_until_idle(runtime.engine, tenant.id)
            with ThreadPoolExecutor(1) as pool:  # asyncio in a thread (test_killed_tick.py)
                ticked = pool.submit(asyncio.run, _tick_and_work(tasks, store, tenant.id)
                                     ).result(timeout=120)
        finally:
            tasks.close()
            runtime.close_engine()
    assert ticked["compliance"] == 1, ticked


async def _tick_and_work(tasks: queue.TaskQueue, store, tenant_id: int) -> dict[str, int]:
    async with tasks.app.open_async():
        ticked = await tasks.tick()
        run = asyncio.create_task(tasks.app.run_worker_async(
            queues=[queue.POLL], wait=True, fetch_job_polling_interval=0.1,
            install_signal_handlers=False, delete_jobs="never"))
        try:
            deadline = time.monotonic() + 60
            while (await asyncio.to_thread(duty_of, store, tenant_id, "erasure", "C1")
                   )["state"] != "done":
                assert time.monotonic() < deadline, "no worker verified the erasure"
                await asyncio.sleep(0.1)
        finally:
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
    return ticked
