"""What a threaded channel (e-mail) needs to know about the conversation of a message
it sends: what it answers, and the counts its loop rules need."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
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
    receipts_today: int = 0
    bot_mails_today: int = 0


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
        # Automatic mail already sent to this person on this channel in the last day.
        earlier = m.alias("earlier")
        first_out_id = (
            select(func.min(earlier.c.id))
            .where(
                earlier.c.conversation_id == m.c.conversation_id,
                earlier.c.direction == "out",
                earlier.c.internal.is_(False),
            )
            .correlate(m)
            .scalar_subquery()
        )
        sent_today = await conn.execute(
            select(m.c.id, first_out_id.label("first_id"))
            .join(c, c.c.id == m.c.conversation_id)
            .where(
                c.c.contact_id == contact_id,
                m.c.channel == outbound.channel,
                m.c.direction == "out",
                m.c.author_kind == "bot",
                m.c.status.in_(("sent", "delivered")),
                m.c.created_at >= utcnow() - timedelta(days=1),
                m.c.id != outbound.message_id,
            )
        )
        bot_mails = [(row.id, row.first_id) for row in sent_today]
    meta: dict[str, Any] = (latest.meta or {}) if latest is not None else {}
    return ThreadContext(
        in_reply_to=latest.provider_id if latest is not None else None,
        references=[str(x) for x in meta.get("references", [])],
        subject=str(meta.get("subject", "")),
        language=meta.get("language"),
        inbound_automatic=bool(meta.get("automatic")),
        first_outbound=earlier_out == 0,
        # A conversation's first outbound mail, sent by the bot, was its receipt.
        receipts_today=sum(1 for id_, first in bot_mails if id_ == first),
        bot_mails_today=len(bot_mails),
    )
