"""The inbox in English: ?language=en switches every label, and the choice sticks."""

from __future__ import annotations

from collections.abc import Callable

from playwright.async_api import expect

from tests.browser.pages import ASK_FOR_A_PERSON_DA, PASSWORD, NewContext, screenshot
from tests.support.clients import Visitor
from tests.support.server import ServerProcess


async def test_the_english_inbox_shows_english_labels(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    page = await (await new_context()).new_page()
    await page.goto(server.url + "/inbox?language=en")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.locator("#login-form h1")).to_contain_text("Counsellor sign-in")
    await expect(page.locator("label[for=login-password]")).to_have_text("Password")
    await page.locator("#login-email").fill("anna@example.org")
    await page.locator("#login-password").fill(PASSWORD)
    await page.locator("#login-form button[type=submit]").click()

    # The reload after signing in keeps English (a cookie), and the texts the
    # scripts render come from the English catalogue too.
    await expect(page.locator("#inbox-view")).to_be_visible()
    await expect(page.locator("#conn-state")).to_have_text("Live")
    await expect(page.locator("#btn-take-next")).to_contain_text("Take next")
    await expect(page.locator("#queue-title")).to_contain_text("Queue")
    await expect(page.locator("#mine-title")).to_contain_text("My conversations")
    await expect(page.locator("#filter-channel option").first).to_have_text("All")
    await expect(page.locator("#lang-en")).to_have_attribute("aria-current", "true")

    visitor = await visitors("da").connect()
    await visitor.send(ASK_FOR_A_PERSON_DA)
    item = page.locator("#queue-list .conv-item")
    await expect(item).to_have_count(1)
    await expect(item.locator(".waiting")).to_contain_text("waiting")
    await expect(item.locator(".pos")).to_have_text("#1")
    await item.click()
    await expect(page.locator("#conv-badges")).to_contain_text("Waiting")
    await expect(page.locator("#composer-send")).to_have_text("Send")
    await expect(page.locator("label[for=contact-postcode]")).to_have_text("Postcode")
    await expect(page.locator("#timeline .event-triage .msg-meta").first).to_contain_text(
        "Triage decision"
    )
    await screenshot(page, "inbox-conversation-en")

    # And back to Danish with one click.
    await page.locator("#lang-da").click()
    await expect(page.locator("html")).to_have_attribute("lang", "da")
    await expect(page.locator("#btn-take-next")).to_contain_text("Tag næste")
