"""The process's LinkedIn client pool (linkedin/pool.py): one client per app credentials,
shared by the sync engine and the inbound side, budgets per app."""

from __future__ import annotations

from dataclasses import dataclass, replace

import httpx
import pytest

from recruitlink.core.limits import Limit
from recruitlink.crypto import SecretBox
from recruitlink.errors import ConfigurationError
from recruitlink.inbound.pollers import Poller
from recruitlink.linkedin.pool import ClientPool, pool_of
from recruitlink.store import Database, Store
from recruitlink.sync.engine import EngineSettings, SyncEngine


@dataclass(frozen=True)
class Connection:
    tenant_slug: str = "acme"
    client_id: str | None = "app-1"
    client_secret: str | None = "secret-1"


SETTINGS = EngineSettings(api_url="http://127.0.0.1:9/api", oauth_url="http://127.0.0.1:9/oauth",
                          ats_base_url="http://ats.test", api_version="202604",
                          limits={"atsCandidates": Limit(100, 10)}, rate_window_ms=5_000)


@pytest.fixture
def db(tmp_path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'pool.db'}")


def test_one_client_per_app_and_a_new_one_when_the_secret_is_rotated(db):
    pool = ClientPool(db, lambda: SETTINGS)
    try:
        first = pool.client_for(Connection())
        assert pool.client_for(Connection(tenant_slug="other")) is first  # same app
        rotated = pool.client_for(Connection(client_secret="secret-2"))
        assert rotated is not first
        assert pool.client_for(Connection(client_id="app-2")) not in (first, rotated)
        assert first.http is pool.http and rotated.http is pool.http
    finally:
        pool.close()
    assert pool.http.is_closed  # the pool made it, the pool closes it


def test_a_connection_without_credentials_is_refused_naming_the_tenant(db):
    pool = ClientPool(db, lambda: SETTINGS)
    for missing in (Connection(client_id=None), Connection(client_secret="")):
        with pytest.raises(ConfigurationError, match="tenant acme has no LinkedIn credentials"):
            pool.client_for(missing)


def test_settings_are_read_when_used_so_their_owner_may_replace_them(db):
    current = [SETTINGS]
    pool = ClientPool(db, lambda: current[0])
    before = pool.client_for(Connection())
    current[0] = replace(SETTINGS, api_version="v2", rate_window_ms=9_000)
    assert pool.api_version == "v2"
    assert before.version.family == "rest"  # a client keeps what it was made with
    assert pool.client_for(Connection(client_id="app-2")).version.family == "v2"
    budget = pool.budget_for(Connection())
    assert budget.window_ms == 9_000 and budget.client_id == "app-1"
    assert budget.limits == {"atsCandidates": Limit(100, 10)}


def test_a_lent_http_client_stays_open_when_the_pool_closes(db):
    http = httpx.Client()
    try:
        pool = ClientPool(db, lambda: SETTINGS, http=http)
        pool.close()
        assert not http.is_closed
    finally:
        http.close()


def test_the_engine_and_the_pollers_share_one_pool(db):
    store = Store(db)
    engine = SyncEngine(store, SecretBox("k" * 32), SETTINGS)
    try:
        assert pool_of(engine) is engine.pool and pool_of(engine.pool) is engine.pool
        assert Poller(store, engine.box, engine).pool is engine.pool
        assert engine.client_for(Connection()) is engine.pool.client_for(Connection())
        engine.settings = replace(engine.settings, api_version="v2")
        assert engine.pool.api_version == "v2"
    finally:
        engine.close()
