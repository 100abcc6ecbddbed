"""The queue's filters (mine, unassigned, urgent, channel, language) in the browser,
against conversations on the real server."""

from __future__ import annotations

from collections.abc import Callable

from playwright.async_api import expect

from tests.browser.pages import ASK_FOR_A_PERSON_DA, NewContext, inbox_login
from tests.support.clients import Visitor
from tests.support.server import ServerProcess

ASK_EN = "Hi, I would like to talk to a counsellor about upper secondary school"


async def test_each_queue_filter_shows_what_it_says(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    page = await (await new_context()).new_page()
    await inbox_login(page, server.url, "anna@example.org")
    queue = page.locator("#queue-list .conv-item")
    mine = page.locator("#mine-list .conv-item")

    await (await visitors("da").connect()).send("jeg vil ikke leve mere")  # urgent, Danish
    await expect(queue).to_have_count(1)
    await (await visitors("da").connect()).send(ASK_FOR_A_PERSON_DA)
    await (await visitors("en").connect()).send(ASK_EN)
    await expect(queue).to_have_count(3)
    await page.locator("#btn-take-next").click()  # the urgent one is first: it is Anna's now
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")
    await expect(queue).to_have_count(2)
    await expect(mine).to_have_count(1)

    # Channel: every conversation here is a chat (stored as "chat").
    channel = page.locator("#filter-channel")
    await channel.select_option(label="Chat")
    await expect(queue).to_have_count(2)
    await expect(mine).to_have_count(1)
    await channel.select_option(label="SMS")
    await expect(queue).to_have_count(0)
    await expect(page.locator("#queue-empty")).to_be_visible()
    await expect(mine).to_have_count(0)
    await channel.select_option("")

    # Language.
    language = page.locator("#filter-language")
    await language.select_option("en")
    await expect(queue).to_have_count(1)
    await expect(queue.first).to_contain_text("EN")
    await expect(mine).to_have_count(0)
    await language.select_option("da")
    await expect(queue).to_have_count(1)
    await expect(queue.first).to_contain_text("DA")
    await expect(mine).to_have_count(1)
    await language.select_option("")

    # Urgent only: the urgent conversation is Anna's, none waits.
    await page.locator("#filter-urgent").check()
    await expect(queue).to_have_count(0)
    await expect(mine).to_have_count(1)
    await expect(mine.first).to_contain_text("AKUT")
    await page.locator("#filter-urgent").uncheck()

    # Mine and unassigned.
    show = page.locator("#filter-show")
    await show.select_option("mine")
    await expect(page.locator("#queue-section")).to_be_hidden()
    await expect(page.locator("#mine-section")).to_be_visible()
    await expect(mine).to_have_count(1)
    await show.select_option("unassigned")
    await expect(page.locator("#mine-section")).to_be_hidden()
    await expect(page.locator("#queue-section")).to_be_visible()
    await expect(queue).to_have_count(2)
    await show.select_option("all")
    await expect(queue).to_have_count(2)
    await expect(mine).to_have_count(1)
