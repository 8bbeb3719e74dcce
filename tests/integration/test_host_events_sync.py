"""The host ATS's events from the sync side, end to end against the sandbox on SQLite and
PostgreSQL: connecting and LinkedIn enabling the integration, the initial sync's milestones,
records refused by our checks, pause and resume, disconnect and its report (issue 18).
Each event is written in the transaction of its change: a refused change writes none."""

from __future__ import annotations

from typing import Any

import pytest

from recruitlink.crypto import SecretBox
from recruitlink.errors import ConfigurationError
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import host_events
from recruitlink.sync import control
from recruitlink.sync.connect import connect, refresh_status
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.integration.test_sync_engine import (
    CONTRACT,
    ORG,
    connected,
    run_until_idle,
    seed_small,
)


@pytest.fixture
def engine(store, li):
    eng = SyncEngine(store, SecretBox("test-key"), EngineSettings(
        api_url=li.url, oauth_url=li.url, ats_base_url="http://127.0.0.1:8000",
        job_task_poll_s=0.0, backoff_s=0.01, idle_sleep_s=0.01))
    yield eng
    eng.close()


def events(store, tenant, after: int = 0, *types: str) -> list[Any]:
    with store.reader() as conn:
        return host_events.read_after(conn, tenant.id, after, limit=1000, types=types)


def status_events(store, tenant, after: int = 0) -> list[dict[str, Any]]:
    return [e.data for e in events(store, tenant, after, "integration.status_changed")]


def test_connect_enable_sync_and_disconnect_tell_the_host_ats(store, tenant, engine, li):
    seed_small(store, tenant.id)
    connected(store, engine, li, tenant)  # connect (PENDING), LinkedIn enables, refresh

    connect_, enabled = status_events(store, tenant)
    assert connect_ == {
        "from": None, "to": "PENDING", "paused": False, "organization": ORG,
        "contracts": [{"contract": CONTRACT, "status": "PENDING", "paused": False,
                       "reason": connect_["contracts"][0]["reason"]}],
        "changed": ["status", "contracts"], "by": "connect"}
    assert "Company-level access is not turned on" in connect_["contracts"][0]["reason"]
    assert enabled == {
        "from": "PENDING", "to": "ENABLED", "paused": False, "organization": ORG,
        "contracts": [{"contract": CONTRACT, "status": "ENABLED", "paused": False,
                       "reason": None}],
        "changed": ["status", "contracts"], "by": "refresh_status"}
    # Nothing changed at LinkedIn: asking again writes no event.
    head = events(store, tenant)[-1].seq
    refresh_status(store, engine.box, engine, tenant.id)
    assert events(store, tenant, head) == []

    run_until_idle(engine, tenant.id)
    milestones = events(store, tenant, 0, "sync.milestone_reached")
    assert [(e.data["milestone"], e.data["key"], e.data["label"]) for e in milestones] == [
        (1, "enabled", "Integration enabled"), (2, "jobs", "Job sync completed"),
        (3, "candidates", "Candidate sync completed"),
        (4, "applications", "Application sync completed"),
        (5, "activities", "Activity sync completed")]
    run = milestones[0].data["run"]
    assert {e.data["run"] for e in milestones} == {run}
    assert {e.record_key for e in milestones} == {f"sync:{run}"}
    # Milestone 1 comes after the status change that reached it.
    assert milestones[0].seq > events(store, tenant, 0, "integration.status_changed")[-1].seq

    # C3's email fails two of our checks (and so does its application A3, which carries
    # it): one event per record, field and reason, the two checks' messages joined.
    rejected = events(store, tenant, 0, "record.rejected")
    assert [(e.record_key, e.data["field"], e.data["fieldLabel"], e.data["source"])
            for e in rejected] == [
        ("record:candidates:C3", "emailAddresses.0", "Email address 1", "validation"),
        ("record:applications:A3", "candidateEmail", "Candidate's email address",
         "validation")]
    first = rejected[0].data
    assert first["entity"] == "candidates" and first["id"] == "C3"
    assert first["reason"] == "Email address 1: not a valid email address"
    assert "does not match the email pattern" in first["message"]
    assert "invalid email address" in first["message"]  # the other check's message
    assert isinstance(first["batch"], int)

    # Pause and resume, the whole tenant then one contract.
    head = events(store, tenant)[-1].seq
    control.set_paused(engine, tenant.id, True)
    control.set_paused(engine, tenant.id, False, contract=CONTRACT)  # already not paused
    control.set_paused(engine, tenant.id, True, contract=CONTRACT)
    control.set_paused(engine, tenant.id, False)
    assert [(d["by"], d["changed"], d["paused"], d["contracts"][0]["paused"])
            for d in status_events(store, tenant, head)] == [
        ("pause", ["paused"], True, False), ("pause", ["contracts"], True, True),
        ("resume", ["paused"], False, True)]
    # A refused change writes no event (it rolls back with the transaction).
    head = events(store, tenant)[-1].seq
    with pytest.raises(ConfigurationError):
        control.set_paused(engine, tenant.id, True, contract="urn:li:contract:404")
    assert events(store, tenant, head) == []

    report = control.disconnect(engine, tenant.id)
    tail = events(store, tenant, head)
    assert [e.type for e in tail] == ["integration.status_changed",
                                      "integration.status_changed",
                                      "disconnect.report_ready"]
    assert [(e.data["from"], e.data["to"], e.data["by"]) for e in tail[:2]] == [
        ("ENABLED", "DISCONNECTING", "disconnect"), ("DISCONNECTING", "DISCONNECTED",
                                                    "disconnect")]
    ready = tail[2].data
    assert ready == {"run": ready["run"], **report}
    assert ready["deleted"]["atsCandidates"] == 1 and ready["verified"]["stillPresent"] == {}
    # The integration's events are one record for a receiver applying them in order.
    assert {e.record_key for e in tail} == {"integration:"}


def test_a_refused_connect_writes_no_event(store, tenant, engine, li):
    connected(store, engine, li, tenant)
    head = events(store, tenant)[-1].seq
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    try:
        with pytest.raises(ConfigurationError, match="already connected"):
            connect(store, engine.box, engine, partner, tenant_slug=tenant.slug,
                    organization=ORG, contracts=[CONTRACT], public_url="http://127.0.0.1:9")
    finally:
        partner.close()
    assert events(store, tenant, head) == []
