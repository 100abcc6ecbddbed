"""Every text a user wrote is shown as text: in the widget and in the inbox."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.pages import NewContext, Widget, inbox_login, pwned, screenshot
from tests.support.server import ServerProcess

VISITOR_PAYLOAD = (
    '<img src=x onerror="window.__pwned=1"> jeg vil gerne tale med en vejleder '
    "<script>window.__pwned=2</script>"
)
MARKUP = "img, script, svg, b, i"
COUNSELLOR_PAYLOAD = '<svg onload="window.__pwned=3"></svg><b>fed</b> &amp; <i>kursiv</i>'


async def test_markup_in_messages_is_shown_as_text_and_never_runs(
    new_context: NewContext, server: ServerProcess
) -> None:
    visitor_page = await (await new_context()).new_page()
    await visitor_page.goto(server.url + "/")
    widget = Widget(visitor_page)
    await widget.open()
    await widget.send(VISITOR_PAYLOAD)
    await widget.acked(VISITOR_PAYLOAD)

    inbox = await (await new_context()).new_page()
    await inbox_login(inbox, server.url, "anna@example.org")
    queued = inbox.locator("#queue-list .conv-item")
    await expect(queued).to_have_count(1)
    await expect(queued.locator(".preview")).to_have_text(VISITOR_PAYLOAD)
    await queued.click()
    incoming = inbox.locator("#timeline .msg.in .msg-text")
    await expect(incoming).to_have_text(VISITOR_PAYLOAD)

    await inbox.locator("#btn-claim").click()
    await expect(inbox.locator("#btn-release")).to_be_visible()
    await inbox.locator("#composer-text").fill(COUNSELLOR_PAYLOAD)
    await inbox.locator("#composer-send").click()
    await expect(inbox.locator("#timeline .msg.out .msg-text")).to_have_text(COUNSELLOR_PAYLOAD)
    await expect(widget.items("counsellor", COUNSELLOR_PAYLOAD)).to_have_count(1)
    await expect(widget.items("counsellor").locator(".bubble")).to_have_text(COUNSELLOR_PAYLOAD)
    await screenshot(inbox, "escaping-inbox")
    await screenshot(visitor_page, "escaping-widget")

    # No element was made from the texts, and nothing in them ran.
    await expect(widget.log.locator(MARKUP)).to_have_count(0)
    await expect(inbox.locator("#queue-list, #mine-list, #timeline").locator(MARKUP)).to_have_count(
        0
    )
    assert await pwned(visitor_page) is None
    assert await pwned(inbox) is None
