"""User administration and the live presence panel (`counsellors.updated`)."""

from __future__ import annotations

import re

from playwright.async_api import Dialog, expect

from tests.browser.pages import PASSWORD, NewContext, inbox_login, screenshot
from tests.support.server import ServerProcess


async def accept(dialog: Dialog) -> None:
    await dialog.accept()


async def test_admin_creates_and_deactivates_a_user_and_the_team_sees_it_live(
    new_context: NewContext, server: ServerProcess
) -> None:
    server.add_user("ida@example.org", PASSWORD, "admin")
    admin = await (await new_context()).new_page()
    await inbox_login(admin, server.url, "ida@example.org")
    anna = await (await new_context()).new_page()
    await inbox_login(anna, server.url, "anna@example.org")
    team = anna.locator("#team-list .team-member")
    await expect(team.filter(has_text="Ida")).to_have_count(1)
    await expect(team.filter(has_text="Eva Holm")).to_have_count(0)

    await admin.locator("#btn-dashboard").click()
    await expect(admin.locator("#user-form")).to_be_visible()
    await admin.locator("#user-email").fill("eva.holm@example.org")
    await admin.locator("#user-name").fill("Eva Holm")
    await admin.locator("#user-role").select_option("counsellor")
    await admin.locator("#user-form button[type=submit]").click()
    await expect(admin.locator("#user-msg")).to_contain_text("Kontoen er oprettet")
    row = admin.locator("#dash-users tr").filter(has_text="eva.holm@example.org")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Offline")
    # Anna's presence panel gets the new colleague without a reload.
    await expect(team.filter(has_text="Eva Holm")).to_have_count(1)
    await expect(team.filter(has_text="Eva Holm")).to_contain_text("Offline")
    await expect(anna.locator("#transfer-to option", has_text="Eva Holm")).to_have_count(1)
    await screenshot(admin, "inbox-users-da")

    admin.once("dialog", accept)
    await row.get_by_role("button", name="Deaktivér Eva Holm").click()
    await expect(row).to_contain_text("Deaktiveret")
    await expect(row.get_by_role("button")).to_have_count(0)
    await expect(team.filter(has_text="Eva Holm")).to_have_count(0)


async def test_a_presence_change_reaches_colleagues_live(
    new_context: NewContext, server: ServerProcess
) -> None:
    anna = await (await new_context()).new_page()
    await inbox_login(anna, server.url, "anna@example.org")
    bo = await (await new_context()).new_page()
    await inbox_login(bo, server.url, "bo@example.org")
    anna_in_bo = bo.locator("#team-list .team-member").filter(has_text="Anna")
    await expect(anna_in_bo).to_contain_text("Ledig")
    # Bo signed in after Anna: Anna sees Bo arrive.
    await expect(anna.locator("#team-list .team-member").filter(has_text="Bo")).to_contain_text(
        "Ledig"
    )

    await anna.locator("#presence").select_option("away")
    await expect(anna_in_bo).to_have_class(re.compile(r"\bpresence-away\b"))
    await expect(anna_in_bo.locator(".team-presence")).to_have_text("Væk")

    await anna.close()  # Anna's last socket closes: she is offline for the team
    await expect(anna_in_bo.locator(".team-presence")).to_have_text("Offline")


async def test_admin_edits_capacity_and_languages_and_the_team_sees_the_capacity_live(
    new_context: NewContext, server: ServerProcess
) -> None:
    server.add_user("ida@example.org", PASSWORD, "admin")
    admin = await (await new_context()).new_page()
    await inbox_login(admin, server.url, "ida@example.org")
    bo = await (await new_context()).new_page()
    await inbox_login(bo, server.url, "bo@example.org")
    anna_in_bo = bo.locator("#team-list .team-member").filter(has_text="Anna")
    await expect(anna_in_bo.locator(".team-load")).to_have_text("0 af 4")

    await admin.locator("#btn-dashboard").click()
    row = admin.locator("#dash-users tr").filter(has_text="anna@example.org")
    await expect(row.locator(".user-serves")).to_have_text("Dansk, Engelsk · alle kanaler")
    await row.get_by_role("button", name="Redigér Anna").click()
    form = admin.locator("#user-edit-form")
    await expect(form).to_be_visible()
    await expect(admin.locator("#edit-name")).to_be_focused()
    await expect(admin.locator("#user-edit-title")).to_have_text("Redigér Anna")
    # Every control has its label.
    await form.get_by_label("Kapacitet").fill("2")
    await form.get_by_label("Engelsk").uncheck()
    await form.get_by_label("SMS").check()
    await form.get_by_label("Telefon").check()
    await admin.locator("#user-edit-form button[type=submit]").click()
    await expect(admin.locator("#user-edit-msg")).to_have_text("Gemt: Anna.")
    await expect(row.locator(".user-load")).to_have_text("0 af 2")
    await expect(row.locator(".user-serves")).to_have_text("Dansk · SMS, Telefon")

    # Bo's presence panel follows without a reload (counsellors.updated).
    await expect(anna_in_bo.locator(".team-load")).to_have_text("0 af 2")
    await screenshot(admin, "inbox-user-edit-da")

    # A language is required: the form says so and nothing is sent.
    await form.get_by_label("Dansk").uncheck()
    await admin.locator("#user-edit-form button[type=submit]").click()
    await expect(admin.locator("#user-edit-msg")).to_have_text("Markér mindst ét sprog.")
    await admin.locator("#user-edit-cancel").click()
    await expect(form).to_be_hidden()
    await expect(row.get_by_role("button", name="Redigér Anna")).to_be_focused()
