"""An e-mail conversation in the inbox: sent over SMTP to the server's listener, shown
with its subject, the quoted history folded away, and its attachment to download."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import expect

from tests.browser.pages import NewContext, inbox_login, open_conversation, screenshot
from tests.e2e.test_email_support import (
    MailNode,
    email_conversation,
    logged_in,
    mail_node,
    person_mail,
    wait_until,
)
from tests.support.server import ServerProcess

NEW_TEXT = "Tak for svaret. Jeg vil gerne høre mere om eux."
QUOTED = "Hej Mette, hvad tænker du om gymnasiet?"
BODY = (
    f"{NEW_TEXT}\n\n"
    "Den tir. 1. dec. 2026 kl. 10.00 skrev eGuidance <vejledning@example.org>:\n"
    f"> {QUOTED}\n> Mvh Anna\n"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_NAME = "CV Mette.pdf"


@pytest.fixture
async def mail(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[MailNode]:
    async with mail_node(tmp_path_factory.mktemp("mail")) as node:
        yield node


@pytest.fixture
def server(mail: MailNode) -> ServerProcess:
    """The mail node is the server the browser uses (replaces the shared fixture)."""
    return mail.server


async def test_email_shows_subject_folded_quote_and_attachment_link(
    new_context: NewContext, mail: MailNode
) -> None:
    message = person_mail(BODY, subject="Spørgsmål om eux")
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename=PDF_NAME)
    await mail.send(message)
    async with logged_in(mail) as anna:
        conversation = await wait_until(lambda: email_conversation(anna))
    inbound = conversation["messages"][0]
    assert inbound["meta"]["full_text"].startswith(NEW_TEXT)
    assert inbound["meta"]["attachments"][0]["url"].endswith("/attachments/0")

    page = await (await new_context()).new_page()
    await inbox_login(page, mail.server.url, "anna@example.org")
    await open_conversation(page, mail.server.url, conversation["id"])
    item = page.locator(f"#timeline .msg.channel-email[data-id='{inbound['id']}']")
    await expect(item.locator(".msg-subject")).to_have_text("Emne: Spørgsmål om eux")
    await expect(item.locator(":scope > .msg-text")).to_have_text(NEW_TEXT)
    await expect(item.locator(":scope > .msg-text")).not_to_contain_text(QUOTED)

    # The quoted history is folded: hidden until asked for.
    quoted = item.locator("details.quoted")
    await expect(quoted).not_to_have_attribute("open", "")
    await expect(quoted.locator(".full-text")).to_be_hidden()
    await quoted.locator("summary").click()
    await expect(quoted.locator(".full-text")).to_be_visible()
    await expect(quoted.locator(".full-text")).to_contain_text(QUOTED)

    # The attachment is a download link to the counsellor API.
    link = item.locator(".attachments a", has_text=PDF_NAME)
    href = f"/api/messages/{inbound['id']}/attachments/0"
    await expect(link).to_have_attribute("href", href)
    await expect(item.locator(".attachments")).to_contain_text("application/pdf")
    response = await page.request.get(mail.server.url + href)
    assert response.status == 200
    assert await response.body() == PDF
    await expect(item.locator(".raw-link")).to_have_attribute(
        "href", f"/api/messages/{inbound['id']}/raw"
    )
    await screenshot(page, "inbox-email-da")
