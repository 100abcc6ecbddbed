"""The outbox worker on real databases, with a channel that fails on demand."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from server import intake
from server import tables as t
from server.messages import InboundMessage, OutboundMessage, SendError
from server.models import utcnow
from server.outbox import OutboxWorker, advance_message_status, check_sendable, sends_in_flight
from server.settings import OutboxSettings
from tests.integration.test_intake import DAY


class ScriptedChannel:
    """A provider that answers each send with the next scripted result."""

    def __init__(self, *script: str) -> None:
        self.script = list(script)
        self.sent: list[OutboundMessage] = []

    async def send(self, message: OutboundMessage) -> str | None:
        step = self.script.pop(0) if self.script else "ok"
        if step == "temporary":
            raise SendError("provider busy (429)")
        if step == "permanent":
            raise SendError("number opted out", permanent=True, code="21610")
        self.sent.append(message)
        return f"PROV{len(self.sent)}"


async def queued_reply(engine: AsyncEngine, text: str = "svar") -> int:
    now = utcnow()
    async with engine.begin() as conn:
        receipt = await intake.store_inbound(
            conn, InboundMessage("sms", "+4511111111", "SMin", "hej"), now, DAY
        )
        message_id = (
            await conn.execute(
                insert(t.messages)
                .values(
                    conversation_id=receipt.conversation_id,
                    direction="out",
                    channel="sms",
                    author_kind="counsellor",
                    body=text,
                    internal=False,
                    status="queued",
                    attachments=[],
                    meta={},
                    created_at=now,
                )
                .returning(t.messages.c.id)
            )
        ).scalar_one()
        await conn.execute(
            insert(t.outbox_items).values(
                message_id=message_id,
                channel="sms",
                state="queued",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
        )
    return int(message_id)


def worker(
    engine: AsyncEngine, channel: ScriptedChannel, events: list[int], max_attempts: int = 3
) -> OutboxWorker:
    async def on_status(conversation_id: int, message_id: int) -> None:
        events.append(message_id)

    settings = OutboxSettings(max_attempts=max_attempts, backoff_base_s=0.0, backoff_max_s=0.0)
    return OutboxWorker(engine, {"sms": channel}, settings, on_status)


async def message_row(engine: AsyncEngine, message_id: int):  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return (await conn.execute(select(t.messages).where(t.messages.c.id == message_id))).one()


async def test_sends_once_and_records_the_provider_id(engine: AsyncEngine) -> None:
    channel, events = ScriptedChannel(), list[int]()
    message_id = await queued_reply(engine)
    outbox = worker(engine, channel, events)
    assert await outbox.run_once() == 1
    assert await outbox.run_once() == 0  # nothing is sent twice
    row = await message_row(engine, message_id)
    assert (row.status, row.provider_id) == ("sent", "PROV1")
    assert [m.address for m in channel.sent] == ["+4511111111"]
    assert events == [message_id]


async def test_retries_a_temporary_failure_then_sends(engine: AsyncEngine) -> None:
    channel, events = ScriptedChannel("temporary", "temporary"), list[int]()
    message_id = await queued_reply(engine)
    outbox = worker(engine, channel, events, max_attempts=5)
    for _ in range(3):
        await outbox.run_once()
    row = await message_row(engine, message_id)
    assert row.status == "sent" and len(channel.sent) == 1
    async with engine.connect() as conn:
        item = (await conn.execute(select(t.outbox_items))).one()
    assert (item.state, item.attempts) == ("done", 3)


async def test_gives_up_after_max_attempts_and_shows_the_failure(engine: AsyncEngine) -> None:
    channel, events = ScriptedChannel("temporary", "temporary", "temporary"), list[int]()
    message_id = await queued_reply(engine)
    outbox = worker(engine, channel, events, max_attempts=3)
    for _ in range(4):
        await outbox.run_once()
    row = await message_row(engine, message_id)
    assert row.status == "failed" and "429" in row.error
    assert channel.sent == [] and events == [message_id]


async def test_a_permanent_failure_is_final_at_once(engine: AsyncEngine) -> None:
    channel, events = ScriptedChannel("permanent"), list[int]()
    message_id = await queued_reply(engine)
    outbox = worker(engine, channel, events, max_attempts=8)
    await outbox.run_once()
    assert await outbox.run_once() == 0
    row = await message_row(engine, message_id)
    assert row.status == "failed" and "opted out" in row.error


async def test_delivery_status_never_moves_backwards(engine: AsyncEngine) -> None:
    message_id = await queued_reply(engine)
    async with engine.begin() as conn:
        assert await advance_message_status(conn, message_id, "delivered")
        assert not await advance_message_status(conn, message_id, "sent")
    assert (await message_row(engine, message_id)).status == "delivered"


class HeldChannel:
    """A provider inside its send until released: the sid is not known yet."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, message: OutboundMessage) -> str | None:
        self.entered.set()
        await self.release.wait()
        return "PROVheld"


async def test_a_send_in_flight_is_visible_until_its_sid_is_recorded(engine: AsyncEngine) -> None:
    channel = HeldChannel()
    message_id = await queued_reply(engine)
    outbox = OutboxWorker(engine, {"sms": channel}, OutboxSettings(), lambda c, m: asyncio.sleep(0))
    assert not await sends_in_flight(engine, ("sms",))
    running = asyncio.create_task(outbox.run_once())
    await channel.entered.wait()
    assert await sends_in_flight(engine, ("sms", "voice"))
    assert not await sends_in_flight(engine, ("email",))
    channel.release.set()
    await running
    assert not await sends_in_flight(engine, ("sms",))
    assert (await message_row(engine, message_id)).provider_id == "PROVheld"


class CheckedChannel(ScriptedChannel):
    def check(self, message: OutboundMessage) -> None:
        if len(message.text) > 5:
            raise SendError("at most 5 characters", permanent=True, code="too_long")


def test_check_sendable_asks_only_senders_that_can_check() -> None:
    message = OutboundMessage(0, 1, "sms", "+4511111111", "for lang", "counsellor", None, "")
    check_sendable(None, message)
    check_sendable(ScriptedChannel(), message)
    with pytest.raises(SendError, match="at most 5"):
        check_sendable(CheckedChannel(), message)
