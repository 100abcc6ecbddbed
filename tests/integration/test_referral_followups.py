"""The follow-up worker on real databases: a due reminder is claimed by one node only,
pushed to the booking counsellor and the supervisors, and audited once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server import db
from server import tables as t
from server.followups import EVENT, FollowUpWorker
from server.models import utcnow
from server.realtime import Notifier, counsellor_room
from server.settings import Settings
from tests.integration.test_referrals import Desk, backdate
from tests.integration.test_referrals import desk as desk  # the fixture


class RoomRecorder(Notifier):
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, Any]] = []

    async def _emit(self, event: str, data: Any, *, room: str, namespace: str) -> None:
        assert namespace == "/inbox"
        self.sent.append((room, event, data))


def worker(engine: AsyncEngine, desk: Desk, notifier: Notifier) -> FollowUpWorker:
    return FollowUpWorker(engine, notifier, desk.desk.config, poll_interval_s=60)


async def book(desk: Desk, n: int, who: Any) -> int:
    conversation_id = await desk.conversation(n)
    slot = (await desk.proposal(conversation_id))["slots"][0]
    body = {"service_id": "uu-aarhus", "slot": slot}
    return int((await desk.desk.create(conversation_id, who, body))["referral"]["id"])


async def test_two_nodes_push_each_due_follow_up_once(desk: Desk, settings: Settings) -> None:
    engine = desk.centre.engine
    async with engine.begin() as conn:
        await conn.execute(
            update(t.counsellors)
            .where(t.counsellors.c.id == desk.sara.id)
            .values(role="supervisor")
        )
    annas, bos, recent = [
        await book(desk, n, who) for n, who in ((1, desk.anna), (2, desk.bo), (3, desk.anna))
    ]
    await backdate(engine, annas, 15, None)
    await backdate(engine, bos, 20, None)

    # PostgreSQL: a second node with its own engine. SQLite runs on one node (its
    # engine works on the event loop's thread), so there the second worker shares it.
    postgres = engine.dialect.name == "postgresql"
    other_node = db.create_engine(settings) if postgres else engine
    first, second = RoomRecorder(), RoomRecorder()
    try:
        pushed = await asyncio.gather(
            worker(engine, desk, first).run_once(), worker(other_node, desk, second).run_once()
        )
        again = await worker(other_node, desk, second).run_once()
    finally:
        if postgres:
            await other_node.dispose()

    assert sum(pushed) == 2 and again == 0
    sent = first.sent + second.sent
    assert {(room, data["referral_id"]) for room, _, data in sent} == {
        (counsellor_room(desk.anna.id), annas),
        (counsellor_room(desk.sara.id), annas),
        (counsellor_room(desk.bo.id), bos),
        (counsellor_room(desk.sara.id), bos),
    }
    assert len(sent) == 4 and {event for _, event, _ in sent} == {EVENT}
    reminder = next(data for _, _, data in sent if data["referral_id"] == annas)
    assert reminder["service_id"] == "uu-aarhus" and reminder["counsellor_id"] == desk.anna.id
    assert reminder["service_name"] == "Ungdommens Uddannelsesvejledning Aarhus"
    assert reminder["slot"] and reminder["due_at"] and reminder["conversation_id"]

    async with engine.connect() as conn:
        audits = (
            await conn.execute(
                select(t.audit_events.c.data).where(t.audit_events.c.action == "referral_follow_up")
            )
        ).scalars()
        assert sorted(data["referral_id"] for data in audits) == [annas, bos]
        rows = await conn.execute(select(t.referrals.c.id, t.referrals.c.follow_up_notified_at))
        notified = {row.id: row.follow_up_notified_at for row in rows}
    assert notified[recent] is None and notified[annas] is not None
    # The reminder stays in the follow-up list until the counsellor records the outcome.
    assert [item["id"] for item in await desk.desk.follow_ups(desk.anna)] == [annas]


async def test_a_referral_no_longer_booked_gets_no_reminder(desk: Desk) -> None:
    engine = desk.centre.engine
    attended = await book(desk, 1, desk.anna)
    await desk.desk.change(attended, desk.anna, {"status": "attended"})
    await backdate(engine, attended, 30, None)
    recorder = RoomRecorder()
    assert await worker(engine, desk, recorder).run_once() == 0
    # Not due yet now, due in 15 days.
    booked = await book(desk, 2, desk.anna)
    assert await worker(engine, desk, recorder).run_once() == 0
    later = utcnow() + timedelta(days=15)
    assert await worker(engine, desk, recorder).run_once(later) == 1
    assert [data["referral_id"] for _, _, data in recorder.sent] == [booked]
