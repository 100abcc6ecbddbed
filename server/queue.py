"""The one waiting queue: order, claims, release, transfer, close, wait estimates."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server import tables as t
from server.models import Status

OPEN_FOR_CLAIM = (Status.BOT.value, Status.WAITING.value, Status.PENDING.value)


@dataclass(frozen=True)
class QueueEntry:
    conversation_id: int
    channel: str
    urgent: bool
    level: str | None
    priority: int
    waiting_since: datetime
    language: str | None
    contact_name: str | None
    # The triage decision's plain-language reasons, for the queue's one line.
    reasons: tuple[str, ...] = field(default=())


def decision_reasons(triage_state: Any, latest_assessment: list[Any] | None) -> tuple[str, ...]:
    """The reasons of the current triage decision: the latest assessment's (the rules'
    or a counsellor's override), else those the triage state carries."""
    if latest_assessment:
        return tuple(str(r) for r in latest_assessment if r)
    if isinstance(triage_state, dict) and isinstance(triage_state.get("reasons"), list):
        return tuple(str(r) for r in triage_state["reasons"] if r)
    return ()


async def latest_assessment_reasons(
    conn: AsyncConnection, conversation_ids: list[int]
) -> dict[int, list[Any]]:
    """Each conversation's latest assessment's reasons."""
    if not conversation_ids:
        return {}
    a = t.assessments
    latest = (
        select(func.max(a.c.id))
        .where(a.c.conversation_id.in_(conversation_ids))
        .group_by(a.c.conversation_id)
    )
    rows = await conn.execute(select(a.c.conversation_id, a.c.reasons).where(a.c.id.in_(latest)))
    return {r.conversation_id: list(r.reasons or []) for r in rows}


def queue_order_key(entry: QueueEntry) -> tuple[int, int, datetime, int]:
    """Urgent first, then higher priority, then longest waiting, then oldest id."""
    return (0 if entry.urgent else 1, -entry.priority, entry.waiting_since, entry.conversation_id)


def estimate_wait_s(position: int, counsellors_online: int, handle_time_s: float) -> int:
    """Seconds until someone at this position is likely answered.

    Counsellors work in parallel: position 1..online are next in line; each
    further round of `online` people waits one more handling time.
    """
    if position <= 0:
        return 0
    rounds = math.ceil(position / max(counsellors_online, 1))
    return int(rounds * handle_time_s)


def typical_handle_time_s(durations_s: list[float], default_s: float) -> float:
    """The median of recent handling times, once there are enough to trust."""
    if len(durations_s) < 5:
        return default_s
    return max(30.0, statistics.median(durations_s))


async def waiting_queue(conn: AsyncConnection) -> list[QueueEntry]:
    rows = (
        await conn.execute(
            select(
                t.conversations.c.id,
                t.conversations.c.channel,
                t.conversations.c.urgent,
                t.conversations.c.level,
                t.conversations.c.priority,
                t.conversations.c.waiting_since,
                t.conversations.c.language,
                t.conversations.c.triage_state,
                t.contacts.c.name,
            )
            .join(t.contacts, t.contacts.c.id == t.conversations.c.contact_id)
            .where(t.conversations.c.status == Status.WAITING.value)
            .order_by(
                t.conversations.c.urgent.desc(),
                t.conversations.c.priority.desc(),
                t.conversations.c.waiting_since.asc(),
                t.conversations.c.id.asc(),
            )
        )
    ).all()
    assessed = await latest_assessment_reasons(conn, [r.id for r in rows])
    return [
        QueueEntry(
            r.id,
            r.channel,
            r.urgent,
            r.level,
            r.priority,
            r.waiting_since,
            r.language,
            r.name,
            decision_reasons(r.triage_state, assessed.get(r.id)),
        )
        for r in rows
    ]


