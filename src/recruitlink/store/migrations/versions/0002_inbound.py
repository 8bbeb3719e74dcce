"""inbound: push inbox, Recruiter seats, items brought in from LinkedIn; an index on a
record's sync errors

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "inbox_events",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("type", sa.String(length=48), nullable=False),
        sa.Column("request_id", sa.String(length=200), nullable=False),
        sa.Column("body", Json, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("candidate_id", Id, nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger(), nullable=False),
        sa.Column("processed_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_inbox_events_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("id", name="pk_inbox_events"),
        sa.UniqueConstraint("tenant_id", "type", "request_id",
                            name="uq_inbox_events_tenant_id_type_request_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_inbox_events_due", "inbox_events", ["status", "next_attempt_at"])
    op.create_table(
        "linkedin_seats",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("seat", sa.String(length=100), nullable=False),
        sa.Column("contract", sa.String(length=100), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("user_id", Id, nullable=True),
        sa.Column("mapping", sa.String(length=16), nullable=True),
        sa.Column("change", sa.String(length=200), nullable=True),
        sa.Column("mapped_at", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_linkedin_seats_tenant_id_tenants"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name="fk_linkedin_seats_user_id_users"),
        sa.PrimaryKeyConstraint("tenant_id", "seat", name="pk_linkedin_seats"),
    )
    op.create_table(
        "inbound_items",
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("li_id", sa.String(length=200), nullable=False),
        sa.Column("candidate_id", Id, nullable=True),
        sa.Column("record_id", Id, nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("li_modified_at", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name="fk_inbound_items_tenant_id_tenants"),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "li_id", name="pk_inbound_items"),
    )


    op.create_index("ix_sync_errors_record", "sync_errors", ["tenant_id", "entity", "entity_id"])


def downgrade() -> None:
    op.drop_index("ix_sync_errors_record", table_name="sync_errors")
    op.drop_table("inbound_items")
    op.drop_table("linkedin_seats")
    op.drop_index("ix_inbox_events_due", table_name="inbox_events")
    op.drop_table("inbox_events")
