"""Urgent chats: top of the queue, sound, desktop notification; the supervisors' dashboard."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import expect

from tests.browser.pages import ASK_FOR_A_PERSON_DA, NewContext, inbox_login, screenshot
from tests.support.clients import Visitor
from tests.support.server import ServerProcess

DANGER = "jeg vil ikke leve mere"
# Records what the page does with sound and notifications (an init script is not
# subject to the page's CSP).
RECORD_ALERTS = """
window.__notified = [];
window.__beeps = 0;
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) { super(title, options); window.__notified.push(title); }
};
const realOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__beeps += 1;
  return realOscillator.call(this);
};
"""


async def test_urgent_chat_alerts_and_the_dashboard_shows_it(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    context = await new_context(permissions=["notifications"])
    await context.add_init_script(RECORD_ALERTS)
    page = await context.new_page()
    await inbox_login(page, server.url, "anna@example.org")
    await page.locator("#queue-title").click()  # a first gesture lets the page play sound

    calm = await visitors("da").connect()
    await calm.send(ASK_FOR_A_PERSON_DA)
    await expect(page.locator("#queue-list .conv-item")).to_have_count(1)

    worried = await visitors("da").connect()
    await worried.send(DANGER)
    await expect(page.locator("#alert-banner")).to_be_visible()
    await expect(page.locator("#alert-banner")).to_contain_text("AKUT")
    items = page.locator("#queue-list .conv-item")
    await expect(items).to_have_count(2)
    await expect(items.first).to_have_class(re.compile(r"\burgent\b"))
    await expect(items.first.locator(".badge-urgent")).to_have_text("AKUT")
    await expect(items.first.locator(".reasons")).not_to_be_empty()
    await page.wait_for_function("() => window.__notified.length > 0 && window.__beeps > 0")
    await screenshot(page, "inbox-queue-urgent-da")

    # Filters: urgent only.
    await page.locator("#filter-urgent").check()
    await expect(items).to_have_count(1)
    await page.locator("#filter-urgent").uncheck()
    await expect(items).to_have_count(2)

    # The supervisor's dashboard shows today's two contacts and the live queue.
    boss = await (await new_context()).new_page()
    await inbox_login(boss, server.url, "sara@example.org")
    await boss.locator("#btn-dashboard").click()
    await expect(boss.locator("#dashboard-view")).to_be_visible()
    await expect(boss.locator(".dash-waiting .figure-value")).to_have_text("2")
    await expect(boss.locator(".dash-total .figure-value")).to_have_text("2")
    await expect(boss.locator("#dash-hours svg rect.bar")).to_have_count(24)
    await expect(boss.locator("#dash-users")).to_contain_text("anna@example.org")

    # Live: Anna takes the urgent one; the supervisor's figure moves without a reload.
    await page.locator("#btn-take-next").click()
    await expect(page.locator("#conv-badges")).to_contain_text("AKUT")
    await expect(boss.locator(".dash-waiting .figure-value")).to_have_text("1")
    await screenshot(boss, "inbox-dashboard-da")

    # Counsellors do not get the dashboard button.
    await expect(page.locator("#btn-dashboard")).to_be_hidden()


async def test_triage_reasons_are_shown_in_the_inbox_language(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    """The reasons are stored in English; the Danish inbox shows them in Danish."""
    danish = await (await new_context()).new_page()
    await inbox_login(danish, server.url, "sara@example.org")
    english = await (await new_context()).new_page()
    await english.goto(server.url + "/inbox?language=en")  # the cookie keeps English
    await inbox_login(english, server.url, "anna@example.org")
    await expect(english.locator("html")).to_have_attribute("lang", "en")

    worried = await visitors("da").connect()
    await worried.send(DANGER)
    shown = {
        danish: ("Nævner tanker om selvmord", "Mentions"),
        english: ("Mentions thoughts of suicide", "Nævner"),
    }
    for page, (text, other) in shown.items():
        item = page.locator("#queue-list .conv-item")
        await expect(item).to_have_count(1)
        await expect(item.locator(".reasons")).to_contain_text(text)
        await expect(item.locator(".reasons")).not_to_contain_text(other)
        await expect(page.locator("#alert-banner")).to_contain_text(text)
        await item.click()
        await expect(page.locator("#triage-reasons")).to_contain_text(text)
        await expect(page.locator("#triage-reasons")).not_to_contain_text(other)
        await expect(page.locator("#timeline .event-reasons").first).to_contain_text(text)
    await screenshot(danish, "inbox-triage-reasons-da")

    # The supervisors' per-rule table names the rules in Danish too.
    await danish.locator("#btn-dashboard").click()
    await expect(danish.locator("#dashboard-view")).to_contain_text(
        "Nævner tanker om selvmord eller om at være død"
    )
