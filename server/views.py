"""Read models: what the API, the inbox and the widget are shown."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from server import queue, reason_views
from server import tables as t
from server.errors import NotFound
from server.messages import InboundMessage, Receipt
from server.views_history import assessments
from server.views_history import iso as iso
from server.views_meta import link_transcripts, message_meta

MESSAGE_COLUMNS = (
    t.messages.c.id,
    t.messages.c.conversation_id,
    t.messages.c.direction,
    t.messages.c.author_kind,
    t.messages.c.author_id,
    t.messages.c.channel,
    t.messages.c.body,
    t.messages.c.internal,
    t.messages.c.status,
    t.messages.c.error,
    t.messages.c.attachments,
    t.messages.c.meta,
    t.messages.c.created_at,
    t.counsellors.c.name.label("author_name"),
)


def message_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "direction": row.direction,
        "author": row.author_kind,
        "author_name": row.author_name,
        "channel": row.channel,
        "text": row.body,
        "internal": row.internal,
        "status": row.status,
        "error": row.error,
        "attachments": row.attachments or [],
        "client_id": (row.meta or {}).get("client_id"),
        "meta": message_meta(
            row.id, row.channel, row.direction, row.body, row.error, row.attachments, row.meta
        ),
        "at": iso(row.created_at),
    }


def inbound_view(inbound: InboundMessage, receipt: Receipt) -> dict[str, Any]:
    """The view of a message just stored, built without reading it back."""
    return {
        "id": receipt.message_id,
        "conversation_id": receipt.conversation_id,
        "direction": "in",
        "author": "contact",
        "author_name": inbound.name,
        "channel": inbound.channel,
        "text": inbound.text,
        "internal": False,
        "status": "received",
        "error": None,
        "attachments": inbound.attachments,
        "client_id": inbound.meta.get("client_id"),
        "meta": message_meta(
            receipt.message_id,
            inbound.channel,
            "in",
            inbound.text,
            None,
            inbound.attachments,
            inbound.meta,
        ),
        "at": iso(receipt.stored_at),
    }


async def messages(
    conn: AsyncConnection,
    conversation_id: int,
    *,
    after_id: int = 0,
    include_internal: bool = True,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Messages in order; after_id gives only what came later (replay on reconnect)."""
    query = (
        select(*MESSAGE_COLUMNS)
        .outerjoin(t.counsellors, t.counsellors.c.id == t.messages.c.author_id)
        .where(t.messages.c.conversation_id == conversation_id, t.messages.c.id > after_id)
        .order_by(t.messages.c.id.desc())
        .limit(limit)
    )
    if not include_internal:
        query = query.where(t.messages.c.internal.is_(False))
    rows = (await conn.execute(query)).all()
    views = [message_view(r) for r in reversed(rows)]
    link_transcripts(views)
    return views


async def message(conn: AsyncConnection, message_id: int) -> dict[str, Any]:
    row = (
        await conn.execute(
            select(*MESSAGE_COLUMNS)
            .outerjoin(t.counsellors, t.counsellors.c.id == t.messages.c.author_id)
            .where(t.messages.c.id == message_id)
        )
    ).one()
    return message_view(row)


def conversation_summary(row: Row[Any]) -> dict[str, Any]:
    return {
        "conversation_id": row.id,
        "channel": row.channel,
        "status": row.status,
        "urgent": row.urgent,
        "level": row.level,
        "priority": row.priority,
        "assignee_id": row.assignee_id,
        "language": row.language,
        "waiting_since": iso(row.waiting_since),
    }


