"""sync logs: records a prepared batch has sent so far (progress per call, not per batch),
and excluded records counted apart from unchanged ones

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_batches") as batch:
        batch.add_column(sa.Column("sent", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("excluded", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("sync_batches") as batch:
        batch.drop_column("excluded")
        batch.drop_column("sent")
