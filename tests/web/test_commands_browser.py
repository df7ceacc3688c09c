"""Slash commands in the web composer (issue 14, "Broken today" 1), in Debian's Chromium
against a live daphne: a message starting with "/" runs through
`POST /api/v4/commands/execute` instead of being posted; in_channel answers reach the
others, ephemeral ones only the one who ran the command; a refused command is explained
under the composer and its text kept; "/" and a prefix offer the team's commands.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.channels.models import Channel, ChannelMember
from apps.posts.models import Post
from apps.posts.services import post_create
from tests.factories import make_channel
from tests.web.conftest import open_channel, screenshot

pytestmark = [pytest.mark.slow]

LIVE_MS = 5000
SHRUG = "¯\\_(ツ)_/¯"


def composer(page: Page):
    return page.locator("#composer [data-composer-input]")


def run(page: Page, command: str) -> None:
    """Type a whole command line at once (no autocomplete in the way) and press Enter."""
    composer(page).fill(command)
    composer(page).press("Enter")


def user_posts(user):
    """The user's own messages, without the system posts (joined the team...)."""
    return Post.objects.filter(user=user, type="")


def test_shrug_posts_the_shrug_for_everyone(browser_as, people):
    alices_page = browser_as(people["alice"])
    open_channel(alices_page)
    page = browser_as(people["admin"])
    open_channel(page)

    run(page, "/shrug hello")

    expect(composer(page)).to_have_value("")
    mine = page.locator("#message-list li.post", has_text="hello")
    expect(mine.locator("[data-message]")).to_have_text(f"hello {SHRUG}")
    theirs = alices_page.locator("#message-list li.post", has_text="hello")
    expect(theirs.locator("[data-message]")).to_have_text(f"hello {SHRUG}", timeout=LIVE_MS)
    # Posted once, by the server (markdown-escaped), not also as the literal command line.
    messages = list(user_posts(people["admin"]).values_list("message", flat=True))
    assert len(messages) == 1 and messages[0].startswith("hello ¯"), messages


def test_invite_adds_bob_to_a_private_channel(browser_as, people):
    admin, bob, acme = people["admin"], people["bob"], people["acme"]
    private = make_channel(admin, acme, "a-private-channel", "P")
    bobs_page = browser_as(bob)
    open_channel(bobs_page)
    expect(bobs_page.locator("#sidebar")).not_to_contain_text("A-Private-Channel")
    page = browser_as(admin)
    open_channel(page)

    run(page, "/invite @bob ~a-private-channel")

    answer = page.locator("#message-list li.post--ephemeral")
    expect(answer).to_contain_text("@bob added to ~a-private-channel.")
    expect(answer).to_contain_text("(only visible to you)")
    assert ChannelMember.objects.filter(channel=private, user=bob).exists()
    # Bob's open page lists the channel (user_added), and a fresh load does too.
    expect(bobs_page.locator("#sidebar")).to_contain_text("A-Private-Channel", timeout=LIVE_MS)
    bobs_page.reload()
    expect(bobs_page.locator("#sidebar")).to_contain_text("A-Private-Channel")


def test_away_sets_the_status_others_see(browser_as, people):
    admin, alice, acme = people["admin"], people["alice"], people["acme"]
    post_create(
        actor=admin, channel=Channel.objects.get(team=acme, name="town-square"), message="hi all"
    )
    alices_page = browser_as(alice)
    open_channel(alices_page)
    dot = alices_page.locator(
        f'#message-list li.post[data-user-id="{admin.id}"] [data-presence-user="{admin.id}"]'
    ).first
    expect(dot).not_to_have_class(re.compile(r"\bpresence--away\b"))
    page = browser_as(admin)
    open_channel(page)

    run(page, "/away")

    expect(page.locator("#message-list li.post--ephemeral")).to_contain_text("You are now away.")
    expect(dot).to_have_class(re.compile(r"\bpresence--away\b"), timeout=LIVE_MS)


def test_an_unknown_command_is_explained_and_its_text_kept(browser_as, people):
    page = browser_as(people["admin"])
    open_channel(page)

    run(page, "/nosuchcommand some words")

    error = page.locator("#composer [data-command-error]")
    expect(error).to_contain_text("/nosuchcommand")
    expect(error).to_have_attribute("role", "alert")
    expect(composer(page)).to_have_value("/nosuchcommand some words")
    screenshot(page, "commands-error")
    assert not user_posts(people["admin"]).exists()
    # Fixing the text clears the explanation.
    composer(page).press("Backspace")
    expect(error).to_have_count(0)