async def last_previews(conn: AsyncConnection, conversation_ids: list[int]) -> dict[int, str]:
    """The latest text each person wrote, for the queue list."""
    if not conversation_ids:
        return {}
    latest = (
        select(func.max(t.messages.c.id))
        .where(t.messages.c.conversation_id.in_(conversation_ids), t.messages.c.direction == "in")
        .group_by(t.messages.c.conversation_id)
    )
    rows = await conn.execute(
        select(t.messages.c.conversation_id, t.messages.c.body).where(t.messages.c.id.in_(latest))
    )
    return {r.conversation_id: r.body[:140] for r in rows}


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"
    ALREADY_YOURS = "already_yours"
    TAKEN = "taken"
    CLOSED = "closed"
    NOT_FOUND = "not_found"


async def claim(
    conn: AsyncConnection, conversation_id: int, counsellor_id: int, now: datetime
) -> ClaimOutcome:
    """Take a conversation. One conditional UPDATE, so only one claimant can win."""
    result = await conn.execute(
        update(t.conversations)
        .where(
            t.conversations.c.id == conversation_id,
            t.conversations.c.status.in_(OPEN_FOR_CLAIM),
            t.conversations.c.assignee_id.is_(None),
        )
        .values(
            status=Status.ACTIVE.value, assignee_id=counsellor_id, claimed_at=now, updated_at=now
        )
    )
    if result.rowcount == 1:
        return ClaimOutcome.CLAIMED
    row = (
        await conn.execute(
            select(t.conversations.c.status, t.conversations.c.assignee_id).where(
                t.conversations.c.id == conversation_id
            )
        )
    ).first()
    if row is None:
        return ClaimOutcome.NOT_FOUND
    if row.status == Status.CLOSED:
        return ClaimOutcome.CLOSED
    if row.assignee_id == counsellor_id:
        return ClaimOutcome.ALREADY_YOURS
    return ClaimOutcome.TAKEN


async def release(
    conn: AsyncConnection, conversation_id: int, counsellor_id: int, now: datetime
) -> bool:
    """Put a conversation back in the queue at its original place."""
    result = await conn.execute(
        update(t.conversations)
        .where(
            t.conversations.c.id == conversation_id,
            t.conversations.c.assignee_id == counsellor_id,
            t.conversations.c.status != Status.CLOSED.value,
        )
        .values(
            status=Status.WAITING.value,
            assignee_id=None,
            waiting_since=func.coalesce(t.conversations.c.waiting_since, now),
            updated_at=now,
        )
    )
    return result.rowcount == 1


async def transfer(
    conn: AsyncConnection,
    conversation_id: int,
    from_id: int,
    to_id: int,
    now: datetime,
    *,
    override: bool = False,
) -> bool:
    holder = or_(t.conversations.c.assignee_id == from_id, t.conversations.c.assignee_id.is_(None))
    result = await conn.execute(
        update(t.conversations)
        .where(
            t.conversations.c.id == conversation_id,
            t.conversations.c.status != Status.CLOSED.value,
            holder if not override else true(),
        )
        .values(
            status=Status.ACTIVE.value,
            assignee_id=to_id,
            updated_at=now,
            claimed_at=func.coalesce(t.conversations.c.claimed_at, now),
        )
    )
    return result.rowcount == 1


async def close(conn: AsyncConnection, conversation_id: int, now: datetime) -> bool:
    result = await conn.execute(
        update(t.conversations)
        .where(
            t.conversations.c.id == conversation_id, t.conversations.c.status != Status.CLOSED.value
        )
        .values(status=Status.CLOSED.value, closed_at=now, updated_at=now)
    )
    return result.rowcount == 1


async def counsellors_online(conn: AsyncConnection) -> int:
    return int(
        (
            await conn.execute(
                select(func.count())
                .select_from(t.counsellors)
                .where(t.counsellors.c.presence == "available", t.counsellors.c.active.is_(True))
            )
        ).scalar_one()
    )


async def recent_handle_times_s(conn: AsyncConnection, sample: int) -> list[float]:
    rows = (
        await conn.execute(
            select(t.conversations.c.claimed_at, t.conversations.c.closed_at)
            .where(
                t.conversations.c.status == Status.CLOSED.value,
                t.conversations.c.claimed_at.is_not(None),
            )
            .order_by(t.conversations.c.closed_at.desc())
            .limit(sample)
        )
    ).all()
    return [(r.closed_at - r.claimed_at).total_seconds() for r in rows if r.closed_at]
