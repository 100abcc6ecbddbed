"""A counsellor overrides the triage with a reason, then hands the chat to a colleague."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import expect

from tests.browser.pages import ASK_FOR_A_PERSON_DA, NewContext, inbox_login, screenshot
from tests.support.clients import Visitor
from tests.support.server import ServerProcess

REASON = "Har brug for en samtale ansigt til ansigt om ordblindhed"


async def test_override_with_a_reason_shows_in_the_timeline_and_a_transfer_arrives_live(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    anna = await (await new_context()).new_page()
    await inbox_login(anna, server.url, "anna@example.org")
    bo = await (await new_context()).new_page()
    await inbox_login(bo, server.url, "bo@example.org")

    visitor = await visitors("da").connect()
    ack = await visitor.send(ASK_FOR_A_PERSON_DA)
    queued = anna.locator("#queue-list .conv-item")
    await expect(queued).to_have_count(1)
    # Level and the decision's reasons in one line of the queue.
    line = queued.locator(".triage-line")
    await expect(line.locator(".level")).not_to_be_empty()
    await expect(line.locator(".reasons")).not_to_be_empty()

    await anna.locator("#btn-take-next").click()
    await expect(anna.locator("#conv-badges")).to_contain_text("Aktiv")

    # Without a reason the override is refused in the form.
    await anna.locator("#override-level").select_option("face_to_face")
    await anna.locator("#override-form button[type=submit]").click()
    await expect(anna.locator("#override-msg")).to_have_text("Skriv en begrundelse for ændringen.")
    await anna.locator("#override-reason").fill(REASON)
    await anna.locator("#override-form button[type=submit]").click()
    await expect(anna.locator("#override-msg")).to_have_text("Gemt.")
    changed = anna.locator("#timeline .event-triage.by-counsellor")
    await expect(changed).to_have_count(1)
    await expect(changed.locator(".msg-meta")).to_contain_text("Visitation ændret af en vejleder")
    await expect(changed.locator(".event-text")).to_contain_text("Personlig vejledning")
    await expect(changed.locator(".event-reasons")).to_have_text(f"Begrundelse: {REASON}")
    await expect(anna.locator("#triage-reasons")).to_contain_text(REASON)
    await expect(anna.locator("#conv-badges")).to_contain_text("Personlig vejledning")

    # Transfer to Bo: it appears in his list live, and he can open and answer it.
    await expect(bo.locator("#mine-list .conv-item")).to_have_count(0)
    bo_id = await anna.locator("#transfer-to option", has_text=re.compile(r"^Bo ")).get_attribute(
        "value"
    )
    assert bo_id
    await anna.locator("#transfer-to").select_option(bo_id)
    await anna.locator("#transfer-form button[type=submit]").click()
    await expect(anna.locator("#conv-badges")).to_contain_text("Hos Bo")
    await expect(anna.locator("#btn-claim")).to_be_visible()
    await expect(anna.locator("#mine-list .conv-item")).to_have_count(0)

    mine = bo.locator("#mine-list .conv-item")
    await expect(mine).to_have_count(1)
    await expect(mine).to_have_attribute("data-id", str(ack["conversation_id"]))
    await mine.click()
    await expect(bo.locator("#conv-badges")).to_contain_text("Din")
    await expect(
        bo.locator("#timeline .event-triage.by-counsellor .event-reasons")
    ).to_contain_text(REASON)
    await bo.locator("#composer-text").fill("Hej, det er Bo. Jeg tager over herfra.")
    await bo.locator("#composer-send").click()
    reply = await visitor.message(lambda m: m["text"].startswith("Hej, det er Bo"))
    assert reply["author"] == "counsellor"
    await screenshot(bo, "inbox-transferred-da")
