"""Claims on real databases: exactly one winner, however many try at once."""

from __future__ import annotations

import asyncio

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from server import intake, queue
from server import tables as t
from server.auth import hash_password
from server.messages import InboundMessage
from server.models import utcnow
from tests.integration.test_intake import DAY


async def make_counsellors(engine: AsyncEngine, n: int) -> list[int]:
    ids = []
    async with engine.begin() as conn:
        for i in range(n):
            ids.append(
                (
                    await conn.execute(
                        insert(t.counsellors)
                        .values(
                            email=f"c{i}@example.org",
                            name=f"C{i}",
                            password_hash=hash_password("x" * 8),
                            role="counsellor",
                            languages=[],
                            channels=[],
                            capacity=4,
                            presence="available",
                            active=True,
                            created_at=utcnow(),
                        )
                        .returning(t.counsellors.c.id)
                    )
                ).scalar_one()
            )
    return ids


async def new_conversation(engine: AsyncEngine, n: int) -> int:
    async with engine.begin() as conn:
        receipt = await intake.store_inbound(
            conn, InboundMessage("chat", f"visitor-{n}", f"v{n}:1", "hej"), utcnow(), DAY
        )
    return receipt.conversation_id


async def claim(engine: AsyncEngine, conversation_id: int, who: int) -> queue.ClaimOutcome:
    async with engine.begin() as conn:
        return await queue.claim(conn, conversation_id, who, utcnow())


async def test_concurrent_claims_have_exactly_one_winner(engine: AsyncEngine) -> None:
    counsellors = await make_counsellors(engine, 6)
    for n in range(5):
        conversation_id = await new_conversation(engine, n)
        outcomes = await asyncio.gather(*(claim(engine, conversation_id, c) for c in counsellors))
        assert outcomes.count(queue.ClaimOutcome.CLAIMED) == 1
        assert outcomes.count(queue.ClaimOutcome.TAKEN) == len(counsellors) - 1
        winner = counsellors[outcomes.index(queue.ClaimOutcome.CLAIMED)]
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    select(t.conversations).where(t.conversations.c.id == conversation_id)
                )
            ).one()
        assert (row.status, row.assignee_id) == ("active", winner)


async def test_claim_outcomes_for_yours_closed_and_missing(engine: AsyncEngine) -> None:
    me, other = await make_counsellors(engine, 2)
    conversation_id = await new_conversation(engine, 1)
    assert await claim(engine, conversation_id, me) == queue.ClaimOutcome.CLAIMED
    assert await claim(engine, conversation_id, me) == queue.ClaimOutcome.ALREADY_YOURS
    assert await claim(engine, conversation_id, other) == queue.ClaimOutcome.TAKEN
    assert await claim(engine, 9999, me) == queue.ClaimOutcome.NOT_FOUND
    async with engine.begin() as conn:
        assert await queue.close(conn, conversation_id, utcnow())
    assert await claim(engine, conversation_id, other) == queue.ClaimOutcome.CLOSED


async def test_release_keeps_the_place_and_the_queue_is_ordered(engine: AsyncEngine) -> None:
    (me,) = await make_counsellors(engine, 1)
    first = await new_conversation(engine, 1)
    second = await new_conversation(engine, 2)
    async with engine.begin() as conn:
        await conn.execute(
            t.conversations.update().where(t.conversations.c.id == second).values(urgent=True)
        )
    assert await claim(engine, first, me) == queue.ClaimOutcome.CLAIMED
    async with engine.begin() as conn:
        assert [e.conversation_id for e in await queue.waiting_queue(conn)] == [second]
        assert await queue.release(conn, first, me, utcnow())
        assert [e.conversation_id for e in await queue.waiting_queue(conn)] == [second, first]
