"""webhook endpoints held after a connection failure: `held_until` and `held_by` (issue 18)

Revision ID: 0019_webhook_holds
Revises: 0018_failed_calls
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_webhook_holds"
down_revision = "0018_failed_calls"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("held_until", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("held_by", Id, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("held_by")
        batch.drop_column("held_until")
