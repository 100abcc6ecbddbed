"""Sandbox mode: the simulator plays Twilio and both phones when a counsellor takes a call."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.support.clients import Counsellor
from tests.support.server import ServerProcess

PASSWORD = "correct-horse-battery"
ANNA_PHONE = "+4540506070"


@dataclass
class Sandbox:
    node: ServerProcess
    http: aiohttp.ClientSession
    token: str
    anna: Counsellor

    async def simulator(self, method: str, path: str, **body: str) -> tuple[int, Any]:
        async with self.http.request(
            method,
            self.node.url + "/simulator/api/" + path,
            json=body if method == "POST" else None,
            params=body if method == "GET" else None,
            headers={"X-Simulator-Token": self.token},
        ) as response:
            return response.status, await response.json(content_type=None)

    async def phone(self, number: str) -> list[dict[str, Any]]:
        status, body = await self.simulator("GET", "messages", after="0", number=number)
        assert status == 200
        return list(body["messages"])

    async def queued(self) -> int:
        status, queue = await self.anna.request("GET", "/api/queue")
        assert status == 200
        (item,) = [i for i in queue["items"] if i["channel"] == "voice"]
        return int(item["conversation_id"])

    async def timeline(self, conversation_id: int, pattern: str) -> list[str]:
        for _ in range(50):
            status, detail = await self.anna.request("GET", f"/api/conversations/{conversation_id}")
            assert status == 200
            texts = [m["text"] for m in detail["messages"]]
            if any(re.search(pattern, text) for text in texts):
                return texts
            await asyncio.sleep(0.1)
        raise AssertionError(f"{pattern!r} not in the timeline: {texts}")


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    node = ServerProcess(tmp_path / "node")
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    node.start()
    http = aiohttp.ClientSession()
    async with http.get(node.url + "/simulator") as response:
        html = await response.text()
    match = re.search(r'name="simulator-token" content="([^"]+)"', html)
    assert match and 'href="/simulator/email"' in html
    anna = await Counsellor(node.url, "anna@example.org", PASSWORD).login()
    yield Sandbox(node, http, match.group(1), anna)
    await anna.close()
    await http.close()
    node.stop()


async def test_a_waiting_caller_is_connected_and_the_call_recorded_with_its_length(
    sandbox: Sandbox,
) -> None:
    s, number = sandbox, "+4522334455"
    status, call = await s.simulator(
        "POST", "call", **{"from": number, "language": "1", "menu": "1", "then": "wait"}
    )
    assert status == 201 and call["ended"] == "waiting"
    assert [m["kind"] for m in await s.phone(number)][-1] == "waiting"
    conversation_id = await s.queued()
    path = f"/api/conversations/{conversation_id}/call"
    assert (await s.anna.request("POST", f"/api/conversations/{conversation_id}/claim"))[0] == 200
    status, placed = await s.anna.request("POST", path, json={"to": ANNA_PHONE})
    assert status == 201 and placed == {
        "call_sid": call["sid"],
        "action": "connect",
        "to": ANNA_PHONE,
    }

    # The caller's phone: the counsellor's phone rings, the line says so, then they talk.
    phone = await s.phone(number)
    tail = [(m["kind"], m["text"]) for m in phone][-3:]
    assert tail[0] == ("call", ANNA_PHONE) and tail[1][0] == "say"
    assert tail[2] == ("connected", ANNA_PHONE) and phone[-1]["sid"] == call["sid"]
    await s.timeline(conversation_id, "stilles om til Anna")

    status, ended = await s.simulator("POST", "hangup", sid=call["sid"], by="counsellor")
    assert status == 200 and ended["by"] == "counsellor" and ended["talked"] is not None
    status, again = await s.simulator("POST", "hangup", sid=call["sid"], by="caller")
    assert status == 404 and again["error"]["code"] == "no_call"
    # /dialled and the status callback, as Twilio sends them at the end of the call.
    texts = await s.timeline(conversation_id, r"^Samtale med Anna, varighed \d+ s\.$")
    assert any(re.fullmatch(r"Opkald afsluttet, varighed \d+ s\.", text) for text in texts)
    assert (await s.phone(number))[-1]["kind"] == "ended"
    status, body = await s.anna.request("GET", path)
    assert body["action"] == "call_back"

    # Calling back: the simulated person answers, the browser client is dialled.
    status, placed = await s.anna.request("POST", path, json={"to": "client:counsellor-1"})
    assert status == 201 and placed["action"] == "call_back", placed
    phone = await s.phone(number)
    assert [m["kind"] for m in phone][-1] == "connected"
    assert phone[-1]["text"] == "client:counsellor-1" and phone[-1]["sid"] == placed["call_sid"]
    assert any(m["kind"] == "say" and "ringer dig op" in m["text"] for m in phone)
    status, _ = await s.simulator("POST", "hangup", sid=placed["call_sid"], by="caller")
    assert status == 200
    texts = await s.timeline(conversation_id, r"^Opringning besvaret, varighed \d+ s\.$")
    assert sum(bool(re.fullmatch(r"Samtale med Anna, varighed \d+ s\.", t)) for t in texts) == 2


async def test_a_waiting_caller_who_hangs_up_is_recorded_as_abandoned(sandbox: Sandbox) -> None:
    s, number = sandbox, "+4533445566"
    status, call = await s.simulator(
        "POST", "call", **{"from": number, "language": "2", "menu": "2", "then": "wait"}
    )
    assert status == 201
    status, refused = await s.simulator("POST", "hangup", sid=call["sid"], by="counsellor")
    assert status == 409 and refused["error"]["code"] == "not_connected"
    status, _ = await s.simulator("POST", "hangup", sid=call["sid"], by="nobody")
    assert status == 400
    status, _ = await s.simulator("POST", "hangup", sid=call["sid"], by="caller")
    assert status == 200
    conversation_id = await s.queued()
    texts = await s.timeline(conversation_id, r"afbrudt af den der ringede efter \d+ s i kø")
    assert any(re.fullmatch(r"Opkald afsluttet, varighed \d+ s\.", text) for text in texts)

    # The caller is gone: a counsellor who takes the conversation calls them back.
    await s.anna.request("POST", f"/api/conversations/{conversation_id}/claim")
    status, body = await s.anna.request("GET", f"/api/conversations/{conversation_id}/call")
    assert body["action"] == "call_back"
