"""The supervisors' dashboard: today's figures and the live queue, in one read."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from server import queue, stats
from server import tables as t
from server.accounts import team
from server.models import utcnow


def local_midnight(now: datetime, zone: ZoneInfo) -> datetime:
    """Today's start in the centre's time zone, as UTC (SQLite compares wall times)."""
    local = now.astimezone(zone)
    return datetime.combine(local.date(), time(0), tzinfo=zone).astimezone(UTC)


def aware(value: datetime) -> datetime:
    """SQLite gives back naive datetimes; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def live_queue(conn: AsyncConnection, now: datetime) -> dict[str, Any]:
    entries = await queue.waiting_queue(conn)
    longest = max(((now - aware(e.waiting_since)).total_seconds() for e in entries), default=None)
    return {
        "waiting": len(entries),
        "urgent": sum(1 for e in entries if e.urgent),
        "by_channel": dict(Counter(e.channel for e in entries)),
        "longest_wait_s": round(longest) if longest is not None else None,
    }


async def per_hour(conn: AsyncConnection, since: datetime, zone: ZoneInfo) -> list[int]:
    created = (
        await conn.execute(
            select(t.conversations.c.created_at).where(t.conversations.c.created_at >= since)
        )
    ).scalars()
    hours = [0] * 24
    for at in created:
        hours[aware(at).astimezone(zone).hour] += 1
    return hours


async def referral_rate(conn: AsyncConnection, since: datetime, total: int) -> dict[str, Any]:
    r = t.referrals
    referred = int(
        (
            await conn.execute(
                select(func.count(func.distinct(r.c.conversation_id))).where(
                    r.c.created_at >= since
                )
            )
        ).scalar_one()
    )
    return {"conversations": referred, "rate": round(referred / total, 3) if total else None}


async def dashboard(conn: AsyncConnection, timezone: str) -> dict[str, Any]:
    zone = ZoneInfo(timezone)
    now = utcnow()
    since = local_midnight(now, zone)
    today = await stats.statistics_since(conn, since)
    return {
        "generated_at": now.isoformat(),
        "since": since.isoformat(),
        "timezone": timezone,
        "queue": await live_queue(conn, now),
        "today": today,
        "referrals": await referral_rate(conn, since, today["conversations"]["total"]),
        "per_hour": await per_hour(conn, since, zone),
        "counsellors": await team(conn),
    }
