"""live parity: parity_state (a tenant's rounds through the ledger) and parity_drift (what
LinkedIn holds differently) (issue 19)

Revision ID: 0021_parity
Revises: 0020_webhook_due_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0021_parity"
down_revision = "0020_webhook_due_index"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "parity_state",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("after_id", Id, nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("round_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_parity_state_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "entity", name="pk_parity_state"),
    )
    op.create_table(
        "parity_drift",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", Id, nullable=False),
        sa.Column("external_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("fields", Json, nullable=False),
        sa.Column("found_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_parity_drift_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "entity", "entity_id", name="pk_parity_drift"),
    )


def downgrade() -> None:
    op.drop_table("parity_drift")
    op.drop_table("parity_state")
