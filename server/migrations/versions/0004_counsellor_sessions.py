"""counsellor sessions stored on the server, so they can be revoked

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "counsellor_session",
        sa.Column("id", AutoString(), nullable=False),
        sa.Column("counsellor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("user_agent", AutoString(), nullable=True),
        sa.Column("ip", AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["counsellor_id"], ["counsellor.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("counsellor_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_counsellor_session_counsellor_id"), ["counsellor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("counsellor_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counsellor_session_counsellor_id"))
    op.drop_table("counsellor_session")
