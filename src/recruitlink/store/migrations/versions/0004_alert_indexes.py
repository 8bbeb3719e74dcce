"""indexes for the pages: a candidate's duplicate alerts on either side; sync log batches by
status or milestone; one batch's errors in order

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
    op.create_index("ix_sync_batches_status_id", "sync_batches", ["tenant_id", "status", "id"])
    op.create_index("ix_sync_batches_milestone_id", "sync_batches",
                    ["tenant_id", "milestone", "id"])
    op.drop_index("ix_sync_errors_batch", table_name="sync_errors")
    op.create_index("ix_sync_errors_batch", "sync_errors", ["batch_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_sync_errors_batch", table_name="sync_errors")
    op.create_index("ix_sync_errors_batch", "sync_errors", ["batch_id"])
    op.drop_index("ix_sync_batches_milestone_id", table_name="sync_batches")
    op.drop_index("ix_sync_batches_status_id", table_name="sync_batches")
    op.drop_index("ix_duplicate_alerts_other", table_name="duplicate_alerts")
    op.drop_index("ix_duplicate_alerts_candidate", table_name="duplicate_alerts")
