"""The widget outside opening hours, and in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import NewContext, Widget, screenshot
from tests.support.server import ServerProcess


class TestClosedService:
    @pytest.fixture
    def server(self, tmp_path: Path) -> Iterator[ServerProcess]:
        """A closed node; in this class the browser fixtures use it instead of the default."""
        node = ServerProcess(tmp_path / "closed", env={"EGUIDANCE_OPENING_HOURS__MODE": "closed"})
        node.start()
        yield node
        node.stop()

    async def test_the_widget_shows_the_hours_and_still_takes_a_message(
        self, page: Page, server: ServerProcess
    ) -> None:
        await page.goto(server.url + "/")
        widget = Widget(page)
        await widget.open()
        await expect(widget.notice).to_be_visible()
        await expect(widget.notice).to_have_text(
            "Vi har lukket lige nu. Åbningstider: lukket. "
            "Du kan stadig skrive; vi svarer, når vi åbner."
        )
        text = "Hvornår er fristen for at søge ind på gymnasiet?"
        await widget.send(text)
        await widget.acked(text)
        await expect(widget.items("visitor", text).locator(".meta")).to_have_text(
            re.compile(r"^Dig · \d\d:\d\d$")
        )
        await expect(widget.error).to_be_empty()
        await screenshot(page, "widget-closed-service-da")

        # The notice follows the visitor's language toggle.
        await widget.host.locator(".lang button[lang=en]").click()
        await expect(widget.notice).to_have_text(
            "We are closed right now. Opening hours: closed. "
            "You can still write; we answer when we open."
        )


async def test_the_english_page_shows_the_widget_in_english(
    new_context: NewContext, server: ServerProcess
) -> None:
    # A Danish browser: the English comes from the page's data-language alone.
    page = await (await new_context(locale="da-DK")).new_page()
    await page.goto(server.url + "/?language=en")
    widget = Widget(page)
    await expect(widget.launcher).to_have_accessible_name("Chat with a counsellor")
    await widget.open()
    await expect(widget.title).to_have_text("Chat with a counsellor")
    await expect(widget.welcome).to_contain_text("Hi! Ask your question about education")
    await expect(widget.input).to_have_attribute("placeholder", "Type your question here…")
    await expect(widget.host.locator(".hint")).to_have_text(
        "Enter sends. Shift+Enter adds a new line."
    )
    await expect(widget.host.locator(".counter")).to_have_text("0 / 4000 characters")
    await expect(widget.host.locator(".lang button[lang=en]")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(widget.host).to_have_attribute("lang", "en")

    text = "I would like to talk to a counsellor about university"
    await widget.send(text)
    await widget.acked(text)
    await expect(widget.items("visitor", text).locator(".meta")).to_have_text(
        re.compile(r"^You · \d\d:\d\d$")
    )
    await expect(widget.statusbar).to_contain_text("You are number 1 in the queue.")
    await expect(widget.notice).to_be_hidden()  # the test server is always open
    await screenshot(page, "widget-queued-en")
