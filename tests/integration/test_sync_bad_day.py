"""The sync converges through a bad day at LinkedIn: 20% 5xx, dropped connections after the
write, latency, and throttles low enough to bind; and it never exceeds them (no 429)."""

from __future__ import annotations

import time

from recruitlink.core.limits import Limit, copy_limits
from recruitlink.crypto import SecretBox
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import schema
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.support.atsdata import write_ats_data

ORG = "urn:li:organization:6100"


def store_state(store, tenant_id):
    from sqlalchemy import select

    with store.reader() as conn:
        candidates = {r.external_id: r.modified_at for r in conn.execute(
            select(schema.candidates).where(schema.candidates.c.tenant_id == tenant_id))}
        applications = {r.external_id for r in conn.execute(
            select(schema.applications).where(schema.applications.c.tenant_id == tenant_id))}
        stages = {r.external_id for r in conn.execute(select(schema.stage_transitions))}
    return candidates, applications, stages


def linkedin_state(li):
    def elements(resource):
        out, start = [], 0
        while True:
            page = li.control.get(f"/organizations/{ORG}/records/{resource}",
                                  params={"start": start, "count": 1000}).json()
            out += page["elements"]
            start += 1000
            if start >= page["paging"]["total"]:
                return out
    candidates = {e["key"]["atsCandidateId"]: e["record"]["atsLastModifiedAt"]
                  for e in elements("atsCandidates")}
    applications = {e["key"]["atsJobApplicationId"] for e in elements("atsApplications")}
    stages = {e["key"]["id"] for e in elements("atsApplications/stages")}
    return candidates, applications, stages


def test_converges_through_faults_and_low_throttles(store, tenant, li, request):
    binding = request.node.callspec.params["store"] == "sqlite"  # ~1 min of waiting: once
    per_minute = 60 if binding else 10_000
    write_ats_data(store, tenant.id, 20 if binding else 60)
    li.control.put("/throttles", json={"perMinute": per_minute})
    limits = copy_limits()
    for name, limit in limits.items():
        limits[name] = Limit(limit.per_day, per_minute if limit.per_minute else None)
    engine = SyncEngine(store, SecretBox("k"), EngineSettings(
        api_url=li.url, oauth_url=li.url, ats_base_url="http://127.0.0.1:8000", limits=limits,
        job_task_poll_s=0.0, backoff_s=0.02, idle_sleep_s=0.02, max_attempts=8))
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    connect(store, engine.box, engine, partner, tenant_slug=tenant.slug, organization=ORG,
            contracts=["urn:li:contract:6101"], public_url="http://127.0.0.1:9")
    for context in (ORG, "urn:li:contract:6101"):  # company- and contract-level access
        li.control.post("/integrations/status", json={"integrationContext": context,
                                                      "status": "ENABLED"})
    refresh_status(store, engine.box, engine, tenant.id)
    li.control.put("/faults/*", json={"error_rate": 0.2, "drop_rate": 0.05,
                                      "latency_ms": 3, "latency_jitter_ms": 5})
    deadline = time.monotonic() + 240
    try:
        engine.run(tenant.id, stop=lambda: time.monotonic() > deadline, until_done=True)
    finally:
        partner.close()
        engine.close()
    li.control.delete("/faults")
    assert engine.historical_done(tenant.id)

    injected = li.control.get("/faults").json()["injected"]
    # The bad day really happened: server errors and dropped connections both.
    assert injected["drop"] >= 1 and injected["500"] + injected["503"] + injected["504"] >= 3
    candidates, applications, stages = store_state(store, tenant.id)
    assert linkedin_state(li) == (candidates, applications, stages)
    app = next(a for a in li.control.get("/apps").json()
               if a["uniqueForeignId"] == f"recruitlink-{tenant.slug}")
    usage = li.control.get("/throttles", params={"app": app["key"]}).json()["usage"]
    assert all(u["throttled"] == 0 for u in usage.values()), usage
