"""Follow-up reminders pushed to the inbox: when a booked referral's follow-up falls
due (14 days), the counsellor who booked it and the supervisors get
`referral.follow_up` on /inbox, once.

Every node runs a worker. A worker claims a due referral with a conditional UPDATE
of `follow_up_notified_at` (only while it is NULL) and records the audit event in
the same transaction, so exactly one node pushes each reminder. The push follows
the commit; if a node dies in between, the reminder is not pushed again, but
`GET /api/referrals/follow-ups` still lists it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server import keys, views
from server import tables as t
from server.models import Role, utcnow
from server.realtime import Notifier
from server.referral_rules import ReferralStatus, follow_up_due
from triage.services import HasServices

log = logging.getLogger(__name__)

EVENT = "referral.follow_up"
# The worker looks every this many outbox poll intervals (30 s with the default 2 s):
# a reminder due in days needs no faster look, and tests that speed up the outbox
# speed this up too.
POLL_FACTOR = 15


class FollowUpWorker:
    def __init__(
        self,
        engine: AsyncEngine,
        notifier: Notifier,
        config: HasServices,
        poll_interval_s: float,
    ) -> None:
        self.engine = engine
        self.notifier = notifier
        self.config = config
        self.poll_interval_s = poll_interval_s

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                log.exception("follow-up pass failed; trying again at the next poll")
            await asyncio.sleep(self.poll_interval_s)

    async def run_once(self, now: datetime | None = None) -> int:
        """Push every follow-up that is due and not yet pushed; returns how many this
        worker pushed (another node may have claimed some)."""
        now = now or utcnow()
        pushed = 0
        for row in await self._unnotified():
            due = follow_up_due(row.updated_at, row.slot)
            if due > now:
                continue
            reminder = self._reminder(row, due)
            if await self._claim(reminder, now):
                await self._push(reminder)
                pushed += 1
        return pushed

    async def _unnotified(self) -> list[Any]:
        r = t.referrals
        query = (
            select(
                r.c.id,
                r.c.conversation_id,
                r.c.service_id,
                r.c.slot,
                r.c.counsellor_id,
                r.c.updated_at,
            )
            .where(r.c.status == ReferralStatus.BOOKED.value, r.c.follow_up_notified_at.is_(None))
            .order_by(r.c.id)
        )
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).all())

    def _reminder(self, row: Any, due: datetime) -> dict[str, Any]:
        names = [s.name for s in self.config.services if s.id == row.service_id]
        return {
            "referral_id": row.id,
            "conversation_id": row.conversation_id,
            "service_id": row.service_id,
            "service_name": names[0] if names else None,
            "slot": row.slot,
            "counsellor_id": row.counsellor_id,
            "due_at": views.iso(due),
        }

    async def _claim(self, reminder: dict[str, Any], now: datetime) -> bool:
        r = t.referrals
        async with self.engine.begin() as conn:
            result = await conn.execute(
                update(r)
                .where(
                    r.c.id == reminder["referral_id"],
                    r.c.status == ReferralStatus.BOOKED.value,
                    r.c.follow_up_notified_at.is_(None),
                )
                .values(follow_up_notified_at=now)
            )
            if not result.rowcount:
                return False
            await conn.execute(
                insert(t.audit_events).values(
                    at=now,
                    actor_kind="system",
                    actor_id=None,
                    action="referral_follow_up",
                    conversation_id=reminder["conversation_id"],
                    data=reminder,
                )
            )
        return True

    async def _push(self, reminder: dict[str, Any]) -> None:
        recipients = set(await self._supervisors())
        if reminder["counsellor_id"] is not None:
            recipients.add(reminder["counsellor_id"])
        # Each counsellor's own room: a supervisor who booked it hears it once.
        for counsellor_id in sorted(recipients):
            await self.notifier.to_counsellor(counsellor_id, EVENT, reminder)

    async def _supervisors(self) -> list[int]:
        c = t.counsellors
        query = select(c.c.id).where(
            c.c.role.in_([Role.SUPERVISOR.value, Role.ADMIN.value]), c.c.active.is_(True)
        )
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).scalars().all())


async def follow_ups_ctx(app: web.Application) -> AsyncIterator[None]:
    """Runs after the database and services start-up: needs the engine and the config."""
    worker = FollowUpWorker(
        app[keys.engine],
        app[keys.notifier],
        app[keys.triage_config],
        app[keys.settings].outbox.poll_interval_s * POLL_FACTOR,
    )
    task = asyncio.create_task(worker.run(), name="follow-ups")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
