"""The host ATS hears of One-Click Exports (issue 18): the sandbox pushes to recruitlink's
callback URL, and the export's effect and its events commit together, on SQLite and
PostgreSQL: candidate.created / application.created / candidate.updated, and export.refused
with its reason (also an export LinkedIn does not know, and one that fails for good)."""
# ruff: noqa: F811  (the fixtures imported from test_inbound_exports are parameters here)

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from recruitlink.core.records import Candidate
from recruitlink.core.signing import sign
from recruitlink.errors import ClaimLost
from recruitlink.inbound.exports import process_export
from recruitlink.sandbox.store import apps
from recruitlink.store import connections, schema
from recruitlink.store import inbound_inbox as inbox
from recruitlink.store.host_events import HostEvent, read_after
from tests.integration.test_inbound_exports import (  # noqa: F401  (pytest fixtures)
    ORG,
    candidate,
    engine,
    export,
    member,
    server,
    wait_for_events,
    wired,
)

INBOUND_TYPES = ("candidate.created", "candidate.updated", "candidate.deleted",
                 "application.created", "application.deleted", "export.refused",
                 "interaction.created", "interaction.updated", "interaction.deleted",
                 "note.created", "note.updated", "note.deleted", "seat.mapping_changed")


def host_events(store, tenant_id: int, types: tuple[str, ...] = INBOUND_TYPES
                ) -> list[HostEvent]:
    with store.reader() as conn:
        return read_after(conn, tenant_id, 0, limit=1000, types=types)


def signed_push(li, url: str, body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body).encode()
    with li.sandbox.store.tx() as conn:
        child = conn.execute(select(apps.c.client_secret).where(
            apps.c.unique_foreign_id == "recruitlink-acme")).scalar()
    return httpx.post(url, content=raw, headers={"X-LI-Signature": sign(child, raw)})


def test_an_export_announces_the_candidate_and_its_application(store, tenant, li, wired):
    m = member(li, 30)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    pushed = wait_for_events(store, 3)[2]
    (row,) = candidate(store, person_urn=m["person"])
    with store.reader() as conn:
        app_id = conn.execute(select(schema.applications.c.external_id).where(
            schema.applications.c.candidate_id == row.id)).scalar_one()
    created, applied, activity = host_events(store, tenant.id)
    assert (created.type, created.subject, created.subject_id) == (
        "candidate.created", "candidate", row.external_id)
    assert created.data == {"candidate": row.external_id, "source": "one_click_export",
                            "request": pushed.request_id, "person": m["person"],
                            "seat": wired["seat"]["seat"], "job": "J1"}
    assert (applied.type, applied.subject_id) == ("application.created", app_id)
    assert applied.data == {"application": app_id, "candidate": row.external_id, "job": "J1",
                            "stage": applied.data["stage"], "source": "one_click_export",
                            "request": pushed.request_id, "person": m["person"],
                            "seat": wired["seat"]["seat"]}
    assert applied.record_key == f"application:{app_id}"
    assert created.seq < applied.seq  # the candidate first: a receiver applies in order
    # The export's activity on the candidate's timeline ("Exported from LinkedIn Recruiter").
    assert activity.type == "interaction.created"
    assert activity.data["candidate"] == row.external_id
    assert activity.data["source"] == "one_click_export"
    with store.reader() as conn:
        subject = conn.execute(select(schema.interactions.c.subject).where(
            schema.interactions.c.external_id == activity.subject_id)).scalar_one()
    assert subject.startswith("Exported from LinkedIn Recruiter")

    # Exported again into the same job: refused, with the reason, the seat and the member.
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    again = wait_for_events(store, 4)[3]
    assert again.outcome == "failed"
    (refused,) = host_events(store, tenant.id, ("export.refused",))
    assert (refused.subject, refused.subject_id) == ("export", again.request_id)
    assert refused.data == {"request": again.request_id, "reason": again.reason,
                            "seat": wired["seat"]["seat"], "person": m["person"],
                            "candidate": row.external_id}
    assert "J1" in refused.data["reason"]


def test_a_merge_announces_the_fields_it_wrote(store, tenant, li, wired):
    m = member(li, 31)
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(
            id="KNOWN", first_name=m["firstName"], last_name=m["lastName"],
            linkedin_url=m["publicProfileUrl"], emails=["known@example.com"]))], mode="create")
    export(li, wired["seat"], m["person"])
    pushed = wait_for_events(store, 3)[2]
    assert pushed.outcome == "merged", pushed
    (updated,) = host_events(store, tenant.id, ("candidate.updated",))
    (row,) = candidate(store, external_id="KNOWN")
    assert (updated.type, updated.subject_id) == ("candidate.updated", "KNOWN")
    changed = updated.data["changed"]
    assert changed["person_urn"] == m["person"] == row.person_urn
    # Every value announced is the one stored now (list fields whole).
    for name, value in changed.items():
        assert getattr(row, name) == value, name
    assert "emails" not in changed  # nothing the export did not write
    assert updated.data["source"] == "one_click_export"
    assert updated.data["request"] == pushed.request_id


def test_an_export_linkedin_does_not_know_is_refused_once(store, tenant, li, wired):
    body = {"type": "EXPORT_CANDIDATE_PROFILE", "requestId": "r-unknown",
            "integrationContext": ORG, "createdAt": 1}
    assert signed_push(li, wired["callback"], body).json()["duplicate"] is False
    assert signed_push(li, wired["callback"], body).json()["duplicate"] is True
    pushed = wait_for_events(store, 3)[2]
    assert pushed.outcome == "failed"
    (refused,) = host_events(store, tenant.id)
    assert refused.type == "export.refused"
    assert refused.data == {"request": "r-unknown", "reason": pushed.reason, "seat": None,
                            "person": None}
    assert "r-unknown" in refused.data["reason"]


def test_an_export_whose_claim_was_lost_announces_nothing(store, tenant, li, wired, engine):
    """The export's effect is rolled back when another worker took the push over: its
    events go with it (written in the same transaction)."""
    m = member(li, 32)
    export(li, wired["seat"], m["person"], externalJobPostingId="J2")
    pushed = wait_for_events(store, 3)[2]
    before = host_events(store, tenant.id)
    client = engine.client_for(connections.load_required(store, tenant.id, engine.box))
    with pytest.raises(ClaimLost):
        process_export(store, client, tenant_id=tenant.id, organization=ORG,
                       request_id=pushed.request_id, now_ms=1,
                       settle=lambda conn, result: False)
    assert host_events(store, tenant.id) == before


def test_an_export_that_fails_for_good_is_refused_after_its_last_attempt(
        store, tenant, li, wired, monkeypatch):
    # LinkedIn is down when the worker reads the export; one attempt allowed: failed at once.
    monkeypatch.setattr(inbox, "MAX_ATTEMPTS", 1)
    li.control.put("/faults/exportedCandidates", json={"error_rate": 1.0})
    m = member(li, 33)
    export(li, wired["seat"], m["person"], externalJobPostingId="J1")
    (failed,) = wait_for_events(store, 3)[2:]
    assert failed.status == "failed", failed
    (refused,) = host_events(store, tenant.id)
    assert refused.type == "export.refused" and refused.subject_id == failed.request_id
    assert refused.data["reason"].startswith("gave up after 1 attempt: ")
    assert failed.reason in refused.data["reason"]
