"""Shared fixtures: a real sandbox on loopback per test, with the demo customer."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, settings

from recruitlink.linkedin.versions import DEFAULT_API_VERSION
from recruitlink.sandbox import SandboxConfig, create_app
from recruitlink.store import Store
from recruitlink.store.changelog import ChangeSet
from recruitlink.store.tenants import Tenant, create_tenant
from tests.support.keys import TEST_SECRET_KEY
from tests.support.linkedin import Raw
from tests.support.postgres import postgres_server
from tests.support.servers import PushReceiver, serve
from tests.support.stores import PostgresTemplate, SqliteTemplate

# Hypothesis's per-example deadline (200 ms) and its too-slow health check are timed
# assertions: on a busy 2-core CI machine an example may take longer and fail a sound test.
# Speed is measured in bench/, side by side, never asserted in tests.
settings.register_profile("recruitlink", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("recruitlink")

# Every command that needs the secret key refuses to start without one: give the whole session
# (and the subprocesses it starts) an adequate key.
os.environ["RECRUITLINK_SECRET_KEY"] = TEST_SECRET_KEY

# The CLI's rich consoles take their width from COLUMNS when their module is imported, which
# in this process is whenever a test first imports it: one width for all, set before any, so
# the tables the tests read are never cut short by which test ran first.
os.environ["COLUMNS"] = "200"

# Children inherit an ignored SIGINT (a pytest-xdist worker ignores it, as does a command a
# non-interactive shell starts in the background) and then never see the Ctrl-C a test sends.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Page passwords hash with a small scrypt N in this process (tests/support/hashing.py).
pytest_plugins = ["tests.support.hashing", "tests.support.official_client"]

ORG = "urn:li:organization:1001"
CONTRACT = "urn:li:contract:2001"


@dataclass
class RunningSandbox:
    url: str
    app: Any
    partner: Raw
    """Raw client holding the partner (parent) app's credentials."""
    demo: Raw
    """Raw client holding the demo customer's (child) credentials; org 1001 ENABLED."""
    control: httpx.Client
    """Client for /sandbox/ control and inspection."""

    @property
    def sandbox(self) -> Any:
        return self.app.state.sandbox


def start_sandbox(**config: Any) -> Any:
    # Job tasks finish after 50 ms: every historical sync with jobs waits for them. The tests
    # about the delay itself set theirs (PUT /sandbox/settings jobTaskDelay).
    defaults: dict[str, Any] = {"job_task_delay": 0.05, "push_retry_delay": 0.05,
                                "push_timeout": 2.0, "members": 300}
    defaults.update(config)
    return create_app(SandboxConfig(**defaults))


@pytest.fixture
def sandbox_config(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The sandbox's settings: parametrize with indirect=True, or override in a module."""
    return dict(getattr(request, "param", {}))


@pytest.fixture
def li(sandbox_config: dict[str, Any]) -> Iterator[RunningSandbox]:
    app = start_sandbox(**sandbox_config)
    with serve(app) as url:
        partner = Raw(url, app.state.partner.client_id, app.state.partner.client_secret)
        demo = Raw(url, app.state.demo.client_id, app.state.demo.client_secret)
        control = httpx.Client(base_url=f"{url}/sandbox", timeout=30)
        try:
            yield RunningSandbox(url, app, partner, demo, control)
        finally:
            partner.close()
            demo.close()
            control.close()


LINKEDIN_API_VERSIONS = ("202604", "v2")
"""The client's two families: the versioned /rest (Rest.li 2.0) and the unversioned /v2 (1.0)."""


@pytest.fixture
def linkedin_api_version(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """RECRUITLINK_LINKEDIN_API_VERSION for the test, its settings and the subprocesses it
    starts; the default family unless the test is marked `both_families`."""
    version = str(getattr(request, "param", DEFAULT_API_VERSION))
    monkeypatch.setenv("RECRUITLINK_LINKEDIN_API_VERSION", version)
    return version


both_families = pytest.mark.parametrize("linkedin_api_version", LINKEDIN_API_VERSIONS,
                                        indirect=True)
"""Run an end-to-end test once per family of LinkedIn's API (its fixtures read
`linkedin_api_version`)."""


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    rec = PushReceiver()
    with serve(rec.app()) as url:
        rec.url = f"{url}/linkedin/hooks/acme"
        yield rec


# -- the ATS/CRM store, on both databases ----------------------------------------------------

@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplate:
    return SqliteTemplate(tmp_path_factory.mktemp("sqlite-stores"))


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[PostgresTemplate]:
    with postgres_server() as url:
        template = PostgresTemplate(url)
        yield template
        template.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A fresh migrated store; every test using it runs once per database."""
    name = "sqlite_template" if request.param == "sqlite" else "postgres_template"
    template = request.getfixturevalue(name)
    with template.store() as fresh:
        yield fresh


def make_tenant(store: Store, slug: str = "acme", kind: str = "ATS") -> Tenant:
    with store.db.write() as conn:
        return create_tenant(conn, ChangeSet, slug=slug, name=slug.title(), kind=kind,
                             now_ms=1_700_000_000_000)


@pytest.fixture
def tenant(store: Store) -> Tenant:
    return make_tenant(store)
