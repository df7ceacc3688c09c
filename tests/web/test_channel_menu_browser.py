"""The channel name's menu (issue 14, "Broken today" 2), in Debian's Chromium against a live
daphne: a private channel gets a second member through "Add members" (and that member's open
page lists it at once), the menu offers only what the server's rules allow, the server's
refusal is shown in the dialog, and "Leave channel" takes the channel off the sidebar.
"""

import pytest
from playwright.sync_api import Page, expect

from apps.channels.models import ChannelMember
from apps.channels.services import channel_archive, channel_member_add
from tests.factories import make_channel
from tests.web.conftest import open_channel, screenshot

pytestmark = [pytest.mark.slow]

LIVE_MS = 5000


def open_menu(page: Page):
    page.locator("#channel [data-action='channel-menu']").click()
    menu = page.get_by_role("menu", name="Channel menu")
    expect(menu).to_be_visible()
    return menu


def test_admin_adds_bob_to_a_private_channel_and_bob_sees_it_live(browser_as, people):
    admin, bob, acme = people["admin"], people["bob"], people["acme"]
    private = make_channel(admin, acme, "secret-plans", "P")
    bobs_page = browser_as(bob)
    open_channel(bobs_page)
    expect(bobs_page.locator("#sidebar")).not_to_contain_text("Secret-Plans")
    page = browser_as(admin)
    open_channel(page, "secret-plans")
    expect(page.locator("#channel [data-member-count]")).to_have_text("1")

    open_menu(page).get_by_role("menuitem", name="Add members").click()
    dialog = page.get_by_role("dialog", name="Add people to Secret-Plans")
    dialog.get_by_role("combobox", name="Search for people").fill("bo")
    dialog.get_by_role("option", name="@bob").click()
    expect(dialog.locator("[data-add-picked]")).to_contain_text("@bob")
    screenshot(page, "channel-menu-add-members")
    dialog.get_by_role("button", name="Add", exact=True).click()

    expect(dialog).to_be_hidden()
    assert ChannelMember.objects.filter(channel=private, user=bob).exists()
    expect(page.locator("#channel [data-member-count]")).to_have_text("2", timeout=LIVE_MS)
    expect(bobs_page.locator("#sidebar")).to_contain_text("Secret-Plans", timeout=LIVE_MS)
    # Bob is now in it: the admin's search no longer offers him.
    open_menu(page).get_by_role("menuitem", name="Add members").click()
    dialog = page.get_by_role("dialog", name="Add people to Secret-Plans")
    dialog.get_by_role("combobox", name="Search for people").fill("bo")
    expect(dialog.get_by_role("option", name="@bob")).to_have_count(0)
    # View info shows the channel's name, purpose and the live member count.
    page.keyboard.press("Escape")
    open_menu(page).get_by_role("menuitem", name="View info").click()
    info = page.get_by_role("dialog", name="Secret-Plans")
    expect(info).to_contain_text("~secret-plans")
    expect(info.locator("[data-info-member-count]")).to_have_text("2")


def test_the_menu_offers_only_what_the_rules_allow(browser_as, people):
    """Bob reads the public channel without being in it: he may neither add people to it
    nor leave it (the server refuses both), so the menu offers neither. In Town Square
    the admin may add people but not leave (Mattermost refuses it)."""
    admin, bob, acme = people["admin"], people["bob"], people["acme"]
    make_channel(admin, acme, "announcements", "O")
    bobs_page = browser_as(bob)
    open_channel(bobs_page, "announcements")
    menu = open_menu(bobs_page)
    expect(menu.get_by_role("menuitem", name="View info")).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Add members")).to_have_count(0)
    expect(menu.get_by_role("menuitem", name="Leave channel")).to_have_count(0)

    page = browser_as(admin)
    open_channel(page)
    menu = open_menu(page)
    expect(menu.get_by_role("menuitem", name="Add members")).to_be_visible()
    expect(menu.get_by_role("menuitem", name="Leave channel")).to_have_count(0)
    screenshot(page, "channel-menu")


def test_a_refusal_is_shown_in_the_dialog(browser_as, people):
    admin, alice, acme = people["admin"], people["alice"], people["acme"]
    private = make_channel(admin, acme, "secret-plans", "P")
    channel_member_add(actor=admin, channel_id=private.id, user_id=alice.id)
    page = browser_as(alice)
    open_channel(page, "secret-plans")
    open_menu(page).get_by_role("menuitem", name="Add members").click()
    dialog = page.get_by_role("dialog", name="Add people to Secret-Plans")
    dialog.get_by_role("combobox", name="Search for people").fill("bo")
    dialog.get_by_role("option", name="@bob").click()
    # The channel is archived while the dialog is open: the server now refuses.
    channel_archive(actor=admin, channel_id=private.id)
    dialog.get_by_role("button", name="Add", exact=True).click()

    expect(dialog.get_by_role("alert")).to_have_text("You cannot add people to this channel.")
    expect(dialog.locator("[data-add-picked]")).to_contain_text("@bob")
    assert not ChannelMember.objects.filter(channel=private, user=people["bob"]).exists()


def test_leaving_through_the_menu_takes_the_channel_off_the_sidebar(browser_as, people):
    admin, bob, acme = people["admin"], people["bob"], people["acme"]
    lounge = make_channel(admin, acme, "lounge", "O")
    channel_member_add(actor=admin, channel_id=lounge.id, user_id=bob.id)
    page = browser_as(bob)
    open_channel(page, "lounge")
    expect(page.locator("#sidebar")).to_contain_text("Lounge")

    open_menu(page).get_by_role("menuitem", name="Leave channel").click()

    expect(page.locator("#channel")).to_have_attribute("data-channel-name", "town-square")
    expect(page.locator("#sidebar")).not_to_contain_text("Lounge")
    assert not ChannelMember.objects.filter(channel=lounge, user=bob).exists()
