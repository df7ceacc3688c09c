"""The web client's pages and fragments through Django's test client: sign-in, the chat
screen, who may see what (SECURITY.md 1, 2), CSRF (5), escaping (15) and headers (16)."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from apps.accounts.services.sessions import session_create
from apps.accounts.services.users import user_create
from apps.channels.models import Channel
from apps.channels.services import channel_get_or_create_direct, channel_join
from apps.posts.services import post_create
from apps.teams.services import team_join
from tests.factories import UserFactory, make_channel, make_team
from tests.web.clients import signed_in_client

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-7"
XSS = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>"\'&'


@pytest.fixture
def alice():
    return UserFactory(username="alice")


@pytest.fixture
def bob():
    return UserFactory(username="bob")


@pytest.fixture
def team(alice, bob):
    team = make_team(alice)
    team_join(actor=bob, team_id=team.id)
    return team


def _square(team) -> Channel:
    return Channel.objects.get(team=team, name="town-square")


# --- signing in and out -------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in_and_back(team):
    response = Client().get("/acme/channels/town-square")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=%2Facme%2Fchannels%2Ftown-square"


def test_sign_in_sets_mattermost_cookies_and_follows_next(alice, team):
    client = Client()
    response = client.post(
        "/login",
        {"login_id": "alice", "password": PASSWORD, "next": "/acme/channels/off-topic"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/acme/channels/off-topic"
    assert response.cookies["MMAUTHTOKEN"]["httponly"]
    assert response.cookies["MMUSERID"].value == alice.id
    assert client.get("/acme/channels/off-topic").status_code == 200


def test_sign_in_never_redirects_off_site(alice):
    response = Client().post(
        "/login", {"login_id": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_wrong_password_is_answered_on_the_page(alice):
    response = Client().post("/login", {"login_id": "alice", "password": "nope"})
    assert response.status_code == 400
    assert "MMAUTHTOKEN" not in response.cookies
    assert b'role="alert"' in response.content


def test_sign_up_makes_the_first_account_a_system_admin():
    response = Client().post(
        "/signup_user_complete",
        {"email": "first@example.com", "username": "first", "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9",
    )
    assert response.status_code == 302
    from apps.accounts.models import User

    first = User.objects.get(username="first")
    assert first.is_system_admin
    # The language defaults from the browser.
    assert first.locale == "fr"


def test_sign_up_refuses_a_weak_password_with_a_message():
    response = Client().post(
        "/signup_user_complete", {"email": "a@example.com", "username": "abc", "password": "123"}
    )
    assert response.status_code == 400
    assert b"form-error" in response.content


def test_sign_out_ends_the_session_for_good(alice, team):
    client = signed_in_client(alice)
    response = client.post("/logout")
    assert response.status_code == 302
    # The old cookie is dead on the server, not only cleared in this browser.
    token_client = Client()
    token_client.cookies["MMAUTHTOKEN"] = client.cookies["MMAUTHTOKEN"].value or "x"
    assert token_client.get("/acme/channels/town-square").status_code == 302


def test_forms_need_the_csrf_token(alice, team):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login", {"login_id": "alice", "password": PASSWORD}).status_code == 403
    _session, token = session_create(user=alice)
    strict.cookies["MMAUTHTOKEN"] = token
    # A cross-site form with the victim's cookie cannot sign them out or make a team.
    assert strict.post("/logout").status_code == 403
    assert strict.post("/create_team", {"display_name": "X", "name": "x"}).status_code == 403


# --- teams ----------------------------------------------------------------------------------


def test_create_and_join_teams(alice, bob):
    client = signed_in_client(alice)
    response = client.post(
        "/create_team", {"display_name": "Rocket", "name": "rocket", "open_invite": "on"}
    )
    assert response["Location"] == "/rocket/channels/town-square"
    page = signed_in_client(bob).get("/select_team")
    assert b"Rocket" in page.content
    team_id = re.search(rb"/teams/(\w+)/join", page.content).group(1).decode()
    joined = signed_in_client(bob).post(f"/teams/{team_id}/join")
    assert joined["Location"] == "/rocket/channels/town-square"
    assert signed_in_client(bob).get("/rocket/channels/town-square").status_code == 200


def test_a_team_you_are_not_in_is_not_shown(alice, bob):
    make_team(alice, name="secret", display_name="Secret", team_type="I")
    client = signed_in_client(bob)
    assert client.get("/secret/channels/town-square").status_code == 404
    assert b"Secret" not in client.get("/select_team").content


# --- the chat screen ----------------------------------------------------------------------


def test_the_chat_screen_shows_history_sidebar_and_header(alice, bob, team):
    square = _square(team)
    Channel.objects.filter(id=square.id).update(header="Read the **rules**")
    post_create(actor=alice, channel=square, message="Hello _team_")
    page = signed_in_client(bob).get("/acme/channels/town-square").content.decode()
    assert "<em>team</em>" in page
    assert "<strong>rules</strong>" in page
    assert 'data-channel-name="off-topic"' in page
    assert 'aria-current="page"' in page


def test_a_private_channel_is_invisible_to_a_non_member(alice, bob, team):
    secret = make_channel(alice, team, "secret-plans", channel_type="P")
    post = post_create(actor=alice, channel=secret, message="the plan")
    client = signed_in_client(bob)
    assert b"secret-plans" not in client.get("/acme/channels/town-square").content
    assert client.get("/acme/channels/secret-plans").status_code == 404
    assert client.get(f"/_/posts/{post.id}").status_code == 404
    assert client.get(f"/_/channels/{secret.id}/history").status_code == 404
    assert client.get(f"/pl/{post.id}").status_code == 404
    # A public channel not joined yet can be read, with a join bar instead of a composer.
    make_channel(alice, team, "announcements")
    page = client.get("/acme/channels/announcements").content.decode()
    assert 'data-action="join-channel"' in page
    assert 'id="composer"' not in page


def test_someone_elses_direct_messages_stay_private(alice, bob, team):
    carol = UserFactory(username="carol")
    team_join(actor=carol, team_id=team.id)
    dm = channel_get_or_create_direct(actor=alice, other_user_id=bob.id)
    post = post_create(actor=alice, channel=dm, message="just between us")
    client = signed_in_client(carol)
    assert client.get(f"/_/posts/{post.id}").status_code == 404
    assert client.get(f"/_/channels/{dm.id}/history").status_code == 404
    # Carol opening a DM with bob gets her own DM, never alice's.
    page = client.get("/acme/messages/@bob").content.decode()
    assert "just between us" not in page


def test_permalink_opens_the_channel_at_the_post(alice, bob, team):
    post = post_create(actor=alice, channel=_square(team), message="look here")
    response = signed_in_client(bob).get(f"/pl/{post.id}")
    assert response["Location"] == f"/acme/channels/town-square?focus={post.id}#post-{post.id}"


def test_the_sidebar_counts_unread_and_mentions(alice, bob, team):
    square = _square(team)
    client = signed_in_client(bob)
    client.get("/acme/channels/off-topic")
    post_create(actor=alice, channel=square, message="@bob please look")
    html = client.get(f"/_/teams/{team.id}/sidebar", {"current": "x"}).content.decode()
    link = re.search(r'<a class="channel-link[^"]*"[^>]*data-channel-name="town-square"', html)
    assert "is-unread" in link.group(0)
    assert re.search(r"data-mention-badge[^>]*>1<", html)


def test_history_pages_back_with_a_cursor(alice, bob, team):
    square = _square(team)
    posts = [post_create(actor=alice, channel=square, message=f"m{i}") for i in range(65)]
    page = signed_in_client(bob).get("/acme/channels/town-square").content.decode()
    assert "m64" in page and "m4<" not in page
    cursor = re.search(r"history\?before=(\w+)", page).group(1)
    older = signed_in_client(bob).get(f"/_/channels/{square.id}/history", {"before": cursor})
    text = older.content.decode()
    assert ">m4<" in text.replace("<p>", ">").replace("</p>", "<")
    assert posts[0].id in text


def test_consecutive_posts_are_grouped(alice, bob, team):
    square = _square(team)
    post_create(actor=bob, channel=square, message="one")
    second = post_create(actor=bob, channel=square, message="two")
    html = signed_in_client(alice).get("/acme/channels/town-square").content.decode()
    assert re.search(rf'class="post post--continues[^"]*"\s+id="post-{second.id}"', html)


# --- escaping every user-controlled string (SECURITY 15) -----------------------------------


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_every_user_controlled_string_is_escaped(alice, bob, team):
    evil = user_create(
        username="mallory",
        email="m@example.com",
        password=PASSWORD,
        first_name=XSS[:60],
        nickname=XSS[:60],
    )
    team_join(actor=evil, team_id=team.id)
    channel = make_channel(evil, team, "evil", header=XSS, purpose=XSS)
    Channel.objects.filter(id=channel.id).update(display_name=XSS[:64])
    channel_join(actor=bob, channel_id=channel.id)
    post_create(actor=evil, channel=channel, message=XSS)
    channel_get_or_create_direct(actor=evil, other_user_id=bob.id)
    client = signed_in_client(bob)
    pages = [
        client.get("/acme/channels/evil").content.decode(),
        client.get(f"/_/teams/{team.id}/sidebar").content.decode(),
        client.get("/acme/messages/@mallory").content.decode(),
    ]
    for html in pages:
        parser = _TagCollector()
        parser.feed(html)
        assert not [t for t, _ in parser.tags if t == "img"]
        scripts = [a for t, a in parser.tags if t == "script"]
        # Only the page's own external scripts: no inline script, no injected one.
        assert all(a.get("src", "").startswith("/static/") for a in scripts), scripts
        assert not [a for _, a in parser.tags if any(k.startswith("on") for k in a)]
    # And the strings are there, as text.
    assert "&lt;img src=x onerror=" in pages[0]
    assert "&lt;script&gt;window.pwned=2&lt;/script&gt;" in pages[0]


# --- headers (SECURITY 16) ------------------------------------------------------------------


def test_pages_carry_a_strict_csp_and_are_never_framed(alice, team):
    response = signed_in_client(alice).get("/acme/channels/town-square")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    parser = _TagCollector()
    parser.feed(response.content.decode())
    # Nothing the policy would have to block: no inline script, style or handler.
    assert all(
        a.get("src")
        for t, a in parser.tags
        if t == "script" and a.get("type") != "application/json"
    )
    assert not [a for _, a in parser.tags if "style" in a]
    assert not [a for _, a in parser.tags if any(k.startswith("on") for k in a)]


def test_api_answers_carry_the_csp_too():
    response = Client().get("/api/v4/system/ping")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_group_messages_open_for_their_members_only(alice, bob, team):
    from apps.channels.services import channel_get_or_create_group

    carol, dave = UserFactory(username="carol"), UserFactory(username="dave")
    for user in (carol, dave):
        team_join(actor=user, team_id=team.id)
    group = channel_get_or_create_group(actor=alice, user_ids=[bob.id, carol.id])
    post_create(actor=alice, channel=group, message="group hello")
    sidebar = signed_in_client(bob).get(f"/_/teams/{team.id}/sidebar").content.decode()
    assert f'href="/acme/messages/{group.name}"' in sidebar
    assert (
        "group hello" in signed_in_client(bob).get(f"/acme/messages/{group.name}").content.decode()
    )
    assert signed_in_client(dave).get(f"/acme/messages/{group.name}").status_code == 404
    # A team channel is not reachable through the messages path.
    assert signed_in_client(bob).get("/acme/messages/town-square").status_code == 404


def test_a_permalink_into_the_past_shows_the_post_in_its_context(alice, bob, team):
    square = _square(team)
    posts = [post_create(actor=alice, channel=square, message=f"n{i}") for i in range(150)]
    old = posts[50]
    page = signed_in_client(bob).get(f"/acme/channels/town-square?focus={old.id}").content.decode()
    assert f'id="post-{old.id}"' in page
    assert f'id="post-{posts[0].id}"' not in page  # only 30 before it
    assert f'id="post-{posts[149].id}"' not in page  # the newest come with scrolling
    newer = re.search(r"history\?after=(\w+)", page).group(1)
    assert f'id="post-{posts[20].id}"' in page
    assert newer == posts[110].id  # 60 after the focused post
    below = signed_in_client(bob).get(f"/_/channels/{square.id}/history", {"after": newer})
    text = below.content.decode()
    assert f'id="post-{posts[111].id}"' in text and f'id="post-{posts[149].id}"' in text
    assert "channel-intro" not in text
    assert "history?after=" not in text  # the present: no loader below


def test_system_messages_are_drawn_in_the_readers_language(alice, bob, team):
    from apps.accounts.services.users import user_update_profile

    user_update_profile(actor=bob, user=bob, data={"locale": "fr"})
    channel = make_channel(alice, team, "launch")
    channel_join(actor=bob, channel_id=channel.id)
    page = signed_in_client(bob).get("/acme/channels/launch").content.decode()
    # The sentence comes from the catalogue; the name is escaped into it as a mention.
    assert 'data-mention="bob">@bob</span>' in page
    assert "joined the channel." not in page


def test_pages_share_the_api_rate_limit(settings, alice, team):
    settings.CONFAB_RATE_LIMIT_BURST = 5
    settings.CONFAB_RATE_LIMIT_PER_SECOND = 1
    client = signed_in_client(alice)
    answers = [client.get("/acme/channels/town-square").status_code for _ in range(12)]
    assert 429 in answers and answers[0] == 200
    refused = client.get("/acme/channels/town-square")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    # The same bucket as the API's: the API now refuses this user too.
    _session, token = session_create(user=alice)
    api = Client().get("/api/v4/users/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 429


def test_sign_up_is_limited_per_address(settings):
    settings.CONFAB_RATE_LIMIT_BURST = 3
    settings.CONFAB_RATE_LIMIT_PER_SECOND = 1
    statuses = [
        Client(REMOTE_ADDR="203.0.113.9")
        .post(
            "/signup_user_complete",
            {"email": f"u{i}@example.com", "username": f"spam{i}", "password": PASSWORD},
        )
        .status_code
        for i in range(8)
    ]
    assert statuses[0] == 302 and statuses[-1] == 429


def test_a_link_never_starts_a_conversation_but_the_button_does(alice, bob, team):
    client = signed_in_client(alice)
    page = client.get("/acme/messages/@bob")
    assert page.status_code == 200
    assert b"Start conversation" in page.content
    assert not Channel.objects.filter(type="D").exists()
    # Starting is a POST with the CSRF token (a cross-site form cannot).
    strict = Client(enforce_csrf_checks=True)
    strict.cookies["MMAUTHTOKEN"] = client.cookies["MMAUTHTOKEN"].value
    assert strict.post("/acme/messages/@bob").status_code == 403
    assert not Channel.objects.filter(type="D").exists()
    started = client.post("/acme/messages/@bob")
    assert started["Location"] == "/acme/messages/@bob"
    assert Channel.objects.filter(type="D").count() == 1
    assert b'id="composer"' in client.get("/acme/messages/@bob").content


def test_every_icon_button_has_a_label(alice, bob, team):
    post_create(actor=bob, channel=_square(team), message="label check")
    page = signed_in_client(alice).get("/acme/channels/town-square").content.decode()
    parser = _TagCollector()
    parser.feed(page)
    icon_buttons = [a for t, a in parser.tags if t == "button" and "icon-btn" in a.get("class", "")]
    assert len(icon_buttons) > 10
    unlabelled = [a for a in icon_buttons if not a.get("aria-label")]
    assert not unlabelled, unlabelled
