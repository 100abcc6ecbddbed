"""IMAP cursor table, contact postcode, one booking per slot, follow-up pushed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOOKED = sa.text("status = 'booked'")


def upgrade() -> None:
    op.create_table(
        "email_imap_cursor",
        sa.Column("mailbox", AutoString(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("mailbox"),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("postcode", AutoString(), nullable=True))
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_notified_at", UTCDateTime(), nullable=True))
    op.create_index(
        "uq_referral_booked_slot",
        "referral",
        ["service_id", "slot"],
        unique=True,
        sqlite_where=BOOKED,
        postgresql_where=BOOKED,
    )


def downgrade() -> None:
    op.drop_index("uq_referral_booked_slot", table_name="referral")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_column("follow_up_notified_at")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("postcode")
    op.drop_table("email_imap_cursor")
