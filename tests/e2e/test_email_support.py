"""Shared by the e-mail end-to-end tests (no tests here): a node with our SMTP listener,
an aiosmtpd sink standing in for the outgoing relay, and helpers for the REST API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import aiosmtplib
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.clients import Counsellor
from tests.support.server import ServerProcess, free_port

SERVICE = "vejledning@example.org"
PASSWORD = "correct-horse-battery"
DATA = Path(__file__).resolve().parents[1] / "data" / "email"
FIRST = "Hej, jeg vil gerne høre lidt om mine muligheder."


class Sink:
    """The outgoing relay: keeps every mail the service sends."""

    def __init__(self) -> None:
        self.mails: list[EmailMessage] = []
        self.changed = asyncio.Condition()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        mail = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(mail, EmailMessage)
        async with self.changed:
            self.mails.append(mail)
            self.changed.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.mails if m["To"].addresses[0].addr_spec == address]

    async def wait_for(
        self, predicate: Callable[[EmailMessage], bool], limit_s: float = 15
    ) -> EmailMessage:
        """The first mail sent that matches, once there is one."""
        async with asyncio.timeout(limit_s), self.changed:
            while not any(predicate(m) for m in self.mails):
                await self.changed.wait()
        return next(m for m in self.mails if predicate(m))

    async def wait_count(self, address: str, count: int, limit_s: float = 15) -> list[EmailMessage]:
        async with asyncio.timeout(limit_s), self.changed:
            while len(self.to(address)) < count:
                await self.changed.wait()
        return self.to(address)


@dataclass
class MailNode:
    server: ServerProcess
    sink: Sink
    smtp_port: int

    async def send(
        self, mail: EmailMessage, sender: str | None = None, recipients: list[str] | None = None
    ) -> None:
        await aiosmtplib.send(
            mail,
            hostname="127.0.0.1",
            port=self.smtp_port,
            sender=sender,
            recipients=recipients,
            start_tls=False,
        )


@asynccontextmanager
async def mail_node(
    workdir: Path, env: dict[str, str] | None = None, sink: Sink | None = None
) -> AsyncIterator[MailNode]:
    """A server process with the SMTP listener on, relaying out through a sink."""
    sink = sink or Sink()
    sink_port = free_port()
    relay = await asyncio.get_running_loop().create_server(
        lambda: SMTP(sink, hostname="relay.test"), "127.0.0.1", sink_port
    )
    smtp_port = free_port()
    server = ServerProcess(
        workdir,
        {
            "EGUIDANCE_EMAIL__LISTEN_PORT": str(smtp_port),
            "EGUIDANCE_EMAIL__SMTP_HOST": "127.0.0.1",
            "EGUIDANCE_EMAIL__SMTP_PORT": str(sink_port),
            "EGUIDANCE_EMAIL__SMTP_TLS": "none",
            "EGUIDANCE_OUTBOX__POLL_INTERVAL_S": "0.2",
            **(env or {}),
        },
    )
    server.add_user("anna@example.org", PASSWORD, "counsellor")
    try:
        await asyncio.to_thread(server.start)
        yield MailNode(server, sink, smtp_port)
    finally:
        server.stop()
        relay.close()
        await relay.wait_closed()


@asynccontextmanager
async def logged_in(node: MailNode) -> AsyncIterator[Counsellor]:
    counsellor = Counsellor(node.server.url, "anna@example.org", PASSWORD)
    try:
        await counsellor.login()
        yield counsellor
    finally:
        await counsellor.close()


def person_mail(
    text: str,
    subject: str = "Spørgsmål om uddannelse",
    in_reply_to: str | None = None,
    sender: str = "Mette Ærø <Mette.Aero@Example.DK>",
    to: str = f"eGuidance <{SERVICE}>",
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="example.dk")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    mail.set_content(text)
    return mail


def body_of(mail: EmailMessage, subtype: str) -> str:
    """The text of the mail's plain or html part."""
    part = mail.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return str(part.get_content())


async def email_conversations(anna: Counsellor) -> list[dict[str, Any]]:
    """Every e-mail conversation, open or closed, with its messages, oldest first."""
    status, body = await anna.request("GET", "/api/conversations")
    assert status == 200, body
    found = []
    for item in sorted(body["items"], key=lambda i: i["conversation_id"]):
        if item["channel"] == "email":
            status, conversation = await anna.request(
                "GET", f"/api/conversations/{item['conversation_id']}"
            )
            assert status == 200
            found.append(dict(conversation))
    return found


async def email_conversation(anna: Counsellor) -> dict[str, Any]:
    status, body = await anna.request("GET", "/api/conversations")
    assert status == 200, body
    found = [c for c in body["items"] if c["channel"] == "email"]
    assert len(found) == 1, found
    status, conversation = await anna.request(
        "GET", f"/api/conversations/{found[0]['conversation_id']}"
    )
    assert status == 200
    return dict(conversation)


async def wait_messages(
    anna: Counsellor, predicate: Callable[[list[dict[str, Any]]], bool], limit_s: float = 10
) -> dict[str, Any]:
    async with asyncio.timeout(limit_s):
        while True:
            conversation = await email_conversation(anna)
            if predicate(conversation["messages"]):
                return conversation
            await asyncio.sleep(0.2)


async def wait_until(probe: Callable[[], Any], limit_s: float = 10, interval_s: float = 0.2) -> Any:
    """Await probe() until it returns something truthy, and return that."""
    async with asyncio.timeout(limit_s):
        while True:
            value = await probe()
            if value:
                return value
            await asyncio.sleep(interval_s)
