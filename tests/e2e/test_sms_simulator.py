"""Sandbox mode (no Twilio credentials): the simulator page, its inbound SMS and replies."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.clients import Counsellor
from tests.support.fake_twilio import Webhooks
from tests.support.server import ServerProcess

PASSWORD = "correct-horse-battery"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[ServerProcess]:
    node = ServerProcess(tmp_path / "node")
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    node.start()
    yield node
    node.stop()


async def simulator_token(http: aiohttp.ClientSession, base: str) -> str:
    async with http.get(base + "/simulator?language=en") as response:
        assert response.status == 200
        html = await response.text()
    assert "SMS and phone simulator" in html and "<script" in html
    assert 'src="/static/twilio/simulator.js"' in html
    match = re.search(r'name="simulator-token" content="([^"]+)"', html)
    assert match
    return match.group(1)


async def outbox(http: aiohttp.ClientSession, base: str, token: str) -> list[dict[str, Any]]:
    async with http.get(
        base + "/simulator/api/messages",
        params={"after": "0", "number": "+4522334455"},
        headers={"X-Simulator-Token": token},
    ) as response:
        assert response.status == 200
        return list((await response.json())["messages"])


async def test_simulator_round_trip(sandbox: ServerProcess) -> None:
    base = sandbox.url
    async with aiohttp.ClientSession() as http:
        token = await simulator_token(http, base)
        async with http.get(base + "/static/twilio/simulator.js") as response:
            assert response.status == 200
        # Without the page's token the simulator refuses (no cross-site posting).
        async with http.post(
            base + "/simulator/api/sms", json={"from": "22334455", "text": "x"}
        ) as response:
            assert response.status == 403
        text = "Jeg vil gerne tale med en vejleder om gymnasiet"
        async with http.post(
            base + "/simulator/api/sms",
            json={"from": "22 33 44 55", "text": text},
            headers={"X-Simulator-Token": token},
        ) as response:
            assert response.status == 201, await response.text()

        anna = await Counsellor(base, "anna@example.org", PASSWORD).login()
        try:
            status, queue = await anna.request("GET", "/api/queue")
            assert status == 200 and queue["items"][0]["channel"] == "sms"
            conversation_id = queue["items"][0]["conversation_id"]
            status, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
            assert detail["messages"][0]["text"] == text
            status, _ = await anna.request(
                "POST",
                f"/api/conversations/{conversation_id}/messages",
                json={"text": "Hej fra Anna"},
            )
            assert status == 201
        finally:
            await anna.close()
        for _ in range(50):
            messages = await outbox(http, base, token)
            if any(m["text"] == "Hej fra Anna" for m in messages):
                break
            await asyncio.sleep(0.1)
        assert messages[0]["direction"] == "in" and messages[0]["text"] == text
        reply = next(m for m in messages if m["text"] == "Hej fra Anna")
        assert reply["direction"] == "out" and reply["number"] == "+4522334455"


async def test_sandbox_hooks_refuse_unsigned_webhooks(sandbox: ServerProcess) -> None:
    hooks = Webhooks(sandbox.url, auth_token="anything")
    status, _ = await hooks.post("/hooks/twilio/sms", {"MessageSid": "SM1", "From": "+4511223344"})
    assert status == 403
    assert "sandbox mode" in sandbox.log_tail()


async def test_simulator_is_404_when_credentials_are_set(tmp_path: Path) -> None:
    node = ServerProcess(
        tmp_path / "creds",
        env={
            "EGUIDANCE_TWILIO__ACCOUNT_SID": "AC" + "1" * 32,
            "EGUIDANCE_TWILIO__AUTH_TOKEN": "secret",
            "EGUIDANCE_TWILIO__FROM_NUMBER": "+4570000000",
        },
    ).start()
    try:
        async with aiohttp.ClientSession() as http, http.get(node.url + "/simulator") as response:
            assert response.status == 404
    finally:
        node.stop()


async def simulated_call(
    http: aiohttp.ClientSession, base: str, token: str, **choices: str
) -> dict[str, Any]:
    async with http.post(
        base + "/simulator/api/call",
        json={"from": "22 33 44 55", **choices},
        headers={"X-Simulator-Token": token},
    ) as response:
        assert response.status == 201, await response.text()
        return dict(await response.json())


async def test_simulated_calls_run_the_voice_hooks(sandbox: ServerProcess) -> None:
    base = sandbox.url
    async with aiohttp.ClientSession() as http:
        token = await simulator_token(http, base)
        async with http.post(
            base + "/simulator/api/call", json={"from": "22334455", "language": "1"}
        ) as response:
            assert response.status == 403
        async with http.post(
            base + "/simulator/api/call",
            json={"from": "x", "language": "7", "menu": "1", "then": "wait"},
            headers={"X-Simulator-Token": token},
        ) as response:
            assert response.status == 400
        answer = await simulated_call(http, base, token, language="2", menu="3", then="wait")
        assert answer["ended"] == "waiting"
        assert answer["hooks"] == ["/", "/language", "/menu", "/wait"]

        anna = await Counsellor(base, "anna@example.org", PASSWORD).login()
        try:
            status, queue = await anna.request("GET", "/api/queue")
            item = queue["items"][0]
            assert (item["channel"], item["urgent"]) == ("voice", True)
            conversation_id = item["conversation_id"]
            await anna.request("POST", f"/api/conversations/{conversation_id}/claim")
            status, body = await anna.request(
                "POST", f"/api/conversations/{conversation_id}/call", json={"to": "+4540506070"}
            )
            assert status == 201 and body["action"] == "connect", body
        finally:
            await anna.close()
        messages = await outbox(http, base, token)
        assert any(m["kind"] == "say" and "112" in m["text"].replace(" ", "") for m in messages)
        calling = [m for m in messages if m["kind"] == "call" and m["direction"] == "out"]
        assert [m["text"] for m in calling] == ["+4540506070"]

        answer = await simulated_call(
            http, base, token, language="1", menu="1", then="voicemail", text="Ring mig op"
        )
        # Twilio reports the end of every call to the number's status callback.
        assert answer["ended"] == "voicemail"
        assert answer["hooks"][-2:] == ["/transcript", "/status"]
        answer = await simulated_call(http, base, token, language="1", menu="2", then="callback")
        assert answer["ended"] == "callback" and answer["hooks"][-1] == "/status"
