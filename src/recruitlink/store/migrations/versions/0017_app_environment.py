"""connections.app_environment: what LinkedIn said of the tenant's app's environment (the
environment guard, issue 19.7)

Revision ID: 0017_app_environment
Revises: 0016_candidate_consents
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_app_environment"
down_revision = "0016_candidate_consents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("connections") as batch:
        batch.add_column(sa.Column("app_environment", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("connections") as batch:
        batch.drop_column("app_environment")
