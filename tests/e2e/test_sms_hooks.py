"""SMS webhooks against the real server: the signature checked against public_url,
keywords stored before they are answered, a status callback that beats the sid,
and MMS media kept as attachments."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.e2e.test_sms import PASSWORD, PERSON, conversation_of, wait_message
from tests.support.clients import Counsellor
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, Webhooks, twilio_env
from tests.support.server import ServerProcess

PUBLIC_URL = "https://vejledning.example.test"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    twilio = await FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    yield twilio
    await twilio.stop()


@pytest.fixture
def node_env() -> dict[str, str]:
    return {}


@pytest.fixture
def node(tmp_path: Path, fake: FakeTwilio, node_env: dict[str, str]) -> Iterator[ServerProcess]:
    server = ServerProcess(tmp_path / "node", env={**twilio_env(fake), **node_env})
    server.add_user("anna@example.org", PASSWORD, "counsellor")
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def anna(node: ServerProcess) -> AsyncIterator[Counsellor]:
    counsellor = await Counsellor(node.url, "anna@example.org", PASSWORD).login()
    yield counsellor
    await counsellor.close()


async def conversation_with(anna: Counsellor, text: str) -> dict[str, Any]:
    """A conversation holding this text, queued or not (a fresh node: ids from 1)."""
    for _ in range(100):
        for conversation_id in range(1, 6):
            status, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
            if status == 200 and any(m["text"] == text for m in detail["messages"]):
                return dict(detail)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no conversation has {text!r}")


async def sent_settled(anna: Counsellor, conversation_id: int) -> None:
    """Waits until every outbound message of the conversation left the outbox."""
    for _ in range(100):
        _, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
        pending = [
            m for m in detail["messages"] if m["direction"] == "out" and m["status"] == "queued"
        ]
        if not pending:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"bot messages still queued in {conversation_id}")


@pytest.mark.parametrize("node_env", [{"EGUIDANCE_SERVER__PUBLIC_URL": PUBLIC_URL}])
async def test_signature_is_checked_against_public_url_not_the_url_aiohttp_sees(
    node: ServerProcess, fake: FakeTwilio
) -> None:
    hooks = Webhooks(node.url)
    form = {"MessageSid": "SMpublic1", "From": PERSON, "Body": "Hej"}  # asks a question
    for_public = hooks.validator.compute_signature(PUBLIC_URL + "/hooks/twilio/sms", form)
    for_loopback = hooks.validator.compute_signature(node.url + "/hooks/twilio/sms", form)
    # Posted to 127.0.0.1 (the proxy's side), signed for the public URL as Twilio signs.
    status, body = await hooks.post("/hooks/twilio/sms", form, signature=for_public)
    assert status == 200, body
    status, _ = await hooks.post("/hooks/twilio/sms", form, signature=for_loopback)
    assert status == 403
    assert f"does not match {PUBLIC_URL}/hooks/twilio/sms" in node.log_tail(20)
    # A voice hook with a query string: the path and query Twilio was given.
    path = "/hooks/twilio/voice/language?lang=en"
    call = {"CallSid": "CA" + "2" * 32, "From": PERSON, "Digits": "2"}
    signature = hooks.validator.compute_signature(PUBLIC_URL + path, call)
    status, text = await hooks.post(path, call, signature=signature)
    assert status == 200, text
    # The URLs the service gives Twilio are public ones too.
    assert (ElementTree.fromstring(text)[0].get("action") or "").startswith(PUBLIC_URL + "/")
    sent = await fake.wait_for_sms(lambda s: s.to == PERSON)
    assert sent.status_callback == PUBLIC_URL + "/hooks/twilio/sms/status"


async def test_help_stop_and_start_are_stored_before_answering_and_never_triaged(
    node: ServerProcess, fake: FakeTwilio, anna: Counsellor
) -> None:
    hooks = Webhooks(node.url)
    status, text = await hooks.post(
        "/hooks/twilio/sms", {"MessageSid": "SMhelp1", "From": PERSON, "Body": "HELP"}
    )
    assert status == 200 and hooks.last_content_type == "text/xml"
    assert [child.tag for child in ElementTree.fromstring(text)] == ["Message"]
    # Answered in the TwiML, and stored: the person's words are in the record.
    detail = await conversation_with(anna, "HELP")
    for word in ("OPTOUT", "START", "REVOKE"):
        await hooks.sms(PERSON, word)  # asserts an empty <Response/> as text/xml
    detail = await conversation_with(anna, "REVOKE")
    incoming = [m for m in detail["messages"] if m["direction"] == "in"]
    assert [m["text"] for m in incoming] == ["HELP", "OPTOUT", "START", "REVOKE"]
    # Keywords are for the channel: no triage question, no bot answer, no queue.
    assert [m["direction"] for m in detail["messages"]] == ["in"] * 4
    assert detail["status"] == "bot"
    assert not (await anna.request("GET", "/api/queue"))[1]["items"]
    assert not [s for s in fake.sent if s.to == PERSON]
    # REVOKE is an opt-out word: a counsellor's reply is refused without reaching Twilio.
    attempts = fake.attempts
    status, reply = await anna.request(
        "POST", f"/api/conversations/{detail['id']}/messages", json={"text": "Hej?"}
    )
    assert status == 201
    failed = await wait_message(
        anna, detail["id"], lambda m: m["id"] == reply["message"]["id"] and m["status"] == "failed"
    )
    assert "opted out" in failed["error"]
    assert fake.attempts == attempts


async def test_a_status_callback_before_the_sid_is_recorded_is_applied(
    node: ServerProcess, fake: FakeTwilio, anna: Counsellor
) -> None:
    hooks = Webhooks(node.url)
    text = "Jeg vil gerne tale med en vejleder om en ny uddannelse"
    await hooks.sms(PERSON, text)
    conversation_id = (await conversation_of(anna, text))["id"]
    await sent_settled(anna, conversation_id)
    fake.hold_creates()
    status, reply = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/messages", json={"text": "Hurtigt svar"}
    )
    assert status == 201
    # Twilio has the message and reports on it; the server does not know its sid yet.
    sent = await fake.wait_for_sms(lambda s: s.body == "Hurtigt svar")
    callback = asyncio.create_task(
        hooks.post(
            "/hooks/twilio/sms/status",
            {"MessageSid": sent.sid, "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID},
        )
    )
    waiting = f"sms status for {sent.sid} waits"
    for _ in range(200):  # until the server holds the callback (or answered it)
        if waiting in node.log_tail(30) or callback.done():
            break
        await asyncio.sleep(0.05)
    fake.release_creates()
    status, body = await callback
    assert status == 200, body
    await wait_message(
        anna,
        conversation_id,
        lambda m: m["id"] == reply["message"]["id"] and m["status"] == "delivered",
    )


async def test_mms_media_is_fetched_with_the_account_credentials_and_kept(
    node: ServerProcess, fake: FakeTwilio, anna: Counsellor
) -> None:
    hooks = Webhooks(node.url)
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    picture_url = fake.add_media(picture, "image/png")
    huge_url = fake.add_media(b"0" * (5 * 1024 * 1024 + 1), "video/mp4")
    text = "Jeg vil gerne tale med en vejleder, her er mit eksamensbevis"
    fake.media_open.clear()
    # Storing does not wait for the media: answered while Twilio holds it back.
    await hooks.sms(
        PERSON,
        text,
        NumMedia="2",
        MediaUrl0=picture_url,
        MediaContentType0="image/png",
        MediaUrl1=huge_url,
        MediaContentType1="video/mp4",
    )
    detail = await conversation_of(anna, text)
    message = next(m for m in detail["messages"] if m["text"] == text)
    assert [a["url"] for a in message["attachments"]] == [picture_url, huge_url]
    fake.media_open.set()
    kept = await wait_message(
        anna,
        detail["id"],
        lambda m: m["id"] == message["id"] and "index" in m["attachments"][0],
    )
    assert kept["attachments"][0] == {
        "url": picture_url,
        "content_type": "image/png",
        "index": 0,
        "size": len(picture),
        "filename": "mms-1.png",
    }
    # Over 5 MB: not kept, its Twilio URL stays.
    assert kept["attachments"][1] == {"url": huge_url, "content_type": "video/mp4"}
    async with anna.http.get(
        f"/api/messages/{message['id']}/attachments/0",
        headers={"Authorization": f"Bearer {anna.token}"},
    ) as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert await response.read() == picture
    assert fake.media_fetches == 2
