"""duplicate alerts: indexes for a candidate's alerts on either side

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_duplicate_alerts_candidate", "duplicate_alerts", ["candidate_id"])
    op.create_index("ix_duplicate_alerts_other", "duplicate_alerts", ["other_candidate_id"])


def downgrade() -> None:
    op.drop_index("ix_duplicate_alerts_other", table_name="duplicate_alerts")
    op.drop_index("ix_duplicate_alerts_candidate", table_name="duplicate_alerts")