def test_a_double_slash_is_posted_as_a_message(browser_as, people):
    page = browser_as(people["admin"])
    open_channel(page)

    run(page, "//usr/local is full")

    expect(page.locator("#message-list li.post", has_text="is full")).to_have_count(1)
    assert Post.objects.filter(user=people["admin"], message="//usr/local is full").exists()


@pytest.mark.parametrize("key", ["Enter", "Tab"])
def test_typing_a_prefix_offers_the_commands_and_completes_one(browser_as, people, key):
    page = browser_as(people["admin"])
    open_channel(page)

    composer(page).press_sequentially("/sh")

    options = page.locator("#composer ul[data-autocomplete] [role='option']")
    shrug = options.filter(has_text="/shrug")
    expect(shrug).to_contain_text("[message]")  # the hint, then the description
    expect(options.filter(has_text="/shortcuts")).to_have_count(1)
    expect(options.filter(has_text="/away")).to_have_count(0)
    # The arrows move through the list as for @mentions; one more letter narrows it.
    screenshot(page, "commands-autocomplete")
    composer(page).press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    composer(page).press_sequentially("r")
    expect(options).to_have_count(1)
    expect(shrug).to_have_attribute("aria-selected", "true")
    composer(page).press(key)
    expect(composer(page)).to_have_value("/shrug ")
    expect(page.locator("#composer ul[data-autocomplete]")).to_be_hidden()

    composer(page).press_sequentially("done")
    composer(page).press("Enter")
    expect(page.locator("#message-list li.post", has_text="done")).to_contain_text(f"done {SHRUG}")


def test_an_ephemeral_answer_is_shown_only_to_its_user(browser_as, people):
    alices_page = browser_as(people["alice"])
    open_channel(alices_page)
    page = browser_as(people["admin"])
    open_channel(page)

    run(page, "/invite @nobody-by-that-name")

    answer = page.locator("#message-list li.post--ephemeral")
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text("(only visible to you)")
    expect(composer(page)).to_have_value("")
    screenshot(page, "commands-ephemeral")
    # Alice's page, on the same channel, hears of it no more than the database does.
    run(alices_page, "/shrug seen")
    expect(alices_page.locator("#message-list li.post", has_text="seen")).to_have_count(1)
    expect(page.locator("#message-list li.post", has_text="seen")).to_have_count(1, timeout=LIVE_MS)
    expect(alices_page.locator("#message-list li.post--ephemeral")).to_have_count(0)
    assert not Post.objects.filter(type="system_ephemeral").exists()
    # Never stored: gone at the next load.
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    expect(page.locator("#message-list li.post--ephemeral")).to_have_count(0)


def test_a_command_in_the_thread_panel_answers_in_the_thread(browser_as, people):
    admin, alice, acme = people["admin"], people["alice"], people["acme"]
    town = Channel.objects.get(team=acme, name="town-square")
    root = post_create(actor=alice, channel=town, message="Who broke the build?")
    page = browser_as(admin)
    open_channel(page)
    post = page.locator(f"#post-{root.id}")
    post.hover()
    post.locator('.post-menu [data-action="open-thread"]').click()
    thread = page.locator("#rhs [data-thread-list]")
    box = page.locator("#rhs-composer [data-composer-input]")
    expect(box).to_be_focused()

    box.fill("/shrug not me")
    box.press("Enter")

    expect(thread.locator("li.post", has_text="not me")).to_contain_text(f"not me {SHRUG}")
    reply = user_posts(admin).get()
    assert reply.root_id == root.id
    box.fill("/invite")
    box.press("Enter")
    expect(thread.locator("li.post--ephemeral")).to_contain_text("Name a user to invite")
    expect(thread.locator("li.post--ephemeral")).to_contain_text("(only visible to you)")


def test_a_command_that_ran_leaves_no_draft_and_a_refused_one_keeps_it(browser_as, people):
    page = browser_as(people["admin"])
    open_channel(page)

    run(page, "/shrug gone")
    expect(page.locator("#message-list li.post", has_text="gone")).to_have_count(1)
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    expect(composer(page)).to_have_value("")

    run(page, "/nosuchcommand kept")
    expect(page.locator("#composer [data-command-error]")).to_be_visible()
    page.reload()
    expect(composer(page)).to_have_value("/nosuchcommand kept")
