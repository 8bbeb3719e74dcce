"""`recruitlink db migrate-state`: a tenant synced on SQLite moves to PostgreSQL, ids and
sync state unchanged, and the sync carries on there without sending anything again."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, insert, select
from typer.testing import CliRunner

from recruitlink.cli import app
from recruitlink.core.records import Candidate
from recruitlink.crypto import SecretBox
from recruitlink.errors import TransferError
from recruitlink.store import schema, transfer
from recruitlink.store.transfer import NOT_COPIED, migrate_tenant, plan
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.conftest import make_tenant
from tests.integration.test_sync_engine import connected, records, run_until_idle, seed_small
from tests.support.atsdata import write_ats_data

BOX = SecretBox("test-key")  # the target must use the source's key: secrets move encrypted


def make_engine(store, li, http: httpx.Client | None = None) -> SyncEngine:
    settings = EngineSettings(api_url=li.url, oauth_url=li.url,
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01)
    return SyncEngine(store, BOX, settings, http=http)


def migrate_cli(*args: str):
    return CliRunner().invoke(app, ["db", "migrate-state", *args])


def dump(store, tenant_id: int) -> dict[str, list[dict]]:
    """Every copied table's rows for the tenant, in key order."""
    out = {}
    with store.reader() as conn:
        for part in plan(tenant_id):
            query = select(part.table).where(part.scope).order_by(
                *part.table.primary_key.columns)
            out[part.table.name] = [dict(r._mapping) for r in conn.execute(query)]
    return out


def counts(store) -> dict[str, int]:
    with store.reader() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                for t in schema.metadata.sorted_tables}


def ledger(store, tenant_id: int) -> list[dict]:
    with store.reader() as conn:
        return [dict(r._mapping) for r in conn.execute(select(schema.sync_ledger).where(
            schema.sync_ledger.c.tenant_id == tenant_id).order_by(
            schema.sync_ledger.c.entity, schema.sync_ledger.c.entity_id))]


def paused(store, tenant_id: int) -> bool:
    with store.reader() as conn:
        return conn.execute(select(schema.connections.c.paused).where(
            schema.connections.c.tenant_id == tenant_id)).scalar()


def held(li) -> dict[str, dict]:
    return {resource: records(li, resource) for resource in ("atsCandidates", "atsApplications")}


def fake_connection(store, tenant_id: int, token: str) -> None:
    """A connection row without LinkedIn: enough to see the source's sync paused."""
    with store.db.write() as conn:
        conn.execute(insert(schema.connections).values(
            tenant_id=tenant_id, kind="RSC", organization="urn:li:organization:1",
            contracts=[], callback_token=token, status="ENABLED", status_changed_at=1,
            paused=False, policy={}, created_at=1))


@pytest.fixture
def sqlite_store(sqlite_template):
    with sqlite_template.store() as store:
        yield store


@pytest.fixture
def pg_store(postgres_template):
    with postgres_template.store() as store:
        yield store


def test_every_table_is_copied_or_deliberately_left_out():
    planned = {part.table.name for part in plan(1)}
    assert planned | set(NOT_COPIED) == set(schema.metadata.tables)
    assert not planned & set(NOT_COPIED)
    # Hanging off copied rows through their foreign key, though without a tenant_id.
    assert {"sync_milestones", "sync_batch_items", "tenants"} <= planned
    assert "sync_leases" not in planned


