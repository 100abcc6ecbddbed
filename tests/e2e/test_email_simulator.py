"""The e-mail simulator in sandbox mode: a simulated mail takes the listener's path
(stored, triaged, answered into the sandbox mailbox) and replies thread."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import aiohttp

from tests.e2e.test_email_support import PASSWORD, wait_until
from tests.support.clients import Counsellor
from tests.support.server import ServerProcess, free_port

PERSON = "Line Nørgaard <line@example.dk>"


async def post(
    http: aiohttp.ClientSession, body: dict[str, Any], token: str | None
) -> tuple[int, Any]:
    headers = {"X-Simulator-Token": token} if token is not None else {}
    async with http.post("/simulator/api/email", json=body, headers=headers) as response:
        if response.content_type != "application/json":
            return response.status, await response.text()
        return response.status, await response.json()


async def mailbox(http: aiohttp.ClientSession) -> list[dict[str, Any]]:
    async with http.get("/simulator/email.json", params={"to": "line@example.dk"}) as response:
        assert response.status == 200
        return list((await response.json())["mails"])


async def test_simulated_mail_is_received_answered_and_threads(tmp_path: Path) -> None:
    node = ServerProcess(tmp_path / "node", {"EGUIDANCE_OUTBOX__POLL_INTERVAL_S": "0.2"})
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    await asyncio.to_thread(node.start)
    anna = Counsellor(node.url, "anna@example.org", PASSWORD)
    try:
        async with aiohttp.ClientSession(node.url) as http:
            first = {"from": PERSON, "subject": "Mit CV", "text": "Hej, kan I hjælpe mig?"}
            status, _ = await post(http, first, None)
            assert status == 403
            status, _ = await post(http, first, "wrong")
            assert status == 403
            async with http.get("/simulator/email/token") as response:
                token = (await response.json())["token"]
            status, _ = await post(http, {**first, "from": "not an address"}, token)
            assert status == 400
            status, _ = await post(http, {**first, "to": "someone@example.org"}, token)
            assert status == 400
            status, sent = await post(http, first, token)
            assert status == 201, sent

            (receipt,) = await wait_until(lambda: mailbox(http))
            assert receipt["headers"]["In-Reply-To"] == f"<{sent['message_id']}>"
            assert "Vi har modtaget din mail" in receipt["text"]

            reply = {
                "from": PERSON,
                "subject": receipt["subject"],
                "text": "Jeg er 22 og vil gerne være tømrer.",
                "in_reply_to": receipt["message_id"],
            }
            status, _ = await post(http, reply, token)
            assert status == 201
        await anna.login()
        _, listing = await anna.request("GET", "/api/conversations")
        (item,) = [c for c in listing["items"] if c["channel"] == "email"]
        _, conversation = await anna.request("GET", f"/api/conversations/{item['conversation_id']}")
        inbound = [m["text"] for m in conversation["messages"] if m["direction"] == "in"]
        assert inbound == [first["text"], reply["text"]]
        assert conversation["contact"]["name"] == "Line Nørgaard"
    finally:
        await anna.close()
        node.stop()


async def test_simulator_page_carries_the_shared_token_and_no_inline_script(
    tmp_path: Path,
) -> None:
    node = ServerProcess(tmp_path / "node")
    await asyncio.to_thread(node.start)
    try:
        async with aiohttp.ClientSession(node.url) as http:
            async with http.get("/simulator/email/token") as response:
                token = (await response.json())["token"]
            async with http.get("/simulator/email") as response:
                assert response.status == 200 and response.content_type == "text/html"
                assert "script-src 'self'" in response.headers["Content-Security-Policy"]
                html = await response.text()
            async with http.get("/simulator/email?language=en") as response:
                english = await response.text()
            async with http.get("/static/email/simulator.js") as response:
                assert response.status == 200
                assert "X-Simulator-Token" in await response.text()
        # One token per process, shared by every channel's simulator.
        assert f'<meta name="simulator-token" content="{token}">' in html
        assert "<h1>E-mail-simulator</h1>" in html and 'lang="da"' in html
        assert "<h1>E-mail simulator</h1>" in english and 'lang="en"' in english
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts == ['<script src="/static/email/simulator.js" defer>']  # nothing inline
        assert html.count("</script>") == 1
    finally:
        node.stop()


async def test_simulator_is_404_with_a_mail_relay(tmp_path: Path) -> None:
    node = ServerProcess(
        tmp_path / "relay",
        {"EGUIDANCE_EMAIL__SMTP_HOST": "127.0.0.1", "EGUIDANCE_EMAIL__SMTP_PORT": str(free_port())},
    )
    await asyncio.to_thread(node.start)
    try:
        async with aiohttp.ClientSession(node.url) as http:
            for path in ("/simulator/email/token", "/simulator/email"):
                async with http.get(path) as response:
                    assert response.status == 404
            status, _ = await post(http, {"from": PERSON, "text": "Hej"}, "x")
            assert status == 404
    finally:
        node.stop()
