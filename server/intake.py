"""Storing what people send: contact, conversation and message in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server import tables as t
from server.messages import InboundMessage, Receipt
from server.models import (
    Author,
    Delivery,
    Direction,
    Status,
)


@dataclass(frozen=True)
class Continuity:
    """What to do with a person's latest conversation when they write again."""

    action: str  # "continue" | "reopen" | "new"
    previous_id: int | None = None


def decide_continuity(
    latest_status: str | None,
    latest_closed_at: datetime | None,
    latest_id: int | None,
    now: datetime,
    reopen_window: timedelta,
) -> Continuity:
    """An open conversation continues; a recently closed one reopens; else a new one."""
    if latest_id is None or latest_status is None:
        return Continuity("new")
    if latest_status != Status.CLOSED:
        return Continuity("continue", latest_id)
    if latest_closed_at is not None and now - latest_closed_at <= reopen_window:
        return Continuity("reopen", latest_id)
    return Continuity("new", latest_id)


async def find_duplicate(conn: AsyncConnection, inbound: InboundMessage) -> Receipt | None:
    row = (
        await conn.execute(
            select(t.messages.c.id, t.messages.c.conversation_id, t.conversations.c.contact_id)
            .join(t.conversations, t.conversations.c.id == t.messages.c.conversation_id)
            .where(
                t.messages.c.channel == inbound.channel,
                t.messages.c.provider_id == inbound.provider_id,
            )
        )
    ).first()
    if row is None:
        return None
    return Receipt(row.id, row.conversation_id, row.contact_id, True, False)


async def find_or_create_contact(
    conn: AsyncConnection, inbound: InboundMessage, now: datetime
) -> int:
    contact_id = (
        await conn.execute(
            select(t.contact_addresses.c.contact_id).where(
                t.contact_addresses.c.channel == inbound.channel,
                t.contact_addresses.c.address == inbound.address,
            )
        )
    ).scalar_one_or_none()
    if contact_id is not None:
        return int(contact_id)
    contact_id = (
        await conn.execute(
            insert(t.contacts)
            .values(name=inbound.name, language=inbound.language, profile="", created_at=now)
            .returning(t.contacts.c.id)
        )
    ).scalar_one()
    await conn.execute(
        insert(t.contact_addresses).values(
            contact_id=contact_id, channel=inbound.channel, address=inbound.address, created_at=now
        )
    )
    return int(contact_id)


async def conversation_for(
    conn: AsyncConnection,
    contact_id: int,
    inbound: InboundMessage,
    now: datetime,
    reopen_window: timedelta,
    initial_status: Status,
) -> tuple[int, bool]:
    """The conversation this message belongs to, and whether it was opened for it."""
    latest = (
        await conn.execute(
            select(t.conversations.c.id, t.conversations.c.status, t.conversations.c.closed_at)
            .where(
                t.conversations.c.contact_id == contact_id,
                t.conversations.c.channel == inbound.channel,
            )
            .order_by(t.conversations.c.id.desc())
            .limit(1)
        )
    ).first()
    decision = decide_continuity(
        latest.status if latest else None,
        latest.closed_at if latest else None,
        latest.id if latest else None,
        now,
        reopen_window,
    )
    if decision.action == "continue" and decision.previous_id is not None:
        await _touch(conn, decision.previous_id, latest.status if latest else None, now)
        return decision.previous_id, False
    if decision.action == "reopen" and decision.previous_id is not None:
        await conn.execute(
            update(t.conversations)
            .where(t.conversations.c.id == decision.previous_id)
            .values(
                status=Status.WAITING.value,
                closed_at=None,
                assignee_id=None,
                waiting_since=now,
                claimed_at=None,
                updated_at=now,
                last_message_at=now,
            )
        )
        return decision.previous_id, False
    new_id = (
        await conn.execute(
            insert(t.conversations)
            .values(
                contact_id=contact_id,
                channel=inbound.channel,
                status=initial_status.value,
                language=inbound.language,
                previous_id=decision.previous_id,
                triage_state={},
                created_at=now,
                updated_at=now,
                last_message_at=now,
                waiting_since=now if initial_status == Status.WAITING else None,
            )
            .returning(t.conversations.c.id)
        )
    ).scalar_one()
    return int(new_id), True


async def _touch(
    conn: AsyncConnection, conversation_id: int, status: str | None, now: datetime
) -> None:
    values: dict[str, object] = {"last_message_at": now, "updated_at": now}
    if status == Status.PENDING:
        # The person answered what the counsellor was waiting for.
        values["status"] = Status.ACTIVE.value
    await conn.execute(
        update(t.conversations).where(t.conversations.c.id == conversation_id).values(**values)
    )


async def store_inbound(
    conn: AsyncConnection,
    inbound: InboundMessage,
    now: datetime,
    reopen_window: timedelta,
    initial_status: Status = Status.WAITING,
) -> Receipt:
    """Store one inbound message; a provider id seen before stores nothing new."""
    duplicate = await find_duplicate(conn, inbound)
    if duplicate is not None:
        return duplicate
    contact_id = await find_or_create_contact(conn, inbound, now)
    conversation_id, is_new = await conversation_for(
        conn, contact_id, inbound, now, reopen_window, initial_status
    )
    message_id = (
        await conn.execute(
            insert(t.messages)
            .values(
                conversation_id=conversation_id,
                direction=Direction.IN.value,
                channel=inbound.channel,
                author_kind=Author.CONTACT.value,
                body=inbound.text,
                internal=False,
                provider_id=inbound.provider_id,
                status=Delivery.RECEIVED.value,
                attachments=inbound.attachments,
                meta=inbound.meta,
                created_at=now,
            )
            .returning(t.messages.c.id)
        )
    ).scalar_one()
    return Receipt(int(message_id), conversation_id, contact_id, False, is_new)
