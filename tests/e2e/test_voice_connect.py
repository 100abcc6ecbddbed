"""A counsellor takes a call: a waiting caller put through, a call-back placed, both recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
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
ANNA_PHONE = "+4540506070"


@dataclass
class Setup:
    node: ServerProcess
    fake: FakeTwilio
    hooks: Webhooks
    anna: Counsellor
    bo: Counsellor


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    fake = await FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    node = ServerProcess(tmp_path / "node", env=twilio_env(fake))
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    node.add_user("bo@example.org", PASSWORD, "counsellor")
    node.start()
    anna = await Counsellor(node.url, "anna@example.org", PASSWORD).login()
    bo = await Counsellor(node.url, "bo@example.org", PASSWORD).login()
    yield Setup(node, fake, Webhooks(node.url), anna, bo)
    await anna.close()
    await bo.close()
    node.stop()
    await fake.stop()


async def twiml(s: Setup, url: str, form: dict[str, str]) -> ElementTree.Element:
    status, text = await s.hooks.post(url.removeprefix(s.node.url), form)
    assert status == 200, text
    return ElementTree.fromstring(text)


async def queued_conversation(s: Setup, want_urgent: bool = False) -> int:
    for _ in range(50):
        status, queue = await s.anna.request("GET", "/api/queue")
        assert status == 200
        items = [i for i in queue["items"] if i["channel"] == "voice"]
        if items:
            assert items[0]["urgent"] is want_urgent
            return int(items[0]["conversation_id"])
        await asyncio.sleep(0.1)
    raise AssertionError("no phone conversation in the queue")


async def timeline(s: Setup, conversation_id: int, want: str) -> list[str]:
    for _ in range(50):
        status, detail = await s.anna.request("GET", f"/api/conversations/{conversation_id}")
        assert status == 200
        texts = [m["text"] for m in detail["messages"]]
        if any(want in text for text in texts):
            return texts
        await asyncio.sleep(0.1)
    raise AssertionError(f"{want!r} not in the timeline: {texts}")


def dial_of(root: ElementTree.Element) -> ElementTree.Element:
    dial = root.find("Dial")
    assert dial is not None, ElementTree.tostring(root)
    return dial


async def test_waiting_caller_is_put_through_to_the_counsellor(setup: Setup) -> None:
    s, caller, call_sid, queue_sid = setup, "+4523456789", "CA" + "a" * 32, "QU" + "b" * 32
    form = {"CallSid": call_sid, "AccountSid": ACCOUNT_SID, "From": caller, "To": FROM_NUMBER}
    root = await twiml(s, "/hooks/twilio/voice/menu?lang=en", {**form, "Digits": "1"})
    wait_url = root.find("Enqueue").get("waitUrl")  # type: ignore[union-attr]
    await twiml(s, wait_url or "", {**form, "QueueSid": queue_sid, "QueuePosition": "1"})
    conversation_id = await queued_conversation(s)
    path = f"/api/conversations/{conversation_id}/call"

    stranger = Counsellor(s.node.url, "nobody@example.org", "-")
    try:
        status, _ = await stranger.request("POST", path, json={"to": ANNA_PHONE})
    finally:
        await stranger.close()
    assert status == 401
    status, body = await s.anna.request("POST", path, json={"to": ANNA_PHONE})
    assert status == 409 and body["error"]["code"] == "not_yours"  # not claimed yet
    status, _ = await s.anna.request("POST", f"/api/conversations/{conversation_id}/claim")
    assert status == 200
    status, body = await s.bo.request("POST", path, json={"to": "+4599887766"})
    assert status == 409, body
    for bad in ("12", "not a number", "client:", "client:a b", 4512345678):
        status, body = await s.anna.request("POST", path, json={"to": bad})
        assert status == 400 and body["error"]["code"] == "bad_number", (bad, body)
    assert s.fake.calls == []

    status, body = await s.anna.request("GET", path)
    assert status == 200 and body["action"] == "connect" and body["call_sid"] == call_sid
    status, body = await s.anna.request("POST", path, json={"to": "40 50 60 70"})
    assert status == 201, body
    assert body == {"call_sid": call_sid, "action": "connect", "to": ANNA_PHONE}
    placed = await s.fake.wait_for_call()
    # This caller, out of this queue: not whoever is at the front.
    assert (placed.kind, placed.sid, placed.queue_sid) == ("dequeue", call_sid, queue_sid)
    assert placed.form["Method"] == "POST"
    assert (placed.url or "").startswith(s.node.url + "/hooks/twilio/voice/connect?lang=en")
    await timeline(s, conversation_id, "stilles om til Anna (+4540506070)")

    # Twilio fetches that URL for the caller's call: a line, then the counsellor's phone.
    root = await twiml(s, placed.url or "", form)
    assert [child.tag for child in root] == ["Say", "Dial"]
    dial = dial_of(root)
    assert dial.findtext("Number") == ANNA_PHONE and dial.get("callerId") == FROM_NUMBER
    left = await twiml(s, "/hooks/twilio/voice/left?lang=en", {**form, "QueueResult": "redirected"})
    assert list(left) == []  # no voicemail prompt for a caller who was put through

    # Anna did not pick up: the caller goes back into the queue, and it is recorded.
    action = dial.get("action") or ""
    missed = {**form, "DialCallSid": "CA" + "c" * 32, "DialCallStatus": "no-answer"}
    root = await twiml(s, action, missed)
    assert root.findtext("Enqueue") == "eguidance"
    texts = await timeline(s, conversation_id, "Anna tog ikke telefonen (no-answer).")
    assert "Opkaldet er sat tilbage i telefonkøen." in texts
    status, body = await s.anna.request("GET", path)
    assert body["action"] == "connect"

    # Second try: she answers, and the timeline shows how long they talked.
    status, _ = await s.anna.request("POST", path, json={"to": ANNA_PHONE})
    assert status == 201
    answered = {
        **form,
        "DialCallSid": "CA" + "d" * 32,
        "DialCallStatus": "completed",
        "DialCallDuration": "125",
    }
    root = await twiml(s, action, answered)
    assert [child.tag for child in root] == ["Hangup"]
    await timeline(s, conversation_id, "Samtale med Anna, varighed 125 s.")
    status, body = await s.anna.request("GET", path)
    assert body["action"] == "call_back"  # the call is over: a new call is a call-back


async def test_callback_request_is_called_back_and_bridged(setup: Setup) -> None:
    s, caller, call_sid = setup, "+4531313131", "CA" + "e" * 32
    form = {"CallSid": call_sid, "AccountSid": ACCOUNT_SID, "From": caller, "To": FROM_NUMBER}
    await twiml(s, "/hooks/twilio/voice/wait-choice?lang=da", {**form, "Digits": "2"})
    root = await twiml(s, "/hooks/twilio/voice/left?lang=da", {**form, "QueueResult": "leave"})
    assert [child.tag for child in root] == ["Say", "Hangup"]
    conversation_id = await queued_conversation(s)
    await s.anna.request("POST", f"/api/conversations/{conversation_id}/claim")
    path = f"/api/conversations/{conversation_id}/call"
    status, body = await s.anna.request("GET", path)
    assert body["action"] == "call_back" and body["last_event"] == "callback"

    status, body = await s.anna.request("POST", path, json={"to": "client:counsellor-999"})
    assert status == 403 and "only your own" in body["error"]["message"]
    _, me = await s.anna.request("GET", "/api/me")
    own = f"client:counsellor-{me['id']}"
    status, body = await s.anna.request("POST", path, json={"to": own})
    assert status == 201 and body["action"] == "call_back", body
    placed = await s.fake.wait_for_call()
    assert placed.kind == "create" and placed.to == caller
    assert placed.form["From"] == FROM_NUMBER
    assert placed.form["StatusCallback"] == s.node.url + "/hooks/twilio/voice/status"
    url = placed.url or ""
    assert url.startswith(s.node.url + "/hooks/twilio/voice/bridge?lang=da")
    assert parse_qs(urlsplit(url).query)["to"] == [own]
    await timeline(s, conversation_id, f"Ringer op til +4531313131 for Anna ({own}).")

    # The person answers: Twilio fetches the bridge for the new call.
    out = {"CallSid": body["call_sid"], "AccountSid": ACCOUNT_SID, "Direction": "outbound-api"}
    out |= {"From": FROM_NUMBER, "To": caller}
    root = await twiml(s, url, {**out, "CallStatus": "in-progress"})
    assert "ringer dig op" in (root.findtext("Say") or "")
    assert dial_of(root).findtext("Client") == own.removeprefix("client:")

    status, _ = await s.hooks.post(
        "/hooks/twilio/voice/status", {**out, "CallStatus": "completed", "CallDuration": "61"}
    )
    assert status == 200
    second = {**out, "CallSid": "CA" + "f" * 32, "CallStatus": "no-answer"}
    status, _ = await s.hooks.post("/hooks/twilio/voice/status", second)
    assert status == 200
    texts = await timeline(s, conversation_id, "Opringning besvaret, varighed 61 s.")
    assert "Opringning ikke besvaret (no-answer)." in texts


@pytest.mark.parametrize(
    ("code", "status", "error"),
    [(21211, 400, "bad_number"), (20404, 409, "not_waiting"), (20500, 502, "provider_unavailable")],
)
async def test_twilio_errors_become_clear_answers(
    setup: Setup, code: int, status: int, error: str
) -> None:
    s, call_sid = setup, "CA" + "9" * 32
    form = {"CallSid": call_sid, "AccountSid": ACCOUNT_SID, "From": "+4522222222"}
    await twiml(s, "/hooks/twilio/voice/wait?lang=da", {**form, "QueueSid": "QU" + "1" * 32})
    conversation_id = await queued_conversation(s)
    await s.anna.request("POST", f"/api/conversations/{conversation_id}/claim")
    s.fake.fail_next(code)
    got, body = await s.anna.request(
        "POST", f"/api/conversations/{conversation_id}/call", json={"to": ANNA_PHONE}
    )
    assert (got, body["error"]["code"]) == (status, error), body
    assert s.fake.attempts == 1  # one attempt, no client retries
    _, detail = await s.anna.request("GET", f"/api/conversations/{conversation_id}")
    assert not any("stilles om" in m["text"] for m in detail["messages"])
