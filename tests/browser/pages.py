"""What the browser tests look at: the chat widget, the inbox, screenshots."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from playwright.async_api import BrowserContext, Locator, Page, expect

from tests.support.clients import Counsellor
from tests.support.server import REPO

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections are refused
# here and it stalls; the rest keep a headless run quiet.
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
DOCS_SCREENSHOTS = REPO / "docs" / "screenshots"
PASSWORD = "correct-horse-battery"
ASK_FOR_A_PERSON_DA = "Hej, jeg vil gerne tale med en vejleder om gymnasiet"

NewContext = Callable[..., Awaitable[BrowserContext]]

expect.set_options(timeout=TIMEOUT_MS)


async def screenshot(page: Page, name: str, docs_name: str | None = None) -> Path:
    """A test artefact; with EGUIDANCE_DOCS_SCREENSHOTS=1 also the README's copy."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    await page.screenshot(path=str(path))
    if docs_name and os.environ.get("EGUIDANCE_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / f"{docs_name}.png")
    return path


async def pwned(page: Page) -> Any:
    return await page.evaluate("() => window.__pwned")


class Widget:
    """The chat widget on a page; Playwright's CSS locators pierce its open shadow root."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.host = page.locator("eguidance-widget")
        self.launcher = self.host.locator("button.launcher")
        self.panel = self.host.locator("section.panel")
        self.title = self.host.locator("#eg-title")
        self.input = self.host.locator("#eg-input")
        self.send_button = self.host.locator("button.send")
        self.log = self.host.locator(".log")
        self.welcome = self.host.locator(".item.welcome .bubble")
        self.statusbar = self.host.locator(".statusbar")
        self.notice = self.host.locator(".notice")
        self.error = self.host.locator(".error")

    async def open(self) -> None:
        await self.launcher.click()
        await expect(self.panel).to_be_visible()

    async def online(self) -> None:
        """The socket is up and the session has handed out a visitor token."""
        await self.page.wait_for_function(
            """() => Object.keys(localStorage).some(
                     (k) => k.endsWith(":visitor_token") && localStorage.getItem(k))"""
        )
        await expect(self.statusbar).not_to_contain_text(
            re.compile("Forbinder|Connecting|afbrudt|lost")
        )

    async def send(self, text: str) -> None:
        await self.input.fill(text)
        await self.send_button.click()

    def items(self, kind: str, text: str | None = None) -> Locator:
        """Messages of one kind (visitor, counsellor, bot, system), optionally with a text."""
        items = self.log.locator(f".item.{kind}")
        if text is None:
            return items
        return items.filter(has=self.page.locator(".bubble", has_text=text))

    async def acked(self, text: str, timeout_ms: float = TIMEOUT_MS) -> None:
        """The visitor's own message is stored: exactly one bubble, no longer pending."""
        item = self.items("visitor", text)
        await expect(item).to_have_count(1)
        await expect(item).not_to_have_class(re.compile(r"\bpending\b"), timeout=timeout_ms)


async def inbox_login(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Signs in through the form on /inbox and waits for the live socket."""
    await page.goto(base_url + "/inbox")
    await page.locator("#login-email").fill(email)
    await page.locator("#login-password").fill(password)
    await page.locator("#login-form button[type=submit]").click()
    await expect(page.locator("#inbox-view")).to_be_visible()
    await expect(page.locator("#conn-state")).to_have_class(re.compile(r"\bconn-live\b"))


async def conversation_with(counsellor: Counsellor, text: str) -> dict[str, Any]:
    """The one conversation that has an inbound message `text`, as the REST API shows it."""
    status, listing = await counsellor.request("GET", "/api/conversations")
    assert status == 200, listing
    found = []
    for item in listing["items"]:
        _, detail = await counsellor.request("GET", f"/api/conversations/{item['conversation_id']}")
        if any(m["direction"] == "in" and m["text"] == text for m in detail["messages"]):
            found.append(detail)
    assert len(found) == 1, f"{len(found)} conversations have a message {text!r}"
    return dict(found[0])


async def open_conversation(page: Page, base_url: str, conversation_id: int) -> None:
    """Opens a conversation by its address (#conversation-N), as a bookmark would."""
    await page.goto(f"{base_url}/inbox#conversation-{conversation_id}")
    await page.reload()
    await expect(page.locator("#conv-view")).to_be_visible()
    await expect(page).to_have_url(re.compile(rf"#conversation-{conversation_id}$"))
