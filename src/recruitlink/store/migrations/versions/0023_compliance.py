"""compliance duties (closures, erasures, retention) and the indexes of the per-candidate
audit view (issue 19, part 4)

Revision ID: 0023_compliance
Revises: 0022_identity_links
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0023_compliance"
down_revision = "0022_identity_links"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "compliance_duties",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("due_at", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("done_at", sa.BigInteger(), nullable=True),
        sa.Column("process", sa.String(32), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("detail", Json, nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_compliance_duties_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("id", name="pk_compliance_duties"),
        sa.UniqueConstraint("tenant_id", "kind", "subject",
                            name="uq_compliance_duties_tenant_id_kind_subject"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_compliance_duties_open", "compliance_duties",
                    ["tenant_id", "status", "due_at"])
    # The audit view reads one record's rows of these, never the whole table.
    op.create_index("ix_sync_batch_items_record", "sync_batch_items", ["entity", "entity_id"])
    op.create_index("ix_inbound_items_candidate", "inbound_items", ["tenant_id", "candidate_id"])
    op.create_index("ix_host_events_subject", "host_events",
                    ["tenant_id", "subject_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_host_events_subject", table_name="host_events")
    op.drop_index("ix_inbound_items_candidate", table_name="inbound_items")
    op.drop_index("ix_sync_batch_items_record", table_name="sync_batch_items")
    op.drop_index("ix_compliance_duties_open", table_name="compliance_duties")
    op.drop_table("compliance_duties")
