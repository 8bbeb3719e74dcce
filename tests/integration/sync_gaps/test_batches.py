"""Gap 1: a continuous-sync chunk and `sync retry` are cut into logical batches of at most
the policy's batch size (sent as calls of at most its call size), each recorded write-ahead
like the historical sync's, so a pause stops all sends within one batch."""

from __future__ import annotations

from sqlalchemy import func, select

from recruitlink.core.policy import Policy
from recruitlink.core.records import Candidate
from recruitlink.store import schema
from recruitlink.sync import control
from tests.integration.sync_gaps.conftest import Seen, open_errors, set_policy
from tests.integration.test_sync_engine import connected, records, run_until_idle
from tests.support.atsdata import write_ats_data

BATCH, CALL = 50, 10
SENDS = ("atsCandidates", "atsApplications", "atsCandidates/notes", "atsApplications/stages")


def last_batch_id(store) -> int:
    with store.reader() as conn:
        return int(conn.execute(select(func.coalesce(func.max(schema.sync_batches.c.id), 0)))
                   .scalar() or 0)


def batches_after(store, after: int) -> list:
    with store.reader() as conn:
        return conn.execute(select(schema.sync_batches).where(
            schema.sync_batches.c.id > after).order_by(schema.sync_batches.c.id)).all()


def synced_twice(store, after: int) -> list:
    with store.reader() as conn:
        return conn.execute(
            select(schema.sync_batch_items.c.entity, schema.sync_batch_items.c.entity_id)
            .where(schema.sync_batch_items.c.batch_id > after,
                   schema.sync_batch_items.c.outcome == "synced")
            .group_by(schema.sync_batch_items.c.entity, schema.sync_batch_items.c.entity_id)
            .having(func.count() > 1)).all()


def retitle(store, tenant_id: int, ids: range, title: str) -> None:
    with store.writer(tenant_id) as w:
        w.records("candidates", [(n, Candidate(id=f"C{i}", current_title=title))
                                 for n, i in enumerate(ids)], mode="update")


