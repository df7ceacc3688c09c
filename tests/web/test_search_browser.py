"""Search in Debian's Chromium against a live server: the modifier hints, `from:` completion,
the results panel with the word marked, and "Jump" to the message in its channel."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.services.users import user_create
from apps.channels.services import channel_join
from apps.posts.services import post_create
from apps.teams.services import team_create, team_join
from tests.factories import make_channel
from tests.web.conftest import screenshot

pytestmark = pytest.mark.slow

PASSWORD = "Correct-horse-42"
FILLER = 40  # later posts, so the found one is far from the bottom of its channel


@pytest.fixture
def cast(transactional_db):
    alice, bob = (
        user_create(username=n, email=f"{n}@example.com", password=PASSWORD)
        for n in ("alice", "bob")
    )
    team = team_create(actor=alice, name="acme", display_name="Acme Corp")
    team_join(actor=bob, team_id=team.id)
    lobby = make_channel(bob, team, "lobby")
    channel_join(actor=alice, channel_id=lobby.id)
    found = post_create(actor=bob, channel=lobby, message="The quarterly forecast is ready")
    post_create(actor=alice, channel=lobby, message="A forecast of my own, not from bob")
    for n in range(FILLER):
        post_create(actor=bob, channel=lobby, message=f"filler {n}")
    return {"alice": alice, "bob": bob, "team": team, "lobby": lobby, "found": found}


def _open_channel(page: Page, name: str = "town-square") -> None:
    page.goto(f"/acme/channels/{name}")
    expect(page.locator("html")).to_have_attribute("data-socket", "open")


def _in_viewport(page: Page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        """(el) => {
            const r = el.getBoundingClientRect();
            const scroller = document.getElementById("message-scroller").getBoundingClientRect();
            return r.bottom > scroller.top && r.top < scroller.bottom;
        }""",
    )


def test_from_completion_results_and_jump(browser_as, cast):
    page = browser_as(cast["alice"])
    _open_channel(page)
    box = page.locator("#search-input")
    suggestions = page.locator("#search-suggestions")

    box.click()
    expect(suggestions).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(suggestions.get_by_role("option", name=re.compile(r"^from:"))).to_be_visible()
    screenshot(page, "search-hints")

    box.press_sequentially("from:")
    bob = suggestions.get_by_role("option", name=re.compile(r"\bbob\b"))
    expect(bob).to_be_visible()
    screenshot(page, "search-from")
    # The list is sorted by username (alice, bob): the first is chosen, Down moves to bob.
    expect(suggestions.locator('[aria-selected="true"]')).to_contain_text("alice")
    box.press("ArrowDown")
    expect(bob).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", bob.get_attribute("id"))
    box.press("Enter")
    expect(box).to_have_value("from:bob ")
    expect(suggestions).to_be_hidden()

    box.press_sequentially("forecast")
    box.press("Enter")

    rhs = page.locator("#rhs")
    expect(rhs).to_be_visible()
    expect(page.locator("#app")).to_have_class(re.compile(r"\bhas-rhs\b"))
    hits = rhs.locator(".search-item")
    expect(hits).to_have_count(1)
    hit = hits.first
    expect(hit).to_contain_text("The quarterly forecast is ready")
    expect(hit).to_contain_text("bob")
    expect(hit.locator(".search-item-channel")).to_contain_text("Lobby")
    expect(hit.locator("mark")).to_have_text("forecast")
    screenshot(page, "search")

    post_id = cast["found"].id
    hit.get_by_role("link", name="Jump").click()

    page.wait_for_url(re.compile(rf"/acme/channels/lobby\?focus={post_id}"))
    post = page.locator(f"#post-{post_id}")
    expect(post).to_have_class(re.compile(r"\bis-focused\b"))
    # The search comes back beside the channel, and the post stays in view.
    expect(page.locator("#rhs .search-item")).to_have_count(1)
    expect(page.locator("#search-input")).to_have_value("from:bob forecast")
    assert _in_viewport(page, f"#post-{post_id}")
    screenshot(page, "search-jump")

    page.locator("#rhs").get_by_role("button", name="Close").click()
    expect(page.locator("#rhs")).to_be_hidden()
    expect(page.locator("#app")).not_to_have_class(re.compile(r"\bhas-rhs\b"))


def test_hints_insert_modifiers_and_errors_show_in_the_panel(browser_as, cast):
    page = browser_as(cast["alice"])
    _open_channel(page, "lobby")
    box = page.locator("#search-input")
    suggestions = page.locator("#search-suggestions")

    box.focus()
    suggestions.get_by_role("option", name=re.compile(r"^in:")).click()
    expect(box).to_have_value("in:")
    expect(box).to_be_focused()
    channel = suggestions.get_by_role("option", name=re.compile("lobby"))
    expect(channel).to_be_visible()
    box.press("Tab")
    expect(box).to_have_value(re.compile(r"^in:(lobby|town-square|off-topic) $"))
    box.fill("")
    expect(suggestions).to_be_visible()
    box.press("Escape")
    expect(suggestions).to_be_hidden()

    box.fill('"never closed')
    box.press("Enter")
    alert = page.locator("#rhs [role=alert]")
    expect(alert).to_contain_text("never closed")

    # A word in the open channel: Jump scrolls to it without leaving the page.
    box.fill("quarterly")
    box.press("Enter")
    expect(page.locator("#rhs .search-item")).to_have_count(1)
    page.locator("#rhs").get_by_role("link", name="Jump").click()
    post_id = cast["found"].id
    expect(page.locator(f"#post-{post_id}")).to_have_class(re.compile(r"\bis-focused\b"))
    assert _in_viewport(page, f"#post-{post_id}")
    expect(page.locator("#rhs .search-item")).to_have_count(1)
    assert "focus=" not in page.url
