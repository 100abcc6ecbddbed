"""Which earlier conversation a reply belongs to, by what the channel says it answers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from server import tables as t
from server.messages import InboundMessage


async def threaded_conversation(
    conn: AsyncConnection, inbound: InboundMessage, contact_id: int
) -> Any | None:
    """The person's conversation this message answers, or None.

    Tried in order: each id in thread_refs (a message we stored or sent with that
    provider id), then the verified conversation hint. Only the same person's
    conversation counts: someone else replying on a thread starts their own.
    """
    m, c = t.messages, t.conversations
    candidates: list[int] = []
    if inbound.thread_refs:
        rows = await conn.execute(
            select(m.c.provider_id, m.c.conversation_id).where(
                m.c.channel == inbound.channel, m.c.provider_id.in_(inbound.thread_refs)
            )
        )
        found = {row.provider_id: row.conversation_id for row in rows}
        candidates = [found[ref] for ref in inbound.thread_refs if ref in found]
    if inbound.conversation_hint is not None:
        candidates.append(inbound.conversation_hint)
    for conversation_id in candidates:
        row = (
            await conn.execute(
                # Any channel's conversation: a counsellor may have answered a chat by
                # e-mail, and the person's reply belongs where that answer was written.
                select(c.c.id, c.c.status, c.c.closed_at).where(
                    c.c.id == conversation_id, c.c.contact_id == contact_id
                )
            )
        ).first()
        if row is not None:
            return row
    return None
