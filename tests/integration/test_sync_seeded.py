"""A seeded tenant's whole history synced to the sandbox, on SQLite and PostgreSQL: LinkedIn
holds exactly the records the policy allows, each field for field as the store has it now,
and every record it does not hold is listed with its reason."""

from __future__ import annotations

import time

from sqlalchemy import select

from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import schema
from recruitlink.store.seed import seed
from recruitlink.store.tenants import tenant_by_slug
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.engine import EngineSettings, SyncEngine
from recruitlink.sync.items import STREAM, streams_for

ORG = "urn:li:organization:4400"


def held_on_linkedin(li, resource: str) -> dict:
    out, start = {}, 0
    while True:
        page = li.control.get(f"/organizations/{ORG}/records/{resource}",
                              params={"start": start, "count": 1000}).json()
        for element in page["elements"]:
            key = dict(element["key"])
            out[tuple(sorted(key.items()))] = element["record"]
        start += 1000
        if start >= page["paging"]["total"]:
            return out


def test_seeded_history_syncs_exactly_what_the_policy_allows(store, li):
    seed(store, "seeded", 150, seed=3, kind="BOTH")
    with store.reader() as conn:
        tenant = tenant_by_slug(conn, "seeded")
    engine = SyncEngine(store, SecretBox("k"), EngineSettings(
        api_url=li.url, oauth_url=li.url, ats_base_url="http://127.0.0.1:8000",
        job_task_poll_s=0.0, backoff_s=0.01, idle_sleep_s=0.01))
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    try:
        connect(store, engine.box, engine, partner, tenant_slug="seeded", organization=ORG,
                contracts=["urn:li:contract:4401"], public_url="http://127.0.0.1:9")
        for context in (ORG, "urn:li:contract:4401"):  # company- and contract-level access
            li.control.post("/integrations/status", json={"integrationContext": context,
                                                          "status": "ENABLED"})
        refresh_status(store, engine.box, engine, tenant.id)
        deadline = time.monotonic() + 240
        engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
        assert engine.historical_done(tenant.id)
        info = engine._load(tenant.id)

        with store.reader() as conn:
            ledger = {(r.entity, r.entity_id): r for r in conn.execute(
                select(schema.sync_ledger).where(schema.sync_ledger.c.tenant_id == tenant.id))}
            open_errors = {(r.entity, r.entity_id) for r in conn.execute(
                select(schema.sync_errors).where(schema.sync_errors.c.status == "open"))}
            # The oracle: what the engine would do now with every record of every stream.
            # After a complete sync nothing is left to send; what LinkedIn holds is unchanged.
            expected: dict[str, dict] = {}
            accounted = 0
            for stream in streams_for(info.tenant_kind):
                if stream.resource == "simpleJobPostings":
                    continue  # jobs are checked through the jobs view below
                rows = {(stream.entity, r.id): dict(r._mapping) for r in conn.execute(
                    engine._stream_query(stream, tenant.id))}
                work = engine._work(conn, info, list(rows), historical=True, rows_by_ref=rows,
                                    streams={stream.name})
                assert work.send == [], [(i.external_id, i.action) for i in work.send][:5]
                for item in work.excluded:
                    record = ledger[(item.entity, item.entity_id)]
                    assert (record.state, record.reason) == ("excluded", item.excluded)
                for item in work.rejected:
                    assert ledger[(item.entity, item.entity_id)].state == "rejected"
                    assert (item.entity, item.entity_id) in open_errors
                for item in work.skipped:
                    assert ledger[(item.entity, item.entity_id)].state == "synced"
                    key = item.key if isinstance(item.key, dict) else {"id": item.key,
                                                                       **item.parent}
                    expected.setdefault(item.resource, {})[
                        tuple(sorted(key.items()))] = item.payload
                accounted += len(work.items)
        assert accounted > 1000
        for resource, records in expected.items():
            assert held_on_linkedin(li, resource) == records, resource
        # Jobs: every job is on LinkedIn in its state unless the policy excludes it.
        jobs = {j["externalJobPostingId"]: j for j in
                li.control.get(f"/organizations/{ORG}/jobs", params={"count": 1000}).json()[
                    "elements"]}
        with store.reader() as conn:
            for job in conn.execute(select(schema.jobs).where(
                    schema.jobs.c.tenant_id == tenant.id)):
                state = ledger[("jobs", job.id)].state
                if job.confidential:
                    assert state == "excluded" and job.external_id not in jobs
                elif state == "rejected":  # e.g. a one-part location on a job not remote
                    assert job.external_id not in jobs and ("jobs", job.id) in open_errors
                else:
                    assert jobs[job.external_id]["state"] == (
                        "CLOSED" if job.status == "closed" else "LISTED")
                    assert jobs[job.external_id]["posting"]["title"] == job.title
        assert {s.name for s in streams_for("BOTH")} <= set(STREAM)
    finally:
        partner.close()
        engine.close()
