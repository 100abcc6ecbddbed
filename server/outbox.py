"""The outbox worker: sends stored replies through their channel, with retries.

Any node may run a worker; an item is leased by a conditional UPDATE, so two
workers never send the same item at once. A lease that expires (a node died
mid-send) makes the item due again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Protocol

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server import tables as t
from server import views
from server.centre_bot_failure import queue_after_bot_failure
from server.delivery import backoff_s
from server.messages import OutboundMessage, SendError
from server.models import utcnow
from server.outbox_rows import (
    advance_message_status,
    queue_for_sending,
    recipient_for,
    recipient_of,
    sends_in_flight,
)
from server.settings import OutboxSettings

# The row helpers lived here; callers still import them from this module.
__all__ = [
    "ChannelSender",
    "CheckingSender",
    "OutboxWorker",
    "advance_message_status",
    "check_sendable",
    "queue_for_sending",
    "recipient_of",
    "sends_in_flight",
]
log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)


class ChannelSender(Protocol):
    async def send(self, message: OutboundMessage) -> str | None:
        """Deliver; return the provider's id. Raise SendError when it cannot."""


class CheckingSender(ChannelSender, Protocol):
    """A sender that can tell at compose time what it could never send (optional)."""

    def check(self, message: OutboundMessage) -> None:
        """Raise SendError(permanent=True) for a message this channel cannot carry."""


def check_sendable(sender: ChannelSender | None, message: OutboundMessage) -> None:
    """Before a reply is stored: refuse what its channel could never send, so the
    counsellor hears it while composing instead of seeing a failure later."""
    check = getattr(sender, "check", None)
    if callable(check):
        check(message)


StatusListener = Callable[[int, int], Awaitable[None]]  # (conversation_id, message_id)


class OutboxWorker:
    def __init__(
        self,
        engine: AsyncEngine,
        senders: dict[str, ChannelSender],
        settings: OutboxSettings,
        on_status: StatusListener,
    ) -> None:
        self.engine = engine
        self.senders = senders
        self.settings = settings
        self.on_status = on_status
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            try:
                sent = await self.run_once()
            except Exception:
                log.exception("outbox pass failed; trying again shortly")
                sent = 0
            if sent:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.settings.poll_interval_s)

    async def run_once(self, batch: int = 50) -> int:
        """Send what is due now; returns how many items were attempted."""
        now = utcnow()
        async with self.engine.connect() as conn:
            due = (
                (
                    await conn.execute(
                        select(t.outbox_items.c.id)
                        .where(
                            or_(
                                (t.outbox_items.c.state == "queued")
                                & (t.outbox_items.c.next_attempt_at <= now),
                                (t.outbox_items.c.state == "sending")
                                & (t.outbox_items.c.lease_until < now),
                            )
                        )
                        .order_by(t.outbox_items.c.id)
                        .limit(batch)
                    )
                )
                .scalars()
                .all()
            )
        attempted = 0
        for item_id in due:
            if await self._lease(item_id):
                attempted += 1
                await self._deliver(item_id)
        return attempted

    async def _lease(self, item_id: int) -> bool:
        now = utcnow()
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(t.outbox_items)
                .where(
                    t.outbox_items.c.id == item_id,
                    or_(
                        t.outbox_items.c.state == "queued",
                        (t.outbox_items.c.state == "sending")
                        & (t.outbox_items.c.lease_until < now),
                    ),
                )
                .values(state="sending", lease_until=now + LEASE, updated_at=now)
            )
            return result.rowcount == 1

    async def _deliver(self, item_id: int) -> None:
        outbound, attempts = await self._load(item_id)
        sender = self.senders.get(outbound.channel)
        try:
            if sender is None:
                raise SendError(f"no sender for channel {outbound.channel!r}", permanent=True)
            if outbound.opted_out:
                raise SendError(
                    "the person has opted out of messages on this address",
                    permanent=True,
                    code="opted_out",
                )
            provider_id = await sender.send(outbound)
        except SendError as exc:
            await self._record_failure(item_id, outbound, attempts + 1, exc)
        except Exception as exc:
            log.exception("sending message %s failed unexpectedly", outbound.message_id)
            await self._record_failure(item_id, outbound, attempts + 1, SendError(repr(exc)))
        else:
            await self._record_sent(item_id, outbound, provider_id)

    async def _load(self, item_id: int) -> tuple[OutboundMessage, int]:
        async with self.engine.connect() as conn:
            item = (
                await conn.execute(select(t.outbox_items).where(t.outbox_items.c.id == item_id))
            ).one()
            view = await views.message(conn, item.message_id)
            row = (
                await conn.execute(
                    select(t.messages.c.meta, t.conversations.c.contact_id, t.conversations.c.id)
                    .join(t.conversations, t.conversations.c.id == t.messages.c.conversation_id)
                    .where(t.messages.c.id == item.message_id)
                )
            ).one()
            meta = row.meta or {}
            recipient = await recipient_for(conn, row.contact_id, item.channel, meta)
        subject = meta.get("subject")
        outbound = OutboundMessage(
            message_id=item.message_id,
            conversation_id=row.id,
            channel=item.channel,
            address=recipient[0] if recipient else "",
            opted_out=bool(recipient and recipient[1]),
            text=view["text"],
            author_kind=view["author"],
            author_name=view["author_name"],
            created_at=view["at"],
            meta=meta,
            subject=subject if isinstance(subject, str) and subject else None,
        )
        return outbound, item.attempts

    async def _record_sent(
        self, item_id: int, outbound: OutboundMessage, provider_id: str | None
    ) -> None:
        now = utcnow()
        async with self.engine.begin() as conn:
            await conn.execute(
                update(t.outbox_items)
                .where(t.outbox_items.c.id == item_id)
                .values(
                    state="done",
                    lease_until=None,
                    updated_at=now,
                    attempts=t.outbox_items.c.attempts + 1,
                )
            )
            await advance_message_status(conn, outbound.message_id, "sent", provider_id=provider_id)
        await self.on_status(outbound.conversation_id, outbound.message_id)

    async def _record_failure(
        self, item_id: int, outbound: OutboundMessage, attempts: int, error: SendError
    ) -> None:
        now = utcnow()
        final = error.permanent or attempts >= self.settings.max_attempts
        delay = backoff_s(attempts, self.settings.backoff_base_s, self.settings.backoff_max_s)
        log.warning(
            "message %s not sent (attempt %s%s): %s",
            outbound.message_id,
            attempts,
            ", giving up" if final else "",
            error.reason,
        )
        async with self.engine.begin() as conn:
            await conn.execute(
                update(t.outbox_items)
                .where(t.outbox_items.c.id == item_id)
                .values(
                    state="failed" if final else "queued",
                    attempts=attempts,
                    lease_until=None,
                    last_error=error.reason[:500],
                    updated_at=now,
                    next_attempt_at=now + timedelta(seconds=delay),
                )
            )
            if final:
                await advance_message_status(
                    conn, outbound.message_id, "failed", error=error.reason[:500]
                )
                await queue_after_bot_failure(conn, outbound.message_id, error.reason, now)
        if final:
            await self.on_status(outbound.conversation_id, outbound.message_id)
