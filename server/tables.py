"""The SQLModel tables as Core `Table`s, for typed queries (`t.messages.c.id`)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table
from sqlmodel import SQLModel

from server.models import (
    Assessment,
    AuditEvent,
    Contact,
    ContactAddress,
    Conversation,
    Counsellor,
    CounsellorSession,
    EmailImapCursor,
    Message,
    MessageBlob,
    OutboxItem,
    Referral,
)


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


contacts = _table(Contact)
contact_addresses = _table(ContactAddress)
counsellors = _table(Counsellor)
counsellor_sessions = _table(CounsellorSession)
conversations = _table(Conversation)
messages = _table(Message)
message_blobs = _table(MessageBlob)
assessments = _table(Assessment)
referrals = _table(Referral)
outbox_items = _table(OutboxItem)
audit_events = _table(AuditEvent)
email_imap_cursors = _table(EmailImapCursor)
