"""What a threaded channel (e-mail) needs to know about the conversation of a message
it sends: what it answers, and the counts its loop rules need."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from server import tables as t
from server.messages import OutboundMessage
from server.models import utcnow


@dataclass(frozen=True)
class ThreadContext:
    """The conversation's latest inbound mail before this message, and the counts the
    loop rules need."""

    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    subject: str = ""
    language: str | None = None
    inbound_automatic: bool = False
    first_outbound: bool = True
    # Automatic (bot) mail this person got, or is about to get, on this channel in
    # the last 24 hours: the receipt, questions, articles, crisis contacts.
    automatic_today: int = 0


async def thread_context(engine: AsyncEngine, outbound: OutboundMessage) -> ThreadContext:
    m, c = t.messages, t.conversations
    async with engine.connect() as conn:
        latest = (
            await conn.execute(
                select(m.c.provider_id, m.c.meta)
                .where(
                    m.c.conversation_id == outbound.conversation_id,
                    m.c.direction == "in",
                    m.c.channel == outbound.channel,
                    m.c.id < outbound.message_id,
                )
                .order_by(m.c.id.desc())
                .limit(1)
            )
        ).first()
        earlier_out = (
            await conn.execute(
                select(func.count())
                .select_from(m)
                .where(
                    m.c.conversation_id == outbound.conversation_id,
                    m.c.direction == "out",
                    m.c.internal.is_(False),
                    m.c.id < outbound.message_id,
                )
            )
        ).scalar_one()
        contact_id = (
            await conn.execute(select(c.c.contact_id).where(c.c.id == outbound.conversation_id))
        ).scalar_one()
        automatic_today = (
            await conn.execute(
                select(func.count())
                .select_from(m)
                .join(c, c.c.id == m.c.conversation_id)
                .where(
                    c.c.contact_id == contact_id,
                    m.c.channel == outbound.channel,
                    m.c.direction == "out",
                    m.c.author_kind == "bot",
                    m.c.internal.is_(False),
                    m.c.created_at >= utcnow() - timedelta(days=1),
                    m.c.id != outbound.message_id,
                    # Sent ones, and ones queued before this message: when two are
                    # sent at the same time (two nodes), the earlier one wins and
                    # the later one is held back, never both. Failed ones (held
                    # back by these rules too) do not count.
                    or_(
                        m.c.status.in_(("sent", "delivered")),
                        (m.c.status == "queued") & (m.c.id < outbound.message_id),
                    ),
                )
            )
        ).scalar_one()
    meta: dict[str, Any] = (latest.meta or {}) if latest is not None else {}
    return ThreadContext(
        in_reply_to=latest.provider_id if latest is not None else None,
        references=[str(x) for x in meta.get("references", [])],
        subject=str(meta.get("subject", "")),
        language=meta.get("language"),
        inbound_automatic=bool(meta.get("automatic")),
        first_outbound=earlier_out == 0,
        automatic_today=int(automatic_today),
    )
