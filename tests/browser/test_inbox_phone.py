"""A phone conversation in the inbox: the calls come as Twilio-signed voice webhooks to
the real server; the timeline shows each call's kind and duration, the voicemail's
recording link and its transcript. And the Alt+C shortcut closes a conversation."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Dialog, expect

from tests.browser.pages import PASSWORD, NewContext, inbox_login, screenshot
from tests.support.fake_twilio import ACCOUNT_SID, FakeTwilio, Webhooks, twilio_env
from tests.support.fake_twilio import AUTH_TOKEN as TWILIO_TOKEN
from tests.support.server import ServerProcess

CALLER = "+4523456789"
CALL = "CA" + "4" * 32
RECORDING = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
TRANSCRIPT = "Hej, jeg vil gerne høre om erhvervsuddannelser"


@pytest.fixture
async def fake_twilio() -> AsyncIterator[FakeTwilio]:
    fake = await FakeTwilio(ACCOUNT_SID, TWILIO_TOKEN).start()
    yield fake
    await fake.stop()


@pytest.fixture
def server(tmp_path: Path, fake_twilio: FakeTwilio) -> Iterator[ServerProcess]:
    """A node with Twilio set up against the fake (replaces the shared fixture)."""
    node = ServerProcess(tmp_path / "node", env=twilio_env(fake_twilio))
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    node.start()
    yield node
    node.stop()


async def hook(hooks: Webhooks, path: str, **fields: str) -> None:
    status, text = await hooks.post(
        path, {"CallSid": CALL, "AccountSid": ACCOUNT_SID, "From": CALLER, **fields}
    )
    assert status == 200, text


async def accept(dialog: Dialog) -> None:
    await dialog.accept()


async def test_phone_timeline_shows_calls_recording_and_transcript_and_alt_c_closes(
    new_context: NewContext, server: ServerProcess
) -> None:
    page = await (await new_context()).new_page()
    await inbox_login(page, server.url, "anna@example.org")
    hooks = Webhooks(server.url)
    # A voicemail after leaving the phone queue, its transcript, then the call's end.
    await hook(
        hooks,
        "/hooks/twilio/voice/recorded?lang=da",
        RecordingUrl=RECORDING,
        RecordingSid="RE" + "1" * 32,
        RecordingDuration="12",
    )
    await hook(
        hooks,
        "/hooks/twilio/voice/transcript?lang=da",
        TranscriptionSid="TR" + "1" * 32,
        TranscriptionStatus="completed",
        TranscriptionText=TRANSCRIPT,
        RecordingSid="RE" + "1" * 32,
    )
    await hook(hooks, "/hooks/twilio/voice/status", CallStatus="completed", CallDuration="97")

    item = page.locator("#queue-list .conv-item")
    await expect(item).to_have_count(1)
    await expect(item).to_contain_text("Telefon")
    await item.click()
    await expect(page.locator("#conv-view")).to_be_visible()
    timeline = page.locator("#timeline")
    voicemail = timeline.locator("li.msg.channel-voice").filter(
        has=page.locator(".call-kind", has_text="Talebesked")
    )
    await expect(voicemail).to_have_count(1)
    await expect(voicemail.locator(".call-kind")).to_have_text("Talebesked · varighed 0 min 12 s")
    link = voicemail.get_by_role("link", name="Hør optagelsen")
    await expect(link).to_have_attribute("href", RECORDING)
    await expect(link).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    await expect(voicemail.locator(".transcript")).to_contain_text(TRANSCRIPT)
    ended = timeline.locator("li.msg.channel-voice .call-kind", has_text="Opkald afsluttet")
    await expect(ended).to_have_text("Opkald afsluttet · varighed 1 min 37 s")
    await screenshot(page, "inbox-phone-da")

    # Alt+C asks, then closes the conversation.
    await page.locator("#btn-claim").click()
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")
    page.once("dialog", accept)
    await page.keyboard.press("Alt+c")
    await expect(page.locator("#conv-badges")).to_contain_text("Afsluttet")
    await expect(page.locator("#btn-close")).to_be_hidden()
    await expect(page.locator("#mine-list .conv-item")).to_have_count(0)
