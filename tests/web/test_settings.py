"""The settings page: each section saves through the services and refuses bad input; the
theme stylesheet carries only validated colours; the clock and theme reach the chat."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from apps.accounts.models import Preference, Session
from apps.accounts.services.preferences import preference_save
from apps.accounts.services.sessions import session_create
from apps.channels.selectors import channel_get_by_name
from apps.posts.services import post_create
from apps.web.prefs import UiPreferences, clean_colour, theme_stylesheet, ui_preferences
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-7"
MILITARY_TIME = {"category": "display_settings", "name": "use_military_time", "value": "true"}


@pytest.fixture
def alice():
    return UserFactory(username="alice", password=PASSWORD)


def signed_in_client(user, **kwargs) -> tuple[Client, Session]:
    client = Client(**kwargs)
    session, token = session_create(user=user, device_id="web")
    client.cookies["MMAUTHTOKEN"] = token
    return client, session


@pytest.fixture
def client_as_alice(alice) -> Client:
    return signed_in_client(alice)[0]


def theme_of(user) -> dict:
    row = Preference.objects.get(user=user, category="theme", name="")
    return json.loads(row.value)


def save_theme(user, theme: dict) -> None:
    preference_save(
        actor=user,
        user=user,
        preferences=[
            {"user_id": user.id, "category": "theme", "name": "", "value": json.dumps(theme)}
        ],
    )


# --- access -----------------------------------------------------------------------------------


def test_settings_needs_sign_in(client):
    response = client.get("/settings")

    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")


def test_settings_page_shows_every_section(client_as_alice):
    response = client_as_alice.get("/settings")

    assert response.status_code == 200
    html = response.content.decode()
    for anchor in ('id="profile"', 'id="security"', 'id="display"', 'id="language"'):
        assert anchor in html
    assert 'href="/"' in html  # back to Confab
    assert html.count('name="csrfmiddlewaretoken"') == 5
    assert 'data-theme="light"' in html
    assert "/static/web/js/settings.js" in html


def test_posts_need_the_csrf_token(alice):
    client, _ = signed_in_client(alice, enforce_csrf_checks=True)

    refused = client.post("/settings", {"section": "profile", "nickname": "Al"})

    assert refused.status_code == 403
    alice.refresh_from_db()
    assert alice.nickname == ""

    page = client.get("/settings")
    token = page.context["csrf_token"]
    accepted = client.post(
        "/settings", {"section": "profile", "nickname": "Al", "csrfmiddlewaretoken": str(token)}
    )
    assert accepted.status_code == 302
    alice.refresh_from_db()
    assert alice.nickname == "Al"


def test_an_unknown_section_changes_nothing(client_as_alice):
    response = client_as_alice.post("/settings", {"section": "roles", "roles": "system_admin"})

    assert response.status_code == 302
    assert response["Location"] == "/settings"


# --- profile ----------------------------------------------------------------------------------


def test_profile_saves_names_and_shows_saved(client_as_alice, alice):
    response = client_as_alice.post(
        "/settings",
        {"section": "profile", "first_name": "Alice", "last_name": "Liddell", "nickname": "Al"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/settings?saved=profile#profile"
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name, alice.nickname) == ("Alice", "Liddell", "Al")

    page = client_as_alice.get(response["Location"])
    html = page.content.decode()
    assert re.search(r'<p class="settings-saved" role="status">.*Saved</p>', html)
    assert 'value="Liddell"' in html


def test_profile_too_long_is_refused_inline(client_as_alice, alice):
    response = client_as_alice.post("/settings", {"section": "profile", "nickname": "x" * 65})

    assert response.status_code == 400
    assert 'class="error" role="alert"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.nickname == ""


# --- security ---------------------------------------------------------------------------------


def test_password_change_keeps_this_browser_and_ends_other_sessions(alice):
    client, session = signed_in_client(alice)
    session_create(user=alice, device_id="phone")

    response = client.post(
        "/settings",
        {
            "section": "security",
            "current_password": PASSWORD,
            "new_password": "Another-Horse-8",
            "confirm_password": "Another-Horse-8",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/settings?saved=security#security"
    alice.refresh_from_db()
    assert alice.check_password("Another-Horse-8")
    assert list(Session.objects.filter(user=alice).values_list("id", flat=True)) == [session.id]
    assert client.get("/settings").status_code == 200  # still signed in


@pytest.mark.parametrize(
    ("current", "new", "confirm", "shown"),
    [
        ("not-it", "Another-Horse-8", "Another-Horse-8", "The current password is wrong."),
        (PASSWORD, "Another-Horse-8", "Another-Horse-9", "The two new passwords do not match."),
        # A weak password is refused with the validator's reason.
        (PASSWORD, "a", "a", 'class="error" role="alert"'),
    ],
    ids=["wrong current", "mismatched confirmation", "weak new"],
)
def test_a_bad_password_change_is_refused_with_the_reason(
    client_as_alice, alice, current, new, confirm, shown
):
    response = client_as_alice.post(
        "/settings",
        {
            "section": "security",
            "current_password": current,
            "new_password": new,
            "confirm_password": confirm,
        },
    )

    assert response.status_code == 400
    assert shown in response.content.decode()
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


# --- theme and clock --------------------------------------------------------------------------


def test_theme_is_saved_as_mattermost_stores_it(client_as_alice, alice):
    response = client_as_alice.post(
        "/settings",
        {
            "section": "theme",
            "theme_type": "dark",
            "custom_colours": "on",
            "sidebarBg": "#112233",
            "sidebarText": "#FFFFFF",
            "buttonBg": "#abc",
            "mentionBg": "#ff0000",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/settings?saved=theme#display"
    assert theme_of(alice) == {
        "type": "dark",
        "sidebarBg": "#112233",
        "sidebarText": "#ffffff",
        "buttonBg": "#abc",
        "mentionBg": "#ff0000",
    }
    page = client_as_alice.get("/settings?saved=theme")
    assert '<html lang="en" data-theme="dark">' in page.content.decode()


def test_without_custom_colours_only_the_type_is_saved(client_as_alice, alice):
    client_as_alice.post(
        "/settings",
        {"section": "theme", "theme_type": "light", "sidebarBg": "#112233"},
    )

    assert theme_of(alice) == {"type": "light"}


@pytest.mark.parametrize(
    "bad",
    ["#fff;}body{background:url(x)", "red", "#12345", "#ggg", "url(x)", "#1234567"],
)
def test_a_bad_colour_is_refused_and_nothing_saved(client_as_alice, alice, bad):
    response = client_as_alice.post(
        "/settings",
        {"section": "theme", "theme_type": "dark", "custom_colours": "on", "sidebarBg": bad},
    )

    assert response.status_code == 400
    assert not Preference.objects.filter(user=alice, category="theme").exists()


def test_reset_keeps_the_type_and_drops_every_colour(client_as_alice, alice):
    save_theme(alice, {"type": "dark", "sidebarBg": "#111111", "linkColor": "#222222"})

    client_as_alice.post(
        "/settings",
        {
            "section": "theme",
            "theme_type": "dark",
            "custom_colours": "on",
            "sidebarBg": "#333333",
            "reset": "on",
        },
    )

    assert theme_of(alice) == {"type": "dark"}


def test_colours_from_other_clients_are_kept_when_valid(client_as_alice, alice):
    save_theme(alice, {"type": "light", "linkColor": "#222222", "centerChannelBg": "evil;"})

    client_as_alice.post(
        "/settings",
        {"section": "theme", "theme_type": "light", "custom_colours": "on", "buttonBg": "#010203"},
    )

    assert theme_of(alice) == {"type": "light", "linkColor": "#222222", "buttonBg": "#010203"}


def test_an_unknown_theme_type_is_refused(client_as_alice, alice):
    response = client_as_alice.post("/settings", {"section": "theme", "theme_type": "neon"})

    assert response.status_code == 400
    assert not Preference.objects.filter(user=alice, category="theme").exists()


@pytest.mark.parametrize(("choice", "stored"), [("24", "true"), ("12", "false")])
def test_clock_is_saved_as_use_military_time(client_as_alice, alice, choice, stored):
    response = client_as_alice.post("/settings", {"section": "clock", "clock": choice})

    assert response.status_code == 302
    row = Preference.objects.get(user=alice, category="display_settings", name="use_military_time")
    assert row.value == stored


def test_an_unknown_clock_is_refused(client_as_alice, alice):
    response = client_as_alice.post("/settings", {"section": "clock", "clock": "36"})

    assert response.status_code == 400
    assert not Preference.objects.filter(user=alice, category="display_settings").exists()


# --- language ---------------------------------------------------------------------------------


def test_language_is_saved_and_the_next_page_uses_it(client_as_alice, alice):
    response = client_as_alice.post("/settings", {"section": "language", "locale": "ko"})

    assert response.status_code == 302
    assert response["Location"] == "/settings?saved=language#language"
    alice.refresh_from_db()
    assert alice.locale == "ko"
    html = client_as_alice.get(response["Location"]).content.decode()
    assert '<html lang="ko"' in html
    assert '<option value="ko" lang="ko" selected>한국어</option>' in html


def test_chinese_uses_mattermosts_code(client_as_alice, alice):
    client_as_alice.post("/settings", {"section": "language", "locale": "zh-CN"})

    alice.refresh_from_db()
    assert alice.locale == "zh-CN"
    assert '<html lang="zh-hans"' in client_as_alice.get("/settings").content.decode()


@pytest.mark.parametrize("locale", ["de", "zh-hans", "", "ko<script>"])
def test_an_unsupported_language_is_refused(client_as_alice, alice, locale):
    response = client_as_alice.post("/settings", {"section": "language", "locale": locale})

    assert response.status_code == 400
    assert 'class="error" role="alert"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.locale == "en"


# --- theme.css --------------------------------------------------------------------------------


def test_theme_css_for_anonymous_is_empty(client):
    response = client.get("/theme.css?v=x")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert response.content == b""


def test_theme_css_sets_the_saved_colours_as_variables(client_as_alice, alice):
    save_theme(
        alice,
        {
            "type": "dark",
            "sidebarBg": "#112233",
            "sidebarText": "#eee",
            "sidebarTextActiveBorder": "#00ff00",
            "buttonBg": "#0000FF",
            "buttonColor": "#ffffff",
            "mentionBg": "#ff0000",
            "mentionColor": "#000000",
            "linkColor": "#123456",
            "centerChannelBg": "#101010",
            "centerChannelColor": "#fafafa",
        },
    )

    response = client_as_alice.get("/theme.css?v=1")

    assert response["Content-Type"].startswith("text/css")
    assert response["Cache-Control"] == "private, max-age=31536000"
    css = response.content.decode()
    assert ':root,\nhtml[data-theme="light"],\nhtml[data-theme="dark"] {' in css
    for declaration in (
        "--sidebar-bg: #112233;",
        "--sidebar-fg: #eee;",
        "--sidebar-active-fg: #00ff00;",
        "--accent: #0000ff;",
        "--accent-fg: #ffffff;",
        "--mention-bg: #ff0000;",
        "--mention-fg: #000000;",
        "--link: #123456;",
        "--bg: #101010;",
        "--fg: #fafafa;",
    ):
        assert declaration in css


@pytest.mark.parametrize(
    "evil",
    [
        "#fff;}body{background:url(x)",
        "#fff}</style><script>alert(1)</script>",
        "red",
        "rgb(1,2,3)",
        "#fff\n}",
        "expression(alert(1))",
        "#ffff",
    ],
)
def test_theme_css_drops_anything_but_hex_colours(client_as_alice, alice, evil):
    save_theme(alice, {"type": "light", "sidebarBg": evil, "buttonBg": "#010203"})

    css = client_as_alice.get("/theme.css").content.decode()

    assert evil not in css
    assert "--sidebar-bg" not in css
    assert "--accent: #010203;" in css
    # Nothing but the one rule: selectors, then `--name: #hex;` lines.
    body = css.split("{", 1)[1].rsplit("}", 1)[0]
    assert re.fullmatch(r"(\s*--[a-z-]+: #[0-9a-f]{3,6};\n)+", body)
    assert css.count("{") == css.count("}") == 1


def test_theme_css_without_colours_is_empty(client_as_alice, alice):
    save_theme(alice, {"type": "dark"})

    assert client_as_alice.get("/theme.css").content == b""


def test_colour_version_changes_with_the_colours(alice):
    before = ui_preferences(alice).colour_version
    save_theme(alice, {"type": "light", "sidebarBg": "#111111"})

    assert ui_preferences(alice).colour_version != before


def test_clean_colour():
    assert clean_colour("#ABCDEF") == "#abcdef"
    assert clean_colour("#abc") == "#abc"
    for bad in ("abc", "#abcd", "#abcdef0", " #abc", "#abc ", None, 7, "#abc\n"):
        assert clean_colour(bad) is None


def test_stylesheet_never_trusts_unvalidated_colours():
    """Even a UiPreferences built by hand (not from the database) is checked again."""
    prefs = UiPreferences(colours={"sidebarBg": "#fff;}*{x:y", "mentionBg": "#abc"})

    assert theme_stylesheet(prefs) == (
        ':root,\nhtml[data-theme="light"],\nhtml[data-theme="dark"] {\n  --mention-bg: #abc;\n}\n'
    )


# --- the clock in the chat, and the theme on every page ----------------------------------------


def render_clock(user, when: datetime) -> str:
    request = RequestFactory().get("/")
    request.web_user = user
    template = Template("{% load web_time %}{% clock when %}")
    return template.render(Context({"request": request, "when": when}))


def test_clock_tag_follows_the_preference(alice):
    when = datetime(2024, 5, 1, 21, 41, tzinfo=UTC)

    assert render_clock(alice, when) == "9:41 PM"  # Mattermost's default is 12-hour
    preference_save(
        actor=alice,
        user=alice,
        preferences=[
            {"category": "display_settings", "name": "use_military_time", "value": "true"}
        ],
    )
    assert render_clock(alice, when) == "21:41"


def test_clock_tag_reads_the_preferences_once_per_request(alice, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.web_user = alice
    template = Template("{% load web_time %}{% for w in times %}{% clock w %} {% endfor %}")
    when = datetime(2024, 5, 1, 9, 5, tzinfo=UTC)

    with django_assert_num_queries(1):
        out = template.render(Context({"request": request, "times": [when] * 20}))

    assert out.split() == ["9:05", "AM"] * 20


def test_chat_posts_use_the_chosen_clock(client_as_alice, alice):
    team = make_team(alice)
    channel = channel_get_by_name(actor=alice, team_id=team.id, name="town-square")
    post_create(actor=alice, channel=channel, message="hello")
    preference_save(
        actor=alice,
        user=alice,
        preferences=[
            {"category": "display_settings", "name": "use_military_time", "value": "true"}
        ],
    )

    html = client_as_alice.get(f"/{team.name}/channels/town-square").content.decode()

    assert re.search(r'<time datetime="[^"]+" data-ts="\d+">\d\d:\d\d</time>', html)
    assert " AM</time>" not in html and " PM</time>" not in html


def test_other_pages_get_the_theme_too(client_as_alice, alice):
    save_theme(alice, {"type": "dark"})

    html = client_as_alice.get("/select_team").content.decode()

    assert 'data-theme="dark"' in html
