"""Storing what people send: contact, conversation and message in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from server import intake_rows as rows
from server import tables as t
from server.messages import InboundMessage, Receipt
from server.models import Status
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
        contact_id = await rows.create_contact(conn, inbound, now)
        conversation_id = await rows.open_conversation(
            conn, contact_id, inbound, now, None, initial_status
        )
        return _Target(contact_id, conversation_id, True, True)
    if inbound.thread_refs or inbound.conversation_hint is not None:
        thread = await threaded_conversation(conn, inbound, latest.contact_id)
        if thread is not None:
            # A reply to an earlier thread goes back to it, even long after it closed.
            if thread.status == Status.CLOSED:
                await rows.reopen(conn, thread.id, now)
                return _Target(latest.contact_id, thread.id, False, True)
            return _Target(latest.contact_id, thread.id, False, False)
    elsewhere = await rows.answered_from_elsewhere(
        conn, latest.contact_id, inbound.channel, latest.id
    )
    if elsewhere is not None:
        return _Target(latest.contact_id, elsewhere, False, False)
    decision = decide_continuity(latest.status, latest.closed_at, latest.id, now, reopen_window)
    if decision.action == "new":
        conversation_id = await rows.open_conversation(
            conn, latest.contact_id, inbound, now, decision.previous_id, initial_status
        )
        return _Target(latest.contact_id, conversation_id, True, True)
    assert decision.previous_id is not None
    if decision.action == "reopen":
        await rows.reopen(conn, decision.previous_id, now)
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
    latest = await rows.latest_by_address(conn, addresses)
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
    stored = await rows.insert_messages(
        conn,
        [
            rows.message_row(targets[_target_key(m)].conversation_id, m, now)
            for m in unique.values()
        ],
    )
    await rows.touch(conn, {tg.conversation_id for tg in targets.values() if not tg.wrote}, now)
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
    await rows.store_blobs(conn, batch, receipts, now)
    return receipts


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
