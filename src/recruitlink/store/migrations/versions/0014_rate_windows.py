"""rate_windows: the records of each app's and family's rate_events rows, kept as a counter so
a reservation costs the same however full the window is (issue 17)

Revision ID: 0014_rate_windows
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_rate_windows"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_windows",
        sa.Column("client_id", sa.String(length=200), nullable=False),
        sa.Column("family", sa.String(length=48), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_id", "family", name="pk_rate_windows"),
    )
    # The reservations made before the counter: counted once here.
    op.execute("INSERT INTO rate_windows (client_id, family, records) "
               "SELECT client_id, family, SUM(records) FROM rate_events "
               "GROUP BY client_id, family")


def downgrade() -> None:
    op.drop_table("rate_windows")