def test_synced_tenant_moves_to_postgres_and_carries_on_without_a_resync(
        sqlite_store, pg_store, li):
    src, dst = sqlite_store, pg_store
    tenant = make_tenant(src, "acme")
    seed_small(src, tenant.id)
    write_ats_data(src, tenant.id, 30)
    old_server = make_engine(src, li)
    connected(src, old_server, li, tenant)
    run_until_idle(old_server, tenant.id)
    before = dump(src, tenant.id)
    on_linkedin = held(li)
    # seed_small holds C1-C3 already: write_ats_data adds the others.
    assert len(on_linkedin["atsCandidates"]) > 25 and before["sync_batch_items"]

    result = migrate_cli("--tenant", "acme", "--from", src.db.url, "--to", dst.db.url)
    assert result.exit_code == 0, result.output
    assert "Tenant 'acme' moved" in result.output and "sync_ledger" in result.output
    assert "paused" in result.output

    # The old server, left running on SQLite, no longer syncs the tenant.
    assert paused(src, tenant.id) is True
    assert old_server.step(tenant.id).kind == "paused"
    old_server.close()

    # PostgreSQL holds the very same rows; the connection keeps its own (unpaused) state.
    after = dump(dst, tenant.id)
    after["connections"][0]["paused"] = True
    assert after == dump(src, tenant.id)
    assert before["sync_ledger"] == after["sync_ledger"]

    # A step on PostgreSQL: nothing to do, not one request to LinkedIn.
    sent: list[httpx.Request] = []
    http = httpx.Client(timeout=30, event_hooks={"request": [sent.append]})
    new_server = make_engine(dst, li, http=http)
    try:
        report = new_server.step(tenant.id)
        assert report.kind == "idle" and report.batch_id is None, report
        assert sent == []
        assert new_server.historical_done(tenant.id)
        assert dump(dst, tenant.id)["sync_batches"] == after["sync_batches"]
        assert ledger(dst, tenant.id) == before["sync_ledger"]
        assert held(li) == on_linkedin

        # One candidate changes on PostgreSQL: exactly that record is sent.
        with dst.writer(tenant.id) as w:
            w.records("candidates", [(0, Candidate(id="C1", current_title="CTO"))],
                      mode="update")
        report = new_server.step(tenant.id)
        # Its dependents (applications, notes) are looked at and found unchanged.
        assert report.kind == "continuous" and report.tally.synced == 1, report
        assert report.tally.rejected == report.tally.retryable == 0
        now_held = held(li)
        assert now_held["atsCandidates"]["C1"]["currentJobTitle"] == "CTO"
        changed = [k for k, v in now_held["atsCandidates"].items()
                   if v != on_linkedin["atsCandidates"][k]]
        assert changed == ["C1"]
        assert now_held["atsApplications"] == on_linkedin["atsApplications"]
        writes = [r for r in sent if r.method != "GET" and "/oauth/" not in r.url.path]
        assert len(writes) == 1
        # The ledger moved for C1 alone (an excluded record's row is only looked at again).
        old = {(r["entity"], r["entity_id"]): r for r in ledger(src, tenant.id)}
        moved = [r for r in ledger(dst, tenant.id) if old[(r["entity"], r["entity_id"])] != r]
        assert {(r["entity"], r["external_id"]) for r in moved
                if r["state"] != "excluded"} == {("candidates", "C1")}
        assert all(old[(r["entity"], r["entity_id"])]["state"] == "excluded"
                   for r in moved if r["state"] == "excluded")
        assert new_server.step(tenant.id).kind == "idle"
    finally:
        new_server.close()


def test_second_tenant_moves_next_to_the_first_and_new_rows_get_fresh_ids(
        sqlite_store, pg_store, monkeypatch):
    monkeypatch.setattr(transfer, "CHUNK", 7)  # many chunks per table
    src, dst = sqlite_store, pg_store
    acme, beam = make_tenant(src, "acme"), make_tenant(src, "beam")
    write_ats_data(src, acme.id, 20)
    write_ats_data(src, beam.id, 25, seed=3)
    fake_connection(src, acme.id, "t-acme")
    fake_connection(src, beam.id, "t-beam")
    with src.writer(beam.id) as w:  # the highest candidate id is gone, but not forgotten
        w.records("candidates", [(0, Candidate(id="LAST", first_name="Last"))], mode="create")
    with src.reader() as conn:
        top = conn.execute(select(func.max(schema.candidates.c.id))).scalar()
        top_seq = conn.execute(select(func.max(schema.changelog.c.seq))).scalar()
    with src.writer(beam.id) as w:
        assert w.delete("candidates", "LAST")

    steps = []
    report = migrate_tenant(src.db, dst.db, "acme", on_progress=steps.append)
    assert report.rows["candidates"] == 20 and report.source_paused and not report.was_paused
    assert report.total == sum(report.rows.values())
    assert [s.done for s in steps if s.phase == "copy" and s.table == "candidates"] == [
        0, 7, 14, 20]

    # New rows on PostgreSQL get ids past everything the source ever handed out.
    with dst.writer(acme.id) as w:
        w.records("candidates", [(0, Candidate(id="NEW", first_name="New"))], mode="create")
    with dst.reader() as conn:
        new_id = conn.execute(select(schema.candidates.c.id).where(
            schema.candidates.c.external_id == "NEW")).scalar()
        new_seq = conn.execute(select(func.max(schema.changelog.c.seq))).scalar()
    assert new_id > top and new_seq > top_seq

    # So the source's other tenant still fits next to it.
    report = migrate_tenant(src.db, dst.db, "beam")
    assert report.rows["candidates"] == 25
    assert dump(dst, beam.id)["candidates"] == dump(src, beam.id)["candidates"]
    assert paused(src, acme.id) and paused(src, beam.id)
    assert not paused(dst, acme.id) and not paused(dst, beam.id)
    with dst.reader() as conn:
        slugs = conn.execute(select(schema.tenants.c.slug).order_by(schema.tenants.c.id))
        assert [s for (s,) in slugs] == ["acme", "beam"]


