"""Storing what people send: contact, conversation and message in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from server import tables as t
from server.messages import InboundMessage, Receipt
from server.models import Delivery, Direction, Status
from server.threads import threaded_conversation


class DuplicateAfterWrite(Exception):
    """A retried delivery was noticed only after this transaction wrote something;
    the transaction must roll back and the existing message be looked up."""


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
    m, c = t.messages, t.conversations
    row = (
        await conn.execute(
            select(m.c.id, m.c.conversation_id, c.c.contact_id, m.c.created_at)
            .join(c, c.c.id == m.c.conversation_id)
            .where(m.c.channel == inbound.channel, m.c.provider_id == inbound.provider_id)
        )
    ).first()
    if row is None:
        return None
    return Receipt(row.id, row.conversation_id, row.contact_id, True, False, row.created_at)


async def _latest_by_address(
    conn: AsyncConnection, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], Any]:
    """For each (channel, address): the contact and their latest conversation on that
    channel, all in one query."""
    a, c = t.contact_addresses, t.conversations
    inner = c.alias("inner_conversation")
    latest_id = (
        select(func.max(inner.c.id))
        .where(inner.c.contact_id == a.c.contact_id, inner.c.channel == a.c.channel)
        .correlate(a)
        .scalar_subquery()
    )
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


async def _create_contact(conn: AsyncConnection, inbound: InboundMessage, now: datetime) -> int:
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


async def _open_conversation(
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


async def _insert_messages(
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


def _message_row(conversation_id: int, inbound: InboundMessage, now: datetime) -> dict[str, Any]:
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


async def _touch(conn: AsyncConnection, conversation_ids: set[int], now: datetime) -> None:
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


async def _reopen(conn: AsyncConnection, conversation_id: int, now: datetime) -> None:
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


@dataclass
class _Target:
    """Where one person's messages in this batch go."""

    contact_id: int
    conversation_id: int
    new_conversation: bool
    wrote: bool  # a contact or conversation was created or reopened for them


async def _target_for(
    conn: AsyncConnection,
    inbound: InboundMessage,
    latest: Any,
    now: datetime,
    reopen_window: timedelta,
    initial_status: Status,
) -> _Target:
    if latest is None:
        contact_id = await _create_contact(conn, inbound, now)
        conversation_id = await _open_conversation(
            conn, contact_id, inbound, now, None, initial_status
        )
        return _Target(contact_id, conversation_id, True, True)
    if inbound.thread_refs or inbound.conversation_hint is not None:
        thread = await threaded_conversation(conn, inbound, latest.contact_id)
        if thread is not None:
            # A reply to an earlier thread goes back to it, even long after it closed.
            if thread.status == Status.CLOSED:
                await _reopen(conn, thread.id, now)
                return _Target(latest.contact_id, thread.id, False, True)
            return _Target(latest.contact_id, thread.id, False, False)
    decision = decide_continuity(latest.status, latest.closed_at, latest.id, now, reopen_window)
    if decision.action == "new":
        conversation_id = await _open_conversation(
            conn, latest.contact_id, inbound, now, decision.previous_id, initial_status
        )
        return _Target(latest.contact_id, conversation_id, True, True)
    assert decision.previous_id is not None
    if decision.action == "reopen":
        await _reopen(conn, decision.previous_id, now)
        return _Target(latest.contact_id, decision.previous_id, False, True)
    return _Target(latest.contact_id, decision.previous_id, False, False)


def _target_key(inbound: InboundMessage) -> tuple[Any, ...]:
    """Messages with the same key go to the same conversation within one batch."""
    return (inbound.channel, inbound.address, tuple(inbound.thread_refs), inbound.conversation_hint)


async def store_batch(
    conn: AsyncConnection,
    batch: list[InboundMessage],
    now: datetime,
    reopen_window: timedelta,
    initial_status: Status = Status.WAITING,
) -> list[Receipt]:
    """Store inbound messages in one transaction, in a handful of statements however
    many there are; a provider id seen before stores nothing new.

    Raises DuplicateAfterWrite when a duplicate shows up after a contact or a
    conversation was created or reopened for it: roll back and store one by one.
    """
    addresses = list(dict.fromkeys((m.channel, m.address) for m in batch))
    latest = await _latest_by_address(conn, addresses)
    targets: dict[tuple[Any, ...], _Target] = {}
    for inbound in batch:
        key = _target_key(inbound)
        if key not in targets:
            targets[key] = await _target_for(
                conn,
                inbound,
                latest.get((inbound.channel, inbound.address)),
                now,
                reopen_window,
                initial_status,
            )
    unique: dict[tuple[str, str], InboundMessage] = {}
    for inbound in batch:
        unique.setdefault((inbound.channel, inbound.provider_id), inbound)
    stored = await _insert_messages(
        conn,
        [_message_row(targets[_target_key(m)].conversation_id, m, now) for m in unique.values()],
    )
    await _touch(conn, {tg.conversation_id for tg in targets.values() if not tg.wrote}, now)
    receipts: list[Receipt] = []
    first_of: dict[tuple[str, str], Receipt] = {}
    for inbound in batch:
        key = (inbound.channel, inbound.provider_id)
        if key in first_of:  # the same message twice in one batch
            receipts.append(
                replace(first_of[key], duplicate=True, new_conversation=False, joined_queue=False)
            )
            continue
        target = targets[_target_key(inbound)]
        message_id = stored.get(key)
        if message_id is not None:
            receipt = Receipt(
                message_id,
                target.conversation_id,
                target.contact_id,
                False,
                target.new_conversation,
                now,
                joined_queue=target.wrote,
            )
        elif target.wrote:
            raise DuplicateAfterWrite(inbound.provider_id)
        else:
            found = await find_duplicate(conn, inbound)
            assert found is not None
            receipt = found
        first_of[key] = receipt
        receipts.append(receipt)
    await _store_blobs(conn, batch, receipts, now)
    return receipts


async def _store_blobs(
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


async def store_inbound(
    conn: AsyncConnection,
    inbound: InboundMessage,
    now: datetime,
    reopen_window: timedelta,
    initial_status: Status = Status.WAITING,
) -> Receipt:
    """Store one inbound message (see store_batch)."""
    (receipt,) = await store_batch(conn, [inbound], now, reopen_window, initial_status)
    return receipt
