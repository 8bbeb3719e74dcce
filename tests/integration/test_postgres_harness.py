"""The test suite can start Debian's PostgreSQL by itself (the store and sync tests run on it)."""

from __future__ import annotations

import shutil
import subprocess

from tests.support.postgres import postgres_server


def test_throwaway_postgres_cluster_answers_sql():
    psql = shutil.which("psql")
    assert psql, "psql is missing: scripts/bootstrap --system installs postgresql"
    with postgres_server() as url:
        libpq_url = url.replace("postgresql+psycopg://", "postgresql://")
        out = subprocess.run([psql, libpq_url, "-tAc", "select 6 * 7"], capture_output=True,
                             text=True, check=True).stdout
        assert out.strip() == "42"
