"""Issue 15 finding "Private LinkedIn profiles are exported and matched like public ones", the
export half, over loopback, on SQLite and PostgreSQL: LinkedIn refuses to export a private
profile (Beamery's seed), whoever asks (its API, not only its greyed-out button), and nothing
reaches the ATS. The matching half: test_sandbox_members."""

# ruff: noqa: F811  (the fixtures imported from other test modules are parameters here)
from __future__ import annotations

import time

from sqlalchemy import select

from recruitlink.store import schema
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    engine,
    server,
    wired,
)


def test_a_private_profile_is_never_exported_into_the_ats(store, li, wired):
    found = li.control.get("/members", params={"start": 0, "count": 300}).json()["elements"]
    private = next(m for m in found if m["privateProfile"] and not m["exportBlocked"])
    refused = li.control.post("/recruiter/exports", json={
        "seat": wired["seat"]["id"], "person": private["person"],
        "externalJobPostingId": "J1"})
    assert refused.status_code == 403, refused.text
    assert "private" in refused.text
    time.sleep(0.5)  # a push, if one had been queued, would have arrived by now
    with store.reader() as conn:
        kinds = [r.type for r in conn.execute(select(schema.inbox_events.c.type))]
        persons = conn.execute(select(schema.candidates.c.id).where(
            schema.candidates.c.person_urn == private["person"])).all()
    assert "EXPORT_CANDIDATE_PROFILE" not in kinds and persons == []
