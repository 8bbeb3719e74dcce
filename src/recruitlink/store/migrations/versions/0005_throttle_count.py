"""metrics: how many 429s LinkedIn answered per app and resource family, kept on the rate
block row (never deleted) so the count outlives the block

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rate_blocks") as batch:
        batch.add_column(sa.Column("throttled", sa.Integer(), nullable=False,
                                   server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("rate_blocks") as batch:
        batch.drop_column("throttled")
