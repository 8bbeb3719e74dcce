"""The sync logs count failed records per stream, on SQLite and PostgreSQL (reviewer's walk:
the stream rows' "Failed" column was blank, the figures counted per store entity). Notes and
files each feed two streams, files in two milestones: a failed application attachment is the
Applications milestone's, not the Candidates'. Each milestone's figure is the sum of its
streams'; the one "failed records" figure is unchanged. Migration 0024 gives errors stored
before it their streams."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from recruitlink.core.records import Note
from recruitlink.crypto import SecretBox
from recruitlink.store import schema
from recruitlink.sync import control
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.integration.test_metrics import migrate_to
from tests.integration.test_sync_engine import connected, run_until_idle, seed_small
from tests.integration.test_sync_progress_truth import progress
from tests.support import files
from tests.support.files import put_file
from tests.support.keys import TEST_SECRET_KEY

pytestmark = pytest.mark.timeout(300)

FAILED_STREAMS = {"candidates": 1, "applications": 1, "application_attachments": 1,
                  "candidate_notes": 1, "application_notes": 1}
"""C3's email is invalid; its application A3, a note on each and A3's file follow it."""


@pytest.fixture
def engine(store, li):
    # The versioned API: application files are sent (the v2 API excludes them).
    settings = EngineSettings(api_url=li.url, oauth_url=li.url, api_version="202604",
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01)
    eng = SyncEngine(store, SecretBox(TEST_SECRET_KEY), settings)
    yield eng
    eng.close()


def streams_failed(state: dict[str, Any]) -> dict[str, int]:
    return {s["name"]: s["failed"] for m in state["run"]["milestones"] for s in m["streams"]
            if s["failed"]}


def sync_with_failures(store, tenant, engine, li) -> None:
    """seed_small plus a note on C3 and on A3 and a file on A3, synced: FAILED_STREAMS."""
    seed_small(store, tenant.id)
    with store.writer(tenant.id) as w:
        w.records("notes", [(0, Note(id="N4", candidate_id="C3", body="Call back")),
                            (1, Note(id="N5", application_id="A3", body="Phone screen"))],
                  mode="create")
    put_file(store, tenant.id, "applications", "A3", "cv.pdf", "cv.pdf", "application/pdf",
             files.pdf())
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)


def test_each_stream_row_counts_its_own_failed_records(store, tenant, engine, li):
    sync_with_failures(store, tenant, engine, li)

    state = progress(store, tenant.id)
    assert streams_failed(state) == FAILED_STREAMS
    groups = {m["key"]: m for m in state["run"]["milestones"]}
    assert {k: m["failed"] for k, m in groups.items()} == {
        "enabled": 0, "jobs": 0, "candidates": 1, "applications": 2, "activities": 2}
    for m in groups.values():
        assert m["failed"] == sum(s["failed"] for s in m["streams"]), m["key"]
    assert state["failedRecords"] == 5 == sum(FAILED_STREAMS.values())
    # `sync status` (CLI, API) shows the same per stream.
    streams = control.status(engine, tenant.id)["run"]["milestones"]
    assert {s["name"]: s["failed"] for s in streams if s["failed"]} == FAILED_STREAMS
    with store.reader() as conn:
        e = schema.sync_errors.c
        assert None not in {r[0] for r in conn.execute(select(e.stream).where(
            e.tenant_id == tenant.id))}

    # Errors stored before the stream was kept get theirs from their batch, their entity's
    # only stream, or the note's or file's owner: the same figures.
    migrate_to(store, "0023_compliance")
    migrate_to(store, "head")
    assert streams_failed(progress(store, tenant.id)) == FAILED_STREAMS
    with store.db.write() as conn:  # no batch to tell: the note's and the file's owner
        conn.execute(schema.sync_errors.update().where(
            schema.sync_errors.c.tenant_id == tenant.id).values(batch_id=None))
    migrate_to(store, "0023_compliance")
    migrate_to(store, "head")
    assert streams_failed(progress(store, tenant.id)) == FAILED_STREAMS
