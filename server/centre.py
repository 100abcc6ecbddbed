"""The service layer: each use case is a transaction followed by its events.

Channels call `receive`; the API calls the counsellor commands. Events go out
only after the commit, so nobody is told about something that was not stored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server import queue, views
from server import tables as t
from server.accounts import Identity
from server.errors import Conflict, Invalid, NotFound
from server.group_commit import GroupCommitWriter
from server.messages import Blob, InboundMessage, OutboundMessage, Receipt, SendError
from server.metrics import Metrics
from server.models import (
    Author,
    Direction,
    Status,
    utcnow,
)
from server.outbox import (
    ChannelSender,
    advance_message_status,
    check_sendable,
    queue_for_sending,
    recipient_of,
)
from server.queue_broadcast import QueueBroadcaster
from server.realtime import Notifier
from server.settings import Settings
from server.triage_step import TriageOutcome, TriageStep

log = logging.getLogger(__name__)

CLAIM_ERRORS = {
    queue.ClaimOutcome.TAKEN: Conflict(
        "another counsellor has this conversation", "already_claimed"
    ),
    queue.ClaimOutcome.CLOSED: Conflict("the conversation is closed", "conversation_closed"),
}


class ContactCentre:
    def __init__(
        self,
        engine: AsyncEngine,
        notifier: Notifier,
        settings: Settings,
        metrics: Metrics,
        wake_outbox: Callable[[], None],
        triage: TriageStep | None = None,
        senders: Mapping[str, ChannelSender] | None = None,
    ) -> None:
        self.engine = engine
        # The channels' senders, to refuse at compose time what could never be sent.
        self.senders: Mapping[str, ChannelSender] = senders if senders is not None else {}
        self.notifier = notifier
        self.settings = settings
        self.metrics = metrics
        self.wake_outbox = wake_outbox
        self.queue_broadcast = QueueBroadcaster(self)
        self.writer = GroupCommitWriter(
            engine, timedelta(seconds=settings.conversations.reopen_window_s), triage
        )
        self._handle_time: tuple[float, float] = (0.0, float(settings.queue.default_handle_time_s))

    # -- people writing in ---------------------------------------------------------

    async def receive(self, inbound: InboundMessage) -> Receipt:
        """Store one inbound message (once), then tell the counsellors."""
        receipt = await self.writer.store(inbound)
        if receipt.duplicate:
            self.metrics.duplicates.labels(inbound.channel).inc()
            return receipt
        self.metrics.received.labels(inbound.channel).inc()
        await self.notifier.to_counsellors(
            "message.created",
            {
                "conversation_id": receipt.conversation_id,
                "message": views.inbound_view(inbound, receipt),
            },
        )
        if receipt.triage is not None:
            await self._announce_triage(receipt.triage)
        elif receipt.joined_queue:
            self.queue_broadcast.changed()
        return receipt

    async def _announce_triage(self, outcome: TriageOutcome) -> None:
        """After the commit: bot replies go out, the queue moves, danger is flagged."""
        for message in outcome.bot_messages:
            await self.notifier.to_counsellors(
                "message.created",
                {"conversation_id": outcome.conversation_id, "message": message},
            )
        if outcome.bot_messages:
            self.wake_outbox()
        if outcome.alert_reasons is not None:
            await self.notifier.to_counsellors(
                "triage.alert",
                {"conversation_id": outcome.conversation_id, "reasons": outcome.alert_reasons},
            )
        if outcome.joined_queue or outcome.alert_reasons is not None:
            await self._conversation_changed(outcome.conversation_id, left_queue=False)

    # -- counsellors -------------------------------------------------------------------

    async def reply(
        self, conversation_id: int, who: Identity, text: str, internal: bool = False
    ) -> dict[str, Any]:
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            raise Invalid("the message is empty", "empty_message")
        if len(text) > self.settings.chat.max_message_chars:
            raise Invalid(
                f"the message is longer than {self.settings.chat.max_message_chars} characters",
                "too_long",
            )
        now = utcnow()
        async with self.engine.begin() as conn:
            conv = await _conversation_row(conn, conversation_id)
            if not internal:
                await self._check_sendable(conn, conv, text, now)
            claimed = False if internal else await self._ensure_may_answer(conn, conv, who, now)
            message_id = (
                await conn.execute(
                    insert(t.messages)
                    .values(
                        conversation_id=conversation_id,
                        direction=Direction.OUT.value,
                        channel=conv.channel,
                        author_kind=Author.COUNSELLOR.value,
                        author_id=who.id,
                        body=text,
                        internal=internal,
                        status="internal" if internal else "queued",
                        attachments=[],
                        meta={},
                        created_at=now,
                    )
                    .returning(t.messages.c.id)
                )
            ).scalar_one()
            if not internal:
                await queue_for_sending(conn, message_id, conv.channel, now)
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

    async def _check_sendable(self, conn: Any, conv: Any, text: str, now: Any) -> None:
        """Nothing is stored or claimed for a reply its channel refuses (an SMS over
        1,600 characters): the counsellor gets a 400 with the channel's reason."""
        recipient = await recipient_of(conn, conv.contact_id, conv.channel)
        draft = OutboundMessage(
            message_id=0,
            conversation_id=conv.id,
            channel=conv.channel,
            address=recipient.address if recipient else "",
            text=text,
            author_kind=Author.COUNSELLOR.value,
            author_name=None,
            created_at=now.isoformat(),
        )
        try:
            check_sendable(self.senders.get(conv.channel), draft)
        except SendError as exc:
            raise Invalid(exc.reason, exc.code or "not_sendable") from exc

    async def _ensure_may_answer(self, conn: Any, conv: Any, who: Identity, now: Any) -> bool:
        """Answering an unclaimed conversation claims it; returns whether it did."""
        if conv.status == Status.CLOSED:
            raise Conflict("the conversation is closed", "conversation_closed")
        if conv.assignee_id == who.id or (who.is_supervisor and conv.assignee_id is not None):
            return False
        if conv.assignee_id is None:
            outcome = await queue.claim(conn, conv.id, who.id, now)
            if outcome == queue.ClaimOutcome.CLAIMED:
                await _audit(conn, who, "claim", conv.id, {"by": "reply"})
                return True
        raise Conflict("another counsellor has this conversation", "already_claimed")

    async def claim(self, conversation_id: int, who: Identity) -> dict[str, Any]:
        async with self.engine.begin() as conn:
            outcome = await queue.claim(conn, conversation_id, who.id, utcnow())
            if outcome == queue.ClaimOutcome.NOT_FOUND:
                raise NotFound(f"conversation {conversation_id} does not exist")
            if outcome in CLAIM_ERRORS:
                error = CLAIM_ERRORS[outcome]
                raise type(error)(error.message, error.code)
            if outcome == queue.ClaimOutcome.CLAIMED:
                await _audit(conn, who, "claim", conversation_id, {})
        return await self._conversation_changed(conversation_id, left_queue=True)

    async def release(self, conversation_id: int, who: Identity) -> dict[str, Any]:
        async with self.engine.begin() as conn:
            await _conversation_row(conn, conversation_id)
            if not await queue.release(conn, conversation_id, who.id, utcnow()):
                raise Conflict(
                    "only the counsellor who has the conversation can release it", "not_yours"
                )
            await _audit(conn, who, "release", conversation_id, {})
        return await self._conversation_changed(conversation_id, left_queue=False)

    async def transfer(self, conversation_id: int, who: Identity, to_id: int) -> dict[str, Any]:
        async with self.engine.begin() as conn:
            await _conversation_row(conn, conversation_id)
            if not await queue.transfer(
                conn, conversation_id, who.id, to_id, utcnow(), override=who.is_supervisor
            ):
                raise Conflict("you cannot transfer a conversation you do not have", "not_yours")
            await _audit(conn, who, "transfer", conversation_id, {"to": to_id})
        return await self._conversation_changed(conversation_id, left_queue=True)

    async def close(self, conversation_id: int, who: Identity) -> dict[str, Any]:
        async with self.engine.begin() as conn:
            conv = await _conversation_row(conn, conversation_id)
            if conv.assignee_id not in (None, who.id) and not who.is_supervisor:
                raise Conflict("another counsellor has this conversation", "not_yours")
            if not await queue.close(conn, conversation_id, utcnow()):
                raise Conflict("the conversation is closed already", "conversation_closed")
            await _audit(conn, who, "close", conversation_id, {})
        await self.notifier.to_conversation(conversation_id, "conversation.closed", {})
        return await self._conversation_changed(conversation_id, left_queue=True)

    async def _conversation_changed(self, conversation_id: int, left_queue: bool) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            row = await _conversation_row(conn, conversation_id)
        summary = views.conversation_summary(row)
        await self.notifier.to_counsellors("conversation.updated", summary)
        self.queue_broadcast.changed(left=conversation_id if left_queue else None)
        return summary

    async def delivery_changed(self, conversation_id: int, message_id: int) -> None:
        """The outbox moved a message's status: show it (a final failure above all)."""
        async with self.engine.connect() as conn:
            message = await views.message(conn, message_id)
        await self.notifier.to_counsellors(
            "message.updated", {"conversation_id": conversation_id, "message": message}
        )

    async def delivery_report(
        self, channel: str, provider_id: str, status: str, error: str | None = None
    ) -> bool:
        """A provider's report on a message we sent. False when no such message exists;
        a report that would move the status backwards is accepted and ignored."""
        m = t.messages
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(m.c.id, m.c.conversation_id).where(
                        m.c.channel == channel,
                        m.c.provider_id == provider_id,
                        m.c.direction == "out",
                    )
                )
            ).first()
            if row is None:
                return False
            moved = await advance_message_status(conn, row.id, status, error=error)
        if moved:
            await self.delivery_changed(row.conversation_id, row.id)
        return True

    async def add_attachments(self, message_id: int, fetched: Mapping[int, Blob]) -> bool:
        """Bytes a channel fetched after storing a message (MMS media), keyed by the
        position of their entry in the message's attachments: kept as attachment
        blobs, each entry given its download `index`. Entries that have one are left
        alone, so a repeated fetch adds nothing. False when the message is gone."""
        m, b = t.messages, t.message_blobs
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(m.c.conversation_id, m.c.attachments).where(m.c.id == message_id)
                )
            ).first()
            if row is None:
                return False
            listing = [dict(entry) for entry in row.attachments or []]
            kept = (
                await conn.execute(
                    select(func.count()).where(
                        b.c.message_id == message_id, b.c.kind == "attachment"
                    )
                )
            ).scalar_one()
            for position, blob in sorted(fetched.items()):
                if position >= len(listing) or "index" in listing[position]:
                    continue
                await conn.execute(
                    insert(b).values(
                        message_id=message_id,
                        kind="attachment",
                        filename=blob.filename,
                        content_type=blob.content_type,
                        size=len(blob.data),
                        data=blob.data,
                        created_at=utcnow(),
                    )
                )
                listing[position].update(
                    index=kept, size=len(blob.data), content_type=blob.content_type
                )
                if blob.filename:
                    listing[position]["filename"] = blob.filename
                kept += 1
            await conn.execute(update(m).where(m.c.id == message_id).values(attachments=listing))
        await self.delivery_changed(row.conversation_id, message_id)
        return True

    async def set_opt_out(self, channel: str, address: str, opted_out: bool) -> bool:
        """Record that a person stopped (or resumed) messages on an address."""
        a = t.contact_addresses
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(a)
                .where(a.c.channel == channel, a.c.address == address)
                .values(opted_out=opted_out, opted_out_at=utcnow() if opted_out else None)
            )
        return bool(result.rowcount)

    # -- reading -----------------------------------------------------------------------

    async def handle_time_s(self) -> float:
        """The typical handling time, re-measured at most once a minute."""
        measured_at, value = self._handle_time
        if time.monotonic() - measured_at > 60 or measured_at == 0.0:
            async with self.engine.connect() as conn:
                durations = await queue.recent_handle_times_s(
                    conn, self.settings.queue.estimate_sample
                )
            value = queue.typical_handle_time_s(
                durations, float(self.settings.queue.default_handle_time_s)
            )
            self._handle_time = (time.monotonic(), value)
        return value

    async def queue_items(self) -> list[dict[str, Any]]:
        handle = await self.handle_time_s()
        async with self.engine.connect() as conn:
            return await views.queue_items(conn, handle)


async def _conversation_row(conn: Any, conversation_id: int) -> Any:
    row = (
        await conn.execute(select(t.conversations).where(t.conversations.c.id == conversation_id))
    ).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id} does not exist")
    return row


async def _audit(
    conn: Any, who: Identity, action: str, conversation_id: int, data: dict[str, Any]
) -> None:
    await conn.execute(
        insert(t.audit_events).values(
            at=utcnow(),
            actor_kind="counsellor",
            actor_id=who.id,
            action=action,
            conversation_id=conversation_id,
            data=data,
        )
    )
