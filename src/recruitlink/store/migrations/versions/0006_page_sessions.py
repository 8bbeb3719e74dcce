"""page sessions kept on the server (sign-out, idle timeout) and sign-in failure counters
shared by every server

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "page_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("ended_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_page_sessions"),
    )
    op.create_index("ix_page_sessions_user", "page_sessions", ["user_id"])
    op.create_index("ix_page_sessions_expires", "page_sessions", ["expires_at"])
    op.create_table(
        "signin_failures",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", "window_start", name="pk_signin_failures"),
    )
    op.create_index("ix_signin_failures_window", "signin_failures", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_signin_failures_window", table_name="signin_failures")
    op.drop_table("signin_failures")
    op.drop_index("ix_page_sessions_expires", table_name="page_sessions")
    op.drop_index("ix_page_sessions_user", table_name="page_sessions")
    op.drop_table("page_sessions")
