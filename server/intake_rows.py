"""The rows intake reads and writes, each in as few statements as a batch allows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from server import tables as t
from server.messages import InboundMessage, Receipt
from server.models import Delivery, Direction, Status

# Built once: a new alias per call rebuilds its column collection every time, which
# cost more than the query itself.
_inner_conversation = t.conversations.alias("inner_conversation")
_latest_conversation_id = (
    select(func.max(_inner_conversation.c.id))
    .where(
        _inner_conversation.c.contact_id == t.contact_addresses.c.contact_id,
        _inner_conversation.c.channel == t.contact_addresses.c.channel,
    )
    .correlate(t.contact_addresses)
    .scalar_subquery()
)


async def latest_by_address(
    conn: AsyncConnection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], Any]:
    """For each (channel, address): the contact and their latest conversation on that
    channel, all in one query."""
    a, c = t.contact_addresses, t.conversations
    latest_id = _latest_conversation_id
    found: dict[tuple[str, str], Any] = {}
    for channel in {channel for channel, _ in keys}:
        # channel = ? AND address IN (…) uses the unique index; a row-value IN
        # would not, on SQLite.
        rows = await conn.execute(
            select(a.c.channel, a.c.address, a.c.contact_id, c.c.id, c.c.status, c.c.closed_at)
            .select_from(a)
            .outerjoin(c, c.c.id == latest_id)
            .where(
                a.c.channel == channel,
                a.c.address.in_([address for ch, address in keys if ch == channel]),
            )
        )
        found.update({(row.channel, row.address): row for row in rows})
    return found


async def create_contact(conn: AsyncConnection, inbound: InboundMessage, now: datetime) -> int:
    """A contact for a new address: the one the same address has on a linked channel
    (a number that texted before and now calls), else a new one."""
    a = t.contact_addresses
    contact_id = None
    if inbound.linked_channels:
        contact_id = (
            await conn.execute(
                select(a.c.contact_id)
                .where(a.c.channel.in_(inbound.linked_channels), a.c.address == inbound.address)
                .order_by(a.c.id)
                .limit(1)
            )
        ).scalar_one_or_none()
    if contact_id is None:
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


async def open_conversation(
    conn: AsyncConnection,
    contact_id: int,
    inbound: InboundMessage,
    now: datetime,
    previous_id: int | None,
    initial_status: Status,
) -> int:
    new_id = (
        await conn.execute(
            insert(t.conversations)
            .values(
                contact_id=contact_id,
                channel=inbound.channel,
                status=initial_status.value,
                language=inbound.language,
                previous_id=previous_id,
                triage_state={},
                created_at=now,
                updated_at=now,
                last_message_at=now,
                waiting_since=now if initial_status == Status.WAITING else None,
            )
            .returning(t.conversations.c.id)
        )
    ).scalar_one()
    return int(new_id)


async def insert_messages(
    conn: AsyncConnection, rows: list[dict[str, Any]]
) -> dict[tuple[str, str], int]:
    """Insert the messages; returns (channel, provider id) → new id, leaving out those
    stored before."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(t.messages)
        .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        .returning(t.messages.c.id, t.messages.c.channel, t.messages.c.provider_id)
    )
    # Executed as "many": SQLAlchemy batches the rows into multi-row INSERTs with a
    # compiled statement it can cache, whatever the batch size.
    result = await conn.execute(statement, rows)
    return {(row.channel, row.provider_id): int(row.id) for row in result}


def message_row(conversation_id: int, inbound: InboundMessage, now: datetime) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "direction": Direction.IN.value,
        "channel": inbound.channel,
        "author_kind": inbound.author,
        "author_id": None,
        "body": inbound.text,
        "internal": False,
        "provider_id": inbound.provider_id,
        "status": Delivery.RECEIVED.value,
        "error": None,
        "attachments": inbound.attachments,
        "meta": inbound.meta,
        "created_at": now,
    }


async def touch(conn: AsyncConnection, conversation_ids: set[int], now: datetime) -> None:
    """The people wrote again: note when, and a conversation waiting on them is active."""
    c = t.conversations
    if not conversation_ids:
        return
    await conn.execute(
        update(c)
        .where(c.c.id.in_(conversation_ids))
        .values(
            last_message_at=now,
            updated_at=now,
            status=case(
                (c.c.status == Status.PENDING.value, Status.ACTIVE.value), else_=c.c.status
            ),
        )
    )


async def reopen(conn: AsyncConnection, conversation_id: int, now: datetime) -> None:
    await conn.execute(
        update(t.conversations)
        .where(t.conversations.c.id == conversation_id)
        .values(
            status=Status.WAITING.value,
            closed_at=None,
            assignee_id=None,
            waiting_since=now,
            claimed_at=None,
            last_message_at=now,
            updated_at=now,
        )
    )


async def store_blobs(
    conn: AsyncConnection, batch: list[InboundMessage], receipts: list[Receipt], now: datetime
) -> None:
    rows = [
        {
            "message_id": receipt.message_id,
            "kind": blob.kind,
            "filename": blob.filename,
            "content_type": blob.content_type,
            "size": len(blob.data),
            "data": blob.data,
            "created_at": now,
        }
        for inbound, receipt in zip(batch, receipts, strict=True)
        if not receipt.duplicate
        for blob in inbound.blobs
    ]
    if rows:
        await conn.execute(insert(t.message_blobs), rows)


async def answered_from_elsewhere(
    conn: AsyncConnection, contact_id: int, channel: str, own_conversation_id: int | None
) -> int | None:
    """An open conversation on another channel that wrote to this person on `channel`
    after the last message of their own conversation on it: a chat a counsellor
    answered by SMS. The person's reply belongs there."""
    m, c = t.messages, t.conversations
    # Most people have no open conversation on another channel: one indexed lookup
    # settles it before any message is read.
    others = (
        (
            await conn.execute(
                select(c.c.id).where(
                    c.c.contact_id == contact_id,
                    c.c.channel != channel,
                    c.c.status != Status.CLOSED.value,
                )
            )
        )
        .scalars()
        .all()
    )
    if not others:
        return None
    own_last: Any = 0
    if own_conversation_id is not None:
        own_last = (
            select(func.coalesce(func.max(m.c.id), 0))
            .where(m.c.conversation_id == own_conversation_id)
            .scalar_subquery()
        )
    return (
        await conn.execute(
            select(m.c.conversation_id)
            .where(
                m.c.conversation_id.in_(others),
                m.c.channel == channel,
                m.c.direction == Direction.OUT.value,
                m.c.id > own_last,
            )
            .order_by(m.c.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
