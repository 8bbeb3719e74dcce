"""The Alembic migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from recruitlink.store.migrate import current_revision, head_revision
from recruitlink.store.schema import metadata


def test_migrated_schema_matches_the_metadata(store):
    assert current_revision(store.db) == head_revision()
    with store.db.read_engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
