"""SQLite runs on the event loop's thread: a statement never gives up the loop, and
errors still arrive as SQLAlchemy's exceptions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from server import db
from server import tables as t
from server.models import utcnow
from tests.integration.conftest import settings_for


@pytest.fixture
async def sqlite_engine(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(settings_for("sqlite", tmp_path, request))
    await db.migrate(engine)
    yield engine
    await engine.dispose()


async def test_a_transaction_does_not_give_up_the_loop(sqlite_engine: AsyncEngine) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)
    before = ticks
    async with sqlite_engine.begin() as conn:
        for n in range(20):
            await conn.execute(
                insert(t.contacts).values(name=f"person {n}", profile="", created_at=utcnow())
            )
        count = (await conn.execute(text("SELECT count(*) FROM contact"))).scalar_one()
        # With a driver that hops to a worker thread, the ticker runs at every hop.
        # (Leaving the block may yield once: SQLAlchemy closes in a shielded task.)
        assert ticks == before
    assert count == 20
    ticker.cancel()


async def test_errors_are_sqlalchemy_errors_and_the_connection_recovers(
    sqlite_engine: AsyncEngine,
) -> None:
    values = {"channel": "sms", "address": "+4520000000", "created_at": utcnow()}
    async with sqlite_engine.begin() as conn:
        contact_id = (
            await conn.execute(
                insert(t.contacts)
                .values(profile="", created_at=utcnow())
                .returning(t.contacts.c.id)
            )
        ).scalar_one()
        await conn.execute(insert(t.contact_addresses).values(contact_id=contact_id, **values))
    with pytest.raises(IntegrityError):
        async with sqlite_engine.begin() as conn:
            await conn.execute(insert(t.contact_addresses).values(contact_id=contact_id, **values))
    async with sqlite_engine.connect() as conn:
        rows = (await conn.execute(select(t.contact_addresses.c.address))).scalars().all()
    assert rows == ["+4520000000"]
