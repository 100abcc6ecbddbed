"""The chat widget on the demo portal, in a real Chromium, against the real server."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import Page, expect

from tests.browser.pages import ASK_FOR_A_PERSON_DA, Widget, conversation_with, screenshot
from tests.support.clients import Counsellor
from tests.support.server import ServerProcess


async def test_visitor_chats_with_a_counsellor_and_the_conversation_survives_a_reload(
    page: Page, server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    await page.goto(server.url + "/")
    widget = Widget(page)
    await expect(widget.launcher).to_have_accessible_name("Chat med en vejleder")
    await screenshot(page, "widget-closed-da")
    await widget.open()
    await expect(widget.welcome).to_contain_text("Skriv dit spørgsmål")

    await widget.send(ASK_FOR_A_PERSON_DA)
    await widget.acked(ASK_FOR_A_PERSON_DA)
    await expect(widget.input).to_have_value("")
    await expect(widget.statusbar).to_contain_text("Du er nummer 1 i køen")
    await screenshot(page, "widget-queued-da")

    anna = await counsellors("anna@example.org").login()
    conversation = await conversation_with(anna, ASK_FOR_A_PERSON_DA)
    status, _ = await anna.request("POST", f"/api/conversations/{conversation['id']}/claim")
    assert status == 200
    reply = "Hej, jeg hedder Anna. Hvilket gymnasium tænker du på?"
    status, _ = await anna.request(
        "POST", f"/api/conversations/{conversation['id']}/messages", json={"text": reply}
    )
    assert status == 201
    await expect(widget.items("counsellor", reply)).to_have_count(1)
    await expect(widget.items("counsellor", reply).locator(".meta")).to_contain_text(
        re.compile(r"^anna · \d\d:\d\d$", re.IGNORECASE)
    )
    # With a counsellor in the chat the queue line goes away.
    await expect(widget.statusbar).not_to_contain_text("nummer")
    await screenshot(page, "widget-counsellor-reply-da")

    await page.reload()
    widget = Widget(page)
    # The socket reconnects at once for a visitor with a conversation going; the
    # server replays the whole conversation into the closed widget.
    await expect(widget.items("counsellor", reply)).to_have_count(1)
    await widget.open()
    await expect(widget.items("visitor", ASK_FOR_A_PERSON_DA)).to_have_count(1)
    await expect(widget.items("visitor")).to_have_count(1)
    await expect(widget.items("counsellor")).to_have_count(1)
    await expect(widget.log.locator(".item.pending")).to_have_count(0)
    await expect(widget.items("visitor", ASK_FOR_A_PERSON_DA)).not_to_have_class(
        re.compile(r"\bpending\b")
    )
    texts = await widget.log.locator(".item:not(.welcome) .bubble").all_inner_texts()
    assert texts.index(ASK_FOR_A_PERSON_DA) < texts.index(reply)
    assert len(texts) == len(set(texts)), texts
    await screenshot(page, "widget-after-reload-da")
