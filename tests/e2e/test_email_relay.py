"""The sender against a real SMTP relay on loopback (aiosmtpd), and sandbox mode."""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import AsyncIterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.email.sender import smtp_transport
from server.messages import SendError
from server.settings import EmailSettings
from tests.support.server import ServerProcess, free_port


class Relay:
    def __init__(self, answer: str = "250 OK") -> None:
        self.answer = answer
        self.received: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.received.append(envelope.original_content or b"")
        return self.answer


@pytest.fixture
async def relay() -> AsyncIterator[tuple[Relay, int]]:
    handler = Relay()
    port = free_port()
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(handler, hostname="relay.test"), "127.0.0.1", port
    )
    yield handler, port
    server.close()
    await server.wait_closed()


def mail() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "vejledning@example.org"
    message["To"] = "person@example.dk"
    message["Subject"] = "Re: test"
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content("Hej")
    return message


def settings(port: int, tls: str) -> EmailSettings:
    return EmailSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_tls=tls)


async def test_plain_relay_delivers(relay: tuple[Relay, int]) -> None:
    handler, port = relay
    await smtp_transport(settings(port, "none"))(mail())
    assert len(handler.received) == 1


async def test_starttls_is_never_silently_dropped(relay: tuple[Relay, int]) -> None:
    handler, port = relay
    with pytest.raises(SendError) as caught:
        await smtp_transport(settings(port, "starttls"))(mail())
    assert caught.value.code == "starttls_unavailable" and not caught.value.permanent
    assert handler.received == []


@pytest.mark.parametrize(
    ("answer", "permanent"), [("554 5.7.1 rejected", True), ("451 4.3.0 busy", False)]
)
async def test_relay_answers_map_to_permanent_or_temporary(
    relay: tuple[Relay, int], answer: str, permanent: bool
) -> None:
    handler, port = relay
    handler.answer = answer
    with pytest.raises(SendError) as caught:
        await smtp_transport(settings(port, "none"))(mail())
    assert caught.value.permanent is permanent


async def test_unreachable_relay_is_temporary() -> None:
    with pytest.raises(SendError) as caught:
        await smtp_transport(settings(free_port(), "none"))(mail())
    assert not caught.value.permanent


def test_unknown_tls_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="smtp_tls"):
        smtp_transport(settings(25, "maybe"))


async def test_sandbox_keeps_outgoing_mail_for_the_simulator(tmp_path: Path) -> None:
    smtp_port = free_port()
    server = ServerProcess(
        tmp_path / "node",
        {
            "EGUIDANCE_EMAIL__LISTEN_PORT": str(smtp_port),
            "EGUIDANCE_OUTBOX__POLL_INTERVAL_S": "0.2",
        },
    )
    await asyncio.to_thread(server.start)
    try:
        message = mail()
        message.replace_header("From", "Bo <bo@example.dk>")
        message.replace_header("To", "vejledning@example.org")
        message.set_content("Hej, jeg vil gerne høre lidt om mine muligheder.")
        await aiosmtplib.send(message, hostname="127.0.0.1", port=smtp_port)
        async with asyncio.timeout(10):
            while True:
                data = await asyncio.to_thread(_get_json, server.url + "/simulator/email.json")
                if data["mails"]:
                    break
                await asyncio.sleep(0.2)
        (sent,) = data["mails"]
        assert sent["to"] == "bo@example.dk"
        assert sent["headers"]["In-Reply-To"] == message["Message-ID"]
        assert "Vi har modtaget din mail" in sent["text"] and sent["html"]
    finally:
        server.stop()


def _get_json(url: str) -> dict[str, Any]:
    import json

    with urllib.request.urlopen(url, timeout=5) as response:
        return dict(json.loads(response.read()))
