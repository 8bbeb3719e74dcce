"""push inbox: the exporting seat and what was exported (member, name, job or pipeline), so
the exports page lists each export with its outcome and the exporting recruiter sees their
own refused ones

Revision ID: 0010
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("inbox_events") as batch:
        batch.add_column(sa.Column("seat", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("details", Json, nullable=True))
    op.create_index("ix_inbox_events_seat", "inbox_events", ["tenant_id", "seat", "id"])
    op.create_index("ix_inbox_events_tenant", "inbox_events", ["tenant_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_events_tenant", table_name="inbox_events")
    op.drop_index("ix_inbox_events_seat", table_name="inbox_events")
    with op.batch_alter_table("inbox_events") as batch:
        batch.drop_column("details")
        batch.drop_column("seat")
