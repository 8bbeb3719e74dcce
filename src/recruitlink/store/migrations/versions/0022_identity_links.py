"""explainable identity: why and since when a candidate is linked to a LinkedIn member
(candidates.linked_at, link_evidence); the review queue of ambiguous LinkedIn items
(identity_reviews); candidate merges, kept so they can be undone (candidate_merges) (issue 19)

Revision ID: 0022_identity_links
Revises: 0021_parity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0022_identity_links"
down_revision = "0021_parity"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("candidates", sa.Column("linked_at", sa.BigInteger(), nullable=True))
    op.add_column("candidates", sa.Column("link_evidence", sa.String(400), nullable=True))
    op.create_table(
        "identity_reviews",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("li_id", sa.String(200), nullable=False),
        sa.Column("person", sa.String(100), nullable=True),
        sa.Column("reason", sa.String(400), nullable=False),
        sa.Column("candidates", Json, nullable=False),
        sa.Column("payload", Json, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("resolution", sa.String(400), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_identity_reviews_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("id", name="pk_identity_reviews"),
        sa.UniqueConstraint("tenant_id", "kind", "li_id",
                            name="uq_identity_reviews_tenant_id_kind_li_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_identity_reviews_open", "identity_reviews", ["tenant_id", "status"])
    op.create_table(
        "candidate_merges",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("kept", sa.String(200), nullable=False),
        sa.Column("merged", sa.String(200), nullable=False),
        sa.Column("snapshot", Json, nullable=False),
        sa.Column("moved", Json, nullable=False),
        sa.Column("kept_before", Json, nullable=False),
        sa.Column("reason", sa.String(400), nullable=True),
        sa.Column("merged_at", sa.BigInteger(), nullable=False),
        sa.Column("unmerged_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_candidate_merges_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("id", name="pk_candidate_merges"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_candidate_merges_kept", "candidate_merges", ["tenant_id", "kept"])


def downgrade() -> None:
    op.drop_index("ix_candidate_merges_kept", table_name="candidate_merges")
    op.drop_table("candidate_merges")
    op.drop_index("ix_identity_reviews_open", table_name="identity_reviews")
    op.drop_table("identity_reviews")
    with op.batch_alter_table("candidates") as batch:  # SQLite drops columns by copying
        batch.drop_column("link_evidence")
        batch.drop_column("linked_at")
