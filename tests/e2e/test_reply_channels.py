"""A counsellor answers on another known address of the person, and sets an e-mail's
subject: a chat answered by SMS through (fake) Twilio, a mail with the counsellor's
subject through the relay; another person's address, an opted-out number, a
subject on an SMS and an SMS over the channel's limit are refused before storing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_email_support import (
    body_of,
    logged_in,
    mail_node,
    person_mail,
    wait_messages,
    wait_until,
)
from tests.e2e.test_sms import PASSWORD, PERSON, conversation_of, wait_message
from tests.support.clients import Counsellor, Visitor
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, Webhooks, twilio_env
from tests.support.server import ServerProcess

OTHER_PERSON = "+4598765432"
CHAT_TEXT = "Hej, jeg vil gerne tale med en vejleder om gymnasiet"
SMS_TEXT = "Jeg vil gerne tale med en vejleder om SU"
OTHER_TEXT = "Jeg vil gerne tale med en vejleder om erhvervsuddannelser"
REPLY = "Hej, det er Anna. Jeg skriver her på SMS, så du kan svare, når det passer dig."


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    twilio = await FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    yield twilio
    await twilio.stop()


@pytest.fixture
def node(tmp_path: Path, fake: FakeTwilio) -> Iterator[ServerProcess]:
    server = ServerProcess(
        tmp_path / "node", env={**twilio_env(fake), "EGUIDANCE_OUTBOX__POLL_INTERVAL_S": "0.2"}
    )
    server.add_user("anna@example.org", PASSWORD, "counsellor")
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def anna(node: ServerProcess) -> AsyncIterator[Counsellor]:
    counsellor = await Counsellor(node.url, "anna@example.org", PASSWORD).login()
    yield counsellor
    await counsellor.close()


async def addresses(anna: Counsellor, conversation_id: int) -> list[dict[str, Any]]:
    status, body = await anna.request("GET", f"/api/conversations/{conversation_id}/addresses")
    assert status == 200, body
    return list(body["items"])


async def reply(anna: Counsellor, conversation_id: int, **body: Any) -> tuple[int, Any]:
    return await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": REPLY, **body}
    )


async def test_a_chat_is_answered_by_sms_to_the_persons_known_number(
    node: ServerProcess, fake: FakeTwilio, anna: Counsellor
) -> None:
    visitor = await Visitor(node.url).connect()
    try:
        await visitor.send(CHAT_TEXT)
        chat = await conversation_of(anna, CHAT_TEXT)
        hooks = Webhooks(node.url)
        await hooks.sms(PERSON, SMS_TEXT)
        texted = await conversation_of(anna, SMS_TEXT)
        await hooks.sms(OTHER_PERSON, OTHER_TEXT)
        other = await conversation_of(anna, OTHER_TEXT)
        # The counsellor learns the chat and the texts are one person: one contact.
        status, merged = await anna.request(
            "POST",
            f"/api/contacts/{chat['contact']['id']}/merge",
            json={"other_id": texted["contact"]["id"]},
        )
        assert status == 200, merged

        listed = await addresses(anna, chat["id"])
        assert {(a["channel"], a["default"]) for a in listed} >= {("chat", True), ("sms", False)}
        number = next(a for a in listed if a["channel"] == "sms")
        assert number["address"] == PERSON and number["sendable"]
        other_number = (await addresses(anna, other["id"]))[0]

        # Refused before anything is stored: another person's number, a subject on an
        # SMS, a text over the SMS limit (its channel's check, not the chat's).
        sent_before = len(fake.sent)
        status, body = await reply(anna, chat["id"], address_id=other_number["id"])
        assert status == 400 and body["error"]["code"] == "address_not_of_contact"
        status, body = await reply(anna, chat["id"], address_id=number["id"], subject="Hej")
        assert status == 400 and body["error"]["code"] == "subject_not_supported"
        status, body = await anna.request(
            "POST",
            f"/api/conversations/{chat['id']}/messages",
            json={"text": "x" * 1700, "address_id": number["id"]},
        )
        assert status == 400 and body["error"]["code"] == "too_long"
        status, body = await reply(anna, chat["id"], address_id="7")
        assert status == 400

        status, body = await reply(anna, chat["id"], address_id=number["id"])
        assert status == 201, body
        assert body["message"]["channel"] == "sms"
        sms = await fake.wait_for_sms(lambda s: s.body == REPLY)
        assert sms.to == PERSON
        shown = await wait_message(
            anna,
            chat["id"],
            lambda m: m["id"] == body["message"]["id"] and m["status"] == "sent",
        )
        assert shown["channel"] == "sms" and shown["direction"] == "out"
        assert shown["meta"]["to"] == PERSON  # the timeline says where it went
        _, detail = await anna.request("GET", f"/api/conversations/{chat['id']}")
        assert detail["assignee_id"] is not None  # answering claimed it
        assert len(fake.sent) == sent_before + 1

        # The person answers the SMS: it lands where the counsellor wrote from.
        answer = "Tak, det passer fint i morgen"
        await hooks.sms(PERSON, answer)
        await wait_message(
            anna, chat["id"], lambda m: m["text"] == answer and m["direction"] == "in"
        )
        _, texted_now = await anna.request("GET", f"/api/conversations/{texted['id']}")
        assert all(m["text"] != answer for m in texted_now["messages"])

        # The person texts STOP: that number is refused with a clear 409.
        await hooks.sms(PERSON, "STOP")
        status, body = await reply(anna, chat["id"], address_id=number["id"])
        assert status == 409 and body["error"]["code"] == "opted_out"
        assert not next(a for a in await addresses(anna, chat["id"]) if a["id"] == number["id"])[
            "sendable"
        ]
        assert len(fake.sent) == sent_before + 1
    finally:
        await visitor.disconnect()


async def test_an_email_reply_goes_out_with_the_counsellors_subject(tmp_path: Path) -> None:
    subject = "Om din ansøgning til gymnasiet"
    async with mail_node(tmp_path / "node") as node, logged_in(node) as anna:
        await node.send(person_mail("Jeg vil gerne tale med en vejleder om gymnasiet."))
        conversation = await wait_messages(anna, bool)
        status, body = await reply(anna, conversation["id"], subject=f"  {subject} ")
        assert status == 201, body
        mail = await node.sink.wait_for(lambda m: "det er Anna" in body_of(m, "plain"))
        # The counsellor's subject, with the service's reply tag for threading.
        assert re.fullmatch(re.escape(subject) + r" \[#[^\]]+\]", str(mail["Subject"]))
        assert mail["To"].addresses[0].addr_spec.lower() == "mette.aero@example.dk"

        async def shown() -> dict[str, Any] | None:
            _, detail = await anna.request("GET", f"/api/conversations/{conversation['id']}")
            found = next(m for m in detail["messages"] if m["id"] == body["message"]["id"])
            return found if found["status"] == "sent" else None

        message = await wait_until(shown)
        assert message["meta"]["subject"] == subject

        # A subject has to be one line.
        status, body = await reply(anna, conversation["id"], subject="a\r\nBcc: x@example.org")
        assert status == 400 and body["error"]["code"] == "invalid_subject"
