"""An SMS conversation in the inbox: Twilio-signed webhooks to the real server, the
reply through the (fake) Twilio API, and its delivery reports in the timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.pages import (
    ASK_FOR_A_PERSON_DA,
    PASSWORD,
    NewContext,
    inbox_login,
    screenshot,
)
from tests.support.fake_twilio import ACCOUNT_SID, FROM_NUMBER, FakeTwilio, Webhooks, twilio_env
from tests.support.fake_twilio import AUTH_TOKEN as TWILIO_TOKEN
from tests.support.server import ServerProcess

PERSON = "+4522334455"
FIRST_REPLY = "Hej, jeg hedder Anna og er vejleder. Hvad tænker du om gymnasiet?"
SECOND_REPLY = "Skriv endelig igen, hvis du har flere spørgsmål."


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    fake = await FakeTwilio(ACCOUNT_SID, TWILIO_TOKEN).start()
    yield fake
    await fake.stop()


@pytest.fixture
def server(tmp_path: Path, fake_twilio: FakeTwilio) -> Iterator[ServerProcess]:
    """A node that sends SMS through the fake Twilio (replaces the shared fixture)."""
    node = ServerProcess(
        tmp_path / "node",
        env={**twilio_env(fake_twilio), "EGUIDANCE_OUTBOX__POLL_INTERVAL_S": "0.2"},
    )
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    node.start()
    yield node
    node.stop()


async def status_report(hooks: Webhooks, sid: str, status: str, **extra: str) -> None:
    code, text = await hooks.post(
        "/hooks/twilio/sms/status",
        {
            "MessageSid": sid,
            "MessageStatus": status,
            "AccountSid": ACCOUNT_SID,
            "From": FROM_NUMBER,
            "To": PERSON,
            **extra,
        },
    )
    assert code == 200, text


async def test_sms_conversation_shows_segments_and_delivery_status(
    new_context: NewContext, server: ServerProcess, fake_twilio: FakeTwilio
) -> None:
    page = await (await new_context()).new_page()
    await inbox_login(page, server.url, "anna@example.org")
    hooks = Webhooks(server.url)
    await hooks.sms(PERSON, ASK_FOR_A_PERSON_DA, NumSegments="2")

    queued = page.locator("#queue-list .conv-item")
    await expect(queued).to_have_count(1)
    await expect(queued.locator(".badge").first).to_have_text("SMS")
    await page.locator("#btn-take-next").click()
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")
    inbound = page.locator("#timeline .msg.in.channel-sms").filter(has_text=ASK_FOR_A_PERSON_DA)
    await expect(inbound).to_have_count(1)
    await expect(inbound.locator(".segments")).to_have_text(" · 2 sms")
    await expect(page.locator("#conv-sub")).to_contain_text(PERSON)

    # The reply goes out through Twilio; the status callbacks move it to delivered.
    await page.locator("#composer-text").fill(FIRST_REPLY)
    await expect(page.locator("#sms-segments")).to_contain_text("1 SMS")
    await page.locator("#composer-send").click()
    sent = await fake_twilio.wait_for_sms(lambda s: s.body == FIRST_REPLY)
    reply = page.locator("#timeline .msg.out").filter(has_text=FIRST_REPLY)
    await expect(reply.locator(".delivery")).to_have_text(" · sendt")
    await status_report(hooks, sent.sid, "delivered")
    await expect(reply.locator(".delivery")).to_have_text(" · leveret")

    # A reply that the network could not deliver: the status and Twilio's code show.
    await page.locator("#composer-text").fill(SECOND_REPLY)
    await page.locator("#composer-send").click()
    failed_sms = await fake_twilio.wait_for_sms(lambda s: s.body == SECOND_REPLY)
    failed = page.locator("#timeline .msg.out").filter(has_text=SECOND_REPLY)
    await expect(failed.locator(".delivery")).to_have_text(" · sendt")
    await status_report(
        hooks,
        failed_sms.sid,
        "undelivered",
        ErrorCode="30003",
        ErrorMessage="Unreachable destination handset",
    )
    await expect(failed.locator(".delivery")).to_have_text(" · IKKE LEVERET")
    await expect(failed.locator(".delivery-error")).to_contain_text("fejlkode 30003")
    await screenshot(page, "inbox-sms-da")
