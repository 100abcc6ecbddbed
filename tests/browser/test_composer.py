"""The composer's "Send as" and e-mail subject in a real browser: an e-mail
conversation answered with the counsellor's subject, then by SMS to the person's
known number (the segment counter shows, the subject field hides), the channel's
400 for an over-long SMS and the 409 for an opted-out number shown to the counsellor."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import expect

from tests.browser.pages import NewContext, inbox_login, open_conversation, screenshot
from tests.e2e.test_email_support import (
    MailNode,
    body_of,
    email_conversation,
    logged_in,
    mail_node,
    person_mail,
    wait_until,
)
from tests.e2e.test_sms import conversation_of
from tests.support.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, Webhooks, twilio_env
from tests.support.server import ServerProcess

PERSON = "+4522334466"
SUBJECT = "Om din ansøgning"
MAIL_REPLY = "Hej Mette, her er svaret på din mail."
SMS_REPLY = "Hej Mette, jeg sender lige en SMS, så du ser det hurtigt."


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    fake = await FakeTwilio(ACCOUNT_SID, AUTH_TOKEN).start()
    yield fake
    await fake.stop()


@pytest.fixture
async def mail(
    tmp_path_factory: pytest.TempPathFactory, fake_twilio: FakeTwilio
) -> AsyncIterator[MailNode]:
    async with mail_node(tmp_path_factory.mktemp("mail"), twilio_env(fake_twilio)) as node:
        yield node


@pytest.fixture
def server(mail: MailNode) -> ServerProcess:
    """The mail node (with Twilio) is the server the browser uses."""
    return mail.server


async def test_send_as_another_address_with_subject_counter_and_errors(
    new_context: NewContext, mail: MailNode, fake_twilio: FakeTwilio
) -> None:
    url = mail.server.url
    await mail.send(person_mail("Jeg vil gerne tale med en vejleder om gymnasiet."))
    hooks = Webhooks(url)
    await hooks.sms(PERSON, "Jeg vil gerne tale med en vejleder om SU")
    async with logged_in(mail) as anna:
        conversation = await wait_until(lambda: email_conversation(anna))
        texted = await conversation_of(anna, "Jeg vil gerne tale med en vejleder om SU")
        status, _ = await anna.request(
            "POST",
            f"/api/contacts/{conversation['contact']['id']}/merge",
            json={"other_id": texted["contact"]["id"]},
        )
        assert status == 200

    page = await (await new_context()).new_page()
    await inbox_login(page, url, "anna@example.org")
    await open_conversation(page, url, conversation["id"])
    send_as = page.locator("#composer-address")
    subject = page.locator("#composer-subject")
    for control in ("composer-address", "composer-subject"):
        await expect(page.locator(f"label[for='{control}']")).to_have_count(1)
    # The conversation's own address first chosen; e-mail has a subject.
    await expect(send_as.locator("option")).to_have_count(2)
    await expect(send_as.locator("option:checked")).to_contain_text("mette.aero@example.dk")
    await expect(subject).to_be_visible()

    await subject.fill(SUBJECT)
    await page.locator("#composer-text").fill(MAIL_REPLY)
    await page.locator("#composer-send").click()
    sent = await mail.sink.wait_for(lambda m: "her er svaret" in body_of(m, "plain"))
    assert str(sent["Subject"]).startswith(SUBJECT + " [#")
    await expect(
        page.locator("#timeline .msg.out.channel-email").filter(has_text=MAIL_REPLY)
    ).to_contain_text(SUBJECT)
    await expect(subject).to_have_value("")

    # By SMS to the number the person texted from: no subject, the segment counter.
    number = send_as.locator("option").filter(has_text=PERSON)
    await send_as.select_option(await number.get_attribute("value"))
    await expect(subject).to_be_hidden()
    await page.locator("#composer-text").fill(SMS_REPLY)
    await expect(page.locator("#sms-segments")).to_contain_text(re.compile(r"1 (SMS|sms)"))
    await screenshot(page, "composer-send-as-sms")
    await page.locator("#composer-send").click()
    sms = await fake_twilio.wait_for_sms(lambda s: s.body == SMS_REPLY)
    assert sms.to == PERSON
    await expect(
        page.locator("#timeline .msg.out.channel-sms").filter(has_text=SMS_REPLY)
    ).to_have_count(1)
    await expect(send_as.locator("option:checked")).to_contain_text(PERSON)

    # Over the SMS limit: the channel's 400, shown, nothing stored.
    await page.locator("#composer-text").fill("x" * 1700)
    await page.locator("#composer-send").click()
    await expect(page.locator("#conv-error")).to_contain_text("1600")
    await expect(page.locator("#composer-text")).to_have_value("x" * 1700)

    # The person texts STOP: the 409 is shown and the number can no longer be chosen.
    await hooks.sms(PERSON, "STOP")
    await page.locator("#composer-text").fill(SMS_REPLY + " Igen.")
    await page.locator("#composer-send").click()
    # In the interface's language (Danish by default), English until translated.
    await expect(page.locator("#conv-error")).to_contain_text(re.compile("frabedt|opted out"))
    await expect(number).to_be_disabled()
    await expect(send_as.locator("option:checked")).to_contain_text("mette.aero@example.dk")
    await screenshot(page, "composer-opted-out")
    assert [s.body for s in fake_twilio.sent if s.to == PERSON].count(SMS_REPLY) == 1
