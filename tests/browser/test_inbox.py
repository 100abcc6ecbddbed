"""A counsellor works a chat in the inbox page: queue, claim, reply, note, close."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import Dialog, expect

from tests.browser.pages import ASK_FOR_A_PERSON_DA, NewContext, inbox_login, screenshot
from tests.support.clients import Visitor
from tests.support.server import ServerProcess


async def test_counsellor_claims_replies_notes_and_closes_in_the_inbox(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    page = await (await new_context()).new_page()
    await page.goto(server.url + "/inbox")
    await expect(page.locator("#login-view")).to_be_visible()
    await screenshot(page, "inbox-login-da")
    await inbox_login(page, server.url, "anna@example.org")
    await expect(page.locator("#me-name")).to_have_text("Anna")
    await expect(page.locator("#queue-empty")).to_be_visible()

    # The chat arrives live, with no reload.
    visitor = await visitors("da").connect()
    ack = await visitor.send(ASK_FOR_A_PERSON_DA)
    queued = page.locator("#queue-list .conv-item")
    await expect(queued).to_have_count(1)
    await expect(queued.locator(".preview")).to_have_text(ASK_FOR_A_PERSON_DA)
    await expect(queued.locator(".pos")).to_have_text("nr. 1")
    await expect(page.locator("#queue-count")).to_have_text("(1)")
    await expect(page).to_have_title(re.compile(r"^\(1\) "))
    await screenshot(page, "inbox-queue-da")

    await queued.click()
    await expect(page.locator("#conv-view")).to_be_visible()
    await expect(page).to_have_url(re.compile(rf"#conversation-{ack['conversation_id']}$"))
    await expect(page.locator("#timeline .msg.in .msg-text")).to_have_text(ASK_FOR_A_PERSON_DA)
    await expect(page.locator("#conv-badges")).to_contain_text("Venter")

    await page.locator("#btn-claim").click()
    await expect(page.locator("#btn-claim")).to_be_hidden()
    await expect(page.locator("#btn-release")).to_be_visible()
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")
    await expect(page.locator("#queue-list .conv-item")).to_have_count(0)
    await expect(page.locator("#mine-list .conv-item")).to_have_count(1)
    await visitor.log.wait_for("queue", lambda e: e["position"] is None)

    reply = "Hej, jeg hedder Anna. Hvilket gymnasium tænker du på?"
    await page.locator("#composer-text").fill(reply)
    await page.locator("#composer-send").click()
    await expect(page.locator("#composer-text")).to_have_value("")
    sent = await visitor.message(lambda m: m["text"] == reply)
    assert sent["author"] == "counsellor"
    reply_item = page.locator("#timeline .msg.out").filter(has_text=reply)
    await expect(reply_item).to_have_count(1)
    # The outbox reports the delivery; the inbox shows it without a reload.
    await expect(reply_item.locator(".delivery")).to_have_text(" · sendt")

    note = "Intern: virker usikker på valget mellem stx og hhx"
    await page.locator("#composer-internal").check()
    await expect(page.locator("#composer-send")).to_have_text("Gem note")
    await page.locator("#composer-text").fill(note)
    await page.locator("#composer-send").click()
    note_item = page.locator("#timeline .msg.internal").filter(has_text=note)
    await expect(note_item).to_have_count(1)
    await expect(note_item.locator(".note-label")).to_have_text("Intern note")
    await screenshot(page, "inbox-conversation-da")

    async def accept(dialog: Dialog) -> None:
        assert dialog.type == "confirm"
        await dialog.accept()

    page.once("dialog", accept)
    await page.locator("#btn-close").click()
    await expect(page.locator("#conv-badges")).to_contain_text("Afsluttet")
    await expect(page.locator("#btn-close")).to_be_hidden()
    await expect(page.locator("#mine-list .conv-item")).to_have_count(0)
    await visitor.log.wait_for("conversation.closed")
    await screenshot(page, "inbox-closed-da")

    # The visitor got the reply and never the note.
    texts = [m["text"] for m in visitor.log.events["message"]]
    assert reply in texts
    assert all("Intern" not in text for text in texts)
