"""LinkedIn Hiring Assistant evaluations of exported applications, linked to the candidate
and application the export created

Revision ID: 0013
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "linkedin_evaluations",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("li_id", sa.String(length=200), nullable=False),
        sa.Column("request_id", sa.String(length=200), nullable=True),
        sa.Column("person", sa.String(length=100), nullable=True),
        sa.Column("job_external_id", sa.String(length=200), nullable=True),
        sa.Column("candidate_id", Id, nullable=True),
        sa.Column("application_id", Id, nullable=True),
        sa.Column("overall_fit", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("qualifications", Json, nullable=False),
        sa.Column("evaluated_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_linkedin_evaluations_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE",
                                name="fk_linkedin_evaluations_candidate_id_candidates"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"], ondelete="SET NULL",
                                name="fk_linkedin_evaluations_application_id_applications"),
        sa.PrimaryKeyConstraint("id", name="pk_linkedin_evaluations"),
        sa.UniqueConstraint("tenant_id", "li_id", name="uq_linkedin_evaluations_tenant_id_li_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_linkedin_evaluations_candidate", "linkedin_evaluations",
                    ["candidate_id"])
    op.create_index("ix_linkedin_evaluations_unlinked", "linkedin_evaluations",
                    ["tenant_id", "candidate_id"])


def downgrade() -> None:
    op.drop_index("ix_linkedin_evaluations_unlinked", table_name="linkedin_evaluations")
    op.drop_index("ix_linkedin_evaluations_candidate", table_name="linkedin_evaluations")
    op.drop_table("linkedin_evaluations")