def test_colliding_ids_or_slug_are_refused_and_nothing_is_written(
        sqlite_template, pg_store):
    dst = pg_store
    with sqlite_template.store() as one, sqlite_template.store() as other:
        write_ats_data(one, make_tenant(one, "acme").id, 5)
        migrate_tenant(one.db, dst.db, "acme")
        beam = make_tenant(other, "beam")  # a separate SQLite server: its ids start at 1 too
        fake_connection(other, beam.id, "t-beam")
        untouched = counts(dst)

        result = migrate_cli("--tenant", "beam", "--from", other.db.url, "--to", dst.db.url)
        assert result.exit_code == 1
        assert "error:" in result.output and "already has a row with" in result.output
        with pytest.raises(TransferError, match=r"table (\w+) already has a row with \w+=1"):
            migrate_tenant(other.db, dst.db, "beam")
        assert counts(dst) == untouched
        assert paused(other, beam.id) is False  # refused before the source was touched

        with pytest.raises(TransferError, match="a tenant 'acme' already exists"):
            migrate_tenant(one.db, dst.db, "acme")
        assert counts(dst) == untouched


def test_unknown_tenant_or_source_is_refused(sqlite_store, pg_store, tmp_path):
    make_tenant(sqlite_store, "acme")
    result = migrate_cli("--tenant", "nope", "--from", sqlite_store.db.url,
                         "--to", pg_store.db.url)
    assert result.exit_code == 1 and "no tenant 'nope'" in result.output
    missing = tmp_path / "typo.db"
    result = migrate_cli("--tenant", "acme", "--from", f"sqlite:///{missing}",
                         "--to", pg_store.db.url)
    assert result.exit_code == 1 and "no SQLite file" in result.output
    assert not missing.exists()


def test_a_failed_copy_leaves_no_trace_and_the_source_unpaused(sqlite_store, pg_store):
    src, dst = sqlite_store, pg_store
    tenant = make_tenant(src, "acme")
    write_ats_data(src, tenant.id, 10)
    fake_connection(src, tenant.id, "t-acme")
    untouched = counts(dst)

    def crash(step):
        if step.phase == "copy" and step.table == "candidates" and step.done:
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError, match="power cut"):
        migrate_tenant(src.db, dst.db, "acme", on_progress=crash)
    assert counts(dst) == untouched
    assert paused(src, tenant.id) is False
    report = migrate_tenant(src.db, dst.db, "acme")  # and it can simply be run again
    assert report.rows["candidates"] == 10


def test_postgres_to_sqlite_and_several_tenants_at_once(sqlite_template, pg_store, tmp_path):
    with sqlite_template.store() as first:
        acme, beam = make_tenant(first, "acme"), make_tenant(first, "beam")
        write_ats_data(first, beam.id, 8, seed=2)
        write_ats_data(first, acme.id, 12)  # the highest ids: not moved to `last`
        result = migrate_cli("--tenant", "acme", "--tenant", "beam", "--from", first.db.url,
                             "--to", pg_store.db.url)
        assert result.exit_code == 0, result.output
        assert "Tenant 'beam' moved" in result.output and "nothing to pause" in result.output
        expected = {t.id: dump(first, t.id) for t in (acme, beam)}
    with sqlite_template.store() as last:
        result = migrate_cli("--tenant", "beam", "--from", pg_store.db.url, "--to", last.db.url)
        assert result.exit_code == 0, result.output
        assert dump(last, beam.id) == expected[beam.id]
        with last.writer(beam.id) as w:
            w.records("candidates", [(0, Candidate(id="NEW", first_name="New"))], mode="create")
        with last.reader() as conn:
            new_id = conn.execute(select(schema.candidates.c.id).where(
                schema.candidates.c.external_id == "NEW")).scalar()
    # Past acme's ids too: the SQLite counter moved past all PostgreSQL handed out.
    assert new_id > max(r["id"] for r in expected[acme.id]["candidates"])
