"""The widget keeps a message written while the network is gone and delivers it once."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from playwright.async_api import WebSocketRoute, expect

from tests.browser.pages import NewContext, Widget, conversation_with, screenshot
from tests.support.clients import Counsellor
from tests.support.server import ServerProcess

# A socket.io acknowledgement on /chat, e.g. 43/chat,1[{"id":3,...}]
ACK = re.compile(r"^43/chat,\d+\[")
# A socket.io event on /chat, e.g. 42/chat,2["message",{"client_id":"…","text":"…"}]
EVENT = re.compile(r"^42/chat,\d*(\[.*\])$", re.DOTALL)


async def test_a_message_written_offline_is_sent_once_when_the_network_returns(
    new_context: NewContext, server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    context = await new_context()
    page = await context.new_page()
    await page.goto(server.url + "/")
    widget = Widget(page)
    await widget.open()
    first = "Hej, jeg har et spørgsmål om SU"
    await widget.send(first)
    await widget.acked(first)
    await widget.online()

    await context.set_offline(True)
    await expect(widget.statusbar).to_contain_text("Forbindelsen er afbrudt")
    offline_text = "Kan jeg få SU, hvis jeg tager et sabbatår?"
    await widget.send(offline_text)
    pending = widget.items("visitor", offline_text)
    await expect(pending).to_have_class(re.compile(r"\bpending\b"))
    await expect(pending.locator(".meta")).to_contain_text("sender…")
    await screenshot(page, "widget-offline-pending-da")

    await context.set_offline(False)
    # socket.io's reconnection backoff (randomised, up to 7.5 s) comes first.
    await widget.acked(offline_text, timeout_ms=20_000)
    await expect(widget.statusbar).not_to_contain_text("afbrudt")
    await screenshot(page, "widget-back-online-da")

    anna = await counsellors("anna@example.org").login()
    conversation = await conversation_with(anna, offline_text)
    inbound = [m["text"] for m in conversation["messages"] if m["direction"] == "in"]
    assert inbound == [first, offline_text]


async def test_a_message_whose_ack_was_lost_is_resent_and_stored_once(
    new_context: NewContext, server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    """The server stores the message, the connection dies before the ack arrives: the
    widget resends it with the same client_id and the server keeps one copy."""
    context = await new_context()
    page = await context.new_page()
    drop_next_ack = False
    dropped: list[str] = []
    sent: list[dict[str, str]] = []  # every "message" event the page emitted

    async def relay(ws: WebSocketRoute) -> None:
        upstream = ws.connect_to_server()

        async def from_server(frame: str | bytes) -> None:
            nonlocal drop_next_ack
            if drop_next_ack and isinstance(frame, str) and ACK.match(frame):
                drop_next_ack = False
                dropped.append(frame)
                await ws.close(code=1001, reason="lost")
                return
            ws.send(frame)

        def from_page(frame: str | bytes) -> None:
            if isinstance(frame, str) and (event := EVENT.match(frame)):
                name, *args = json.loads(event.group(1))
                if name == "message":
                    sent.append(args[0])
            upstream.send(frame)

        upstream.on_message(from_server)
        ws.on_message(from_page)

    await page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    await page.goto(server.url + "/")
    widget = Widget(page)
    await widget.open()
    first = "Hej, jeg har et spørgsmål om SU"
    await widget.send(first)
    await widget.acked(first)

    drop_next_ack = True
    text = "Hvor meget må jeg tjene ved siden af?"
    await widget.send(text)
    await widget.acked(text)
    assert len(dropped) == 1, "the ack was never dropped, so nothing was tested"
    attempts = [m for m in sent if m["text"] == text]
    assert len(attempts) == 2, attempts  # sent, then resent after the reconnect ...
    assert attempts[0]["client_id"] == attempts[1]["client_id"]  # ... as the same message

    anna = await counsellors("anna@example.org").login()
    conversation = await conversation_with(anna, text)
    inbound = [m["text"] for m in conversation["messages"] if m["direction"] == "in"]
    assert inbound == [first, text]
    await expect(widget.items("visitor")).to_have_count(2)
