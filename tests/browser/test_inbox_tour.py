"""A morning in the inbox, for the README's pictures: a queue with an urgent chat on
top, a worked conversation (reply, note, triage change, referral) and the dashboard.
Run with EGUIDANCE_DOCS_SCREENSHOTS=1 to refresh docs/screenshots."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import expect

from tests.browser.pages import ASK_FOR_A_PERSON_DA, NewContext, inbox_login, screenshot
from tests.support.clients import Visitor
from tests.support.server import ServerProcess

ENGLISH = "Hi, I would like to talk to a counsellor about studying in Denmark"
DANGER = "jeg vil ikke leve mere"
REPLY = "Hej, jeg hedder Anna og er vejleder. Fortæl mig lidt om, hvad du overvejer?"
NOTE = "Virker usikker på stx eller eux – foreslå en samtale hos UU"
REASON = "Ønsker en personlig samtale om valg af ungdomsuddannelse"


async def test_queue_conversation_and_dashboard_views(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    page = await (await new_context()).new_page()
    await inbox_login(page, server.url, "anna@example.org")
    calm = await visitors("da").connect()
    calm_id = (await calm.send(ASK_FOR_A_PERSON_DA))["conversation_id"]
    english = await visitors("en").connect()
    await english.send(ENGLISH)
    worried = await visitors("da").connect()
    await worried.send(DANGER)
    items = page.locator("#queue-list .conv-item")
    await expect(items).to_have_count(3)
    await expect(items.first.locator(".badge-urgent")).to_be_visible()
    for index in range(3):
        await expect(items.nth(index).locator(".triage-line .reasons")).not_to_be_empty()
    await page.locator("#alert-banner button").click()
    await expect(page.locator("#conv-badges")).to_contain_text("AKUT")
    await page.locator("#alert-banner").evaluate("(el) => { el.hidden = true; }")
    await screenshot(page, "inbox-queue-tour-da", docs_name="inbox-queue")

    # Anna takes the calm chat and works it.
    await items.filter(has_text=ASK_FOR_A_PERSON_DA).click()
    await expect(page).to_have_url(re.compile(rf"#conversation-{calm_id}$"))
    await expect(page.locator("#timeline .msg.in").first).to_have_text(
        re.compile(ASK_FOR_A_PERSON_DA)
    )
    await page.locator("#btn-claim").click()
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")
    await page.locator("#contact-name").fill("Mikkel")
    await page.locator("#contact-postcode").fill("8000")
    await page.locator("#contact-save").click()
    await expect(page.locator("#contact-msg")).to_have_text("Gemt.")
    await page.locator("#composer-text").fill(REPLY)
    await page.locator("#composer-send").click()
    await calm.message(lambda m: m["text"] == REPLY)
    await calm.send("Jeg ved ikke, om jeg skal vælge stx eller eux")
    await page.locator("#composer-internal").check()
    await page.locator("#composer-text").fill(NOTE)
    await page.locator("#composer-send").click()
    await expect(page.locator("#timeline .msg.internal")).to_have_count(1)
    await page.locator("#composer-internal").uncheck()
    await page.locator("#override-level").select_option("face_to_face")
    await page.locator("#override-refer").select_option("youth_guidance")
    await page.locator("#override-reason").fill(REASON)
    await page.locator("#override-form button[type=submit]").click()
    await expect(page.locator("#timeline .event-triage.by-counsellor")).to_have_count(1)
    await page.locator("#btn-claim").or_(page.locator("#btn-release")).first.focus()
    await page.reload()  # the proposal follows the new triage
    await expect(page.locator("#referral-body .referral-service")).not_to_be_empty()
    slot = page.locator("#referral-slot")
    await expect(slot.locator("option").nth(1)).to_be_attached()
    await slot.select_option(index=1)
    await page.locator("#referral-body button[data-action=book]").click()
    await expect(page.locator("#referral-list .referral-status")).to_have_text("booket")
    await expect(page.locator("#referral-list li")).to_have_count(1)
    await expect(page.locator("#timeline .event-referral")).to_have_count(1)
    await expect(page.locator("#contact-postcode")).to_have_value("8000")
    await page.locator("#side-panel").evaluate("(el) => { el.scrollTop = 0; }")
    await screenshot(page, "inbox-conversation-tour-da", docs_name="inbox-conversation")

    boss = await (await new_context()).new_page()
    await inbox_login(boss, server.url, "sara@example.org")
    await boss.locator("#btn-dashboard").click()
    await expect(boss.locator(".dash-total .figure-value")).to_have_text("3")
    await expect(boss.locator("#dash-users")).to_contain_text("anna@example.org")
    await screenshot(boss, "inbox-dashboard-tour-da", docs_name="inbox-dashboard")