async def conversation(conn: AsyncConnection, conversation_id: int) -> dict[str, Any]:
    row = (
        await conn.execute(select(t.conversations).where(t.conversations.c.id == conversation_id))
    ).first()
    if row is None:
        raise NotFound(f"conversation {conversation_id} does not exist")
    contact = (
        await conn.execute(select(t.contacts).where(t.contacts.c.id == row.contact_id))
    ).one()
    addresses = (
        await conn.execute(
            select(t.contact_addresses.c.channel, t.contact_addresses.c.address).where(
                t.contact_addresses.c.contact_id == row.contact_id
            )
        )
    ).all()
    assessed = await queue.latest_assessment_reasons(conn, [row.id])
    return {
        "id": row.id,
        **conversation_summary(row),
        "created_at": iso(row.created_at),
        "claimed_at": iso(row.claimed_at),
        "first_response_at": iso(row.first_response_at),
        "closed_at": iso(row.closed_at),
        "previous_id": row.previous_id,
        "contact": {
            "id": contact.id,
            "name": contact.name,
            "language": contact.language,
            "profile": contact.profile,
            "postcode": contact.postcode,
            "addresses": [{"channel": a.channel, "address": a.address} for a in addresses],
        },
        "triage": {
            "level": row.level,
            "urgent": row.urgent,
            "refer_to": row.refer_to,
            **reason_views.both(
                queue.decision_reasons(row.triage_state, assessed.get(row.id)),
                reason_views.config_for(conn),
            ),
        },
        "messages": await messages(conn, conversation_id),
        "assessments": await assessments(conn, conversation_id),
        "referrals": await referrals(conn, conversation_id),
    }


def referral_view(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "service_id": row.service_id,
        "slot": row.slot,
        "status": row.status,
        "counsellor_id": row.counsellor_id,
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
    }


async def referrals(conn: AsyncConnection, conversation_id: int) -> list[dict[str, Any]]:
    r = t.referrals
    rows = await conn.execute(
        select(r).where(r.c.conversation_id == conversation_id).order_by(r.c.id)
    )
    return [referral_view(row) for row in rows]


async def conversation_list(
    conn: AsyncConnection, *, status: str | None, assignee_id: int | None, limit: int = 200
) -> list[dict[str, Any]]:
    query = (
        select(t.conversations, t.contacts.c.name.label("contact_name"))
        .join(t.contacts, t.contacts.c.id == t.conversations.c.contact_id)
        .order_by(t.conversations.c.last_message_at.desc())
        .limit(limit)
    )
    if status:
        query = query.where(t.conversations.c.status == status)
    if assignee_id is not None:
        query = query.where(t.conversations.c.assignee_id == assignee_id)
    rows = (await conn.execute(query)).all()
    previews = await queue.last_previews(conn, [r.id for r in rows])
    return [
        {
            **conversation_summary(r),
            "contact_name": r.contact_name,
            "preview": previews.get(r.id, ""),
        }
        for r in rows
    ]


async def queue_items(conn: AsyncConnection, handle_time_s: float) -> list[dict[str, Any]]:
    """The waiting queue in order, with each position and its estimated wait."""
    entries = await queue.waiting_queue(conn)
    online = await queue.counsellors_online(conn)
    previews = await queue.last_previews(conn, [e.conversation_id for e in entries])
    cfg = reason_views.config_for(conn)
    return [
        {
            "conversation_id": e.conversation_id,
            "channel": e.channel,
            "urgent": e.urgent,
            "level": e.level,
            **reason_views.both(e.reasons, cfg),
            "priority": e.priority,
            "waiting_since": iso(e.waiting_since),
            "position": position,
            "estimated_wait_s": queue.estimate_wait_s(position, online, handle_time_s),
            "status": "waiting",
            "assignee_id": None,
            "language": e.language,
            "contact_name": e.contact_name,
            "preview": previews.get(e.conversation_id, ""),
        }
        for position, e in enumerate(entries, start=1)
    ]


async def latest_conversation(
    conn: AsyncConnection, channel: str, address: str, reopen_window_s: int
) -> dict[str, Any] | None:
    """The person's current conversation on a channel: open, or closed so recently that
    their next message would reopen it."""
    row = (
        await conn.execute(
            select(t.conversations.c.id, t.conversations.c.status, t.conversations.c.closed_at)
            .join(
                t.contact_addresses,
                t.contact_addresses.c.contact_id == t.conversations.c.contact_id,
            )
            .where(
                t.contact_addresses.c.channel == channel,
                t.contact_addresses.c.address == address,
                t.conversations.c.channel == channel,
            )
            .order_by(t.conversations.c.id.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    if (
        row.closed_at is not None
        and (datetime.now(UTC) - row.closed_at).total_seconds() > reopen_window_s
    ):
        return None
    return {"id": row.id, "status": row.status}
