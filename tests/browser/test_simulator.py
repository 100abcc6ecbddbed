"""The phone simulator in a real browser (sandbox mode): a text and a call, end to end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from playwright.async_api import Page, expect

from tests.browser.pages import screenshot
from tests.support.clients import Counsellor
from tests.support.server import ServerProcess

NUMBER = "+4526262626"


async def test_simulator_sms_and_urgent_call(
    server: ServerProcess, page: Page, counsellors: Callable[[str], Counsellor]
) -> None:
    await page.goto(server.url + "/simulator?language=en")
    await expect(page.locator("h1")).to_have_text("SMS and phone simulator")
    await page.locator("#from").fill(NUMBER)
    await page.locator("#from").dispatch_event("change")

    # A text in; the bot's answer (a self-help article) arrives on the phone.
    await page.locator("#text").fill("Hvornår er fristen for ansøgning til gymnasiet?")
    await page.locator("#compose button[type=submit]").click()
    await expect(page.locator("#messages li.in.sms")).to_have_count(1)
    await expect(page.locator("#messages li.out.sms").first).to_be_visible()
    await expect(page.locator("#text")).to_have_value("")

    # A call: English, "I need to talk to someone now", then wait in the queue.
    await page.locator("#call-language").select_option("2")
    await page.locator("#call-menu").select_option("3")
    await page.locator("#call-then").select_option("wait")
    await page.locator("#call button[type=submit]").click()
    await expect(page.locator("#messages li.in.call")).to_contain_text("2 → 3 → wait")
    await expect(page.locator("#messages li.say", has_text="first in the queue")).to_have_count(1)
    await expect(page.locator("#error")).to_have_text("")
    await screenshot(page, "simulator-sms-and-call")

    anna = await counsellors("anna@example.org").login()
    for _ in range(50):
        status, queue = await anna.request("GET", "/api/queue")
        assert status == 200
        voice = [item for item in queue["items"] if item["channel"] == "voice"]
        if voice:
            break
        await asyncio.sleep(0.1)
    assert voice and voice[0]["urgent"] is True
    assert queue["items"][0]["conversation_id"] == voice[0]["conversation_id"]  # urgent first
    status, detail = await anna.request("GET", f"/api/conversations/{voice[0]['conversation_id']}")
    assert any("Jeg har brug for at tale med nogen nu" in m["text"] for m in detail["messages"])

    # Anna takes the call: the simulator plays her phone, and the caller sees it connected.
    conversation_id = voice[0]["conversation_id"]
    await anna.request("POST", f"/api/conversations/{conversation_id}/claim")
    status, body = await anna.request(
        "POST", f"/api/conversations/{conversation_id}/call", json={"to": "+4540506070"}
    )
    assert status == 201 and body["action"] == "connect", body
    call_view = page.locator("#active-call")
    await expect(call_view).to_contain_text("Connected to +4540506070")
    await expect(page.locator("#messages li.connected")).to_have_count(1)
    await screenshot(page, "simulator-call-connected")
    await page.locator("#counsellor-hangs-up").click()
    await expect(call_view).to_be_hidden()
    await expect(page.locator("#messages li.ended")).to_contain_text("The call ended")
    await expect(page.locator("#error")).to_have_text("")
    for _ in range(50):
        status, detail = await anna.request("GET", f"/api/conversations/{conversation_id}")
        if any(m["text"].startswith("Samtale med Anna, varighed") for m in detail["messages"]):
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError("the call's length is not in the timeline")


async def test_simulator_links_to_the_email_simulator_and_a_waiting_caller_hangs_up(
    server: ServerProcess, page: Page
) -> None:
    await page.goto(server.url + "/simulator")
    link = page.locator("a#email-simulator")
    await expect(link).to_have_text("E-mail")
    assert await link.get_attribute("href") == "/simulator/email"
    await page.locator("#from").fill("+4527272727")
    await page.locator("#from").dispatch_event("change")
    await page.locator("#call button[type=submit]").click()
    await expect(page.locator("#call-state")).to_have_text("📞 Du venter i køen")
    await expect(page.locator("#counsellor-hangs-up")).to_be_hidden()
    await page.locator("#hang-up").click()
    await expect(page.locator("#active-call")).to_be_hidden()
    await expect(page.locator("#messages li.ended")).to_have_count(1)
