"""The settings page in a real browser: the theme survives signing out and in again, and
the language switch re-renders the page in the chosen language."""

import re

import pytest
from playwright.sync_api import expect

from apps.accounts.services.users import user_create
from tests.factories import make_team
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.slow]

PASSWORD = "Correct-Horse-7"


def test_dark_theme_survives_sign_out_and_language_switches(browser_as):
    alice = user_create(username="alice", email="alice@example.com", password=PASSWORD)
    team = make_team(alice)
    page = browser_as(alice)

    page.goto("/settings")
    html = page.locator("html")
    expect(html).to_have_attribute("data-theme", "light")
    screenshot(page, "settings-top")

    # The live preview switches at once; saving makes it stick.
    page.get_by_label("Dark").check()
    expect(html).to_have_attribute("data-theme", "dark")
    page.get_by_role("button", name="Save theme").click()
    expect(page).to_have_url(re.compile(r"/settings\?saved=theme"))
    expect(html).to_have_attribute("data-theme", "dark")
    expect(page.locator("#display [role=status]")).to_be_visible()
    screenshot(page, "settings")

    # Sign out from the chat's user menu, then in again with the sign-in form.
    page.goto(f"/{team.name}/channels/town-square")
    expect(html).to_have_attribute("data-theme", "dark")
    page.locator("details#user-menu > summary").click()
    page.locator("#sign-out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Email or username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/{team.name}/channels/town-square"))
    expect(html).to_have_attribute("data-theme", "dark")

    # The language switch: the next page is Korean.
    page.goto("/settings")
    page.locator("#id_locale").select_option("ko")
    page.locator("#language button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/settings\?saved=language"))
    expect(html).to_have_attribute("lang", "ko")
    expect(page.locator("#id_locale")).to_have_value("ko")
    expect(page.locator("#id_locale option:checked")).to_have_text("한국어")
    expect(html).to_have_attribute("data-theme", "dark")
    screenshot(page, "settings-ko")


def test_custom_colours_preview_save_and_reset(browser_as):
    alice = user_create(username="alice", email="alice@example.com", password=PASSWORD)
    page = browser_as(alice)
    page.goto("/settings")
    html = page.locator("html")

    def variable(name: str) -> str:
        return page.evaluate(
            "(n) => getComputedStyle(document.documentElement).getPropertyValue(n).trim()", name
        )

    def wait_for_variable(name: str, value: str) -> None:
        # After a page load the theme stylesheet may still be on its way: wait, not peek.
        page.wait_for_function(
            "([n, v]) => getComputedStyle(document.documentElement)"
            ".getPropertyValue(n).trim() === v",
            arg=[name, value],
        )

    # Picking a colour previews it and turns custom colours on.
    page.locator("#id_sidebarBg").fill("#112233")
    expect(page.locator("#id_custom_colours")).to_be_checked()
    assert variable("--sidebar-bg") == "#112233"

    page.get_by_role("button", name="Save theme").click()
    expect(page).to_have_url(re.compile(r"/settings\?saved=theme"))
    # Now from the theme stylesheet, not the preview.
    assert page.evaluate("document.documentElement.getAttribute('style')") is None
    wait_for_variable("--sidebar-bg", "#112233")
    expect(page.locator("#id_sidebarBg")).to_have_value("#112233")
    screenshot(page, "settings-custom-colours")

    page.get_by_role("button", name="Reset to theme defaults").click()
    expect(page).to_have_url(re.compile(r"/settings\?saved=theme"))
    wait_for_variable("--sidebar-bg", "#1f2a44")
    expect(page.locator("#id_custom_colours")).not_to_be_checked()
    expect(html).to_have_attribute("data-theme", "light")
