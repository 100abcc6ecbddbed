"""Where a counsellor's reply goes: the conversation's channel, or another known
address of the person (answer a chat by SMS to their number, or by e-mail).

The target is settled before anything is stored, so a reply that could never go
out (another person's address, an opted-out number, a channel without a sender)
is refused with a clear error instead of failing later in the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import queue, views
from server import tables as t
from server.accounts import Identity
from server.centre_rows import audit, conversation_row
from server.errors import Conflict, Invalid
from server.messages import OutboundMessage, SendError
from server.models import Author, Direction, Status, utcnow
from server.outbox import ChannelSender, check_sendable, queue_for_sending, recipient_of
from server.realtime import Notifier
from server.settings import Settings

# Channels whose messages carry a subject line.
SUBJECT_CHANNELS = frozenset({"email"})
# Channels that reach a person only inside the conversation they opened (the web
# chat's sender emits to the conversation's room, not to an address): their
# address answers its own conversation, never another one.
SESSION_CHANNELS = frozenset({"chat"})
MAX_SUBJECT_CHARS = 200


@dataclass(frozen=True)
class ReplyTarget:
    channel: str
    address: str  # "" when the contact has none on the channel
    # Stored in the message's meta: the outbox sends to "to", the timeline shows it.
    meta: dict[str, Any] = field(default_factory=dict)
    subject: str | None = None


def clean_subject(raw: object) -> str | None:
    """The subject as sent: one line, trimmed; None for none."""
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise Invalid("subject must be a string", "invalid_subject")
    if any(ch in raw for ch in "\r\n\x00"):
        raise Invalid("the subject must be one line", "invalid_subject")
    subject = " ".join(raw.split())
    if len(subject) > MAX_SUBJECT_CHARS:
        raise Invalid(
            f"the subject is longer than {MAX_SUBJECT_CHARS} characters", "subject_too_long"
        )
    return subject or None


async def reply_target(
    conn: AsyncConnection,
    conv: Any,
    address_id: int | None,
    subject: str | None,
    senders: Mapping[str, ChannelSender],
) -> ReplyTarget:
    """The channel and address of a reply in this conversation; raises Invalid (400)
    or Conflict (409, the person opted out there) when it cannot go there."""
    if address_id is None:
        recipient = await recipient_of(conn, conv.contact_id, conv.channel)
        channel, address, meta = conv.channel, recipient.address if recipient else "", {}
    else:
        a = t.contact_addresses
        row = (await conn.execute(select(a).where(a.c.id == address_id))).first()
        if row is None or row.contact_id != conv.contact_id:
            raise Invalid(
                "address_id is not an address of this conversation's contact",
                "address_not_of_contact",
            )
        if row.channel in SESSION_CHANNELS and row.channel != conv.channel:
            raise Invalid(
                f"a {row.channel} address can only be answered in its own conversation",
                "address_not_reachable",
            )
        if row.opted_out:
            raise Conflict("the person has opted out of messages on this address", "opted_out")
        if row.channel not in senders:
            raise Invalid(f"nothing can send on channel {row.channel!r}", "channel_unavailable")
        channel, address = row.channel, row.address
        meta = {"address_id": row.id, "to": row.address}
    if subject is not None:
        if channel not in SUBJECT_CHANNELS:
            raise Invalid(
                f"a {channel} message has no subject; only e-mail has one",
                "subject_not_supported",
            )
        meta["subject"] = subject
    return ReplyTarget(channel, address, meta, subject)


async def reply_addresses(
    conn: AsyncConnection, conv: Any, senders: Mapping[str, ChannelSender]
) -> list[dict[str, Any]]:
    """The contact's addresses as the composer offers them, the conversation's own
    (where a reply without address_id goes) marked as the default."""
    a = t.contact_addresses
    rows = (
        await conn.execute(
            select(a.c.id, a.c.channel, a.c.address, a.c.opted_out)
            .where(a.c.contact_id == conv.contact_id)
            .order_by(a.c.id)
        )
    ).all()
    own = [r.id for r in rows if r.channel == conv.channel]
    default = own[-1] if own else None  # recipient_of: the latest on the channel
    return [
        {
            "id": r.id,
            "channel": r.channel,
            "address": r.address,
            "opted_out": bool(r.opted_out),
            "default": r.id == default,
            "subject": r.channel in SUBJECT_CHANNELS,
            "sendable": not r.opted_out
            and (r.channel in senders or r.id == default)
            and (r.channel not in SESSION_CHANNELS or r.channel == conv.channel),
        }
        for r in rows
    ]


class ReplyDesk:
    """Mixed into ContactCentre, which provides these attributes and the method."""

    engine: AsyncEngine
    notifier: Notifier
    settings: Settings
    senders: Mapping[str, ChannelSender]
    wake_outbox: Callable[[], None]

    async def _conversation_changed(self, conversation_id: int, left_queue: bool) -> dict[str, Any]:
        raise NotImplementedError

    async def reply(
        self,
        conversation_id: int,
        who: Identity,
        text: str,
        internal: bool = False,
        address_id: int | None = None,
        subject: str | None = None,
    ) -> dict[str, Any]:
        """A reply on the conversation's channel, or on another known address of the
        person (address_id); subject replaces an e-mail's default "Re: …"."""
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            raise Invalid("the message is empty", "empty_message")
        if len(text) > self.settings.chat.max_message_chars:
            raise Invalid(
                f"the message is longer than {self.settings.chat.max_message_chars} characters",
                "too_long",
            )
        subject = clean_subject(subject)
        if internal and (address_id is not None or subject is not None):
            raise Invalid("an internal note is not sent, so it has no address or subject")
        now = utcnow()
        async with self.engine.begin() as conn:
            conv = await conversation_row(conn, conversation_id)
            target = ReplyTarget(conv.channel, "")
            if not internal:
                target = await reply_target(conn, conv, address_id, subject, self.senders)
                self._check_sendable(conv, target, text, now)
            claimed = False if internal else await self._ensure_may_answer(conn, conv, who, now)
            message_id = (
                await conn.execute(
                    insert(t.messages)
                    .values(
                        conversation_id=conversation_id,
                        direction=Direction.OUT.value,
                        channel=target.channel,
                        author_kind=Author.COUNSELLOR.value,
                        author_id=who.id,
                        body=text,
                        internal=internal,
                        status="internal" if internal else "queued",
                        attachments=[],
                        meta=target.meta,
                        created_at=now,
                    )
                    .returning(t.messages.c.id)
                )
            ).scalar_one()
            if not internal:
                await queue_for_sending(conn, message_id, target.channel, now)
                await conn.execute(
                    update(t.conversations)
                    .where(t.conversations.c.id == conversation_id)
                    .where(t.conversations.c.first_response_at.is_(None))
                    .values(first_response_at=now)
                )
            message = await views.message(conn, message_id)
        if not internal:
            self.wake_outbox()
        if claimed:
            await self._conversation_changed(conversation_id, left_queue=True)
        await self.notifier.to_counsellors(
            "message.created", {"conversation_id": conversation_id, "message": message}
        )
        return message

    def _check_sendable(self, conv: Any, target: ReplyTarget, text: str, now: Any) -> None:
        """Nothing is stored or claimed for a reply its channel refuses (an SMS over
        1,600 characters): the counsellor gets a 400 with the channel's reason."""
        draft = OutboundMessage(
            message_id=0,
            conversation_id=conv.id,
            channel=target.channel,
            address=target.address,
            text=text,
            author_kind=Author.COUNSELLOR.value,
            author_name=None,
            created_at=now.isoformat(),
            meta=target.meta,
            subject=target.subject,
        )
        try:
            check_sendable(self.senders.get(target.channel), draft)
        except SendError as exc:
            raise Invalid(exc.reason, exc.code or "not_sendable") from exc

    async def reply_addresses(self, conversation_id: int) -> list[dict[str, Any]]:
        """The person's addresses a reply in this conversation can go to."""
        async with self.engine.connect() as conn:
            conv = await conversation_row(conn, conversation_id)
            return await reply_addresses(conn, conv, self.senders)

    async def _ensure_may_answer(self, conn: Any, conv: Any, who: Identity, now: Any) -> bool:
        """Answering an unclaimed conversation claims it; returns whether it did."""
        if conv.status == Status.CLOSED:
            raise Conflict("the conversation is closed", "conversation_closed")
        if conv.assignee_id == who.id or (who.is_supervisor and conv.assignee_id is not None):
            return False
        if conv.assignee_id is None:
            outcome = await queue.claim(conn, conv.id, who.id, now)
            if outcome == queue.ClaimOutcome.CLAIMED:
                await audit(conn, who, "claim", conv.id, {"by": "reply"})
                return True
        raise Conflict("another counsellor has this conversation", "already_claimed")
