"""SMS through Twilio's webhooks and REST API (a fake on loopback), against the real server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.support.clients import Counsellor
from tests.support.fake_twilio import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    FROM_NUMBER,
    FakeTwilio,
    Webhooks,
    twilio_env,
)
from tests.support.server import ServerProcess

PASSWORD = "correct-horse-battery"
PERSON = "+4512345678"


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    fake = await FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    yield fake
    await fake.stop()


@pytest.fixture
def node_env() -> dict[str, str]:
    return {}


@pytest.fixture
def sms_server(
    tmp_path: Path, fake_twilio: FakeTwilio, node_env: dict[str, str]
) -> Iterator[ServerProcess]:
    node = ServerProcess(tmp_path / "node", env={**twilio_env(fake_twilio), **node_env})
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    node.start()
    yield node
    node.stop()


@pytest.fixture
def hooks(sms_server: ServerProcess) -> Webhooks:
    return Webhooks(sms_server.url)


@pytest.fixture
async def anna(sms_server: ServerProcess) -> AsyncIterator[Counsellor]:
    counsellor = await Counsellor(sms_server.url, "anna@example.org", PASSWORD).login()
    yield counsellor
    await counsellor.close()


async def conversation_of(anna: Counsellor, text: str) -> dict[str, Any]:
    """The conversation holding an inbound message with this text (waits for it)."""
    for _ in range(100):
        status, queue = await anna.request("GET", "/api/queue")
        assert status == 200
        for item in queue["items"]:
            status, detail = await anna.request(
                "GET", f"/api/conversations/{item['conversation_id']}"
            )
            if any(m["text"] == text for m in detail["messages"]):
                return dict(detail)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no conversation in the queue has {text!r}")


async def wait_message(
    anna: Counsellor, conversation_id: int, predicate: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    for _ in range(100):
        status, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
        assert status == 200
        for message in detail["messages"]:
            if predicate(message):
                return dict(message)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no such message in conversation {conversation_id}: {detail}")


async def test_sms_conversation_from_first_text_to_a_delivered_counsellor_reply(
    hooks: Webhooks, fake_twilio: FakeTwilio, anna: Counsellor
) -> None:
    # A local spelling of the number: stored as E.164.
    await hooks.sms("12 34 56 78", "Hej")
    question = await fake_twilio.wait_for_sms(lambda s: s.to == PERSON)
    assert question.from_ == FROM_NUMBER and question.body
    assert question.status_callback == hooks.base_url + "/hooks/twilio/sms/status"

    await hooks.sms(PERSON, "Jeg vil gerne tale med en vejleder")
    detail = await conversation_of(anna, "Jeg vil gerne tale med en vejleder")
    conversation_id = detail["id"]
    assert detail["channel"] == "sms"
    status, _ = await anna.request("POST", f"/api/conversations/{conversation_id}/claim")
    assert status == 200
    status, reply = await anna.request(
        "POST",
        f"/api/conversations/{conversation_id}/messages",
        json={"text": "Hej, jeg hedder Anna. Hvad interesserer dig?"},
    )
    assert status == 201
    sent = await fake_twilio.wait_for_sms(lambda s: s.body.startswith("Hej, jeg hedder Anna"))
    assert (sent.to, sent.from_) == (PERSON, FROM_NUMBER)
    assert sent.status_callback == hooks.base_url + "/hooks/twilio/sms/status"
    message_id = reply["message"]["id"]
    await wait_message(
        anna, conversation_id, lambda m: m["id"] == message_id and m["status"] == "sent"
    )

    status, _ = await hooks.post(
        "/hooks/twilio/sms/status",
        {"MessageSid": sent.sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID},
    )
    assert status == 200
    await wait_message(
        anna, conversation_id, lambda m: m["id"] == message_id and m["status"] == "delivered"
    )
    # A late "sent" would move it backwards: accepted and ignored.
    status, _ = await hooks.post(
        "/hooks/twilio/sms/status", {"MessageSid": sent.sid, "MessageStatus": "sent"}
    )
    assert status == 200
    detail = (await anna.request("GET", f"/api/conversations/{conversation_id}"))[1]
    assert next(m for m in detail["messages"] if m["id"] == message_id)["status"] == "delivered"


async def test_a_repeated_message_sid_makes_one_message(hooks: Webhooks, anna: Counsellor) -> None:
    text = "Jeg vil gerne tale med en vejleder om SU"
    sid = await hooks.sms(PERSON, text)
    await hooks.sms(PERSON, text, sid=sid)
    detail = await conversation_of(anna, text)
    assert [m["text"] for m in detail["messages"] if m["direction"] == "in"] == [text]


async def test_unknown_fields_and_media_are_accepted(hooks: Webhooks, anna: Counsellor) -> None:
    text = "Jeg vil gerne tale med en vejleder, her er mit CV"
    await hooks.sms(
        "+45 87 65 43 21",
        text,
        NumMedia="1",
        MediaUrl0="https://api.twilio.com/media/ME1",
        MediaContentType0="image/jpeg",
        SomeFieldTwilioAddsLater="x",
        FromCountry="DK",
    )
    detail = await conversation_of(anna, text)
    message = next(m for m in detail["messages"] if m["text"] == text)
    assert message["attachments"] == [
        {"url": "https://api.twilio.com/media/ME1", "content_type": "image/jpeg"}
    ]


async def test_wrong_or_missing_signature_is_403_and_missing_fields_400(
    hooks: Webhooks, sms_server: ServerProcess
) -> None:
    form = {"MessageSid": "SMbad", "From": PERSON, "Body": "hej"}
    assert (await hooks.post("/hooks/twilio/sms", form, sign=False))[0] == 403
    assert (await hooks.post("/hooks/twilio/sms", form, signature="bm90IGl0"))[0] == 403
    # Signed for another URL (what aiohttp would see behind a proxy) does not count.
    other = Webhooks("http://internal:9999")
    signature = other.validator.compute_signature("http://internal:9999/hooks/twilio/sms", form)
    assert (await hooks.post("/hooks/twilio/sms", form, signature=signature))[0] == 403
    # Signed with another token does not count.
    forged = Webhooks(sms_server.url, auth_token="not-the-token")
    assert (await forged.post("/hooks/twilio/sms", form))[0] == 403
    assert (await hooks.post("/hooks/twilio/sms/status", {"MessageSid": "SMx"}, sign=False))[
        0
    ] == 403
    assert (await hooks.post("/hooks/twilio/sms", {"From": PERSON, "Body": "x"}))[0] == 400
    assert (await hooks.post("/hooks/twilio/sms", {"MessageSid": "SM2", "Body": "x"}))[0] == 400
    big = {"MessageSid": "SM3", "From": PERSON, "Body": "x" * 70_000}
    assert (await hooks.post("/hooks/twilio/sms", big))[0] == 413
    assert "refused" in sms_server.log_tail(80)


async def test_repeated_form_keys_are_signed_as_twilio_signs_them(hooks: Webhooks) -> None:
    form = [
        ("MessageSid", "SMrepeat"),
        ("From", PERSON),
        ("Body", "Jeg vil gerne tale med en vejleder"),
        ("Tag", "b"),
        ("Tag", "a"),
    ]
    status, body = await hooks.post("/hooks/twilio/sms", form)
    assert status == 200, body


async def test_status_for_an_unknown_message_is_404(
    hooks: Webhooks, sms_server: ServerProcess
) -> None:
    status, _ = await hooks.post(
        "/hooks/twilio/sms/status", {"MessageSid": "SMnobody", "MessageStatus": "delivered"}
    )
    assert status == 404
    assert "unknown message SMnobody" in sms_server.log_tail()


async def test_help_is_answered_in_danish_and_english(hooks: Webhooks) -> None:
    status, text = await hooks.post(
        "/hooks/twilio/sms", {"MessageSid": "SMhelp", "From": PERSON, "Body": "help"}
    )
    assert status == 200
    root = ElementTree.fromstring(text)
    assert [child.tag for child in root] == ["Message"]
    reply = root[0].text or ""
    assert "eGuidance" in reply and "døgnåbent" in reply and "open around the clock" in reply
    assert "70 201 201" in reply


async def test_stop_then_a_counsellor_reply_is_refused_with_a_clear_reason(
    hooks: Webhooks, fake_twilio: FakeTwilio, anna: Counsellor
) -> None:
    text = "Jeg vil gerne tale med en vejleder om at skifte uddannelse"
    await hooks.sms(PERSON, text)
    conversation_id = (await conversation_of(anna, text))["id"]
    await hooks.sms(PERSON, "Stop")
    sent_before = len(fake_twilio.sent)
    status, reply = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "Hej?"}
    )
    assert status == 201
    failed = await wait_message(
        anna,
        conversation_id,
        lambda m: m["id"] == reply["message"]["id"] and m["status"] == "failed",
    )
    assert "opted out" in failed["error"]
    assert len(fake_twilio.sent) == sent_before

    # START lets messages through again.
    await hooks.sms(PERSON, "START")
    status, reply = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "Velkommen"}
    )
    await fake_twilio.wait_for_sms(lambda s: s.body == "Velkommen")


async def test_twilio_21610_fails_the_message_and_opts_the_number_out(
    hooks: Webhooks, fake_twilio: FakeTwilio, anna: Counsellor
) -> None:
    text = "Jeg vil gerne tale med en vejleder om erhvervsuddannelser"
    await hooks.sms(PERSON, text)
    conversation_id = (await conversation_of(anna, text))["id"]
    await asyncio.sleep(0.5)  # any bot reply to the first text goes out first
    fake_twilio.fail_next(21610)
    attempts = fake_twilio.attempts
    status, reply = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "Hej!"}
    )
    failed = await wait_message(
        anna,
        conversation_id,
        lambda m: m["id"] == reply["message"]["id"] and m["status"] == "failed",
    )
    assert "21610" in failed["error"] and "opted out" in failed["error"]
    assert fake_twilio.attempts == attempts + 1
    # The number is now opted out: the next reply never reaches Twilio.
    status, again = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "Hallo?"}
    )
    assert status == 201
    refused = await wait_message(
        anna,
        conversation_id,
        lambda m: m["id"] == again["message"]["id"] and m["status"] == "failed",
    )
    assert "opted out" in refused["error"]
    assert fake_twilio.attempts == attempts + 1


@pytest.mark.parametrize("node_env", [{"EGUIDANCE_OUTBOX__BACKOFF_BASE_S": "0.1"}])
async def test_429_and_500_are_retried_by_the_outbox_until_sent(
    hooks: Webhooks, fake_twilio: FakeTwilio, anna: Counsellor
) -> None:
    text = "Jeg vil gerne tale med en vejleder om SU og økonomi"
    await hooks.sms(PERSON, text)
    conversation_id = (await conversation_of(anna, text))["id"]
    await asyncio.sleep(0.5)
    fake_twilio.fail_next(20429, times=2)
    fake_twilio.fail_next(20500)
    attempts = fake_twilio.attempts
    status, reply = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "Prøv igen"}
    )
    assert status == 201
    sms = await fake_twilio.wait_for_sms(lambda s: s.body == "Prøv igen")
    assert fake_twilio.attempts == attempts + 4
    await wait_message(
        anna,
        conversation_id,
        lambda m: m["id"] == reply["message"]["id"] and m["status"] == "sent",
    )
    assert sms.to == PERSON


async def test_a_reply_over_1600_characters_is_refused_before_sending(
    hooks: Webhooks, fake_twilio: FakeTwilio, anna: Counsellor
) -> None:
    text = "Jeg vil gerne tale med en vejleder om gymnasiet"
    await hooks.sms(PERSON, text)
    conversation_id = (await conversation_of(anna, text))["id"]
    await asyncio.sleep(0.5)
    attempts = fake_twilio.attempts
    before = (await anna.request("GET", f"/api/conversations/{conversation_id}"))[1]
    status, body = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "x" * 1601}
    )
    assert status == 400, body
    assert body["error"]["code"] == "too_long"
    assert "1600" in body["error"]["message"] and "1601" in body["error"]["message"]
    # Nothing stored, nothing claimed, nothing sent.
    after = (await anna.request("GET", f"/api/conversations/{conversation_id}"))[1]
    assert [m["id"] for m in after["messages"]] == [m["id"] for m in before["messages"]]
    assert after["status"] == before["status"]
    assert fake_twilio.attempts == attempts
    # Exactly 1,600 characters is allowed.
    status, body = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "y" * 1600}
    )
    assert status == 201, body
    await fake_twilio.wait_for_sms(lambda s: s.body == "y" * 1600)


async def test_segments_route_needs_a_login(anna: Counsellor, sms_server: ServerProcess) -> None:
    status, body = await anna.request("GET", "/api/sms/segments", params={"text": "Hej æøå"})
    assert status == 200
    assert body["encoding"] == "GSM-7" and body["segments"] == 1
    anna.token = ""
    status, _ = await anna.request("GET", "/api/sms/segments", params={"text": "x"})
    assert status == 401
