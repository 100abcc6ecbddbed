"""The referral panel: the proposed service, booking a time, the timeline shows it."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import expect

from tests.browser.pages import (
    ASK_FOR_A_PERSON_DA,
    NewContext,
    inbox_login,
    open_conversation,
    screenshot,
)
from tests.support.clients import Visitor
from tests.support.server import ServerProcess

AARHUS = "Ungdommens Uddannelsesvejledning Aarhus"


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


async def test_counsellor_books_a_slot_at_another_service_and_a_colleague_sees_it_live(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    page = await (await new_context()).new_page()
    await inbox_login(page, server.url, "anna@example.org")
    visitor = await visitors("da").connect()
    await visitor.send(ASK_FOR_A_PERSON_DA)
    await expect(page.locator("#queue-list .conv-item")).to_have_count(1)
    await page.locator("#btn-take-next").click()
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")
    conversation_id = int(page.url.rsplit("-", 1)[1])
    colleague = await (await new_context()).new_page()
    await inbox_login(colleague, server.url, "bo@example.org")
    await open_conversation(colleague, server.url, conversation_id)
    await expect(colleague.locator("#referral-list li")).to_have_count(0)

    # Triage proposed no face-to-face meeting; the override asks for youth guidance,
    # and the panel proposes a service of that kind without a reload.
    await expect(page.locator("#referral-proposal")).to_contain_text("Ingen henvisning foreslået")
    await page.locator("#override-level").select_option("face_to_face")
    await page.locator("#override-refer").select_option("youth_guidance")
    await page.locator("#override-reason").fill("Vil gerne mødes med en vejleder")
    await page.locator("#override-form button[type=submit]").click()
    await expect(page.locator("#override-msg")).to_have_text("Gemt.")
    services = page.locator("#referral-service")
    await expect(services.locator("option")).not_to_have_count(0)
    await expect(services.locator("option").first).to_contain_text("(foreslået)")
    await expect(services.locator("option", has_text=AARHUS)).to_have_count(1)

    # Another service of the kind: its own free times (Aarhus: Mon 10:00, Wed 13:30, Fri 9:00).
    await page.get_by_label("Tilbud", exact=True).select_option(label=AARHUS)
    await expect(page.locator("#referral-body .referral-service")).to_have_text(AARHUS)
    await expect(page.locator("#referral-proposal")).not_to_contain_text("null")
    slot = page.locator("#referral-slot")
    await expect(slot.locator("option")).not_to_have_count(1)
    values = await slot.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    times = {re.sub(r"^.*T(\d\d:\d\d).*$", r"\1", v) for v in values[1:]}
    assert times <= {"10:00", "13:30", "09:00"} and times & {"10:00", "13:30"}, values
    await slot.select_option(values[1])
    await page.locator("#referral-body button[data-action=book]").click()
    await expect(page.locator("#referral-msg")).to_have_text("Gemt.")
    await expect(page.locator("#referral-list li")).to_have_count(1)
    await expect(page.locator("#referral-list li")).to_contain_text("booket")
    await expect(page.locator("#timeline .event-referral")).to_contain_text(AARHUS)
    # The booked time is no longer offered.
    await expect(slot.locator(f"option[value='{values[1]}']")).to_have_count(0)
    await screenshot(page, "inbox-referral-alternative-da")

    # The colleague with the conversation open sees the booking (referral.updated).
    await expect(colleague.locator("#referral-list li")).to_have_count(1)
    await expect(colleague.locator("#referral-list li")).to_contain_text("booket")
