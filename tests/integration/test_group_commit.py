"""Storing many messages in one transaction gives the same result as one by one."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from server import intake
from server import tables as t
from server.group_commit import GroupCommitWriter
from server.messages import InboundMessage
from server.models import utcnow
from tests.integration.test_intake import DAY


def chat(address: str, provider_id: str, text: str = "hej") -> InboundMessage:
    return InboundMessage("chat", address, provider_id, text)


async def test_a_batch_handles_new_people_repeat_writers_and_duplicates(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as conn:
        earlier = await intake.store_inbound(conn, chat("anna", "a0"), utcnow(), DAY)
    batch = [
        chat("anna", "a1"),
        chat("bo", "b1"),
        chat("anna", "a2"),
        chat("anna", "a1"),  # the same delivery twice in one batch
        chat("anna", "a0"),  # stored by an earlier transaction
        chat("bo", "b2"),
    ]
    async with engine.begin() as conn:
        receipts = await intake.store_batch(conn, batch, utcnow(), DAY)
    assert [r.duplicate for r in receipts] == [False, False, False, True, True, False]
    assert receipts[3].message_id == receipts[0].message_id
    assert receipts[4].message_id == earlier.message_id
    anna = {r.conversation_id for r in (earlier, receipts[0], receipts[2])}
    assert len(anna) == 1
    assert receipts[1].new_conversation and receipts[1].joined_queue
    assert receipts[5].conversation_id == receipts[1].conversation_id
    assert not receipts[0].joined_queue  # anna's conversation was open already
    async with engine.connect() as conn:
        count = (await conn.execute(select(func.count()).select_from(t.messages))).scalar_one()
    assert count == 5


async def test_concurrent_senders_are_grouped_and_each_gets_its_own_receipt(
    engine: AsyncEngine,
) -> None:
    writer = GroupCommitWriter(engine, DAY)
    messages = [chat(f"visitor-{n % 7}", f"p{n}", f"text {n}") for n in range(60)]
    receipts = await asyncio.gather(*(writer.store(m) for m in messages))
    assert len({r.message_id for r in receipts}) == 60
    async with engine.connect() as conn:
        rows = (await conn.execute(select(t.messages.c.id, t.messages.c.body))).all()
    by_id = {row.id: row.body for row in rows}
    assert all(by_id[r.message_id] == m.text for r, m in zip(receipts, messages, strict=True))
    assert len({r.conversation_id for r in receipts}) == 7


async def test_a_spoiled_batch_falls_back_to_one_by_one(engine: AsyncEngine) -> None:
    writer = GroupCommitWriter(engine, DAY)
    async with engine.begin() as conn:
        first = await intake.store_inbound(conn, chat("carl", "c1"), utcnow(), DAY)
        await conn.execute(t.conversations.update().values(status="closed", closed_at=utcnow()))
    # carl's closed conversation reopens in this batch while c1 is a duplicate,
    # which spoils the batch; every sender must still get the right answer.
    receipts = await asyncio.gather(
        writer.store(chat("dina", "d1")),
        writer.store(chat("carl", "c1")),
        writer.store(chat("dina", "d2")),
    )
    assert [r.duplicate for r in receipts] == [False, True, False]
    assert receipts[1].message_id == first.message_id
