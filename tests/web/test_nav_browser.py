"""Navigation in a real browser: composer completion, the quick switcher, creating a
private channel (and nobody else seeing it), and the typing indicator between two users."""

import re

import pytest
from playwright.sync_api import expect

from apps.teams.services import team_member_add
from tests.factories import UserFactory, make_channel, make_team
from tests.web.conftest import SCREENSHOTS_DIR

pytestmark = [pytest.mark.slow]


@pytest.fixture
def people(transactional_db):
    """An admin (the first account), and alice and bob, plain members of team acme."""
    admin = UserFactory(username="root")
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob", first_name="Bob", last_name="Builder")
    team = make_team(admin, name="acme", display_name="Acme")
    for user in (alice, bob):
        team_member_add(actor=admin, team_id=team.id, user_id=user.id)
    return {"admin": admin, "alice": alice, "bob": bob, "team": team}


def screenshot(page, name: str) -> None:
    """Like conftest's helper, but leaving the caret alone: Playwright hides it by putting
    a `style` attribute on every input, which htmx then copies onto the swapped-in
    composer — a CSP violation no user would cause that way."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS_DIR / f"{name}.png"), caret="initial")


def open_channel(page, name="town-square"):
    page.goto(f"/acme/channels/{name}")
    expect(page.locator("#channel")).to_have_attribute("data-channel-name", name)
    expect(page.locator("html")).to_have_attribute("data-socket", "open")


def test_at_mention_autocomplete_inserts_the_username(browser_as, people):
    page = browser_as(people["alice"])
    open_channel(page)
    box = page.locator("#composer-input")

    box.click()
    box.press_sequentially("hi @bo")
    option = page.locator("#composer [data-autocomplete] [role=option]", has_text="@bob")
    expect(option.first).to_be_visible()
    expect(box).to_have_attribute("data-autocomplete-open", "true")
    expect(box).to_have_attribute("aria-expanded", "true")
    screenshot(page, "nav-autocomplete")
    box.press("Enter")

    expect(box).to_have_value("hi @bob ")
    expect(page.locator("#composer [data-autocomplete]")).to_be_hidden()
    assert box.get_attribute("data-autocomplete-open") is None
    # The Enter chose the name; it did not send the message.
    expect(page.locator("#message-list li.post", has_text="hi @bob")).to_have_count(0)


def test_ctrl_k_opens_the_switcher_and_enter_opens_the_channel(browser_as, people):
    make_channel(people["alice"], people["team"], "launch-plans")
    page = browser_as(people["alice"])
    open_channel(page)

    page.keyboard.press("Control+k")
    dialog = page.locator("dialog.switcher-dialog")
    expect(dialog).to_be_visible()
    page.keyboard.type("launch")
    expect(dialog.locator("[role=option]").first).to_contain_text("Launch-Plans")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/acme/channels/launch-plans$"))
    expect(page.locator("#channel")).to_have_attribute("data-channel-name", "launch-plans")
    expect(dialog).to_have_count(0)
    active = page.locator("#sidebar .channel-link.is-active")
    expect(active).to_have_attribute("data-channel-name", "launch-plans")
    page.keyboard.press("Control+k")
    expect(dialog.locator("[role=option]").first).to_be_visible()
    screenshot(page, "nav-switcher")


def test_a_private_channel_made_in_the_dialog_is_seen_by_nobody_else(browser_as, people):
    alice = browser_as(people["alice"])
    open_channel(alice)

    alice.locator("[data-action=new-channel]").first.click()
    dialog = alice.locator("dialog[open]")
    dialog.get_by_label("Name").fill("Secret Plans")
    expect(dialog.locator("input[name=name]")).to_have_value("secret-plans")
    dialog.locator("input[name=type][value=P]").check()
    screenshot(alice, "nav-new-channel")
    dialog.locator("button[type=submit]").click()

    expect(alice).to_have_url(re.compile(r"/acme/channels/secret-plans$"))
    expect(alice.locator("#channel")).to_have_attribute("data-channel-type", "P")
    link = alice.locator('#sidebar .channel-link[data-channel-name="secret-plans"]')
    expect(link).to_be_visible()
    expect(link).to_have_class(re.compile(r"is-active"))

    bob = browser_as(people["bob"])
    open_channel(bob)
    expect(bob.locator('#sidebar .channel-link[data-channel-name="secret-plans"]')).to_have_count(0)
    bob.locator("[data-action=browse-channels]").first.click()
    browse = bob.locator("dialog.browse-dialog")
    expect(browse.locator(".browse-item", has_text="Town Square")).to_be_visible()
    expect(browse.locator(".browse-item", has_text="Secret Plans")).to_have_count(0)
    bob.keyboard.press("Escape")
    expect(browse).to_have_count(0)

    response = bob.goto("/acme/channels/secret-plans")
    assert response.status == 404
    expect(bob.locator("body")).not_to_contain_text("Secret Plans")


def test_the_other_user_sees_who_is_typing(browser_as, people):
    alice = browser_as(people["alice"])
    bob = browser_as(people["bob"])
    open_channel(alice)
    open_channel(bob)

    bob.locator("#composer-input").press_sequentially("hello the")

    expect(alice.locator("#typing")).to_contain_text("bob is typing")
    expect(bob.locator("#typing")).to_have_text("")
    bob.locator("#composer-input").press("Enter")
    expect(alice.locator("#message-list")).to_contain_text("hello the")
    expect(alice.locator("#typing")).to_have_text("")


# Runs before the page's scripts: a hidden tab, and a Notification that records instead of
# showing (headless Chromium cannot show one, nor hide a tab).
FAKE_HIDDEN_TAB = """
window.__notes = [];
Object.defineProperty(document, "visibilityState", {get: () => window.__visibility || "visible"});
window.Notification = class {
    static permission = "granted";
    constructor(title, options) { window.__notes.push({title, ...options}); }
    addEventListener() {}
    close() {}
};
"""


def test_a_direct_message_in_a_hidden_tab_notifies_and_counts(browser_as, people):
    alice = browser_as(people["alice"])
    alice.add_init_script(FAKE_HIDDEN_TAB)
    bob = browser_as(people["bob"])
    open_channel(alice)
    open_channel(bob)
    # Permission is already granted here, so no banner asks for it.
    expect(alice.locator(".notify-banner")).to_have_count(0)
    alice.evaluate("window.__visibility = 'hidden'")

    bob.goto("/acme/messages/@alice")
    bob.get_by_role("button", name="Start conversation").click()  # a link alone never does
    bob.locator("#composer-input").fill("x" * 150)
    bob.locator("#composer-input").press("Enter")

    # The count and the notification come from the same socket event.
    expect(alice).to_have_title(re.compile(r"^\(1\) "))
    notes = alice.evaluate("window.__notes")
    assert len(notes) == 1
    assert notes[0]["title"] == "@bob"
    assert notes[0]["body"] == "x" * 99 + "…"
    alice.evaluate("window.__visibility = 'visible'")
    alice.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(alice).not_to_have_title(re.compile(r"^\(\d+\) "))
