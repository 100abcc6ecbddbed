"""Rows the service layer's parts share: a conversation by id, a counsellor's audit entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from server import tables as t
from server.accounts import Identity
from server.errors import NotFound
from server.models import utcnow


async def conversation_row(conn: Any, conversation_id: int) -> Any:
    row = (
        await conn.execute(select(t.conversations).where(t.conversations.c.id == conversation_id))
    ).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id} does not exist")
    return row


async def audit(
    conn: Any, who: Identity, action: str, conversation_id: int, data: dict[str, Any]
) -> None:
    await conn.execute(
        insert(t.audit_events).values(
            at=utcnow(),
            actor_kind="counsellor",
            actor_id=who.id,
            action=action,
            conversation_id=conversation_id,
            data=data,
        )
    )
