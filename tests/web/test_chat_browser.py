"""The chat screen end to end: two people in two browser contexts of Debian's Chromium,
talking through a live daphne server (issue 4's "done when")."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.services.preferences import preference_save
from apps.accounts.services.users import user_create
from apps.channels.models import Channel
from apps.channels.services import channel_create, channel_join
from apps.posts.services import post_create, reaction_add
from apps.teams.services import team_create, team_join
from apps.web.prefs import THEME_NAME
from tests.web.conftest import screenshot

pytestmark = pytest.mark.slow

PASSWORD = "Correct-horse-42"
USER_POSTS = "#message-list li.post:not(.post--system)"
UNREAD = re.compile(r"\bis-unread\b")


def _people(*names: str):
    users = [
        user_create(
            username=name,
            email=f"{name}@example.com",
            password=PASSWORD,
            first_name=name.capitalize(),
            last_name="Tester",
        )
        for name in names
    ]
    team = team_create(actor=users[0], name="acme", display_name="Acme Corp")
    for user in users[1:]:
        team_join(actor=user, team_id=team.id)
    return team, users


def _channel(team, name: str) -> Channel:
    return Channel.objects.get(team=team, name=name)


def _send(page: Page, text: str) -> None:
    expect(page.locator("#composer[data-wired]")).to_have_count(1)  # the script is running
    box = page.locator("#composer [data-composer-input]")
    box.fill(text)
    box.press("Enter")


def _api(page: Page, method: str, path: str, body: dict) -> dict:
    """Call the REST API from inside the page, as its script does (cookie + CSRF header).

    Writes made by the test process itself would not reach the live server's sockets:
    each process has its own in-memory channel layer."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const csrf = document.cookie.split("; ").find((c) => c.startsWith("MMCSRF="));
            const response = await fetch("/api/v4/" + path, {
                method, body: JSON.stringify(body),
                headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf.slice(7)},
            });
            return {status: response.status, body: await response.json()};
        }""",
        [method, path, body],
    )


def test_a_post_reaches_the_other_person_live(browser_as):
    _team, (alice, bob) = _people("alice", "bob")
    page_a = browser_as(alice)
    page_b = browser_as(bob)
    page_a.goto("/acme/channels/town-square")
    page_b.goto("/acme/channels/town-square")
    expect(page_b.locator("html")).to_have_attribute("data-socket", "open")

    _send(page_a, "Hello **Bob**, lunch at noon?")

    message = page_b.locator("#message-list .post-message", has_text="lunch at noon?")
    expect(message).to_be_visible(timeout=2000)
    expect(message.locator("strong")).to_have_text("Bob")
    # The sender sees it once, not twice (the API answer and the socket event agree).
    expect(page_a.locator("#message-list .post-message", has_text="lunch at noon?")).to_have_count(
        1
    )
    expect(page_a.locator("#composer [data-composer-input]")).to_have_value("")


def test_enter_sends_shift_enter_breaks_and_up_edits_the_last_post(browser_as):
    _team, (alice,) = _people("alice")
    page = browser_as(alice)
    page.goto("/acme/channels/town-square")
    box = page.locator("#composer [data-composer-input]")
    box.press_sequentially("first line")
    box.press("Shift+Enter")
    box.press_sequentially("second line")
    expect(box).to_have_value("first line\nsecond line")
    box.press("Enter")
    sent = page.locator("#message-list li.post", has_text="second line")
    expect(sent).to_be_visible()
    post = page.locator(f"#post-{sent.get_attribute('data-post-id')}")
    expect(post.locator(".post-message br")).to_have_count(1)

    box.press("ArrowUp")
    editor = post.locator(".post-edit textarea")
    expect(editor).to_be_focused()
    editor.fill("edited words")
    editor.press("Enter")
    expect(post.locator(".post-message")).to_contain_text("edited words")
    expect(post.locator(".edited")).to_be_visible()


def test_unread_and_mention_badges_update_live_and_clear_on_open(browser_as):
    team, (alice, bob) = _people("alice", "bob")
    page_b = browser_as(bob)
    page_b.goto("/acme/channels/off-topic")
    expect(page_b.locator("html")).to_have_attribute("data-socket", "open")
    town = page_b.locator('.channel-link[data-channel-name="town-square"]')
    expect(town).not_to_have_class(UNREAD)

    square = _channel(team, "town-square")
    page_a = browser_as(alice)
    page_a.goto("/acme/channels/off-topic")
    sent = _api(
        page_a,
        "POST",
        "posts",
        {"channel_id": square.id, "message": "@bob can you review the release notes?"},
    )
    assert sent["status"] == 201, sent

    expect(town).to_have_class(UNREAD, timeout=2000)
    expect(town.locator("[data-mention-badge]")).to_have_text("1")

    with page_b.expect_response(lambda r: r.url.endswith("/channels/members/me/view")) as viewed:
        town.click()
    assert viewed.value.ok
    expect(page_b.locator("#channel")).to_have_attribute("data-channel-name", "town-square")
    expect(page_b).to_have_url(_contains_url("/acme/channels/town-square"))
    expect(town.locator("[data-mention-badge]")).to_have_count(0)
    expect(town).not_to_have_class(UNREAD)
    mention = page_b.locator("#message-list li.post", has_text="release notes").locator(
        ".mention--me"
    )
    expect(mention).to_have_text("@bob")
    # The read state is the server's: a fresh load still shows the channel read.
    page_b.goto("/acme/channels/off-topic")
    expect(
        page_b.locator('.channel-link[data-channel-name="town-square"] [data-mention-badge]')
    ).to_have_count(0)


def test_a_reaction_appears_for_both(browser_as):
    team, (alice, bob) = _people("alice", "bob")
    square = _channel(team, "town-square")
    post = post_create(actor=alice, channel=square, message="Ship it?")
    page_a = browser_as(alice)
    page_b = browser_as(bob)
    page_a.goto("/acme/channels/town-square")
    page_b.goto("/acme/channels/town-square")
    expect(page_a.locator("html")).to_have_attribute("data-socket", "open")
    expect(page_b.locator("html")).to_have_attribute("data-socket", "open")

    answer = _api(
        page_b, "POST", "reactions", {"user_id": bob.id, "post_id": post.id, "emoji_name": "rocket"}
    )
    assert answer["status"] in (200, 201), answer

    for page in (page_a, page_b):
        chip = page.locator(f"#post-{post.id} .reaction")
        expect(chip).to_have_count(1, timeout=2000)
        expect(chip).to_contain_text("🚀")
        expect(chip).to_contain_text("1")
    expect(page_b.locator(f"#post-{post.id} .reaction")).to_have_attribute("aria-pressed", "true")
    expect(page_a.locator(f"#post-{post.id} .reaction")).to_have_attribute("aria-pressed", "false")


def test_markdown_with_script_and_javascript_links_is_inert(browser_as):
    _team, (alice, bob) = _people("alice", "bob")
    page_b = browser_as(bob)
    page_b.goto("/acme/channels/town-square")
    expect(page_b.locator("html")).to_have_attribute("data-socket", "open")
    payload = (
        '<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2"> '
        "[click](javascript:window.pwned=3) [also](JaVaScRiPt:window.pwned=4) **still bold**"
    )
    page_a = browser_as(alice)
    page_a.goto("/acme/channels/town-square")
    _send(page_a, payload)

    for page in (page_a, page_b):
        message = page.locator("#message-list .post-message", has_text="still bold")
        expect(message).to_be_visible(timeout=2000)
        expect(message.locator("strong")).to_have_text("still bold")
        assert message.locator("script, img").count() == 0
        hrefs = message.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert all(h is None or not h.lower().startswith("javascript") for h in hrefs), hrefs
        # The raw tags are shown as text, and nothing ran.
        expect(message).to_contain_text("<script>")
        assert page.evaluate("window.pwned") is None


def test_history_scrolls_back_and_jumps_to_the_first_unread(browser_as):
    team, (alice, bob) = _people("alice", "bob")
    square = _channel(team, "town-square")
    for number in range(1, 131):
        post_create(actor=alice, channel=square, message=f"history message {number}")
    page = browser_as(bob)
    page.goto("/acme/channels/town-square")
    first_unread = page.locator("#message-list li.post.is-first-unread")
    expect(first_unread).to_have_count(1)
    # Bob never read the channel: the first unread is the oldest of the newest 60, and
    # the page opens scrolled to it (which may already bring the page above it).
    expect(first_unread).to_contain_text("history message 71")
    expect(first_unread).to_be_in_viewport()
    posts = page.locator(USER_POSTS)
    for _ in range(10):  # scroll to the top until the start of the channel has loaded
        if posts.count() == 130:
            break
        page.locator("#message-scroller").evaluate("el => el.scrollTop = 0")
        page.wait_for_timeout(300)
    expect(posts).to_have_count(130)
    # Loading older pages keeps the reader's place: the first unread stays put.
    expect(page.locator("#message-list li.post.is-first-unread")).to_have_count(1)
    expect(page.locator(f"{USER_POSTS} .post-message").first).to_have_text("history message 1")
    expect(page.locator(".channel-intro")).to_be_visible()


def test_sign_up_makes_a_team_and_posts(anonymous_page):
    page = anonymous_page
    page.goto("/")
    expect(page).to_have_url(_contains_url("/login"))
    page.get_by_role("link", name="Create one now").click()
    page.get_by_label("Email address").fill("founder@example.com")
    page.get_by_label("Username").fill("founder")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(_contains_url("/select_team"))
    page.get_by_role("link", name="Create a team").click()
    page.get_by_label("Team name").fill("Rocket Lab")
    page.get_by_label("Team URL").fill("rocket-lab")
    page.get_by_role("button", name="Create team").click()
    expect(page).to_have_url(_contains_url("/rocket-lab/channels/town-square"))
    _send(page, "We are live :tada:")
    expect(page.locator("#message-list .post-message", has_text="We are live")).to_contain_text(
        "🎉"
    )


def test_screenshots_of_the_main_screen(browser_as):
    """Light, dark and phone-width pictures of a lively channel, under var/screenshots/."""
    team, (alice, bob, carol, dave) = _people("alice", "bob", "carol", "dave")
    square = _channel(team, "town-square")
    for name in ("design", "release-planning", "random"):
        channel = post_channel(alice, team, name)
        for user in (bob, carol):
            channel_join(actor=user, channel_id=channel.id)
    talk = [
        (alice, "Morning all! The **2.4 release** branch is cut :rocket:"),
        (bob, "Nice. I'll run the migration checks on staging."),
        (bob, "Here's the command:\n```bash\nmake migrate-check ENV=staging\n```"),
        (carol, "@alice can we move the demo to Thursday? Design review is Wednesday."),
        (alice, "Sure, Thursday 14:00 works. Agenda:\n1. Search speed\n2. Korean input\n3. Q&A"),
        (dave, "| Metric | Before | After |\n|---|---|---|\n| p95 search | 180 ms | 46 ms |"),
        (carol, "> Fast search is the feature people notice first.\nAgreed :100:"),
    ]
    posts = [post_create(actor=user, channel=square, message=text) for user, text in talk]
    post_create(actor=bob, channel=square, message="Checks passed ✅", root_id=posts[1].id)
    reaction_add(actor=bob, user_id=bob.id, post_id=posts[0].id, emoji_name="tada")
    reaction_add(actor=carol, user_id=carol.id, post_id=posts[0].id, emoji_name="tada")
    reaction_add(actor=dave, user_id=dave.id, post_id=posts[5].id, emoji_name="fire")
    post_create(actor=dave, channel=_channel(team, "off-topic"), message="@carol coffee?")

    page = browser_as(carol)
    page.goto("/acme/channels/town-square")
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    expect(page.locator("#message-list .post:not(.post--system)")).to_have_count(len(talk) + 1)
    screenshot(page, "chat-light")

    theme = {"type": "dark"}
    preference_save(
        actor=carol,
        user=carol,
        preferences=[
            {
                "user_id": carol.id,
                "category": "theme",
                "name": THEME_NAME,
                "value": json.dumps(theme),
            }
        ],
    )
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    screenshot(page, "chat-dark")

    phone = browser_as(carol, viewport=(390, 844))
    phone.goto("/acme/channels/town-square")
    expect(phone.locator("#message-list .post").first).to_be_visible()
    screenshot(phone, "chat-phone")
    phone.get_by_role("button", name="Show channels").click()
    expect(phone.locator(".sidebar")).to_be_in_viewport()


def post_channel(actor, team, name: str) -> Channel:
    return channel_create(
        actor=actor, team=team, name=name, display_name=name.replace("-", " ").title()
    )


def _contains_url(part: str) -> re.Pattern:
    return re.compile(".*" + re.escape(part) + r"(\?.*)?$")


def test_a_thread_reply_shows_its_count_to_the_other_person(browser_as):
    team, (alice, bob) = _people("alice", "bob")
    root = post_create(actor=alice, channel=_channel(team, "town-square"), message="Who's on call?")
    page_a = browser_as(alice)
    page_b = browser_as(bob)
    page_a.goto("/acme/channels/town-square")
    page_b.goto("/acme/channels/town-square")
    expect(page_a.locator("html")).to_have_attribute("data-socket", "open")

    page_b.locator(f"#post-{root.id}").hover()
    page_b.locator(f"#post-{root.id} [data-action='open-thread']").first.click()
    reply_box = page_b.locator("#rhs-composer [data-composer-input]")
    expect(reply_box).to_be_focused()
    reply_box.fill("I am, until Friday.")
    reply_box.press("Enter")
    expect(page_b.locator("#rhs .post-message", has_text="until Friday")).to_be_visible()

    count = page_a.locator(f"#post-{root.id} .thread-link")
    expect(count).to_have_text(re.compile(r"\s*1 reply\s*"), timeout=2000)
    count.click()
    expect(page_a.locator("#rhs .post-message", has_text="until Friday")).to_be_visible()


def test_deleting_your_post_removes_it_for_everyone(browser_as):
    team, (alice, bob) = _people("alice", "bob")
    post = post_create(
        actor=alice, channel=_channel(team, "town-square"), message="oops, wrong room"
    )
    page_a = browser_as(alice)
    page_b = browser_as(bob)
    page_a.goto("/acme/channels/town-square")
    page_b.goto("/acme/channels/town-square")
    expect(page_b.locator("html")).to_have_attribute("data-socket", "open")
    expect(page_b.locator(f"#post-{post.id} [data-action='delete']")).to_have_count(0)

    page_a.once("dialog", lambda dialog: dialog.accept())
    page_a.locator(f"#post-{post.id}").hover()
    page_a.locator(f"#post-{post.id} [data-action='delete']").click()

    expect(page_a.locator(f"#post-{post.id}")).to_have_count(0, timeout=2000)
    expect(page_b.locator(f"#post-{post.id}")).to_have_count(0, timeout=2000)


def test_a_permalink_into_the_past_opens_there_and_scrolls_to_the_present(browser_as):
    team, (alice, bob) = _people("alice", "bob")
    square = _channel(team, "town-square")
    posts = [post_create(actor=alice, channel=square, message=f"old news {i}") for i in range(150)]
    page = browser_as(bob)
    page.goto(f"/pl/{posts[40].id}")
    focused = page.locator(f"#post-{posts[40].id}")
    expect(focused).to_have_class(re.compile(r"\bis-focused\b"))
    expect(focused).to_be_in_viewport()
    for _ in range(4):  # scroll down until the newest message has loaded
        page.locator("#message-scroller").evaluate("el => el.scrollTop = el.scrollHeight")
        if page.locator(f"#post-{posts[149].id}").count():
            break
        page.wait_for_timeout(300)
    expect(page.locator(f"#post-{posts[149].id}")).to_be_attached()
    expect(page.locator(".history-loader--newer")).to_have_count(0)
