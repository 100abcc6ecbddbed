"""The referral panel: the proposed service, booking a time, the timeline shows it."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import pytest
from playwright.async_api import expect

from tests.browser.pages import NewContext, inbox_login, screenshot
from tests.support.clients import Visitor
from tests.support.server import ServerProcess

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("server.api_referrals") is None,
    reason="the referral endpoints (server/api_referrals.py) are not there yet",
)


async def test_counsellor_books_the_proposed_referral(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    page = await (await new_context()).new_page()
    await inbox_login(page, server.url, "anna@example.org")
    visitor = await visitors("da").connect()
    await visitor.send("jeg vil ikke leve mere")
    await expect(page.locator("#queue-list .conv-item")).to_have_count(1)
    await page.locator("#btn-take-next").click()
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")

    service = page.locator("#referral-body .referral-service")
    await expect(service).not_to_be_empty()
    slot = page.locator("#referral-slot")
    values = await slot.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    if len(values) > 1:
        await slot.select_option(values[1])
    await page.locator("#referral-body button[data-action=book]").click()
    await expect(page.locator("#referral-msg")).to_have_text("Gemt.")
    await expect(page.locator("#timeline .event-referral")).to_have_count(1)
    await expect(page.locator("#referral-list li")).to_have_count(1)
    await screenshot(page, "inbox-referral-da")
