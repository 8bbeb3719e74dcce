"""A LinkedIn API version past its support window (LinkedIn answers 426): the sync stops and
says which setting to change, through `recruitlink sync start` and the sync logs' batch; with a
live version set, the same command then syncs. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from recruitlink.cli import app as cli
from recruitlink.crypto import SecretBox
from recruitlink.errors import LinkedInVersionSunset
from recruitlink.store import schema
from recruitlink.sync.engine import EngineSettings, SyncEngine
from tests.integration.test_sync_engine import ORG, connected, records, seed_small
from tests.support.keys import TEST_SECRET_KEY

SUNSET = "202406"  # the sandbox's default sunset versions include it (LinkedIn's 2-year window)
STOPPED = (f"stopped: LinkedIn no longer serves API version {SUNSET}: set "
           "RECRUITLINK_LINKEDIN_API_VERSION to a live version (e.g. 202604)")


@pytest.fixture
def engine(store, li):
    settings = EngineSettings(api_url=li.url, oauth_url=li.url,
                              ats_base_url="http://127.0.0.1:8000", job_task_poll_s=0.0,
                              backoff_s=0.01, idle_sleep_s=0.01)
    eng = SyncEngine(store, SecretBox(TEST_SECRET_KEY), settings)
    yield eng
    eng.close()


def test_a_sunset_version_stops_the_sync_saying_what_to_set(store, tenant, engine, li,
                                                             monkeypatch):
    seed_small(store, tenant.id)
    connected(store, engine, li, tenant)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_API_URL", li.url)
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_OAUTH_URL", li.url)
    monkeypatch.setenv("RECRUITLINK_JOB_TASK_POLL_SECONDS", "0")
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_API_VERSION", SUNSET)
    db = ["--database-url", store.db.url]
    runner = CliRunner()

    stopped = runner.invoke(cli, ["sync", "start", "--tenant", "acme", *db])
    assert stopped.exit_code == 1, stopped.output
    assert STOPPED in " ".join(stopped.output.split()), stopped.output
    assert "retrying" not in stopped.output  # terminal: no pointless retries
    assert records(li, "atsCandidates") == {}
    with store.reader() as conn:
        failed = conn.execute(select(schema.sync_batches.c.last_error).where(
            schema.sync_batches.c.last_error.is_not(None))).scalars().all()
    # The sync logs page shows the batch with the same reason; no record was blamed for it.
    assert failed and all(STOPPED.removeprefix("stopped: ") in e for e in failed), failed
    with store.reader() as conn:
        assert conn.execute(select(schema.sync_errors.c.id)).first() is None

    monkeypatch.setenv("RECRUITLINK_LINKEDIN_API_VERSION", "202604")
    synced = runner.invoke(cli, ["sync", "start", "--tenant", "acme", *db])
    assert synced.exit_code == 0, synced.output
    assert set(records(li, "atsCandidates")) == {"C1"}


def test_the_sunset_is_terminal_for_the_client_and_names_the_setting(li):
    from recruitlink.linkedin import LinkedInClient

    client = LinkedInClient(api_url=li.url, oauth_url=li.url,
                            client_id=li.app.state.demo.client_id,
                            client_secret=li.app.state.demo.client_secret, api_version=SUNSET)
    try:
        with pytest.raises(LinkedInVersionSunset) as caught:
            client.get("atsCandidates", [{"atsCandidateId": "C1", "dataProvider": "ATS",
                                          "integrationContext": ORG}])
    finally:
        client.close()
    assert caught.value.status == 426 and not caught.value.transient
    assert "RECRUITLINK_LINKEDIN_API_VERSION" in caught.value.message

