"""A bot message that fails for good while the conversation is with the bot queues the
conversation for a counsellor, on real SQLite and PostgreSQL: through the outbox (the
e-mail channel refuses a second automatic mail a day) and through a provider's
report (an SMS to a dead number)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server import tables as t
from server.centre import ContactCentre
from server.centre_bot_failure import AUDIT_ACTION
from server.messages import InboundMessage
from server.metrics import Metrics
from server.models import utcnow
from server.settings import Settings
from tests.integration.test_email_limits import Service, service


class RecordingNotifier:
    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    async def to_counsellors(self, event: str, data: Any) -> None:
        self.events.append((event, data))

    async def to_conversation(self, *args: object) -> None: ...


@pytest.fixture
async def svc(engine: AsyncEngine, settings: Settings) -> AsyncIterator[Service]:
    made = service(engine, settings)
    yield made
    await made.writer.stop()


async def conversation(engine: AsyncEngine, conversation_id: int) -> Any:
    async with engine.connect() as conn:
        return (
            await conn.execute(
                select(t.conversations).where(t.conversations.c.id == conversation_id)
            )
        ).one()


async def latest_reasons(engine: AsyncEngine, conversation_id: int) -> list[str]:
    a = t.assessments
    async with engine.connect() as conn:
        reasons = (
            await conn.execute(
                select(a.c.reasons)
                .where(a.c.conversation_id == conversation_id)
                .order_by(a.c.id.desc())
                .limit(1)
            )
        ).scalar_one()
    return [str(r) for r in reasons]


async def audit_actions(engine: AsyncEngine, conversation_id: int) -> list[str]:
    e = t.audit_events
    async with engine.connect() as conn:
        rows = await conn.execute(select(e.c.action).where(e.c.conversation_id == conversation_id))
        return [r.action for r in rows]


async def test_a_refused_bot_mail_puts_the_conversation_in_the_queue(
    engine: AsyncEngine, svc: Service
) -> None:
    first = await svc.mail_in("m1@example.dk", "Hej, jeg vil gerne høre lidt om mine muligheder.")
    assert [s for s, _, _ in await svc.bot_mails(first)] == ["sent"]  # the receipt
    assert (await conversation(engine, first)).status == "bot"

    before = utcnow()
    await svc.writer.store(
        InboundMessage(
            "email",
            "ida@example.dk",
            "m2@example.dk",
            "Hvornår er ansøgningsfristen til gymnasiet?",
            language="da",
            thread_refs=["m1@example.dk"],
        )
    )
    await svc.outbox.run_once()
    *_, (status, action, error) = await svc.bot_mails(first)
    assert (status, action) == ("failed", "offer_self_help")
    assert "last 24 hours" in (error or "")

    conv = await conversation(engine, first)
    assert conv.status == "waiting" and conv.assignee_id is None
    assert conv.waiting_since is not None and conv.waiting_since >= before
    reasons = await latest_reasons(engine, first)
    assert reasons[0].startswith("The bot could not reach the person")
    assert "last 24 hours" in reasons[0]
    assert AUDIT_ACTION in await audit_actions(engine, first)
    assert len(svc.mailbox.mails) == 1  # nothing more was sent


async def sms_bot_message(engine: AsyncEngine, status: str, author: str = "bot") -> tuple[int, int]:
    """A conversation in `status` with one sent SMS by `author`: (conversation, message)."""
    now = utcnow()
    async with engine.begin() as conn:
        contact_id = (
            await conn.execute(insert(t.contacts).values(created_at=now).returning(t.contacts.c.id))
        ).scalar_one()
        await conn.execute(
            insert(t.contact_addresses).values(
                contact_id=contact_id, channel="sms", address="+4511112222", created_at=now
            )
        )
        conversation_id = (
            await conn.execute(
                insert(t.conversations)
                .values(contact_id=contact_id, channel="sms", status=status, triage_state={})
                .returning(t.conversations.c.id)
            )
        ).scalar_one()
        message_id = (
            await conn.execute(
                insert(t.messages)
                .values(
                    conversation_id=conversation_id,
                    direction="out",
                    channel="sms",
                    author_kind=author,
                    body="Hvad vil du gerne vide mere om?",
                    status="sent",
                    provider_id="SMdead",
                    attachments=[],
                    meta={},
                    created_at=now,
                )
                .returning(t.messages.c.id)
            )
        ).scalar_one()
    return conversation_id, message_id


def centre(engine: AsyncEngine, settings: Settings, notifier: RecordingNotifier) -> ContactCentre:
    return ContactCentre(engine, notifier, settings, Metrics(), lambda: None)  # type: ignore[arg-type]


async def test_a_dead_number_reported_by_the_provider_queues_the_bot_conversation(
    engine: AsyncEngine, settings: Settings
) -> None:
    conversation_id, _ = await sms_bot_message(engine, "bot")
    notifier = RecordingNotifier()
    desk = centre(engine, settings, notifier)
    try:
        found = await desk.delivery_report("sms", "SMdead", "failed", "twilio error 30005")
        assert found
        conv = await conversation(engine, conversation_id)
        assert conv.status == "waiting" and conv.waiting_since is not None
        assert "30005" in (await latest_reasons(engine, conversation_id))[0]
        # Counsellors see the failure and the conversation that moved.
        events = [event for event, _ in notifier.events]
        assert "message.updated" in events and "conversation.updated" in events
        # A repeated report changes nothing more.
        await desk.delivery_report("sms", "SMdead", "failed", "twilio error 30005")
        assert (await audit_actions(engine, conversation_id)).count(AUDIT_ACTION) == 1
    finally:
        await desk.queue_broadcast.stop()
        await desk.writer.stop()


@pytest.mark.parametrize(("status", "author"), [("active", "bot"), ("bot", "counsellor")])
async def test_only_a_bot_message_in_a_bot_conversation_moves_it(
    engine: AsyncEngine, settings: Settings, status: str, author: str
) -> None:
    conversation_id, _ = await sms_bot_message(engine, status, author)
    async with engine.begin() as conn:
        await conn.execute(
            update(t.conversations)
            .where(t.conversations.c.id == conversation_id)
            .values(waiting_since=None)
        )
    desk = centre(engine, settings, RecordingNotifier())
    try:
        assert await desk.delivery_report("sms", "SMdead", "failed", "twilio error 30005")
    finally:
        await desk.queue_broadcast.stop()
        await desk.writer.stop()
    conv = await conversation(engine, conversation_id)
    assert conv.status == status and conv.waiting_since is None
    assert AUDIT_ACTION not in await audit_actions(engine, conversation_id)
