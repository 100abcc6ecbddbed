"""A bot message that failed for good must not leave the person without an answer.

While a conversation is with the bot (status "bot"), the bot's questions and
articles are all the person gets. When one of them can never be delivered (the
e-mail channel refuses a second automatic mail a day, a number is dead, a mail
bounces), the conversation goes to the waiting queue for a counsellor. This runs
in the transaction that records the final failure, so the failure is never stored
without the hand-over, whichever way it arrived (the outbox or a provider's report).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server import tables as t
from server.models import Author, Status
from triage.reasons import reason as triage_reason

AUDIT_ACTION = "bot_unreachable"


async def queue_after_bot_failure(
    conn: AsyncConnection, message_id: int, error: str, now: datetime
) -> int | None:
    """Queue the conversation of a failed bot message that is still with the bot.
    Returns its id when it was queued here, None when nothing changed."""
    m, c, a = t.messages, t.conversations, t.assessments
    message = (
        await conn.execute(select(m.c.conversation_id, m.c.author_kind).where(m.c.id == message_id))
    ).first()
    if message is None or message.author_kind != Author.BOT.value:
        return None
    conversation_id = int(message.conversation_id)
    # Conditional, so a conversation a counsellor or triage queued meanwhile is left alone.
    moved = await conn.execute(
        update(c)
        .where(c.c.id == conversation_id, c.c.status == Status.BOT.value)
        .values(status=Status.WAITING.value, waiting_since=now, updated_at=now)
    )
    if moved.rowcount != 1:
        return None
    conv = (
        await conn.execute(
            select(c.c.level, c.c.urgent, c.c.refer_to, c.c.priority).where(
                c.c.id == conversation_id
            )
        )
    ).one()
    latest = select(func.max(a.c.id)).where(a.c.conversation_id == conversation_id)
    earlier = (
        await conn.execute(select(a.c.reasons).where(a.c.id == latest.scalar_subquery()))
    ).scalar_one_or_none()
    # Stored in English like every triage reason; the Danish inbox renders it.
    reason = triage_reason("bot_unreachable", quote=error.strip() or "not delivered")
    # The queue shows the latest assessment's reasons: this one first, then what
    # triage had found, so the counsellor sees both why and what about.
    await conn.execute(
        insert(a).values(
            conversation_id=conversation_id,
            message_id=message_id,
            # "rules": the statistics count any other source as a counsellor's override.
            source="rules",
            level=conv.level,
            urgent=conv.urgent,
            refer_to=conv.refer_to,
            priority=conv.priority,
            reasons=[reason, *[str(r) for r in earlier or [] if r]],
            counsellor_id=None,
            created_at=now,
        )
    )
    await conn.execute(
        insert(t.audit_events).values(
            at=now,
            actor_kind="system",
            actor_id=None,
            action=AUDIT_ACTION,
            conversation_id=conversation_id,
            data={"message_id": message_id, "error": error[:500]},
        )
    )
    return conversation_id
