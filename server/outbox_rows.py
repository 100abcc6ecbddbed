"""The outbox's rows: queueing a message, moving its status, finding its recipient.

Used by the worker (server/outbox.py) and the service layer in the transactions
that write a message.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from server import tables as t
from server.delivery import can_advance
from server.models import utcnow


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


async def recipient_for(
    conn: AsyncConnection, contact_id: int, channel: str, meta: dict[str, Any]
) -> tuple[str, bool] | None:
    """Where a stored message goes: the address a counsellor chose (meta "to"), else
    the contact's latest on the channel. (address, opted_out), or None. The opt-out is
    read now, at send time, so a STOP that came after the reply still holds it."""
    chosen = meta.get("to")
    if isinstance(chosen, str) and chosen:
        a = t.contact_addresses
        opted_out = (
            await conn.execute(
                select(a.c.opted_out).where(a.c.channel == channel, a.c.address == chosen)
            )
        ).scalar_one_or_none()
        return chosen, bool(opted_out)
    found = await recipient_of(conn, contact_id, channel)
    return (found.address, bool(found.opted_out)) if found else None


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
