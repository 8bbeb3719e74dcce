"""candidates.consents: the purposes a candidate consented to, for the policy's consent rule
(issue 19, consent and field policy)

Revision ID: 0016_candidate_consents
Revises: 0015_host_events
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0016_candidate_consents"
down_revision = "0015_host_events"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("candidates", sa.Column("consents", Json, nullable=True))


def downgrade() -> None:
    op.drop_column("candidates", "consents")
