"""What channels hand the core, and what the core hands channels to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Blob:
    """Bytes stored with a message: an e-mail's raw source, an attachment."""

    kind: str  # "raw" | "attachment"
    data: bytes
    filename: str | None = None
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class InboundMessage:
    """One message from a person, translated from a provider by a channel."""

    channel: str
    address: str
    provider_id: str
    text: str
    attachments: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    language: str | None = None
    name: str | None = None
    # Provider ids of earlier messages on this channel that this one answers, the
    # most specific first (an e-mail's In-Reply-To, then its References).
    thread_refs: list[str] = field(default_factory=list)
    # A conversation the channel has verified this message belongs to (a signed
    # reply token); used when no thread_refs match.
    conversation_hint: int | None = None
    blobs: list[Blob] = field(default_factory=list)
    # "contact" for what the person wrote or said; "system" for facts the channel
    # records (a missed call), which triage does not assess.
    author: str = "contact"
    # Danger the channel itself established (a caller chose "I need to talk to
    # someone now"): the conversation becomes urgent whatever the words say.
    urgent_reason: str | None = None
    # The person asked the channel itself for a person (waits in the phone queue,
    # asked to be called back, left a voicemail): queued for a counsellor without
    # bot questions, whatever the words say. Triage still assesses the message.
    queue_reason: str | None = None
    # Other channels on which the same address is the same person (a phone
    # number texts on "sms" and calls on "voice"): they share one contact.
    linked_channels: tuple[str, ...] = ()
    # Sent by a machine on the person's behalf (an out-of-office, list mail):
    # stored and shown, but never assessed or answered automatically.
    automatic: bool = False


@dataclass(frozen=True)
class Receipt:
    """The result of storing an inbound message; duplicate means it was stored before."""

    message_id: int
    conversation_id: int
    contact_id: int
    duplicate: bool
    new_conversation: bool
    stored_at: datetime
    # The conversation was opened or reopened by this message, so the queue changed.
    joined_queue: bool = False
    # What triage decided for this message (server.triage_step.TriageOutcome), if it ran.
    triage: Any = None


@dataclass(frozen=True)
class OutboundMessage:
    """One message for a channel to deliver."""

    message_id: int
    conversation_id: int
    channel: str
    address: str
    text: str
    author_kind: str
    author_name: str | None
    created_at: str
    meta: dict[str, Any] = field(default_factory=dict)
    # The person asked not to be sent anything here (SMS STOP): the outbox refuses.
    opted_out: bool = False
    # A counsellor's own subject line (channels with subjects: e-mail); None lets the
    # channel pick its default ("Re: <the person's subject>").
    subject: str | None = None


class SendError(Exception):
    """A channel could not deliver. permanent=False means it may work later."""

    def __init__(self, reason: str, *, permanent: bool = False, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.code = code
