"""Canned replies come in the conversation's language, whatever the interface's, and
the counsellor can look at the other language's."""

from __future__ import annotations

from collections.abc import Callable

from playwright.async_api import expect

from tests.browser.pages import ASK_FOR_A_PERSON_DA, NewContext, inbox_login
from tests.support.clients import Visitor
from tests.support.server import ServerProcess

ASK_EN = "Hi, I would like to talk to a counsellor about upper secondary school"


async def test_canned_replies_follow_the_conversation_language(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    page = await (await new_context()).new_page()
    await inbox_login(page, server.url, "anna@example.org")  # the Danish interface
    await (await visitors("en").connect()).send(ASK_EN)
    await expect(page.locator("#queue-list .conv-item")).to_have_count(1)
    await page.locator("#btn-take-next").click()
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")

    canned = page.locator("#canned-select")
    language = page.get_by_label("Sprog", exact=True).and_(page.locator("#canned-language"))
    await expect(language).to_have_value("en")
    await expect(language.locator("option:checked")).to_have_text("Engelsk (samtalens)")
    await expect(canned.locator("option", has_text="Greeting")).to_have_count(1)
    await expect(canned.locator("option", has_text="Hilsen")).to_have_count(0)
    await expect(canned).to_have_attribute("lang", "en")
    await canned.select_option(label="Greeting")
    await page.locator("#canned-insert").click()
    await expect(page.locator("#composer-text")).to_have_value(
        "Hi you, my name is Anna and I am a counsellor at eGuidance. How can I help you?"
    )

    # The Danish texts on demand.
    await language.select_option("da")
    await expect(canned.locator("option", has_text="Hilsen")).to_have_count(1)
    await expect(canned.locator("option", has_text="Greeting")).to_have_count(0)

    # A Danish conversation gets the Danish texts again.
    await (await visitors("da").connect()).send(ASK_FOR_A_PERSON_DA)
    await expect(page.locator("#queue-list .conv-item")).to_have_count(1)
    await page.locator("#queue-list .conv-item").click()
    await expect(page.locator("#conv-sub")).to_contain_text("Dansk")
    await expect(language).to_have_value("da")
    await expect(language.locator("option:checked")).to_have_text("Dansk (samtalens)")
    await expect(canned.locator("option", has_text="Hilsen")).to_have_count(1)
