"""pages and pollers: users' page passwords; where notes and interactions came from

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=True))
    with op.batch_alter_table("interactions") as batch:
        batch.add_column(sa.Column("origin", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interactions") as batch:
        batch.drop_column("origin")
    with op.batch_alter_table("notes") as batch:
        batch.drop_column("origin")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_hash")
