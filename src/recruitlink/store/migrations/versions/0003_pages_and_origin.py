"""pages and pollers: users' page passwords; where notes and interactions came from; inbound
items waiting for their candidate

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=True))
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=True))
    with op.batch_alter_table("inbound_items") as batch:
        batch.add_column(sa.Column("person", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("payload", Json, nullable=True))
    op.create_index("ix_inbound_items_waiting", "inbound_items",
                    ["tenant_id", "outcome", "person"])


def downgrade() -> None:
    op.drop_index("ix_inbound_items_waiting", table_name="inbound_items")
    with op.batch_alter_table("inbound_items") as batch:
        batch.drop_column("payload")
        batch.drop_column("person")
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("origin")
    with op.batch_alter_table("notes") as batch:
        batch.drop_column("origin")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_hash")
