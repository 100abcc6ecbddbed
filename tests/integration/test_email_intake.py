"""Mail into the real SMTP listener (aiosmtpd on loopback), stored on real SQLite and
PostgreSQL: a storage failure answers 451 and a retry then lands; mail with an empty,
junk or someone else's Message-ID is never dropped as a duplicate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from email.message import EmailMessage

import aiosmtplib
import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from channels.email.listener import smtp_listener_ctx
from server import keys
from server import tables as t
from server.auth import TokenSigner
from server.centre import ContactCentre
from server.messages import InboundMessage
from server.metrics import Metrics
from server.settings import Settings
from tests.support.server import free_port

SERVICE = "vejledning@example.org"


class SilentNotifier:
    async def to_counsellors(self, *args: object) -> None: ...
    async def to_conversation(self, *args: object) -> None: ...


class FlakyCentre(ContactCentre):
    """The real centre, whose storage fails while `failing` is set (a database that
    is down for a moment)."""

    failing = False

    async def receive(self, inbound: InboundMessage):  # type: ignore[no-untyped-def]
        if self.failing:
            raise ConnectionError("database unavailable")
        return await super().receive(inbound)


@dataclass
class Listener:
    port: int
    centre: FlakyCentre

    async def send(self, raw: bytes | EmailMessage, sender: str = "person@example.dk") -> str:
        """Delivers over SMTP; the listener's final reply text."""
        _, reply = await aiosmtplib.send(
            raw,
            sender=sender,
            recipients=[SERVICE],
            hostname="127.0.0.1",
            port=self.port,
            start_tls=False,
        )
        return reply


@pytest.fixture
async def listener(engine: AsyncEngine, settings: Settings) -> AsyncIterator[Listener]:
    port = free_port()
    settings = replace(settings, email=replace(settings.email, address=SERVICE, listen_port=port))
    centre = FlakyCentre(engine, SilentNotifier(), settings, Metrics(), lambda: None)  # type: ignore[arg-type]
    app = web.Application()
    app[keys.settings] = settings
    app[keys.centre] = centre
    app[keys.signer] = TokenSigner("test-secret-key", 3600, 3600)
    serving = smtp_listener_ctx(app)
    await anext(serving)
    try:
        yield Listener(port, centre)
    finally:
        await anext(serving, None)
        await centre.writer.stop()  # its connection back before the engine goes


def mail(text: str, sender: str = "person@example.dk", message_id: str | None = None) -> bytes:
    headers = [f"From: {sender}", f"To: {SERVICE}", "Subject: Hej"]
    if message_id is not None:
        headers.append(f"Message-ID: {message_id}")
    return ("\r\n".join(headers) + "\r\n\r\n" + text + "\r\n").encode()


async def inbound_messages(engine: AsyncEngine) -> list[tuple[str, str | None]]:
    m = t.messages
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(m.c.body, m.c.provider_id).where(m.c.direction == "in").order_by(m.c.id)
        )
        return [(row.body, row.provider_id) for row in rows]


async def test_a_storage_failure_answers_451_and_the_retry_is_stored(
    listener: Listener, engine: AsyncEngine
) -> None:
    raw = mail("Hej, kan I hjælpe mig?", message_id="<retry-1@example.dk>")
    listener.centre.failing = True
    with pytest.raises(aiosmtplib.SMTPResponseException) as refused:
        await listener.send(raw)
    assert refused.value.code == 451  # temporary: the sending server keeps the mail
    assert await inbound_messages(engine) == []

    listener.centre.failing = False
    assert "received" in await listener.send(raw)
    assert await inbound_messages(engine) == [("Hej, kan I hjælpe mig?", "retry-1@example.dk")]
    # The sending server may deliver it once more; it is still one message.
    assert "already received" in await listener.send(raw)
    assert len(await inbound_messages(engine)) == 1


@pytest.mark.parametrize("junk", ["<>", "<<>>", "foo", "<a b@c>"])
async def test_mails_with_an_empty_or_junk_message_id_are_all_stored(
    listener: Listener, engine: AsyncEngine, junk: str
) -> None:
    await listener.send(mail("Første mail.", message_id=junk))
    await listener.send(mail("Anden mail.", "other@example.dk", message_id=junk))
    await listener.send(mail("Tredje mail.", message_id=junk))
    stored = await inbound_messages(engine)
    assert [body for body, _ in stored] == ["Første mail.", "Anden mail.", "Tredje mail."]
    assert all(str(id_).endswith("@no-message-id.invalid") for _, id_ in stored)


async def test_another_senders_message_id_does_not_drop_the_mail(
    listener: Listener, engine: AsyncEngine
) -> None:
    await listener.send(mail("Fra Mette.", "mette@example.dk", "<same@client.example>"))
    forged = mail("Fra Jonas.", "jonas@example.dk", "<same@client.example>")
    assert "2.0.0 OK: received" in await listener.send(forged, "jonas@example.dk")
    # The sending server retrying the same bytes is still recognised as a duplicate.
    assert "already received" in await listener.send(forged, "jonas@example.dk")
    # The first sender sending it again is a real duplicate.
    again = mail("Fra Mette.", "mette@example.dk", "<same@client.example>")
    assert "already received" in await listener.send(again, "mette@example.dk")
    stored = await inbound_messages(engine)
    assert [body for body, _ in stored] == ["Fra Mette.", "Fra Jonas."]
    assert stored[0][1] == "same@client.example"
    assert str(stored[1][1]).endswith("@no-message-id.invalid")


async def test_a_mail_reusing_one_of_our_outgoing_ids_is_stored(
    listener: Listener, engine: AsyncEngine
) -> None:
    await listener.send(mail("Hej.", "mette@example.dk", "<first@example.dk>"))
    m = t.messages
    async with engine.begin() as conn:
        conversation_id = (await conn.execute(select(m.c.conversation_id))).scalar_one()
        await conn.execute(
            m.insert().values(
                conversation_id=conversation_id,
                direction="out",
                channel="email",
                author_kind="bot",
                body="Tak for din mail.",
                internal=False,
                provider_id="eguidance.2.0123456789abcdef@example.org",
                status="sent",
                attachments=[],
                meta={},
            )
        )
    copied = mail("Hej igen.", "mette@example.dk", "<eguidance.2.0123456789abcdef@example.org>")
    assert "2.0.0 OK: received" in await listener.send(copied, "mette@example.dk")
    assert [body for body, _ in await inbound_messages(engine)] == ["Hej.", "Hej igen."]