def test_continuous_chunk_is_cut_into_batches_recorded_write_ahead(store, tenant, li,
                                                                   make_engine, tamper):
    write_ats_data(store, tenant.id, 60)
    engine = make_engine()
    connected(store, engine, li, tenant)
    set_policy(store, tenant.id, Policy(batch_size=BATCH, call_size=CALL))
    run_until_idle(engine, tenant.id)
    marker = last_batch_id(store)

    # What the ledger holds when each call goes out.
    at_send: list[list] = []

    def watch(seen: Seen) -> None:
        if seen.resource in SENDS:
            at_send.append(batches_after(store, marker))

    tamper.before.append(watch)
    retitle(store, tenant.id, range(60), "Staff Engineer")  # + applications, notes, stages
    report = engine.step(tenant.id)
    assert report.kind == "continuous"

    batches = batches_after(store, marker)
    assert len(batches) >= 3
    assert all(b.records <= BATCH for b in batches), [b.records for b in batches]
    assert sum(b.records for b in batches) == report.records
    assert all(b.status == "committed" and b.run_id is None for b in batches)
    # Calls of at most CALL records: at least ceil(sent / CALL) calls per batch.
    assert all(b.calls >= -(-b.synced // CALL) for b in batches)
    # Write-ahead: every batch of the chunk was recorded before its first call went out,
    # and only the last one carries the changelog position.
    assert at_send and [b.id for b in at_send[0]] == [b.id for b in batches]
    assert all(b.status == "prepared" for b in at_send[0])
    assert [b.cursor_after is not None for b in batches] == [False] * (len(batches) - 1) + [True]
    assert {k: v["currentJobTitle"] for k, v in records(li, "atsCandidates").items()} == {
        f"C{i}": "Staff Engineer" for i in range(60)}


def test_pause_stops_a_continuous_chunk_within_one_batch(store, tenant, li, make_engine,
                                                         tamper):
    write_ats_data(store, tenant.id, 60)
    engine = make_engine()
    connected(store, engine, li, tenant)
    set_policy(store, tenant.id, Policy(batch_size=BATCH, call_size=CALL))
    run_until_idle(engine, tenant.id)
    marker = last_batch_id(store)
    with store.reader() as conn:
        cursor = conn.execute(select(schema.sync_cursors.c.position)).scalar()

    sent: list[int] = []

    def pause_on_second_call(seen: Seen) -> None:
        if seen.resource in SENDS:
            sent.append(len(sent))
            if len(sent) == 2:  # the admin pauses while the chunk's first batch is out
                control.set_paused(engine, tenant.id, True)

    tamper.before.append(pause_on_second_call)
    retitle(store, tenant.id, range(60), "Paused Engineer")
    report = engine.step(tenant.id)
    assert report.kind == "paused"
    # The batch in flight finishes (at most BATCH / CALL calls); nothing after it is sent.
    assert len(sent) <= BATCH // CALL
    batches = batches_after(store, marker)
    assert [b.status for b in batches[:1]] == ["committed"]
    assert len(batches) >= 3 and all(b.status == "prepared" for b in batches[1:])
    assert all(b.attempts == 0 for b in batches[1:])  # prepared, never sent
    with store.reader() as conn:  # the cursor waits for the chunk's last batch
        assert conn.execute(select(schema.sync_cursors.c.position)).scalar() == cursor
    assert engine.step(tenant.id).kind == "paused"
    assert len(sent) <= BATCH // CALL

    tamper.before.clear()
    control.set_paused(engine, tenant.id, False)
    run_until_idle(engine, tenant.id)
    assert {k: v["currentJobTitle"] for k, v in records(li, "atsCandidates").items()} == {
        f"C{i}": "Paused Engineer" for i in range(60)}
    assert all(b.status == "committed" for b in batches_after(store, marker))
    assert synced_twice(store, marker) == []  # no record sent twice across the pause
    with store.reader() as conn:
        assert conn.execute(select(schema.sync_cursors.c.position)).scalar() > cursor


def test_retry_is_cut_into_batches_and_a_pause_loses_nothing(store, tenant, li, make_engine,
                                                             tamper):
    write_ats_data(store, tenant.id, 60)
    engine = make_engine()
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    # 40 candidates get an email LinkedIn cannot take: they (and their applications) fail.
    with store.writer(tenant.id) as w:
        w.records("candidates", [(n, Candidate(id=f"C{i}", emails=["broken@"]))
                                 for n, i in enumerate(range(40))], mode="update")
    run_until_idle(engine, tenant.id)
    failed = {(e.entity, e.entity_id) for e in open_errors(store)}
    assert len(failed) > 40
    # Fixed in the ATS; the continuous sync is kept out of the way, so `sync retry` sends them.
    with store.writer(tenant.id) as w:
        w.records("candidates", [(n, Candidate(id=f"C{i}", emails=[f"fixed{i}@example.com"]))
                                 for n, i in enumerate(range(40))], mode="update")
    with store.db.write() as conn:
        conn.execute(schema.sync_cursors.update().values(position=10**9))
    set_policy(store, tenant.id, Policy(batch_size=20, call_size=CALL))
    marker = last_batch_id(store)

    sent: list[int] = []

    def pause_on_third_call(seen: Seen) -> None:
        if seen.resource in SENDS:
            sent.append(len(sent))
            if len(sent) == 3:
                control.set_paused(engine, tenant.id, True)

    tamper.before.append(pause_on_third_call)
    report = control.retry(engine, tenant.id)
    assert report.kind == "paused" and "sent on resume" in (report.message or "")
    assert len(sent) <= 4  # the second batch (2 calls of 10) finishes; no third one starts
    batches = batches_after(store, marker)
    assert all(b.records <= 20 for b in batches)
    assert len(batches) >= 4 and [b.status for b in batches[:2]] == ["committed"] * 2
    assert all(b.status == "prepared" for b in batches[2:])
    assert open_errors(store) == []  # replayed, and safe in the prepared batches
    with store.reader() as conn:
        queued = {(r.entity, r.entity_id) for r in conn.execute(select(
            schema.sync_batch_items).where(schema.sync_batch_items.c.batch_id > marker))}
    assert failed <= queued

    tamper.before.clear()
    control.set_paused(engine, tenant.id, False)
    run_until_idle(engine, tenant.id)
    assert open_errors(store) == []
    assert all(b.status == "committed" for b in batches_after(store, marker))
    candidates = records(li, "atsCandidates")
    assert all(candidates[f"C{i}"]["emailAddresses"] == [f"fixed{i}@example.com"]
               for i in range(40))
    assert synced_twice(store, marker) == []
