"""The right-hand panel, reactions and the emoji picker in Debian's Chromium against a live
server: a reply written in the thread panel, a reaction chosen in the picker and taken
back from its chip, pins, saves and the member list."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.services.users import user_create
from apps.channels.models import Channel
from apps.posts.services import post_create
from apps.teams.services import team_create, team_join
from tests.web.conftest import screenshot

pytestmark = pytest.mark.slow

PASSWORD = "Correct-horse-42"


def _people(*names: str):
    users = [user_create(username=n, email=f"{n}@example.com", password=PASSWORD) for n in names]
    team = team_create(actor=users[0], name="acme", display_name="Acme Corp")
    for user in users[1:]:
        team_join(actor=user, team_id=team.id)
    return team, users


def _open_channel(page: Page, name: str = "town-square") -> None:
    page.goto(f"/acme/channels/{name}")
    expect(page.locator("html")).to_have_attribute("data-socket", "open")


def _post_in_centre(page: Page, post_id: str):
    return page.locator(f"#post-{post_id}")


def _menu_button(page: Page, post_id: str, action: str):
    post = _post_in_centre(page, post_id)
    post.hover()
    return post.locator(f'.post-menu [data-action="{action}"]')


def test_a_reply_written_in_the_thread_panel(browser_as):
    team, (alice, bob) = _people("alice", "bob")
    town = Channel.objects.get(team=team, name="town-square")
    root = post_create(actor=bob, channel=town, message="Who is up for the retro?")
    page = browser_as(alice)
    _open_channel(page)

    _menu_button(page, root.id, "open-thread").click()

    rhs = page.locator("#rhs")
    expect(rhs).to_be_visible()
    expect(page.locator("#app")).to_have_class(re.compile(r"\bhas-rhs\b"))
    expect(rhs.locator(f"#rhs-post-{root.id}")).to_contain_text("Who is up for the retro?")
    box = rhs.locator("#rhs-composer [data-composer-input]")
    expect(box).to_be_focused()
    box.fill("Count me in")
    box.press("Enter")

    reply = rhs.locator("[data-thread-list] li.post", has_text="Count me in")
    expect(reply).to_have_count(1)
    expect(rhs.locator("[data-thread-count]")).to_contain_text("1 reply")
    expect(_post_in_centre(page, root.id).locator(".thread-link")).to_contain_text("1 reply")
    expect(box).to_have_value("")
    # Only one element per id: the panel's copies are prefixed.
    assert page.locator(f'[id="post-{root.id}"]').count() == 1
    screenshot(page, "rhs-thread")

    rhs.get_by_role("button", name="Close").click()
    expect(rhs).to_be_hidden()


def test_a_reply_from_someone_else_arrives_in_the_open_thread(browser_as):
    team, (alice, bob) = _people("alice", "bob")
    town = Channel.objects.get(team=team, name="town-square")
    root = post_create(actor=alice, channel=town, message="Deploy on Friday?")
    page_a = browser_as(alice)
    page_b = browser_as(bob)
    _open_channel(page_a)
    _open_channel(page_b)
    _menu_button(page_a, root.id, "open-thread").click()
    expect(page_a.locator("#rhs")).to_be_visible()

    _menu_button(page_b, root.id, "open-thread").click()
    box = page_b.locator("#rhs-composer [data-composer-input]")
    box.fill("Never on a Friday")
    box.press("Enter")

    expect(
        page_a.locator("#rhs [data-thread-list] li.post", has_text="Never on a Friday")
    ).to_have_count(1)
    expect(page_a.locator("#rhs [data-thread-count]")).to_contain_text("1 reply")


def test_a_reaction_from_the_picker_and_back_off_its_chip(browser_as):
    team, (alice,) = _people("alice")
    town = Channel.objects.get(team=team, name="town-square")
    post = post_create(actor=alice, channel=town, message="We shipped it")
    page = browser_as(alice)
    _open_channel(page)

    _menu_button(page, post.id, "react").click()
    picker = page.locator("[data-emoji-picker]")
    expect(picker).to_be_visible()
    search = picker.locator("[data-emoji-search]")
    expect(search).to_be_focused()
    search.fill("tada")
    expect(picker.locator('[data-emoji-results] [data-emoji-name="tada"]')).to_be_visible()
    screenshot(page, "rhs-emoji-picker")
    picker.locator('[data-emoji-results] [data-emoji-name="tada"]').click()

    expect(picker).to_be_hidden()
    chip = _post_in_centre(page, post.id).locator('.reaction[data-emoji="tada"]')
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(chip).to_contain_text("1")
    screenshot(page, "rhs-reaction")

    chip.click()

    expect(_post_in_centre(page, post.id).locator('.reaction[data-emoji="tada"]')).to_have_count(0)


def test_the_picker_by_keyboard_inserts_into_the_composer(browser_as):
    _team, (alice,) = _people("alice")
    page = browser_as(alice)
    _open_channel(page)
    box = page.locator("#composer [data-composer-input]")
    box.fill("Launch")

    page.locator('#composer [data-action="composer-emoji"]').click()
    picker = page.locator("[data-emoji-picker]")
    expect(picker).to_be_visible()
    page.keyboard.press("ArrowDown")
    first = picker.locator(".emoji-btn").first
    expect(first).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(picker.locator(".emoji-btn").nth(1)).to_be_focused()
    page.keyboard.press("Escape")
    expect(picker).to_be_hidden()

    page.locator('#composer [data-action="composer-emoji"]').click()
    picker.locator("[data-emoji-search]").fill("rocket")
    expect(picker.locator('[data-emoji-results] [data-emoji-name="rocket"]')).to_be_visible()
    page.keyboard.press("Enter")

    expect(picker).to_be_hidden()
    expect(box).to_have_value("Launch :rocket: ")
    expect(box).to_be_focused()


def test_pin_save_and_the_list_panels(browser_as):
    team, (alice, bob) = _people("alice", "bob")
    town = Channel.objects.get(team=team, name="town-square")
    post = post_create(actor=bob, channel=town, message="The office wifi password rotates")
    page = browser_as(alice)
    _open_channel(page)

    _menu_button(page, post.id, "toggle-pin").click()
    expect(_post_in_centre(page, post.id).locator(".tag--pin")).to_be_visible()
    _menu_button(page, post.id, "toggle-save").click()
    expect(_menu_button(page, post.id, "toggle-save")).to_have_attribute("aria-pressed", "true")

    page.locator('.channel-tools [data-action="show-pinned"]').click()
    rhs = page.locator("#rhs")
    expect(rhs.locator("#rhs-heading")).to_have_text("Pinned messages")
    item = rhs.locator(".rhs-item", has_text="wifi password")
    expect(item).to_have_count(1)
    expect(item.get_by_role("link", name="Jump")).to_have_attribute("href", f"/pl/{post.id}")
    item.hover()
    screenshot(page, "rhs-pinned")

    page.locator('.channel-tools [data-action="show-saved"]').click()
    expect(rhs.locator("#rhs-heading")).to_have_text("Saved messages")
    expect(rhs.locator(".rhs-item", has_text="wifi password")).to_have_count(1)
    rhs.locator(".rhs-item").hover()
    rhs.get_by_role("button", name="Remove from saved").click()
    expect(rhs.locator(".rhs-item")).to_have_count(0)
    expect(_menu_button(page, post.id, "toggle-save")).to_have_attribute("aria-pressed", "false")

    page.locator('.channel-tools [data-action="show-members"]').click()
    expect(rhs.locator("#rhs-heading")).to_have_text("Members")
    expect(rhs.locator(".member-row")).to_have_count(2)
    expect(rhs.locator('a[href="/acme/messages/@bob"]')).to_have_count(1)
    screenshot(page, "rhs-members")

    # The header button toggles its panel.
    page.locator('.channel-tools [data-action="show-members"]').click()
    expect(rhs).to_be_hidden()


def test_the_panel_covers_the_messages_on_a_phone(browser_as):
    team, (alice,) = _people("alice")
    town = Channel.objects.get(team=team, name="town-square")
    root = post_create(actor=alice, channel=town, message="Small screens too")
    post_create(actor=alice, channel=town, message="A reply", root_id=root.id)
    page = browser_as(alice, viewport=(390, 800))
    _open_channel(page)

    _post_in_centre(page, root.id).locator(".thread-link").click()

    rhs = page.locator("#rhs")
    expect(rhs).to_be_visible()
    box = rhs.bounding_box()
    assert box["x"] == 0 and box["width"] == 390
    expect(rhs.locator("[data-thread-list] li.post", has_text="A reply")).to_have_count(1)
    screenshot(page, "rhs-thread-phone")
