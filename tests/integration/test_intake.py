"""Intake on real SQLite and PostgreSQL: dedupe, contacts, continuity."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server import intake
from server import tables as t
from server.messages import InboundMessage
from server.models import utcnow
from server.settings import Settings

DAY = timedelta(days=1)


def sms(provider_id: str, text: str = "hej", address: str = "+4512345678") -> InboundMessage:
    return InboundMessage(channel="sms", address=address, provider_id=provider_id, text=text)


async def store(engine: AsyncEngine, inbound: InboundMessage, now=None):  # type: ignore[no-untyped-def]
    async with engine.begin() as conn:
        return await intake.store_inbound(conn, inbound, now or utcnow(), DAY)


async def count(engine: AsyncEngine, table) -> int:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_the_same_provider_id_twice_stores_one_message(engine: AsyncEngine) -> None:
    first = await store(engine, sms("SM1", "første"))
    again = await store(engine, sms("SM1", "første"))
    assert not first.duplicate and again.duplicate
    assert again.message_id == first.message_id
    assert await count(engine, t.messages) == 1


async def test_concurrent_deliveries_of_one_message_store_it_once(
    engine: AsyncEngine, settings: Settings
) -> None:
    from server.centre import ContactCentre
    from server.metrics import Metrics

    class SilentNotifier:
        async def to_counsellors(self, *args: object) -> None: ...
        async def to_conversation(self, *args: object) -> None: ...

    centre = ContactCentre(engine, SilentNotifier(), settings, Metrics(), lambda: None)  # type: ignore[arg-type]
    receipts = await asyncio.gather(*(centre.receive(sms("SM-race")) for _ in range(8)))
    assert len({r.message_id for r in receipts}) == 1
    assert sum(not r.duplicate for r in receipts) == 1
    assert await count(engine, t.messages) == 1
    assert await count(engine, t.contacts) == 1


async def test_one_address_is_one_contact_and_an_open_conversation_continues(
    engine: AsyncEngine,
) -> None:
    a = await store(engine, sms("SM1"))
    b = await store(engine, sms("SM2"))
    other = await store(engine, sms("SM3", address="+4587654321"))
    assert a.contact_id == b.contact_id != other.contact_id
    assert a.conversation_id == b.conversation_id
    assert a.new_conversation and not b.new_conversation


async def test_a_closed_conversation_reopens_within_the_window(engine: AsyncEngine) -> None:
    first = await store(engine, sms("SM1"))
    async with engine.begin() as conn:
        await conn.execute(
            update(t.conversations).values(
                status="closed", closed_at=utcnow() - timedelta(hours=2), assignee_id=None
            )
        )
    again = await store(engine, sms("SM2"))
    assert again.conversation_id == first.conversation_id
    async with engine.connect() as conn:
        row = (await conn.execute(select(t.conversations))).one()
    assert row.status == "waiting" and row.closed_at is None


async def test_after_the_window_a_new_conversation_links_to_the_old(engine: AsyncEngine) -> None:
    first = await store(engine, sms("SM1"))
    async with engine.begin() as conn:
        await conn.execute(
            update(t.conversations).values(status="closed", closed_at=utcnow() - timedelta(days=3))
        )
    again = await store(engine, sms("SM2"))
    assert again.conversation_id != first.conversation_id and again.new_conversation
    async with engine.connect() as conn:
        previous = (
            await conn.execute(
                select(t.conversations.c.previous_id).where(
                    t.conversations.c.id == again.conversation_id
                )
            )
        ).scalar_one()
    assert previous == first.conversation_id


async def test_text_is_stored_exactly_as_written(engine: AsyncEngine) -> None:
    text = "<script>alert(1)</script> æøå 😀"
    receipt = await store(engine, sms("SM1", text))
    async with engine.connect() as conn:
        body = (
            await conn.execute(
                select(t.messages.c.body).where(t.messages.c.id == receipt.message_id)
            )
        ).scalar_one()
    assert body == text


def mail(
    provider_id: str,
    refs: list[str] | None = None,
    hint: int | None = None,
    address: str = "ida@example.dk",
) -> InboundMessage:
    from server.messages import Blob

    return InboundMessage(
        channel="email",
        address=address,
        provider_id=provider_id,
        text="tekst",
        thread_refs=refs or [],
        conversation_hint=hint,
        blobs=[Blob("raw", b"From: ida\r\n\r\ntekst", None, "message/rfc822")],
    )


async def test_a_reply_threads_into_the_conversation_it_answers_even_when_closed(
    engine: AsyncEngine,
) -> None:
    first = await store(engine, mail("<m1@ida>"))
    async with engine.begin() as conn:
        await conn.execute(
            update(t.conversations).values(status="closed", closed_at=utcnow() - timedelta(days=30))
        )
    other = await store(engine, mail("<m2@ida>"))  # no thread: a new conversation
    assert other.conversation_id != first.conversation_id
    reply = await store(engine, mail("<m3@ida>", refs=["<unknown@x>", "<m1@ida>"]))
    assert reply.conversation_id == first.conversation_id and reply.joined_queue
    by_hint = await store(engine, mail("<m4@ida>", hint=first.conversation_id))
    assert by_hint.conversation_id == first.conversation_id


async def test_someone_else_cannot_thread_into_a_persons_conversation(engine: AsyncEngine) -> None:
    first = await store(engine, mail("<m1@ida>"))
    stranger = await store(
        engine,
        mail("<s1@x>", refs=["<m1@ida>"], hint=first.conversation_id, address="someone@else.dk"),
    )
    assert stranger.conversation_id != first.conversation_id


async def test_blobs_are_stored_with_the_message_once(engine: AsyncEngine) -> None:
    receipt = await store(engine, mail("<m1@ida>"))
    await store(engine, mail("<m1@ida>"))
    async with engine.connect() as conn:
        blobs = (await conn.execute(select(t.message_blobs))).all()
    assert [(b.message_id, b.kind, b.data) for b in blobs] == [
        (receipt.message_id, "raw", b"From: ida\r\n\r\ntekst")
    ]


async def test_a_number_that_texted_and_then_calls_is_one_contact(engine: AsyncEngine) -> None:
    texted = await store(
        engine, InboundMessage("sms", "+4512345678", "SM1", "hej", linked_channels=("voice",))
    )
    called = await store(
        engine,
        InboundMessage("voice", "+4512345678", "CA1:urgent", "opkald", linked_channels=("sms",)),
    )
    stranger = await store(
        engine, InboundMessage("voice", "+4599999999", "CA2:x", "opkald", linked_channels=("sms",))
    )
    assert called.contact_id == texted.contact_id != stranger.contact_id
    assert called.conversation_id != texted.conversation_id  # one conversation per channel


async def test_an_answer_to_a_reply_sent_from_another_channel_goes_back_there(
    engine: AsyncEngine,
) -> None:
    chat = await store(engine, InboundMessage("chat", "visitor-1", "c1", "hej"))
    texted = await store(engine, sms("SM1", "hej igen"))
    async with engine.begin() as conn:
        # The counsellor learned they are one person and answered the chat by SMS.
        await conn.execute(
            update(t.contact_addresses)
            .where(t.contact_addresses.c.contact_id == texted.contact_id)
            .values(contact_id=chat.contact_id)
        )
        await conn.execute(
            t.conversations.update()
            .where(t.conversations.c.id == texted.conversation_id)
            .values(contact_id=chat.contact_id)
        )
        await conn.execute(
            t.messages.insert().values(
                conversation_id=chat.conversation_id,
                direction="out",
                channel="sms",
                author_kind="counsellor",
                body="Skriv gerne tilbage her",
                status="sent",
                created_at=utcnow(),
            )
        )
    answer = await store(engine, sms("SM2", "tak"))
    assert answer.conversation_id == chat.conversation_id
    # Once the chat is closed, texts go to the person's own SMS conversation again.
    async with engine.begin() as conn:
        await conn.execute(
            t.conversations.update()
            .where(t.conversations.c.id == chat.conversation_id)
            .values(status="closed", closed_at=utcnow())
        )
    later = await store(engine, sms("SM3", "et spørgsmål mere"))
    assert later.conversation_id == texted.conversation_id
