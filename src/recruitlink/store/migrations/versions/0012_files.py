"""files: candidates' resumes and applications' attachments, their bytes in chunks

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "files",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("tenant_id", Id, nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("owner_entity", sa.String(length=16), nullable=False),
        sa.Column("owner_id", Id, nullable=False),
        sa.Column("slot", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("modified_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"],
                                name=op.f("fk_files_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("tenant_id", "external_id",
                            name=op.f("uq_files_tenant_id_external_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("files") as batch:
        batch.create_index("ix_files_tenant_modified", ["tenant_id", "modified_at", "id"])
        batch.create_index("ix_files_owner", ["tenant_id", "owner_entity", "owner_id", "slot"])
        batch.create_index("uq_files_slot", ["tenant_id", "owner_entity", "owner_id", "slot"],
                           unique=True, sqlite_where=sa.text("complete IS 1"),
                           postgresql_where=sa.text("complete IS true"))
    op.create_table(
        "file_chunks",
        sa.Column("file_id", Id, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["files.id"], ondelete="CASCADE",
                                name=op.f("fk_file_chunks_file_id_files")),
        sa.PrimaryKeyConstraint("file_id", "seq", name=op.f("pk_file_chunks")),
    )


def downgrade() -> None:
    op.drop_table("file_chunks")
    with op.batch_alter_table("files") as batch:
        batch.drop_index("uq_files_slot")
        batch.drop_index("ix_files_owner")
        batch.drop_index("ix_files_tenant_modified")
    op.drop_table("files")
