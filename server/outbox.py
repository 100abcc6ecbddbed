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
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import tables as t
from server import views
from server.delivery import backoff_s, can_advance
from server.messages import OutboundMessage, SendError
from server.models import utcnow
from server.settings import OutboxSettings

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
            recipient = await recipient_of(conn, row.contact_id, item.channel)
        address = recipient.address if recipient else None
        outbound = OutboundMessage(
            message_id=item.message_id,
            conversation_id=row.id,
            channel=item.channel,
            address=address or "",
            opted_out=bool(recipient and recipient.opted_out),
            text=view["text"],
            author_kind=view["author"],
            author_name=view["author_name"],
            created_at=view["at"],
            meta=row.meta or {},
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
        if final:
            await self.on_status(outbound.conversation_id, outbound.message_id)


async def recipient_of(conn: AsyncConnection, contact_id: int, channel: str) -> Any:
    """The contact's latest address on a channel (address, opted_out), or None."""
    a = t.contact_addresses
    return (
        await conn.execute(
            select(a.c.address, a.c.opted_out)
            .where(a.c.contact_id == contact_id, a.c.channel == channel)
            .order_by(a.c.id.desc())
            .limit(1)
        )
    ).first()


async def sends_in_flight(engine: AsyncEngine, channels: tuple[str, ...]) -> bool:
    """Whether any node is inside a provider call on these channels right now: the
    provider's id of that message is not recorded yet, so a report about an id we do
    not know may be about it."""
    o = t.outbox_items
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(o.c.id)
                .where(
                    o.c.channel.in_(channels), o.c.state == "sending", o.c.lease_until > utcnow()
                )
                .limit(1)
            )
        ).first()
    return row is not None


async def queue_for_sending(
    conn: AsyncConnection, message_id: int, channel: str, now: datetime
) -> None:
    """In the transaction that wrote the message: the outbox will send it."""
    await conn.execute(
        insert(t.outbox_items).values(
            message_id=message_id,
            channel=channel,
            state="queued",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
    )


async def advance_message_status(
    conn: AsyncConnection,
    message_id: int,
    status: str,
    *,
    provider_id: str | None = None,
    error: str | None = None,
) -> bool:
    """Move a message's delivery status forward; a report that would go back is ignored."""
    current = (
        await conn.execute(select(t.messages.c.status).where(t.messages.c.id == message_id))
    ).scalar_one_or_none()
    if current is None or not can_advance(current, status):
        return False
    values: dict[str, object] = {"status": status}
    if provider_id:
        values["provider_id"] = provider_id
    if error:
        values["error"] = error
    await conn.execute(update(t.messages).where(t.messages.c.id == message_id).values(**values))
    return True
