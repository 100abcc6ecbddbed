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

from sqlalchemy.ext.asyncio import AsyncEngine

from server import queue, views
from server.accounts import Identity
from server.centre_delivery import DeliveryDesk
from server.centre_replies import ReplyDesk
from server.centre_rows import audit, conversation_row
from server.errors import Conflict, NotFound
from server.group_commit import GroupCommitWriter
from server.messages import InboundMessage, Receipt
from server.metrics import Metrics
from server.models import utcnow
from server.outbox import ChannelSender
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


class ContactCentre(ReplyDesk, DeliveryDesk):
    """Replies are in server/centre_replies.py; delivery reports, fetched media and
    opt-outs in server/centre_delivery.py."""

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

    async def claim(self, conversation_id: int, who: Identity) -> dict[str, Any]:
        async with self.engine.begin() as conn:
            outcome = await queue.claim(conn, conversation_id, who.id, utcnow())
            if outcome == queue.ClaimOutcome.NOT_FOUND:
                raise NotFound(f"conversation {conversation_id} does not exist")
            if outcome in CLAIM_ERRORS:
                error = CLAIM_ERRORS[outcome]
                raise type(error)(error.message, error.code)
            if outcome == queue.ClaimOutcome.CLAIMED:
                await audit(conn, who, "claim", conversation_id, {})
        return await self._conversation_changed(conversation_id, left_queue=True)

    async def release(self, conversation_id: int, who: Identity) -> dict[str, Any]:
        async with self.engine.begin() as conn:
            await conversation_row(conn, conversation_id)
            if not await queue.release(conn, conversation_id, who.id, utcnow()):
                raise Conflict(
                    "only the counsellor who has the conversation can release it", "not_yours"
                )
            await audit(conn, who, "release", conversation_id, {})
        return await self._conversation_changed(conversation_id, left_queue=False)

    async def transfer(self, conversation_id: int, who: Identity, to_id: int) -> dict[str, Any]:
        async with self.engine.begin() as conn:
            await conversation_row(conn, conversation_id)
            if not await queue.transfer(
                conn, conversation_id, who.id, to_id, utcnow(), override=who.is_supervisor
            ):
                raise Conflict("you cannot transfer a conversation you do not have", "not_yours")
            await audit(conn, who, "transfer", conversation_id, {"to": to_id})
        return await self._conversation_changed(conversation_id, left_queue=True)

    async def close(self, conversation_id: int, who: Identity) -> dict[str, Any]:
        async with self.engine.begin() as conn:
            conv = await conversation_row(conn, conversation_id)
            if conv.assignee_id not in (None, who.id) and not who.is_supervisor:
                raise Conflict("another counsellor has this conversation", "not_yours")
            if not await queue.close(conn, conversation_id, utcnow()):
                raise Conflict("the conversation is closed already", "conversation_closed")
            await audit(conn, who, "close", conversation_id, {})
        await self.notifier.to_conversation(conversation_id, "conversation.closed", {})
        return await self._conversation_changed(conversation_id, left_queue=True)

    async def _conversation_changed(self, conversation_id: int, left_queue: bool) -> dict[str, Any]:
        async with self.engine.connect() as conn:
            row = await conversation_row(conn, conversation_id)
        summary = views.conversation_summary(row)
        await self.notifier.to_counsellors("conversation.updated", summary)
        self.queue_broadcast.changed(left=conversation_id if left_queue else None)
        return summary

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
