"""Real-browser tests: the system Chromium, driven by Playwright, against the real server.

Playwright's own browser download is not used: the tests run the Debian Chromium at
/usr/bin/chromium (scripts/browser installs it). Without it the tests are skipped
with a message, or fail under CI.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.browser.pages import CHROMIUM, LAUNCH_ARGS, TIMEOUT_MS, NewContext
from tests.e2e.conftest import counsellors, server, visitors
from tests.support.server import ServerProcess

__all__ = ["counsellors", "server", "visitors"]  # the e2e fixtures, shared


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is missing: run scripts/browser (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium_path), args=LAUNCH_ARGS, timeout=30_000
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page_errors() -> AsyncIterator[list[str]]:
    """Uncaught exceptions in any page of the test; each one is a front-end bug."""
    errors: list[str] = []
    yield errors
    assert errors == [], "uncaught JavaScript errors:\n" + "\n".join(errors)


@pytest.fixture
async def new_context(
    browser: Browser, page_errors: list[str], server: ServerProcess
) -> AsyncIterator[NewContext]:
    """Opens an isolated browser profile (its own cookies and localStorage).

    It depends on `server` so that the pages close before the server stops: the
    server takes its full stop timeout to exit while a browser socket is open.
    """
    made: list[BrowserContext] = []

    def watch(page: Page) -> None:
        page.on("pageerror", lambda exc: page_errors.append(f"{page.url}: {exc}"))

    async def make(**options: object) -> BrowserContext:
        context = await browser.new_context(
            **{"viewport": {"width": 1280, "height": 800}, **options}  # type: ignore[arg-type]
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", watch)
        made.append(context)
        return context

    yield make
    for context in made:
        await context.close()


@pytest.fixture
async def page(new_context: NewContext) -> Page:
    context = await new_context()
    return await context.new_page()
