"""`sync.milestone_reached` per feature milestone, from the stream milestones the sync marks
finished (SyncState.mark_milestone), on SQLite and PostgreSQL: a milestone is reached once,
when its streams and every earlier milestone's are done; one without streams comes with the
one before it (issue 18)."""

from __future__ import annotations

from recruitlink.crypto import SecretBox
from recruitlink.store import host_events, schema
from recruitlink.sync.engine import EngineSettings, SyncEngine


def reached(store, tenant) -> list[tuple[int, str]]:
    with store.reader() as conn:
        return [(e.data["milestone"], e.data["key"]) for e in host_events.read_after(
            conn, tenant.id, 0, limit=100, types=["sync.milestone_reached"])]


def test_milestones_are_reached_once_in_order(store, tenant):
    # No application streams in this run: milestone 4 comes with milestone 3.
    streams = ["jobs", "job_acls", "candidates", "candidate_resumes", "candidate_notes",
               "interactions"]
    with store.db.write() as conn:
        run = int(conn.execute(schema.sync_runs.insert().values(
            tenant_id=tenant.id, kind="historical", status="running", start_seq=0,
            started_at=1)).inserted_primary_key[0])
        for position, name in enumerate(streams):
            conn.execute(schema.sync_milestones.insert().values(
                run_id=run, name=name, position=position, cursor=0, total=0, done=0,
                rejected=0, excluded=0))
    engine = SyncEngine(store, SecretBox("k"), EngineSettings(
        api_url="http://127.0.0.1:9", oauth_url="http://127.0.0.1:9",
        ats_base_url="http://127.0.0.1:8000"))
    try:
        finish = engine.state.mark_milestone
        finish(run, "jobs", started_at=2)
        finish(run, "jobs", finished_at=3)
        assert reached(store, tenant) == []  # the jobs' ACLs are not done yet
        finish(run, "job_acls", finished_at=4)
        assert reached(store, tenant) == [(2, "jobs")]
        finish(run, "job_acls", finished_at=5)  # marked twice: reached once
        finish(run, "candidates", finished_at=6)
        finish(run, "candidate_resumes", finished_at=7)
        assert reached(store, tenant) == [(2, "jobs"), (3, "candidates"), (4, "applications")]
        finish(run, "candidate_notes", finished_at=8)
        finish(run, "interactions", finished_at=9)
        assert reached(store, tenant) == [(2, "jobs"), (3, "candidates"), (4, "applications"),
                                          (5, "activities")]
    finally:
        engine.close()
