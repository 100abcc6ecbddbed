"""Read models of a conversation's decisions: its triage assessments (the rules' and
the counsellors'), and the names of the services its referrals go to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from server import reason_views
from server import tables as t


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def assessments(conn: AsyncConnection, conversation_id: int) -> list[dict[str, Any]]:
    """Every triage decision on the conversation, the rules' and the counsellors'."""
    a = t.assessments
    rows = await conn.execute(
        select(a).where(a.c.conversation_id == conversation_id).order_by(a.c.id)
    )
    cfg = reason_views.config_for(conn)
    return [
        {
            "id": row.id,
            "source": row.source,
            "level": row.level,
            "urgent": row.urgent,
            "refer_to": row.refer_to,
            "priority": row.priority,
            # A counsellor's own words match no template and stay as written.
            **reason_views.both(row.reasons or [], cfg),
            "message_id": row.message_id,
            "counsellor_id": row.counsellor_id,
            "at": iso(row.created_at),
        }
        for row in rows
    ]


def name_services(items: list[dict[str, Any]], services: Any) -> list[dict[str, Any]]:
    """Referrals with their service's name and address (from config/), for the timeline."""
    known = {s.id: s for s in services}
    named = []
    for item in items:
        service = known.get(item["service_id"])
        named.append(
            {
                **item,
                "service_name": service.name if service else item["service_id"],
                "service_address": service.address if service else None,
            }
        )
    return named
