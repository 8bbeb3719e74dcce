"""The historical sync builds its next page while the current batch's calls are in flight
(issue 17: batch N+1 built while batch N is sent). What is read ahead is only a head start:
it serves the very next historical step and nothing else, so an edit made meanwhile is never
overwritten on LinkedIn by the older version read ahead, and a failed read-ahead costs the
batch nothing."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from recruitlink.core.policy import Policy
from recruitlink.core.records import Candidate
from recruitlink.store import schema
from tests.integration.sync_gaps.conftest import set_policy
from tests.integration.test_sync_engine import connected, records, run_until_idle
from tests.support.atsdata import write_ats_data

BATCH = 10  # 30 candidates: three historical pages of candidates


def backfill_ready(store, tenant, li, engine) -> None:
    """30 candidates (and their applications, notes, stages), connected, in pages of BATCH."""
    write_ats_data(store, tenant.id, 30)
    connected(store, engine, li, tenant)
    set_policy(store, tenant.id, Policy(batch_size=BATCH, call_size=5))


def watch_builds(engine) -> list[tuple[str, frozenset, str]]:
    """(thread name, candidate ids, streams) of every piece of work the engine's steps build."""
    built: list[tuple[str, frozenset, str]] = []
    build = engine.steps.build_work

    def spy(info, refs, **kwargs):
        refs = list(refs)
        streams = ",".join(sorted(kwargs.get("streams") or ()))
        built.append((threading.current_thread().name,
                      frozenset(i for e, i in refs if e == "candidates"), streams))
        return build(info, refs, **kwargs)

    engine.steps.build_work = spy
    return built


def step_until(engine, tenant_id: int, kind: str, milestone: str) -> None:
    for _ in range(50):
        report = engine.step(tenant_id)
        assert report.kind not in ("error", "done"), report
        if report.kind == kind and report.milestone == milestone:
            return
    raise AssertionError(f"no {kind} step of {milestone}")


def test_each_candidates_page_is_built_once_the_next_while_the_batch_is_sent(
        store, tenant, li, make_engine):
    engine = make_engine()
    built = watch_builds(engine)
    backfill_ready(store, tenant, li, engine)
    run_until_idle(engine, tenant.id)

    pages = [(thread, ids) for thread, ids, streams in built if streams == "candidates"]
    assert len(pages) == 3, pages  # each page built once: the read-ahead served its step
    assert [thread for thread, _ in pages] == ["MainThread"] + ["sync-read-ahead_0"] * 2
    assert len(frozenset().union(*(ids for _, ids in pages))) == 30
    assert len(records(li, "atsCandidates")) == 30


def test_an_edit_made_while_a_page_was_read_ahead_is_what_linkedin_holds(
        store, tenant, li, make_engine):
    engine = make_engine()
    built = watch_builds(engine)
    backfill_ready(store, tenant, li, engine)
    with engine.reading_ahead(tenant.id):
        step_until(engine, tenant.id, "historical", "candidates")
    # The second page of candidates was read (and built) ahead, with its old title.
    ahead = [ids for thread, ids, streams in built
             if thread.startswith("sync-read-ahead") and streams == "candidates"]
    assert ahead, built
    key = external_id(store, min(ahead[0]))
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id=key, current_title="Edited meanwhile"))],
                  mode="update")

    with engine.reading_ahead(tenant.id):
        for _ in range(50):  # the edit goes first, then the page is read afresh
            if engine.step(tenant.id).kind == "milestone":
                break
    run_until_idle(engine, tenant.id)

    held = records(li, "atsCandidates")
    assert len(held) == 30
    assert held[key]["currentJobTitle"] == "Edited meanwhile"
    assert held[external_id(store, max(ahead[0]))]["currentJobTitle"] == "Engineer"


def test_steps_taken_in_a_round_over_tenants_read_nothing_ahead(store, tenant, li,
                                                               make_engine):
    """The server's runner steps each syncing tenant in turn: a page read ahead for one would
    wait a whole round in memory, so only a run or a slice of one tenant reads ahead."""
    engine = make_engine()
    built = watch_builds(engine)
    backfill_ready(store, tenant, li, engine)
    for _ in range(100):
        if engine.step(tenant.id).kind == "idle" and engine.historical_done(tenant.id):
            break
    assert len(records(li, "atsCandidates")) == 30
    assert {thread for thread, _, _ in built} == {"MainThread"}


def test_a_page_read_ahead_is_dropped_once_the_lease_was_let_go(store, tenant, li,
                                                                make_engine):
    """Another process may have synced the tenant while this one did not hold its lease."""
    engine = make_engine()
    built = watch_builds(engine)
    backfill_ready(store, tenant, li, engine)
    with engine.reading_ahead(tenant.id):
        step_until(engine, tenant.id, "historical", "candidates")
        engine.release_lease(tenant.id)
        step_until(engine, tenant.id, "historical", "candidates")

    pages = [(thread, ids) for thread, ids, streams in built if streams == "candidates"]
    # Page 1 built on the main thread, page 2 read ahead, then built again after the break.
    assert [thread for thread, _ in pages[:3]] == ["MainThread", "sync-read-ahead_0",
                                                  "MainThread"]
    assert pages[1][1] == pages[2][1]


def test_a_failed_read_ahead_costs_the_batch_nothing(store, tenant, li, make_engine, caplog):
    engine = make_engine()
    build = engine.steps.build_work
    failed: list[str] = []

    def flaky(info, refs, **kwargs):
        if threading.current_thread().name.startswith("sync-read-ahead") and not failed:
            failed.append("once")
            raise RuntimeError("the database went away for a moment")
        return build(info, refs, **kwargs)

    engine.steps.build_work = flaky
    backfill_ready(store, tenant, li, engine)
    with caplog.at_level(logging.WARNING, logger="recruitlink.sync.steps"):
        run_until_idle(engine, tenant.id)

    assert failed
    assert "reading the next historical page ahead failed" in caplog.text
    assert len(records(li, "atsCandidates")) == 30


def external_id(store, entity_id: int) -> str:
    """The ATS's id of the candidate with this store id."""
    with store.reader() as conn:
        return str(conn.execute(select(schema.candidates.c.external_id).where(
            schema.candidates.c.id == entity_id)).scalar_one())
