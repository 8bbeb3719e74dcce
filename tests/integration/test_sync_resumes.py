"""Resumes in the outbound sync, store -> engine -> client -> sandbox over loopback, on SQLite
and PostgreSQL: a CRM candidate's resume is uploaded through hireMediaUrl and set on the
candidate (PageUp's "Resume" row); a file LinkedIn does not take is a rejected record with its
reason; an RSC tenant on the v2 API keeps its attachments, saying why; deleting the file and
disconnecting remove what was sent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from recruitlink.core.files import DOCX, PDF
from recruitlink.core.records import Application, Candidate, Job
from recruitlink.crypto import SecretBox
from recruitlink.sandbox.api import attachments, media
from recruitlink.store import Store, schema
from recruitlink.store import files as stored_files
from recruitlink.sync import control
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.conftest import make_tenant
from tests.integration.test_sync_engine import (
    DESCRIPTION,
    ORG,
    connected,
    records,
    run_until_idle,
)
from tests.support import files
from tests.support.files import put_file
from tests.support.keys import TEST_SECRET_KEY

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def engine(store, li, linkedin_api_version):
    settings = EngineSettings(api_url=li.url, oauth_url=li.url, api_version=linkedin_api_version,
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01)
    eng = SyncEngine(store, SecretBox(TEST_SECRET_KEY), settings)
    yield eng
    eng.close()


def media_bytes(li, urn: str) -> bytes:
    sandbox = li.app.state.sandbox
    with sandbox.store.tx() as conn:
        return media.content(conn, urn)


def seed_people(store: Store, tenant_id: int) -> None:
    with store.writer(tenant_id) as w:
        w.records("candidates", [
            (0, Candidate(id="C1", first_name="Ada", last_name="Lovelace",
                          emails=["ada@example.com"])),
            (1, Candidate(id="C2", first_name="Grace", last_name="Hopper",
                          emails=["grace@example.com"])),
        ], mode="create")
        w.records("jobs", [(0, Job(id="J1", title="Engineer", description=DESCRIPTION,
                                   location="Paris, FR", availability="public",
                                   published_at="2025-01-01T00:00:00Z"))], mode="create")
        w.records("applications", [(0, Application(id="A1", candidate_id="C1", job_id="J1"))],
                  mode="create")


def test_a_crm_resume_goes_through_hire_media_url_and_onto_the_candidate(store, engine, li):
    tenant = make_tenant(store, "beamish", kind="CRM")
    seed_people(store, tenant.id)
    resume = files.pdf(600_000)
    put_file(store, tenant.id, "candidates", "C1", "resume", "Ada Lovelace.pdf", PDF, resume)
    # DOCX is not a CRM resume type: a rejected record, with LinkedIn's rule as its reason.
    put_file(store, tenant.id, "candidates", "C2", "resume", "grace.docx", DOCX, files.docx())
    connected(store, engine, li, tenant)
    run_until_idle(engine, tenant.id)
    held = records(li, "atsCandidates")
    sent = held["C1"]["resume"]
    assert sent["fileName"] == "Ada Lovelace.pdf" and sent["contentType"] == PDF
    assert media_bytes(li, sent["media"]) == resume
    assert "resume" not in held["C2"]
    with store.reader() as conn:
        errors = conn.execute(select(schema.sync_errors.c.entity, schema.sync_errors.c.field,
                                     schema.sync_errors.c.reason, schema.sync_errors.c.status)
                              ).all()
    assert [tuple(e) for e in errors] == [
        ("files", "contentType", "LinkedIn takes PDF, DOC, TXT for CRM resumes, not DOCX",
         "open")]

    # The candidate changes: the full update keeps the resume LinkedIn holds.
    with store.writer(tenant.id) as w:
        w.records("candidates", [(0, Candidate(id="C1", first_name="Ada",
                                               last_name="King", emails=["ada@example.com"]))],
                  mode="update")
    run_until_idle(engine, tenant.id)
    assert records(li, "atsCandidates")["C1"]["lastName"] == "King"
    assert records(li, "atsCandidates")["C1"]["resume"] == sent

    # Replaced by a TXT resume (same file, updated): uploaded again.
    put_file(store, tenant.id, "candidates", "C1", "resume", "ada.txt", "text/plain",
             b"Ada Lovelace\nAnalyst\n")
    run_until_idle(engine, tenant.id)
    again = records(li, "atsCandidates")["C1"]["resume"]
    assert again["media"] != sent["media"] and again["fileName"] == "ada.txt"
    assert media_bytes(li, again["media"]) == b"Ada Lovelace\nAnalyst\n"

    # Deleting the file removes it from the candidate on LinkedIn.
    with store.reader() as conn:
        stored = stored_files.get(conn, tenant.id, "candidates", _id(conn, "C1"), "resume")
    assert stored is not None
    with store.writer(tenant.id) as w:
        stored_files.remove(w.conn, w.changes, stored)
    run_until_idle(engine, tenant.id)
    assert "resume" not in records(li, "atsCandidates")["C1"]

    put_file(store, tenant.id, "candidates", "C1", "resume", "ada.pdf", PDF, files.pdf())
    run_until_idle(engine, tenant.id)
    assert "resume" in records(li, "atsCandidates")["C1"]
    result = control.disconnect(engine, tenant.id)
    assert result["failed"] == {}
    assert result["deleted"]["atsCandidates/resume"] == 1


def _id(conn, external_id: str) -> int:
    return int(conn.execute(select(schema.candidates.c.id).where(
        schema.candidates.c.external_id == external_id)).scalar_one())


@pytest.mark.parametrize("linkedin_api_version", ["v2"], indirect=True)
def test_an_rsc_tenant_on_the_v2_api_keeps_its_attachments_and_says_why(store, engine, li,
                                                                       linkedin_api_version):
    tenant = make_tenant(store, "acme", kind="ATS")
    seed_people(store, tenant.id)
    put_file(store, tenant.id, "applications", "A1", "cv.pdf", "cv.pdf", PDF, files.pdf())
    connected(store, engine, li, tenant)
    plan = control.plan(engine, tenant.id).as_json()
    assert plan["streams"]["application_attachments"]["excluded"] == 1
    reasons = plan["reasons"]["application_attachments"]
    assert any("versioned API" in reason for reason in reasons), reasons
    run_until_idle(engine, tenant.id)
    assert "A1" in records(li, "atsApplications")
    with store.reader() as conn:
        state = conn.execute(select(schema.sync_ledger.c.state, schema.sync_ledger.c.reason)
                             .where(schema.sync_ledger.c.entity == "files")).one()
    assert state.state == "excluded" and "RECRUITLINK_LINKEDIN_API_VERSION" in state.reason


def test_an_rsc_tenant_on_the_versioned_api_attaches_its_files(store, li, monkeypatch):
    settings = EngineSettings(api_url=li.url, oauth_url=li.url,
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01, api_version="202604")
    engine = SyncEngine(store, SecretBox(TEST_SECRET_KEY), settings)
    try:
        tenant = make_tenant(store, "acme", kind="ATS")
        seed_people(store, tenant.id)
        data = files.docx()
        stored = put_file(store, tenant.id, "applications", "A1", "cv.docx", "cv.docx", DOCX,
                          data)
        connected(store, engine, li, tenant)
        run_until_idle(engine, tenant.id)
        sandbox = li.app.state.sandbox
        with sandbox.store.tx() as conn:
            held = attachments.of_candidate(conn, ORG, "C1")
        assert [(a["atsJobApplicationId"], a["fileName"], a["contentType"]) for a in held] == [
            ("A1", "cv.docx", DOCX)]
        assert media_bytes(li, held[0]["media"]) == data
        with store.reader() as conn:
            key = conn.execute(select(schema.sync_ledger.c.li_key).where(
                schema.sync_ledger.c.entity == "files")).scalar_one()
        assert key["key"]["externalAttachmentId"] == stored.external_id

        result = control.disconnect(engine, tenant.id)
        assert result["failed"] == {} and result["deleted"]["attachments"] == 1
        with sandbox.store.tx() as conn:
            assert attachments.of_candidate(conn, ORG, "C1") == []
    finally:
        engine.close()
