"""failed_calls: calls to LinkedIn that failed, redacted, for support bundles (issue 19.6)

Revision ID: 0018_failed_calls
Revises: 0017_app_environment
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0018_failed_calls"
down_revision = "0017_app_environment"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "failed_calls",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("batch_id", Id, nullable=True),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("request_headers", Json, nullable=False),
        sa.Column("request_body", sa.Text(), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("response_headers", Json, nullable=False),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("li_uuid", sa.String(100), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("records", Json, nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_failed_calls_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("id", name="pk_failed_calls"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_failed_calls_batch", "failed_calls", ["tenant_id", "batch_id", "id"])
    op.create_index("ix_failed_calls_started", "failed_calls", ["tenant_id", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_failed_calls_started", table_name="failed_calls")
    op.drop_index("ix_failed_calls_batch", table_name="failed_calls")
    op.drop_table("failed_calls")
