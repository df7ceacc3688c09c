"""Drafts in Debian's Chromium against a live server (issue 14 §3): what is half-typed in a
channel or a thread is still there after a channel switch and a reload, goes once the
message is sent, and follows its author into another browser."""

import time

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.services.users import user_create
from apps.channels.models import Channel
from apps.posts.services import post_create
from apps.teams.services import team_create

pytestmark = pytest.mark.slow

PASSWORD = "Correct-horse-42"
BOX = "#composer [data-composer-input]"
REPLY_BOX = "#rhs-composer [data-composer-input]"


@pytest.fixture
def alice(db):
    user = user_create(username="alice", email="alice@example.com", password=PASSWORD)
    team_create(actor=user, name="acme", display_name="Acme Corp")
    return user


def _open(page: Page, name: str = "town-square") -> None:
    page.goto(f"/acme/channels/{name}")
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    expect(page.locator("#composer[data-wired]")).to_have_count(1)


def _switch(page: Page, name: str) -> None:
    page.locator(f'#sidebar .channel-link[data-channel-name="{name}"]').click()
    expect(page.locator("#channel")).to_have_attribute("data-channel-name", name)


def _server_drafts(page: Page) -> list[dict]:
    """The drafts the server holds, asked from inside the page (its cookie and team)."""
    return page.evaluate(
        """async () => {
            const team = document.getElementById("app").dataset.teamId;
            const response = await fetch(`/api/v4/users/me/teams/${team}/drafts`);
            return response.json();
        }"""
    )


def _wait_for_server(page: Page, expected: list[tuple[str, str]]) -> None:
    """Until the server's drafts are `expected` ((root_id, message) pairs): the page saves
    half a second after typing stops."""
    deadline = time.monotonic() + 10
    while True:
        held = sorted((d["root_id"], d["message"]) for d in _server_drafts(page))
        if held == sorted(expected) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    assert held == sorted(expected)


def test_a_half_typed_message_survives_a_channel_switch_and_a_reload(browser_as, alice):
    page = browser_as(alice)
    _open(page)
    page.locator(BOX).fill("Half a thought about the")
    # Away and straight back, before the save is due.
    _switch(page, "off-topic")
    expect(page.locator(BOX)).to_have_value("")
    _switch(page, "town-square")
    expect(page.locator(BOX)).to_have_value("Half a thought about the")

    _wait_for_server(page, [("", "Half a thought about the")])
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    expect(page.locator(BOX)).to_have_value("Half a thought about the")

    # Sent, it is no draft any more: not on the server, not after a reload.
    page.locator(BOX).type(" roadmap")
    page.locator(BOX).press("Enter")
    expect(page.locator("#message-list li.post", has_text="roadmap")).to_have_count(1)
    _wait_for_server(page, [])
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    expect(page.locator(BOX)).to_have_value("")


def test_an_emptied_box_leaves_no_draft(browser_as, alice):
    page = browser_as(alice)
    _open(page)
    page.locator(BOX).fill("never mind")
    _wait_for_server(page, [("", "never mind")])
    page.locator(BOX).fill("")
    _wait_for_server(page, [])


def test_a_reply_draft_is_kept_for_its_thread(browser_as, alice):
    town = Channel.objects.get(team__name="acme", name="town-square")
    root = post_create(actor=alice, channel=town, message="Retro on Friday?")
    page = browser_as(alice)
    _open(page)

    def open_thread() -> None:
        post = page.locator(f"#post-{root.id}")
        post.hover()
        post.locator('.post-menu [data-action="open-thread"]').click()
        expect(page.locator(f"#rhs #rhs-post-{root.id}")).to_be_visible()

    open_thread()
    page.locator(REPLY_BOX).fill("Friday works if")
    page.locator(BOX).fill("and in the channel")
    _wait_for_server(page, [(root.id, "Friday works if"), ("", "and in the channel")])

    page.reload()
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    expect(page.locator(BOX)).to_have_value("and in the channel")
    open_thread()
    expect(page.locator(REPLY_BOX)).to_have_value("Friday works if")


def test_a_draft_follows_its_author_to_another_browser(browser_as, alice):
    laptop = browser_as(alice)
    phone = browser_as(alice)
    _open(laptop, "off-topic")
    _open(phone, "town-square")
    laptop.locator(BOX).fill("Started on the laptop")
    _wait_for_server(laptop, [("", "Started on the laptop")])

    # Opening the channel in the other browser shows it...
    _switch(phone, "off-topic")
    expect(phone.locator(BOX)).to_have_value("Started on the laptop")
    # ...and while both show the channel, the other browser's changes arrive live.
    laptop.locator(BOX).fill("Started on the laptop, finished")
    expect(phone.locator(BOX)).to_have_value("Started on the laptop, finished")
    # Sent from one, the draft leaves the other's box.
    laptop.locator(BOX).press("Enter")
    expect(phone.locator(BOX)).to_have_value("")


def test_a_reload_right_after_typing_keeps_the_draft(browser_as, alice):
    """The page saves what is waiting as it goes away, before the half second is up."""
    page = browser_as(alice)
    _open(page)
    page.locator(BOX).fill("Typed just before F5")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    expect(page.locator(BOX)).to_have_value("Typed just before F5")
