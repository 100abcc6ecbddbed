"""channel facts: opt-out, conversation meta, message blobs

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 18:04:29.769763
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_blob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("kind", AutoString(), nullable=False),
        sa.Column("filename", AutoString(), nullable=True),
        sa.Column("content_type", AutoString(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("message_blob", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_blob_message_id"), ["message_id"], unique=False
        )

    with op.batch_alter_table("contact_address", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("opted_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("opted_out_at", UTCDateTime(), nullable=True))

    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meta", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("meta")

    with op.batch_alter_table("contact_address", schema=None) as batch_op:
        batch_op.drop_column("opted_out_at")
        batch_op.drop_column("opted_out")

    with op.batch_alter_table("message_blob", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_blob_message_id"))

    op.drop_table("message_blob")
