"""sync lease: the holding process (host, pid, start time), so that a lease whose holder is
gone from this host is taken over at once instead of after it expires

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_leases") as batch:
        batch.add_column(sa.Column("holder_host", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("holder_pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("holder_started", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_leases") as batch:
        batch.drop_column("holder_started")
        batch.drop_column("holder_pid")
        batch.drop_column("holder_host")
