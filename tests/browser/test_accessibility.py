"""WCAG 2.1 A and AA, checked by axe-core (npm, node_modules/axe-core) in the real
browser: the sign-in page, the queue, an open conversation and the dashboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.browser.pages import ASK_FOR_A_PERSON_DA, PASSWORD, NewContext, inbox_login
from tests.support.clients import Visitor
from tests.support.server import REPO, ServerProcess

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def described(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {'; '.join(targets)}")
    return "\n".join(lines)


async def axe_violations(page: Page, where: str) -> list[str]:
    """Runs axe on the page as it is now; the file is injected (the CSP allows no
    inline script, and Playwright's add_script_tag with a path inlines it)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/setup (npm ci)", pytrace=False)
    await page.evaluate(AXE.read_text(encoding="utf-8"))
    result = await page.evaluate(
        "(tags) => axe.run(document, { runOnly: { type: 'tag', values: tags } })", TAGS
    )
    violations = result["violations"]
    return [f"{where}:\n{described(violations)}"] if violations else []


async def test_the_inbox_dashboard_and_sign_in_pass_wcag_21_aa(
    new_context: NewContext, server: ServerProcess, visitors: Callable[..., Visitor]
) -> None:
    found: list[str] = []
    page = await (await new_context()).new_page()
    await page.goto(server.url + "/inbox")
    await expect(page.locator("#login-view")).to_be_visible()
    found += await axe_violations(page, "sign-in (da)")
    await page.goto(server.url + "/inbox?language=en")
    await expect(page.locator("#login-view")).to_be_visible()
    found += await axe_violations(page, "sign-in (en)")

    await page.goto(server.url + "/inbox?language=da")
    await inbox_login(page, server.url, "sara@example.org")
    visitor = await visitors("da").connect()
    await visitor.send(ASK_FOR_A_PERSON_DA)
    await expect(page.locator("#queue-list .conv-item")).to_have_count(1)
    found += await axe_violations(page, "queue")

    await page.locator("#queue-list .conv-item").first.click()
    await expect(page.locator("#conv-view")).to_be_visible()
    await expect(page.locator("#timeline .msg")).not_to_have_count(0)
    await expect(page.locator("#contact-title")).to_contain_text("nr.")
    found += await axe_violations(page, "open conversation")
    await page.locator("#btn-claim").click()
    await expect(page.locator("#conv-badges")).to_contain_text("Aktiv")
    found += await axe_violations(page, "claimed conversation")

    await page.locator("#btn-dashboard").click()
    await expect(page.locator("#dashboard-view")).to_be_visible()
    await expect(page.locator("#dash-users tr").filter(has_text="anna@example.org")).to_have_count(
        1
    )
    await expect(page.locator("#dash-hours svg")).to_have_count(1)
    found += await axe_violations(page, "dashboard")
    assert not found, "\n\n".join(found)


async def test_user_administration_and_the_english_inbox_pass_wcag_21_aa(
    new_context: NewContext, server: ServerProcess
) -> None:
    server.add_user("ida@example.org", PASSWORD, "admin")
    page = await (await new_context()).new_page()
    await page.goto(server.url + "/inbox?language=en")
    await inbox_login(page, server.url, "ida@example.org")
    await expect(page.locator("#btn-take-next")).to_contain_text("Take next")
    found = await axe_violations(page, "queue (en)")
    await page.locator("#btn-dashboard").click()
    row = page.locator("#dash-users tr").filter(has_text="anna@example.org")
    await row.get_by_role("button", name="Edit Anna").click()
    await expect(page.locator("#user-edit-form")).to_be_visible()
    await expect(page.locator("#edit-channels input")).to_have_count(4)
    found += await axe_violations(page, "dashboard with the account form (en)")
    assert not found, "\n\n".join(found)
