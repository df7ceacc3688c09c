"""The chat screen follows membership and status events live, in Debian's Chromium
against a live daphne (issue 13 §1): removed from a team, the team leaves the rail (and
the page leaves the team); someone joining or leaving moves the member count in the
channel header; someone else's manual status shows on every dot of theirs.

Each change is made through the REST API from inside a browser page (as the web client
makes it): a write made by the test process would not reach the live server's sockets,
since each process has its own in-memory channel layer.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.channels.models import Channel
from apps.channels.services import channel_get_or_create_direct
from apps.posts.services import post_create
from apps.teams.services import team_member_add
from tests.factories import make_channel, make_team

pytestmark = [pytest.mark.slow]

LIVE_MS = 5000  # the member count waits up to a second (and jitter) before asking


def call_api(page: Page, method: str, path: str, body=None) -> dict:
    """The REST API called from inside `page`, with its cookie and CSRF header."""
    if not page.url.startswith("http"):
        page.goto("/select_team")  # any page of the site: its cookies are readable there
    answer = page.evaluate(
        """async ([method, path, body]) => {
            const csrf = document.cookie.split("; ").find((c) => c.startsWith("MMCSRF="));
            const init = {method, headers: {"X-CSRF-Token": csrf.slice(7)}};
            if (body !== null) {
                init.body = JSON.stringify(body);
                init.headers["Content-Type"] = "application/json";
            }
            const response = await fetch("/api/v4/" + path, init);
            return {status: response.status, body: await response.json()};
        }""",
        [method, path, body],
    )
    assert answer["status"] < 300, answer
    return answer["body"]


def open_channel(page: Page, team: str = "acme", name: str = "town-square") -> None:
    page.goto(f"/{team}/channels/{name}")
    expect(page.locator("#channel")).to_have_attribute("data-channel-name", name)
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    # Marks this load: a reload or a navigation forgets it.
    page.evaluate("window.confabSameLoad = true")


def still_the_same_load(page: Page) -> bool:
    return page.evaluate("window.confabSameLoad === true")


def rail_icon(page: Page, team) -> object:
    return page.locator(f'.team-rail .team-icon[data-team-id="{team.id}"]')


def member_count(page: Page):
    return page.locator("#channel [data-member-count]")


# --- the table of handlers, as the browser loads it -----------------------------------------


def test_every_handler_in_the_table_is_a_function_in_the_browser(browser_as, people):
    page = browser_as(people["alice"])
    open_channel(page)
    shapes = page.evaluate(
        """async () => {
            const { HANDLERS, IGNORED } = await import("/static/web/js/events.js");
            return {
                handlers: Object.fromEntries(Object.entries(HANDLERS).map(
                    ([name, list]) => [name, list.map((h) => typeof h)])),
                ignored: IGNORED,
            };
        }"""
    )
    from apps.realtime.catalogue import catalogue

    assert set(shapes["handlers"]) | set(shapes["ignored"]) == set(catalogue())
    assert all(kinds and set(kinds) == {"function"} for kinds in shapes["handlers"].values()), (
        shapes["handlers"]
    )


# --- leave_team -------------------------------------------------------------------------------


def test_removed_from_the_team_on_screen_the_page_moves_to_another_team(browser_as, people):
    admin, alice, acme = people["admin"], people["alice"], people["acme"]
    beta = make_team(admin, name="beta", display_name="Beta")
    team_member_add(actor=admin, team_id=beta.id, user_id=alice.id)
    page = browser_as(alice)
    open_channel(page)
    expect(rail_icon(page, acme)).to_have_count(1)
    expect(rail_icon(page, beta)).to_have_count(1)

    call_api(browser_as(admin), "DELETE", f"teams/{acme.id}/members/{alice.id}")

    expect(page).to_have_url(re.compile(r"/beta/channels/town-square$"), timeout=LIVE_MS)
    expect(page.locator(".sidebar-team-name")).to_have_text("Beta")
    expect(rail_icon(page, acme)).to_have_count(0)
    expect(rail_icon(page, beta)).to_have_class(re.compile(r"\bis-active\b"))


def test_removed_from_another_team_its_icon_goes_without_a_reload(browser_as, people):
    admin, alice, acme = people["admin"], people["alice"], people["acme"]
    beta = make_team(admin, name="beta", display_name="Beta")
    team_member_add(actor=admin, team_id=beta.id, user_id=alice.id)
    page = browser_as(alice)
    open_channel(page)
    expect(rail_icon(page, beta)).to_have_count(1)

    call_api(browser_as(admin), "DELETE", f"teams/{beta.id}/members/{alice.id}")

    expect(rail_icon(page, beta)).to_have_count(0, timeout=LIVE_MS)
    expect(rail_icon(page, acme)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/acme/channels/town-square$"))
    assert still_the_same_load(page)


def test_removed_from_the_last_team_the_page_goes_to_the_team_selection(browser_as, people):
    admin, alice, acme = people["admin"], people["alice"], people["acme"]
    page = browser_as(alice)
    open_channel(page)

    call_api(browser_as(admin), "DELETE", f"teams/{acme.id}/members/{alice.id}")

    expect(page).to_have_url(re.compile(r"/select_team$"), timeout=LIVE_MS)


def test_leaving_a_team_yourself_in_another_tab_moves_this_one_too(browser_as, people):
    alice, acme = people["alice"], people["acme"]
    page = browser_as(alice)
    open_channel(page)
    other_tab = browser_as(alice)
    open_channel(other_tab)

    call_api(other_tab, "DELETE", f"teams/{acme.id}/members/{alice.id}")

    expect(page).to_have_url(re.compile(r"/select_team$"), timeout=LIVE_MS)


def test_added_to_a_team_its_icon_appears_without_a_reload(browser_as, people):
    admin, alice = people["admin"], people["alice"]
    beta = make_team(admin, name="beta", display_name="Beta")
    page = browser_as(alice)
    open_channel(page)
    expect(rail_icon(page, beta)).to_have_count(0)

    call_api(
        browser_as(admin),
        "POST",
        f"teams/{beta.id}/members",
        {"team_id": beta.id, "user_id": alice.id},
    )

    expect(rail_icon(page, beta)).to_have_count(1, timeout=LIVE_MS)
    expect(rail_icon(page, beta)).to_have_attribute("href", "/beta/channels/town-square")
    expect(rail_icon(page, people["acme"])).to_have_class(re.compile(r"\bis-active\b"))
    assert still_the_same_load(page)


def test_a_renamed_team_shows_its_new_name_on_the_rail(browser_as, people):
    admin, acme = people["admin"], people["acme"]
    page = browser_as(people["alice"])
    open_channel(page)

    call_api(browser_as(admin), "PUT", f"teams/{acme.id}/patch", {"display_name": "Zenith"})

    expect(rail_icon(page, acme)).to_have_text("ZE", timeout=LIVE_MS)
    expect(rail_icon(page, acme)).to_have_attribute("title", "Zenith")
    expect(page.locator(".sidebar-team-name")).to_have_text("Zenith")


def test_someone_removed_from_the_team_leaves_the_count_and_the_members_list(browser_as, people):
    admin, alice, bob, acme = people["admin"], people["alice"], people["bob"], people["acme"]
    page = browser_as(bob)
    open_channel(page)
    expect(member_count(page)).to_have_text("3")
    page.locator("[data-action='show-members']").click()
    members = page.locator("#rhs .member-row")
    expect(members).to_have_count(3)

    call_api(browser_as(admin), "DELETE", f"teams/{acme.id}/members/{alice.id}")

    expect(member_count(page)).to_have_text("2", timeout=LIVE_MS)
    expect(members).to_have_count(2, timeout=LIVE_MS)
    expect(page.locator(f'#rhs .member-row[data-user-id="{alice.id}"]')).to_have_count(0)
    assert still_the_same_load(page)


# --- user_added / user_removed: the member count ---------------------------------------------


def test_the_member_count_follows_people_joining_and_leaving(browser_as, people):
    alice, bob = people["alice"], people["bob"]
    design = make_channel(alice, people["acme"], "design")
    page = browser_as(alice)
    open_channel(page, name="design")
    expect(member_count(page)).to_have_text("1")

    bobs_page = browser_as(bob)
    open_channel(bobs_page)
    call_api(bobs_page, "POST", f"channels/{design.id}/members", {"user_id": bob.id})
    expect(member_count(page)).to_have_text("2", timeout=LIVE_MS)

    call_api(bobs_page, "DELETE", f"channels/{design.id}/members/{bob.id}")
    expect(member_count(page)).to_have_text("1", timeout=LIVE_MS)
    assert still_the_same_load(page)


# --- status_change ----------------------------------------------------------------------------


def test_someone_elses_manual_status_shows_on_every_dot_of_theirs(browser_as, people):
    alice, bob, acme = people["alice"], people["bob"], people["acme"]
    channel_get_or_create_direct(actor=bob, other_user_id=alice.id)
    town = Channel.objects.get(team=acme, name="town-square")
    post_create(actor=alice, channel=town, message="back in five")
    page = browser_as(bob)
    open_channel(page)
    page.locator("[data-action='show-members']").click()
    dots = page.locator(f'[data-presence-user="{alice.id}"]')
    # The sidebar's direct message, the members list and her post's avatar.
    expect(page.locator(f'#sidebar [data-presence-user="{alice.id}"]')).to_have_count(1)
    expect(page.locator(f'#rhs [data-presence-user="{alice.id}"]')).to_have_count(1)
    her_post = page.locator("#message-list li.post", has_text="back in five")
    expect(her_post.locator(f'[data-presence-user="{alice.id}"]')).to_have_count(1)
    count = dots.count()

    alices_page = browser_as(alice)
    open_channel(alices_page)
    call_api(alices_page, "PUT", "users/me/status", {"user_id": alice.id, "status": "dnd"})

    for index in range(count):
        expect(dots.nth(index)).to_have_class(re.compile(r"\bpresence--dnd\b"), timeout=LIVE_MS)
    expect(page.locator(f'#rhs [data-presence-user="{alice.id}"]')).to_have_attribute(
        "title", "Do not disturb"
    )
    assert still_the_same_load(page)
