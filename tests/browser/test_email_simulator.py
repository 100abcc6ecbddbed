"""The e-mail simulator page in a real browser (sandbox mode): a person writes, a
counsellor answers through the REST API, the answer shows on the page, and the
person's reply from the page threads into the same conversation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from playwright.async_api import Page, expect

from tests.browser.pages import pwned, screenshot
from tests.support.clients import Counsellor
from tests.support.server import ServerProcess

FIRST = 'Hej, kan I hjælpe mig med mit CV? <img src=x onerror="window.__pwned=1">'
SUBJECT = "Mit CV <script>window.__pwned=2</script>"
ANSWER = "Hej Line\n\nSend os gerne dit CV, så ser vi på det. <b>Anna</b>"
REPLY = "Tak, det kommer her."
MARKUP = "img, script, b"


async def email_conversations(anna: Counsellor) -> list[dict[str, Any]]:
    status, listing = await anna.request("GET", "/api/conversations")
    assert status == 200, listing
    found = []
    for item in listing["items"]:
        if item["channel"] == "email":
            _, conversation = await anna.request(
                "GET", f"/api/conversations/{item['conversation_id']}"
            )
            found.append(conversation)
    return found


async def wait_inbound(anna: Counsellor, count: int) -> list[dict[str, Any]]:
    """The e-mail conversations once `count` mails from the person are stored."""
    async with asyncio.timeout(10):
        while True:
            conversations = await email_conversations(anna)
            inbound = [m for c in conversations for m in c["messages"] if m["direction"] == "in"]
            if len(inbound) >= count:
                return conversations
            await asyncio.sleep(0.1)


async def test_person_mails_counsellor_answers_and_the_reply_threads(
    server: ServerProcess, page: Page, counsellors: Callable[[str], Counsellor]
) -> None:
    await page.goto(server.url + "/simulator/email?language=en")
    await expect(page.locator("h1")).to_have_text("E-mail simulator")
    await expect(page.locator("#from")).to_have_value("Line Nørgaard <line@example.dk>")
    await page.locator("#subject").fill(SUBJECT)
    await page.locator("#text").fill(FIRST)
    await page.locator("#compose button[type=submit]").click()

    sent = page.locator("#mails li.in")
    received = page.locator("#mails li.out")
    await expect(sent).to_have_count(1)
    await expect(sent.locator(".text")).to_have_text(FIRST)
    await expect(sent.locator(".subject")).to_have_text(SUBJECT)
    await expect(page.locator("#text")).to_have_value("")
    await expect(received).to_have_count(1)  # the automatic receipt

    anna = await counsellors("anna@example.org").login()
    (conversation,) = await wait_inbound(anna, 1)
    path = f"/api/conversations/{conversation['id']}"
    status, _ = await anna.request("POST", f"{path}/claim")
    assert status == 200
    status, _ = await anna.request("POST", f"{path}/messages", json={"text": ANSWER})
    assert status == 201

    answer = received.filter(has_text="Send os gerne dit CV")
    await expect(answer).to_have_count(1)
    await expect(answer.locator(".text")).to_contain_text("<b>Anna</b>")
    await answer.locator("button.reply").click()
    await expect(page.locator("#replying")).to_be_visible()
    await expect(page.locator("#subject")).to_have_value(
        await answer.locator(".subject").text_content() or ""
    )
    # A mail program answers to the Reply-To: the service's plus-address.
    await expect(page.locator("#to")).to_contain_text("vejledning+")
    await page.locator("#text").fill(REPLY)
    await page.locator("#compose button[type=submit]").click()
    await expect(sent).to_have_count(2)
    await expect(page.locator("#replying")).to_be_hidden()
    await expect(page.locator("#error")).to_have_text("")
    await screenshot(page, "email-simulator")

    (threaded,) = await wait_inbound(anna, 2)
    assert threaded["id"] == conversation["id"]
    inbound = [m["text"] for m in threaded["messages"] if m["direction"] == "in"]
    assert inbound == [FIRST, REPLY]

    await expect(page.locator("#mails").locator(MARKUP)).to_have_count(0)
    assert await pwned(page) is None
