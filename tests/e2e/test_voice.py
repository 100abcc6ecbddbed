"""Phone calls: the TwiML of every branch, checked verb by verb, and what calls store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.support.clients import Counsellor
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, Webhooks, twilio_env
from tests.support.server import ServerProcess

PASSWORD = "correct-horse-battery"
CALLER = "+4523456789"


@pytest.fixture
def node_env() -> dict[str, str]:
    return {}


@pytest.fixture
async def voice_server(tmp_path: Path, node_env: dict[str, str]) -> AsyncIterator[ServerProcess]:
    fake = await FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    node = ServerProcess(tmp_path / "node", env={**twilio_env(fake), **node_env})
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    node.start()
    yield node
    node.stop()
    await fake.stop()


class Call:
    def __init__(self, server: ServerProcess, sid: str = "CA" + "1" * 32) -> None:
        self.hooks = Webhooks(server.url)
        self.base = server.url
        self.sid = sid

    async def post(self, url_or_path: str, **fields: str) -> ElementTree.Element:
        path = url_or_path.removeprefix(self.base)
        form = {"CallSid": self.sid, "AccountSid": ACCOUNT_SID, "From": CALLER, **fields}
        status, text = await self.hooks.post(path, form)
        assert status == 200, text
        return ElementTree.fromstring(text)


def verbs(root: ElementTree.Element) -> list[str]:
    return [child.tag for child in root]


def said(node: ElementTree.Element) -> str:
    return " ".join(say.text or "" for say in node.iter("Say"))


async def conversation_texts(server: ServerProcess, want: str) -> dict[str, Any]:
    anna = await Counsellor(server.url, "anna@example.org", PASSWORD).login()
    try:
        for _ in range(50):
            for conversation_id in range(1, 5):
                status, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
                if status == 200 and any(want in m["text"] for m in detail["messages"]):
                    return dict(detail)
            await asyncio.sleep(0.1)
    finally:
        await anna.close()
    raise AssertionError(f"no conversation has {want!r}")


async def test_in_hours_greeting_language_menu_and_queue(voice_server: ServerProcess) -> None:
    call = Call(voice_server)
    root = await call.post("/hooks/twilio/voice", CallStatus="ringing")
    assert verbs(root) == ["Gather", "Redirect"]
    gather = root[0]
    assert gather.get("numDigits") == "1"
    assert [s.get("language") for s in gather.iter("Say")] == ["da-DK", "en-GB"]
    assert gather.get("action") == voice_server.url + "/hooks/twilio/voice/language"

    root = await call.post(gather.get("action") or "", Digits="2")
    assert verbs(root) == ["Gather", "Redirect"]
    # The opening hours, in the chosen language, before the menu (and pressable over).
    assert next(s.text for s in root[0].iter("Say")) == "Opening hours: open around the clock."
    assert "Press 3 if you need to talk to someone now" in said(root)
    menu_url = root[0].get("action") or ""
    assert menu_url.endswith("/hooks/twilio/voice/menu?lang=en")

    root = await call.post(menu_url, Digits="9")
    assert verbs(root) == ["Say", "Redirect"]

    for digit in ("1", "2"):
        root = await call.post(menu_url, Digits=digit)
        assert verbs(root) == ["Say", "Enqueue"]
        enqueue = root[1]
        assert enqueue.text == "eguidance"
        assert "/hooks/twilio/voice/wait?lang=en&topic=" in (enqueue.get("waitUrl") or "")
        assert (enqueue.get("action") or "").endswith("/hooks/twilio/voice/left?lang=en")

    # Danish by keypad 1, and Danish when nothing is pressed.
    root = await call.post("/hooks/twilio/voice/language", Digits="1")
    assert "Åbningstider: døgnåbent." in said(root)
    assert "Tryk 3 hvis du har brug for at tale med nogen nu" in said(root)


async def test_urgent_choice_reads_the_crisis_number_and_is_stored(
    voice_server: ServerProcess,
) -> None:
    call = Call(voice_server, "CA" + "3" * 32)
    root = await call.post("/hooks/twilio/voice/menu?lang=da", Digits="3")
    assert verbs(root) == ["Say", "Enqueue"]
    assert "70 201 201" in said(root)
    assert root[1].text == "eguidance-urgent"
    detail = await conversation_texts(voice_server, "Jeg har brug for at tale med nogen nu")
    assert detail["channel"] == "voice"


async def test_wait_loop_voicemail_and_callback(voice_server: ServerProcess) -> None:
    call = Call(voice_server, "CA" + "4" * 32)
    root = await call.post("/hooks/twilio/voice/wait?lang=da", QueuePosition="3", QueueTime="40")
    assert verbs(root) == ["Say", "Gather"]
    assert "nummer 3 i køen" in said(root)
    choice_url = root[1].get("action") or ""
    assert choice_url.endswith("/hooks/twilio/voice/wait-choice?lang=da")

    # Nothing useful pressed: back to waiting (an empty answer).
    assert verbs(await call.post(choice_url, Digits="7")) == []
    # 1: leave the queue for voicemail.
    assert verbs(await call.post(choice_url, Digits="1")) == ["Leave"]
    root = await call.post("/hooks/twilio/voice/left?lang=da", QueueResult="leave", QueueTime="50")
    assert verbs(root) == ["Say", "Record"]
    record = root[1]
    assert record.get("transcribe") == "true"
    assert (record.get("transcribeCallback") or "").endswith(
        "/hooks/twilio/voice/transcript?lang=da"
    )
    root = await call.post(
        record.get("action") or "",
        RecordingUrl="https://api.twilio.com/rec/RE1",
        RecordingSid="RE" + "1" * 32,
        RecordingDuration="12",
    )
    assert verbs(root) == ["Say", "Hangup"]
    status, _ = await call.hooks.post(
        "/hooks/twilio/voice/transcript?lang=da",
        {
            "CallSid": call.sid,
            "From": CALLER,
            "TranscriptionSid": "TR" + "1" * 32,
            "TranscriptionStatus": "completed",
            "TranscriptionText": "Hej, jeg vil gerne høre om erhvervsuddannelser",
            "RecordingSid": "RE" + "1" * 32,
        },
    )
    assert status == 200
    detail = await conversation_texts(voice_server, "gerne høre om erhvervsuddannelser")
    texts = [m["text"] for m in detail["messages"]]
    assert any(t.startswith("Talebesked (12 s)") for t in texts)
    voicemail = next(m for m in detail["messages"] if m["text"].startswith("Talebesked"))
    assert voicemail["attachments"][0]["url"] == "https://api.twilio.com/rec/RE1"

    # 2: a call-back instead of waiting.
    other = Call(voice_server, "CA" + "5" * 32)
    assert verbs(await other.post(choice_url, Digits="2")) == ["Leave"]
    root = await other.post("/hooks/twilio/voice/left?lang=en", QueueResult="leave")
    assert verbs(root) == ["Say", "Hangup"]
    assert "call you back" in said(root)
    await conversation_texts(voice_server, "beder om at blive ringet op")


async def test_leaving_the_queue_with_no_choice_asks_then_records_or_calls_back(
    voice_server: ServerProcess,
) -> None:
    call = Call(voice_server, "CA" + "a" * 32)
    # Left without pressing a key in the wait loop: asked, with a recording as fallback.
    root = await call.post("/hooks/twilio/voice/left?lang=en", QueueResult="leave")
    assert verbs(root) == ["Gather", "Record"]
    gather = root[0]
    assert gather.get("numDigits") == "1"
    assert (gather.get("action") or "").endswith("/hooks/twilio/voice/after-queue?lang=en")
    assert "Press 1 to leave a message, or 2 to be called back." in said(gather)
    assert (root[1].get("action") or "").endswith("/hooks/twilio/voice/recorded?lang=en")

    root = await call.post(gather.get("action") or "", Digits="1")
    assert verbs(root) == ["Say", "Record"]
    assert "Leave your message after the tone" in said(root)
    assert root[1].get("transcribe") == "true"

    other = Call(voice_server, "CA" + "b" * 32)
    root = await other.post("/hooks/twilio/voice/after-queue?lang=da", Digits="2")
    assert verbs(root) == ["Say", "Hangup"]
    assert "En vejleder ringer dig op" in said(root)
    detail = await conversation_texts(voice_server, "beder om at blive ringet op")
    assert detail["channel"] == "voice"


async def test_queue_results_and_call_status_are_recorded(voice_server: ServerProcess) -> None:
    call = Call(voice_server, "CA" + "6" * 32)
    root = await call.post("/hooks/twilio/voice/left?lang=da", QueueResult="hangup", QueueTime="95")
    assert verbs(root) == []
    status, _ = await call.hooks.post(
        "/hooks/twilio/voice/status",
        {"CallSid": call.sid, "From": CALLER, "CallStatus": "completed", "CallDuration": "97"},
    )
    assert status == 200
    status, _ = await call.hooks.post(
        "/hooks/twilio/voice/status",
        {"CallSid": "CA" + "7" * 32, "From": CALLER, "CallStatus": "no-answer"},
    )
    assert status == 200
    detail = await conversation_texts(voice_server, "afbrudt af den der ringede efter 95 s")
    texts = [m["text"] for m in detail["messages"]]
    assert "Opkald afsluttet, varighed 97 s." in texts
    assert "Ubesvaret opkald (no-answer)." in texts


async def test_unsigned_voice_hooks_are_refused(voice_server: ServerProcess) -> None:
    hooks = Webhooks(voice_server.url)
    status, _ = await hooks.post("/hooks/twilio/voice", {"CallSid": "CA1"}, sign=False)
    assert status == 403
    status, _ = await hooks.post("/hooks/twilio/voice/menu?lang=da", {"Digits": "3"}, sign=False)
    assert status == 403


@pytest.mark.parametrize("node_env", [{"EGUIDANCE_OPENING_HOURS__MODE": "closed"}])
async def test_out_of_hours_hours_crisis_number_and_recording(voice_server: ServerProcess) -> None:
    call = Call(voice_server, "CA" + "8" * 32)
    root = await call.post("/hooks/twilio/voice/language", Digits="1")
    assert verbs(root) == ["Say", "Record"]
    assert "lukket" in said(root) and "70 201 201" in said(root)
    assert root[1].get("transcribe") == "true"
    root = await call.post("/hooks/twilio/voice/language", Digits="2")
    assert "We are closed" in said(root)


@pytest.mark.parametrize("node_env", [{"EGUIDANCE_OPENING_HOURS__MODE": "closed"}])
async def test_a_voicemail_with_neutral_words_is_queued_without_a_bot_question(
    voice_server: ServerProcess,
) -> None:
    call = Call(voice_server, "CA" + "9" * 32)
    root = await call.post("/hooks/twilio/voice/language", Digits="1")
    record = root[1]
    await call.post(
        record.get("action") or "",
        RecordingUrl="https://api.twilio.com/rec/RE9",
        RecordingSid="RE" + "9" * 32,
        RecordingDuration="4",
    )
    status, _ = await call.hooks.post(
        (record.get("transcribeCallback") or "").removeprefix(voice_server.url),
        {
            "CallSid": call.sid,
            "From": CALLER,
            "TranscriptionSid": "TR" + "9" * 32,
            "TranscriptionStatus": "completed",
            # Words that on their own get a triage question ("hej" does, in any channel).
            "TranscriptionText": "Hej, det er Mads",
            "RecordingSid": "RE" + "9" * 32,
        },
    )
    assert status == 200
    detail = await conversation_texts(voice_server, "Hej, det er Mads")
    assert detail["status"] == "waiting"
    # Bot replies are written in the transaction that stores the message: none here.
    assert [m["direction"] for m in detail["messages"]] == ["in", "in"]
    assert all("Caller left a voicemail" in a["reasons"] for a in detail["assessments"])
    anna = await Counsellor(voice_server.url, "anna@example.org", PASSWORD).login()
    try:
        status, queue = await anna.request("GET", "/api/queue")
    finally:
        await anna.close()
    assert [i["conversation_id"] for i in queue["items"]] == [detail["id"]]
