"""webhook deliveries: the (endpoint_id, status, next_attempt_at, id) index a claim round
reads each endpoint's first due deliveries through, and the (claimed_until) one it counts the
deliveries in flight through (issue 18)

Revision ID: 0020_webhook_due_index
Revises: 0019_webhook_holds
"""

from __future__ import annotations

from alembic import op

revision = "0020_webhook_due_index"
down_revision = "0019_webhook_holds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_webhook_deliveries_endpoint_due", "webhook_deliveries",
                    ["endpoint_id", "status", "next_attempt_at", "id"])
    op.create_index("ix_webhook_deliveries_claimed", "webhook_deliveries", ["claimed_until"])


def downgrade() -> None:
    op.drop_index("ix_webhook_deliveries_claimed", table_name="webhook_deliveries")
    op.drop_index("ix_webhook_deliveries_endpoint_due", table_name="webhook_deliveries")
