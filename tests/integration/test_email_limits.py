"""At most one automatic mail per person per 24 hours, on real SQLite and PostgreSQL:
triage writes the bot's mail, the outbox sends it through the e-mail channel (its
sandbox mailbox standing in for the relay), and the loop rules count what went."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.email.sandbox import Mailbox
from channels.email.sender import EmailSender, sandbox_transport
from server import tables as t
from server.group_commit import GroupCommitWriter
from server.hours import OpeningHours
from server.messages import InboundMessage, OutboundMessage
from server.models import utcnow
from server.outbox import OutboxWorker, queue_for_sending
from server.settings import OpeningHoursSettings, OutboxSettings, Settings
from server.thread_context import thread_context
from server.triage_step import TriageStep
from triage import TriageEngine, load_config

PERSON = "ida@example.dk"
# Short, so that a conversation closed an hour ago is not reopened: the next mail
# starts a new conversation, which would get a receipt of its own.
REOPEN_WINDOW = timedelta(minutes=1)


@dataclass
class Service:
    writer: GroupCommitWriter
    outbox: OutboxWorker
    mailbox: Mailbox
    engine: AsyncEngine

    async def mail_in(self, provider_id: str, text: str) -> int:
        receipt = await self.writer.store(
            InboundMessage("email", PERSON, provider_id, text, language="da")
        )
        assert receipt.new_conversation
        await self.outbox.run_once()
        return receipt.conversation_id

    async def close(self, conversation_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                update(t.conversations)
                .where(t.conversations.c.id == conversation_id)
                .values(status="closed", closed_at=utcnow() - timedelta(hours=1))
            )

    async def bot_mails(self, conversation_id: int) -> list[tuple[str, str | None, str | None]]:
        """(status, triage action, error) of the bot's mail in the conversation."""
        m = t.messages
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(m.c.status, m.c.meta, m.c.error)
                .where(m.c.conversation_id == conversation_id, m.c.author_kind == "bot")
                .order_by(m.c.id)
            )
            return [(r.status, (r.meta or {}).get("triage_action"), r.error) for r in rows]


@pytest.fixture
async def svc(engine: AsyncEngine, settings: Settings) -> AsyncIterator[Service]:
    made = service(engine, settings)
    yield made
    await made.writer.stop()  # its connection back before the engine goes


def service(engine: AsyncEngine, settings: Settings) -> Service:
    mailbox = Mailbox()
    hours = OpeningHours.from_settings(OpeningHoursSettings(mode="always_open"))
    sender = EmailSender(
        settings, hours, lambda: engine, lambda: "test-secret-key", sandbox_transport(mailbox)
    )

    async def on_status(conversation_id: int, message_id: int) -> None: ...

    outbox = OutboxWorker(
        engine,
        {"email": sender},
        OutboxSettings(max_attempts=1, backoff_base_s=0.0, backoff_max_s=0.0),
        on_status,
    )
    triage = TriageStep(TriageEngine(load_config(settings.config_dir)))
    return Service(GroupCommitWriter(engine, REOPEN_WINDOW, triage), outbox, mailbox, engine)


async def test_a_second_conversation_the_same_day_gets_no_receipt_but_danger_gets_help(
    engine: AsyncEngine, svc: Service
) -> None:
    first = await svc.mail_in("m1@example.dk", "Hej, jeg vil gerne høre om mine muligheder.")
    [(status, _, _)] = await svc.bot_mails(first)
    assert status == "sent" and len(svc.mailbox.mails) == 1

    await svc.close(first)
    second = await svc.mail_in("m2@example.dk", "Hej igen, jeg har et nyt spørgsmål.")
    assert second != first
    [(status, _, error)] = await svc.bot_mails(second)
    assert status == "failed" and "last 24 hours" in (error or "")
    assert len(svc.mailbox.mails) == 1  # no second receipt

    await svc.close(second)
    urgent = await svc.mail_in("m3@example.dk", "Min far slår mig og jeg tør ikke gå hjem.")
    [(status, action, _)] = await svc.bot_mails(urgent)
    # Safety beats the limit: the crisis contacts go, as this conversation's receipt.
    assert (status, action) == ("sent", "send_crisis_contacts")
    assert len(svc.mailbox.mails) == 2
    assert "112" in svc.mailbox.mails[-1]["text"]


async def test_the_limit_is_per_person_and_lifts_after_24_hours(
    engine: AsyncEngine, svc: Service
) -> None:
    first = await svc.mail_in("m1@example.dk", "Hej, jeg vil gerne høre om mine muligheder.")
    other = await svc.writer.store(
        InboundMessage("email", "bo@example.dk", "b1@example.dk", "Hej, jeg er Bo.")
    )
    await svc.outbox.run_once()
    [(status, _, _)] = await svc.bot_mails(other.conversation_id)
    assert status == "sent"  # someone else's receipt is not limited by Ida's

    await svc.close(first)
    async with engine.begin() as conn:
        await conn.execute(
            update(t.messages)
            .where(t.messages.c.conversation_id == first)
            .values(created_at=utcnow() - timedelta(hours=25))
        )
    later = await svc.mail_in("m2@example.dk", "Hej igen, jeg har et nyt spørgsmål.")
    [(status, _, _)] = await svc.bot_mails(later)
    assert status == "sent"


async def queue_bot_mail(engine: AsyncEngine, conversation_id: int, action: str) -> int:
    """A bot mail written as triage writes one: the message and its outbox item."""
    now = utcnow()
    async with engine.begin() as conn:
        message_id = (
            await conn.execute(
                insert(t.messages)
                .values(
                    conversation_id=conversation_id,
                    direction="out",
                    channel="email",
                    author_kind="bot",
                    body="Måske kan denne artikel hjælpe dig.",
                    internal=False,
                    status="queued",
                    attachments=[],
                    meta={"triage_action": action, "language": "da"},
                    created_at=now,
                )
                .returning(t.messages.c.id)
            )
        ).scalar_one()
        await queue_for_sending(conn, message_id, "email", now)
    return int(message_id)


async def test_after_the_receipt_no_other_automatic_mail_goes_that_day(
    engine: AsyncEngine, svc: Service
) -> None:
    first = await svc.mail_in("m1@example.dk", "Hej, jeg vil gerne høre om mine muligheder.")
    for action in ("offer_self_help", "ask_question"):
        await queue_bot_mail(engine, first, action)
        await svc.outbox.run_once()
        assert (await svc.bot_mails(first))[-1][0] == "failed"
    assert len(svc.mailbox.mails) == 1


async def test_of_two_automatic_mails_queued_together_only_the_earlier_counts(
    engine: AsyncEngine, svc: Service
) -> None:
    """Two nodes sending at once: whichever is checked first, the later one is held."""
    receipt = await svc.writer.store(InboundMessage("email", PERSON, "m1@example.dk", "Hej."))
    earlier = await queue_bot_mail(engine, receipt.conversation_id, "offer_self_help")
    later = await queue_bot_mail(engine, receipt.conversation_id, "offer_self_help")

    def outbound(message_id: int) -> OutboundMessage:
        return OutboundMessage(
            message_id, receipt.conversation_id, "email", PERSON, "x", "bot", None, ""
        )

    assert (await thread_context(engine, outbound(later))).automatic_today >= 1
    # The earlier one counts neither the later one nor a failed one (here triage's own
    # first mail, which is still queued before both).
    m = t.messages
    async with engine.begin() as conn:
        await conn.execute(
            update(m).where(m.c.id < earlier, m.c.author_kind == "bot").values(status="failed")
        )
    assert (await thread_context(engine, outbound(earlier))).automatic_today == 0
