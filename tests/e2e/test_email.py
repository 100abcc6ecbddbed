"""E-mail through the real server process: our SMTP listener receiving, an aiosmtpd
sink standing in for the outgoing relay, a counsellor on the REST API."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import pytest

from tests.e2e.test_email_support import (
    DATA,
    FIRST,
    SERVICE,
    MailNode,
    body_of,
    email_conversation,
    logged_in,
    mail_node,
    person_mail,
    wait_messages,
)
from tests.support.clients import Counsellor


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[MailNode]:
    async with mail_node(tmp_path / "node") as started:
        yield started


@pytest.fixture
async def anna(node: MailNode) -> AsyncIterator[Counsellor]:
    async with logged_in(node) as counsellor:
        yield counsellor


def send_null_sender(port: int, raw: bytes) -> None:
    """A bounce comes with an empty return path (MAIL FROM:<>)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.sendmail("", [SERVICE], raw)


async def test_mail_receipt_counsellor_reply_and_threaded_answer(
    node: MailNode, anna: Counsellor
) -> None:
    first = person_mail(FIRST)
    await node.send(first)
    (receipt,) = await node.sink.wait_count("mette.aero@example.dk", 1)
    assert receipt["In-Reply-To"] == first["Message-ID"]
    assert receipt["Auto-Submitted"] == "auto-replied"
    assert receipt["Subject"].startswith("Re: Spørgsmål om uddannelse [#")
    receipt_text = body_of(receipt, "plain")
    assert "Vi har modtaget din mail" in receipt_text and "70 201 201" in receipt_text
    assert receipt.get_body(("html",)) is not None

    conversation = await email_conversation(anna)
    assert conversation["messages"][0]["text"] == FIRST
    status, _ = await anna.request("POST", f"/api/conversations/{conversation['id']}/claim")
    assert status == 200
    status, _ = await anna.request(
        "POST",
        f"/api/conversations/{conversation['id']}/messages",
        json={"text": "Hej Mette\n\nHvad interesserer dig mest?"},
    )
    assert status == 201
    _, reply = await node.sink.wait_count("mette.aero@example.dk", 2)
    assert reply["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in reply["References"]
    assert reply["Auto-Submitted"] is None
    assert "Hvad interesserer dig mest?" in body_of(reply, "plain")
    assert "Hvad interesserer dig mest?" in body_of(reply, "html")
    assert reply["Message-ID"] != receipt["Message-ID"]

    answer = person_mail(
        "Jeg kan godt lide at arbejde med mennesker.\n\n"
        "Den 3. mar. 2025 kl. 10.12 skrev Anna:\n> Hvad interesserer dig mest?",
        subject="Re: Spørgsmål om uddannelse",
        in_reply_to=reply["Message-ID"],
    )
    await node.send(answer)
    conversation = await wait_messages(
        anna, lambda ms: ms[-1]["text"] == "Jeg kan godt lide at arbejde med mennesker."
    )
    sent = [m for m in conversation["messages"] if m["direction"] == "out"]
    assert all(m["status"] == "sent" for m in sent), sent
    await asyncio.sleep(1)
    assert len(node.sink.to("mette.aero@example.dk")) == 2  # no second receipt


async def test_out_of_office_reply_gets_no_automatic_answer(
    node: MailNode, anna: Counsellor
) -> None:
    await node.send(person_mail(FIRST))
    (receipt,) = await node.sink.wait_count("mette.aero@example.dk", 1)
    ooo = person_mail("Jeg er på ferie til og med 10. marts.", subject="Automatisk svar")
    ooo["In-Reply-To"] = receipt["Message-ID"]
    ooo["Auto-Submitted"] = "auto-replied"
    await node.send(ooo)
    await wait_messages(anna, lambda ms: any("ferie" in m["text"] for m in ms))
    await asyncio.sleep(2)
    assert len(node.sink.to("mette.aero@example.dk")) == 1


async def test_bounce_marks_the_outbound_message_failed(node: MailNode, anna: Counsellor) -> None:
    await node.send(person_mail(FIRST))
    (receipt,) = await node.sink.wait_count("mette.aero@example.dk", 1)
    # The relay has it before the outbox records it as sent: wait for that record.
    await wait_messages(
        anna, lambda ms: any(m["direction"] == "out" and m["status"] == "sent" for m in ms)
    )
    dsn = (
        (DATA / "bounce_dsn.eml")
        .read_bytes()
        .replace(b"<eguidance.42.a1b2c3d4e5f60718@example.org>", receipt["Message-ID"].encode())
    )
    await asyncio.to_thread(send_null_sender, node.smtp_port, dsn)
    conversation = await wait_messages(
        anna, lambda ms: any(m["direction"] == "out" and m["status"] == "failed" for m in ms)
    )
    failed = [m for m in conversation["messages"] if m["status"] == "failed"]
    assert "5.1.1" in (failed[0]["error"] or "")
    _, body = await anna.request("GET", "/api/conversations")
    assert len([c for c in body["items"] if c["channel"] == "email"]) == 1  # no new one


async def test_wrong_recipient_and_oversize_are_refused(node: MailNode) -> None:
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused) as refused:
        await aiosmtplib.send(
            person_mail("Hej"),
            recipients=["someone@example.org"],
            hostname="127.0.0.1",
            port=node.smtp_port,
        )
    assert refused.value.recipients[0].code == 550
    big = person_mail("x" * (11 * 1024 * 1024))
    with pytest.raises(aiosmtplib.SMTPResponseException) as oversize:
        await node.send(big)
    assert oversize.value.code == 552
