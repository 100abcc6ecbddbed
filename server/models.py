"""The data model. Times are aware UTC datetimes (sqlmodel stores them as UTC)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Status(StrEnum):
    BOT = "bot"
    WAITING = "waiting"
    ACTIVE = "active"
    PENDING = "pending"
    CLOSED = "closed"


class Direction(StrEnum):
    IN = "in"
    OUT = "out"


class Author(StrEnum):
    CONTACT = "contact"
    COUNSELLOR = "counsellor"
    BOT = "bot"
    SYSTEM = "system"


class Delivery(StrEnum):
    RECEIVED = "received"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"


class Role(StrEnum):
    COUNSELLOR = "counsellor"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Contact(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str | None = None
    language: str | None = None
    profile: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Where the person lives, when they have said: picks the local guidance service.
    postcode: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ContactAddress(SQLModel, table=True):
    __tablename__ = "contact_address"
    __table_args__ = (UniqueConstraint("channel", "address", name="uq_contact_address"),)
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    channel: str
    address: str
    # The person asked not to be sent anything on this address (SMS STOP).
    opted_out: bool = False
    opted_out_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Counsellor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True)
    name: str
    password_hash: str
    role: str = Role.COUNSELLOR.value
    languages: list[str] = Field(default_factory=lambda: ["da", "en"], sa_column=Column(JSON))
    channels: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    capacity: int = 4
    presence: str = "offline"
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class CounsellorSession(SQLModel, table=True):
    """One sign-in on one device. The signed token names the row, so a logout, a
    deactivation or an expiry ends it on the server, not only in the browser."""

    __tablename__ = "counsellor_session"
    id: str = Field(primary_key=True)
    counsellor_id: int = Field(foreign_key="counsellor.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    # Written at most once a minute (accounts.TOUCH_EVERY), not on every request.
    last_seen_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: datetime | None = None
    user_agent: str | None = None
    ip: str | None = None


class Conversation(SQLModel, table=True):
    __table_args__ = (Index("ix_conversation_queue", "status", "urgent", "priority"),)
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    channel: str
    status: str = Field(default=Status.WAITING.value)
    language: str | None = None
    assignee_id: int | None = Field(default=None, foreign_key="counsellor.id", index=True)
    priority: int = 0
    urgent: bool = False
    level: str | None = None
    refer_to: str | None = None
    triage_state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    # Channel facts about the conversation (e.g. a phone call-back request).
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    previous_id: int | None = Field(default=None, foreign_key="conversation.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    last_message_at: datetime = Field(default_factory=utcnow)
    waiting_since: datetime | None = None
    claimed_at: datetime | None = None
    first_response_at: datetime | None = None
    closed_at: datetime | None = None


class Message(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("channel", "provider_id", name="uq_message_provider"),
        Index("ix_message_conversation", "conversation_id", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    direction: str
    channel: str
    author_kind: str
    author_id: int | None = None
    body: str = Field(sa_column=Column(Text, nullable=False))
    internal: bool = False
    provider_id: str | None = None
    status: str = Delivery.RECEIVED.value
    error: str | None = None
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow)


class MessageBlob(SQLModel, table=True):
    """Bytes that belong to a message: an e-mail's raw source, an attachment."""

    __tablename__ = "message_blob"
    id: int | None = Field(default=None, primary_key=True)
    message_id: int | None = Field(default=None, foreign_key="message.id", index=True)
    kind: str  # "raw" | "attachment"
    filename: str | None = None
    content_type: str = "application/octet-stream"
    size: int = 0
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Assessment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    source: str = "rules"
    level: str | None = None
    urgent: bool = False
    refer_to: str | None = None
    priority: int = 0
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    counsellor_id: int | None = Field(default=None, foreign_key="counsellor.id")
    created_at: datetime = Field(default_factory=utcnow)


class Referral(SQLModel, table=True):
    # One booking per service and slot, whichever node books it.
    __table_args__ = (
        Index(
            "uq_referral_booked_slot",
            "service_id",
            "slot",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    service_id: str
    slot: str | None = None
    status: str = "proposed"
    counsellor_id: int | None = Field(default=None, foreign_key="counsellor.id")
    # When the follow-up reminder was pushed to the inbox (once per referral).
    follow_up_notified_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OutboxItem(SQLModel, table=True):
    __tablename__ = "outbox_item"
    __table_args__ = (Index("ix_outbox_due", "state", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", unique=True)
    channel: str
    state: str = "queued"
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_kind: str
    actor_id: int | None = None
    action: str
    conversation_id: int | None = Field(default=None, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class EmailImapCursor(SQLModel, table=True):
    """Where the IMAP source is in a mailbox: the last UID stored, under a UIDVALIDITY."""

    __tablename__ = "email_imap_cursor"
    mailbox: str = Field(primary_key=True)
    # UIDs and UIDVALIDITY are unsigned 32-bit: they overflow PostgreSQL's integer.
    uidvalidity: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_uid: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    updated_at: datetime = Field(default_factory=utcnow)
