"""A disconnect whose stop request the lease holder does not follow (a live process of an
older release, say): after waiting, nothing is deleted, the connection's status is put back,
and the error names the holder and says what to do."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from recruitlink.crypto import SecretBox
from recruitlink.errors import LeaseLost
from recruitlink.linkedin import LinkedInClient
from recruitlink.store import schema
from recruitlink.sync import control, ledger
from recruitlink.sync.connect import connect
from recruitlink.sync.engine import EngineSettings, SyncEngine, now_ms

ORG = "urn:li:organization:5600"


def test_a_holder_that_does_not_let_go_leaves_everything_as_it_was(store, tenant, li):
    engine = SyncEngine(store, SecretBox("k"), EngineSettings(
        api_url=li.url, oauth_url=li.url, ats_base_url="http://127.0.0.1:8000",
        job_task_poll_s=0.0))
    partner = LinkedInClient(api_url=li.url, oauth_url=li.url,
                             client_id=li.app.state.partner.client_id,
                             client_secret=li.app.state.partner.client_secret)
    try:
        connect(store, engine.box, engine, partner, tenant_slug=tenant.slug,
                organization=ORG, contracts=[], public_url="http://127.0.0.1:9")
        with store.db.write() as conn:  # this (live) process, under another owner
            assert ledger.acquire_lease(conn, tenant.id, "an-older-release", now_ms(),
                                        600_000)
        with pytest.raises(LeaseLost) as caught:
            control.disconnect(engine, tenant.id, wait_s=1.0)
        assert f"pid {os.getpid()}" in caught.value.message
        assert "nothing was deleted" in caught.value.message
        with store.reader() as conn:
            status = conn.execute(select(schema.connections.c.status).where(
                schema.connections.c.tenant_id == tenant.id)).scalar()
            runs = conn.execute(select(schema.sync_runs.c.kind).where(
                schema.sync_runs.c.tenant_id == tenant.id)).scalars().all()
        assert status == "PENDING"  # as it was: not DISCONNECTING for ever
        assert "disconnect" not in runs
    finally:
        partner.close()
        engine.close()
