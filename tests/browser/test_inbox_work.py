"""The inbox at work: take next, canned reply, contact profile, merge, keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.async_api import Dialog, expect

from server.auth import SESSION_COOKIE
from tests.browser.pages import ASK_FOR_A_PERSON_DA, NewContext, inbox_login, screenshot
from tests.support.clients import Counsellor, Visitor
from tests.support.server import ServerProcess

PROFILE = "Går i 9. klasse, overvejer stx eller eux. <b>ikke fed</b>"
SECOND_TEXT = "Hej igen, det er mig fra i går – jeg vil gerne tale med en vejleder"


async def accept(dialog: Dialog) -> None:
    await dialog.accept()


async def test_take_next_canned_reply_profile_and_merge(
    new_context: NewContext,
    server: ServerProcess,
    visitors: Callable[..., Visitor],
    counsellors: Callable[[str], Counsellor],
) -> None:
    page = await (await new_context()).new_page()
    await inbox_login(page, server.url, "anna@example.org")
    await expect(page.locator("#btn-take-next")).to_be_visible()

    # A chat arrives live; "take next" (Alt+N) claims it and opens it.
    visitor = await visitors("da").connect()
    ack = await visitor.send(ASK_FOR_A_PERSON_DA)
    queued = page.locator("#queue-list .conv-item")
    await expect(queued).to_have_count(1)
    await expect(queued.locator(".badge").first).to_have_text("Chat")
    await expect(queued.locator(".waiting")).to_contain_text("venter")
    await page.keyboard.press("Alt+n")
    await expect(page).to_have_url(re.compile(rf"#conversation-{ack['conversation_id']}$"))
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")
    await expect(page.locator("#queue-list .conv-item")).to_have_count(0)
    await expect(page.locator("#mine-list .conv-item")).to_have_count(1)
    await expect(page.locator("#timeline .event-triage").first).to_be_visible()

    # Nothing more to take: a clear message, no error.
    await page.locator("#btn-take-next").click()
    await expect(page.locator("#take-next-msg")).to_have_text("Ingen venter, som du kan betjene.")

    # The contact panel: name and profile are saved (and shown as text).
    await page.locator("#contact-name").fill("Mikkel")
    await page.locator("#contact-profile").fill(PROFILE)
    await page.locator("#contact-save").click()
    await expect(page.locator("#contact-msg")).to_have_text("Gemt.")
    await expect(page.locator("#conv-title")).to_have_text("Mikkel")
    api = await counsellors("anna@example.org").login()
    _, conversation = await api.request("GET", f"/api/conversations/{ack['conversation_id']}")
    contact_id = conversation["contact"]["id"]
    status, contact = await api.request("GET", f"/api/contacts/{contact_id}")
    assert status == 200
    assert (contact["name"], contact["profile"]) == ("Mikkel", PROFILE)

    # A canned reply with its placeholders filled, sent with the keyboard.
    await page.locator("#canned-select").select_option("greeting")
    await page.locator("#canned-insert").click()
    composer = page.locator("#composer-text")
    await expect(composer).to_have_value(re.compile(r"^Hej Mikkel, jeg hedder Anna og er vejleder"))
    await expect(composer).to_be_focused()
    await composer.press("Control+Enter")
    await expect(composer).to_have_value("")
    sent = await visitor.message(lambda m: m["text"].startswith("Hej Mikkel, jeg hedder Anna"))
    assert sent["author"] == "counsellor"

    # Alt+I switches to an internal note.
    await page.keyboard.press("Alt+i")
    await expect(page.locator("#composer-internal")).to_be_checked()
    await expect(page.locator("#composer-send")).to_have_text("Gem note")
    await page.keyboard.press("Alt+r")
    await expect(page.locator("#composer-internal")).not_to_be_checked()

    # The same person writes from another browser: a second contact. Merge it here.
    other_visitor = await visitors("da").connect()
    other_ack = await other_visitor.send(SECOND_TEXT)
    _, other_conversation = await api.request(
        "GET", f"/api/conversations/{other_ack['conversation_id']}"
    )
    other_id = other_conversation["contact"]["id"]
    assert other_id != contact_id
    await page.locator(".merge summary").click()
    await page.locator("#merge-other").fill(str(other_id))
    page.once("dialog", accept)
    await page.locator("#merge-form button[type=submit]").click()
    await expect(page.locator("#merge-msg")).to_have_text("Sammenlagt.")
    await expect(page.locator("#contact-addresses li")).to_have_count(2)
    await expect(page.locator("#contact-history button")).to_have_count(1)
    status, merged = await api.request("GET", f"/api/contacts/{contact_id}")
    assert {c["id"] for c in merged["conversations"]} == {
        ack["conversation_id"],
        other_ack["conversation_id"],
    }
    assert (await api.request("GET", f"/api/contacts/{other_id}"))[0] == 404
    await screenshot(page, "inbox-work-conversation-da")


async def test_roles_and_csrf_are_enforced_on_the_server(
    server: ServerProcess, counsellors: Callable[[str], Counsellor]
) -> None:
    anna = await counsellors("anna@example.org").login()
    assert (await anna.request("GET", "/api/dashboard"))[0] == 403
    assert (await anna.request("GET", "/api/users"))[0] == 403
    created = await anna.request(
        "POST", "/api/users", json={"email": "x@example.org", "role": "admin"}
    )
    assert created[0] == 403
    sara = await counsellors("sara@example.org").login()
    assert (await sara.request("GET", "/api/dashboard"))[0] == 200
    assert (await sara.request("POST", "/api/users/1/deactivate"))[0] == 403

    # A cookie session without the CSRF header is refused.
    cookie = {"Cookie": f"{SESSION_COOKIE}={anna.token}"}
    async with anna.http.patch(
        "/api/contacts/1", json={"profile": "x"}, headers=cookie
    ) as response:
        assert response.status == 403
        assert (await response.json())["error"]["code"] == "csrf"
