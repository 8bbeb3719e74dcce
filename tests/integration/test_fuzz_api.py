"""Property-based fuzzing of the APIs against their own OpenAPI descriptions (schemathesis).

The data API (served for real over loopback, with the API key of a seeded tenant) and the
sandbox's control API each get schemathesis's whole run: explicit examples, coverage
(boundary values, missing and unexpected parameters, unsupported methods), fuzzing and
stateful sequences, with every check on: no 5xx, and the status codes,
content types, headers and bodies the description promises; valid data accepted, invalid
data refused. Its command line is the interface it keeps stable, so it runs as a child
process against the live server. Bounded (examples per operation) and deterministic (the
same cases every run), so a CI run is quick and repeatable.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from recruitlink.settings import Settings
from recruitlink.store import Store
from recruitlink.store.seed import seed
from recruitlink.store.tenants import create_api_key, tenant_by_slug
from recruitlink.web import create_app
from tests.conftest import start_sandbox
from tests.support.servers import serve

CONFIGS = Path(__file__).with_name("schemathesis")
NOW_MS = 1_750_000_000_000
EXAMPLES = {"postgresql": 12, "sqlite": 5}
"""Generated cases per operation and phase (~150 operations). PostgreSQL gets the full run:
it is the stricter database (NUL bytes, integer ranges, lock timeouts); SQLite a shorter one
of the same deterministic cases, for the handlers' SQLite paths."""
PHASES = {"postgresql": "examples,coverage,fuzzing,stateful",
          "sqlite": "examples,fuzzing,stateful"}
"""The coverage phase (~10,000 cases, three quarters of a run) draws the same cases whatever
the store, most of them refused at the API's edge before any SQL: it runs once, on the
stricter PostgreSQL. SQLite's run reaches its SQL paths through the examples, the fuzzing
and the stateful sequences."""

pytestmark = pytest.mark.timeout(900)  # a run takes 0.5 to 3 minutes; a loaded machine, more


def schemathesis(config: str, openapi_url: str, report: Path, *options: str,
                 examples: int = EXAMPLES["postgresql"],
                 phases: str = PHASES["postgresql"]) -> None:
    """Run schemathesis with every check; fail with its report when it found anything."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIGS / config), "run",
        openapi_url,
        "--checks", "all", "--mode", "all",
        "--max-examples", str(examples), "--phases", phases, "--generation-deterministic",
        "--workers", "1", "--request-timeout", "30",
        "--no-color", "--output-truncate", "false", *options]
    done = subprocess.run(command, cwd=report, capture_output=True, text=True, timeout=840,
                          check=False)
    (report / "schemathesis.txt").write_text(done.stdout + done.stderr)
    assert done.returncode == 0, done.stdout[-20_000:] + done.stderr[-5_000:]


def test_data_api_matches_its_openapi(store: Store, tmp_path: Path) -> None:
    seed(store, "acme", 5, now_ms=NOW_MS)
    with store.db.write() as conn:
        tenant = tenant_by_slug(conn, "acme")
        assert tenant is not None
        key = create_api_key(conn, tenant.id, name="fuzz", now_ms=NOW_MS)
    app = create_app(Settings(database_url=store.db.url), store=store)
    with serve(app) as url:
        schemathesis("data-api.toml", f"{url}/openapi.json", tmp_path,
                     "--header", f"Authorization: Bearer {key}",
                     examples=EXAMPLES[store.db.dialect], phases=PHASES[store.db.dialect])


def test_sandbox_control_api_matches_its_openapi(tmp_path: Path) -> None:
    with serve(start_sandbox(members=50)) as url:
        schemathesis("sandbox.toml", f"{url}/sandbox/openapi.json", tmp_path,
                     "--url", f"{url}/sandbox")
