"""The system console (Django admin): who may enter, what it lists, and that every change
goes through the services, with their refusals reported and nothing written around them."""

from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from apps.accounts.models import ROLE_SYSTEM_ADMIN, User
from apps.accounts.services.users import user_create, user_deactivate, user_update_roles
from apps.channels.models import CHANNEL_PRIVATE, TOWN_SQUARE, Channel
from apps.channels.services import (
    channel_archive,
    channel_get_or_create_direct,
    channel_get_or_create_group,
    channel_join,
)
from apps.core.errors import PermissionDenied
from apps.posts.models import Post
from apps.posts.services import post_create, post_delete, post_set_pinned
from apps.teams.models import Team, TeamMember
from apps.teams.services import team_member_add
from tests.factories import UserFactory, make_channel, make_team

pytestmark = pytest.mark.django_db

USERS = reverse("admin:accounts_user_changelist")
TEAMS = reverse("admin:teams_team_changelist")
CHANNELS = reverse("admin:chat_channels_channel_changelist")
POSTS = reverse("admin:posts_post_changelist")
CHANGELISTS = [USERS, TEAMS, CHANNELS, POSTS]


@dataclass
class World:
    admin: User
    alice: User
    bot: User
    team: Team
    town_square: Channel
    design: Channel
    secret: Channel
    post: Post
    reply: Post
    dm_post: Post


@pytest.fixture
def world() -> World:
    admin = UserFactory(username="root", first_name="Ada", last_name="Admin")
    assert admin.is_system_admin  # the first account on the server
    alice = UserFactory(username="alice", first_name="Alice", last_name="Liddell")
    bot = user_create(username="helperbot", email="bot@example.com", password=None, is_bot=True)
    team = make_team(admin, name="acme", display_name="Acme Corp")
    team_member_add(actor=admin, team_id=team.id, user_id=alice.id)
    design = make_channel(admin, team, "design")
    secret = make_channel(admin, team, "secret-plans", channel_type=CHANNEL_PRIVATE)
    channel_join(actor=alice, channel_id=design.id)
    post = post_create(actor=alice, channel=design, message="hello console world")
    reply = post_create(actor=admin, channel=design, message="a reply", root_id=post.id)
    dm = channel_get_or_create_direct(actor=admin, other_user_id=alice.id)
    dm_post = post_create(actor=alice, channel=dm, message="private whisper")
    return World(
        admin=admin,
        alice=alice,
        bot=bot,
        team=team,
        town_square=Channel.objects.get(team=team, name=TOWN_SQUARE),
        design=design,
        secret=secret,
        post=post,
        reply=reply,
        dm_post=dm_post,
    )


@pytest.fixture
def console(client: Client, world: World) -> Client:
    client.force_login(world.admin)
    return client


def run_action(client: Client, url: str, action: str, objects) -> list[tuple[str, str]]:
    """POST an admin action as the changelist form does; return the (level, text) messages."""
    response = client.post(
        url,
        {"action": action, "index": 0, "_selected_action": [o.id for o in objects]},
        follow=True,
    )
    assert response.redirect_chain == [(url, 302)], response.content[:500]
    return shown_messages(response)


def shown_messages(response) -> list[tuple[str, str]]:
    """The messages the page rendered (and so consumed), as (level, text)."""
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def result_ids(client: Client, url: str, query: dict | None = None) -> set[str]:
    response = client.get(url, query or {})
    assert response.status_code == 200
    return {obj.id for obj in response.context["cl"].result_list}


# --- who may enter ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [reverse("admin:index"), *CHANGELISTS])
def test_anonymous_visitor_is_sent_to_console_login(client: Client, world: World, url: str):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [reverse("admin:index"), *CHANGELISTS])
def test_non_admin_user_is_sent_to_console_login(client: Client, world: World, url: str):
    client.force_login(world.alice)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_non_admin_cannot_run_actions(client: Client, world: World):
    client.force_login(world.alice)
    response = client.post(
        USERS, {"action": "deactivate_users", "index": 0, "_selected_action": [world.admin.id]}
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    world.admin.refresh_from_db()
    assert world.admin.delete_at == 0


def test_system_admin_sees_index_with_every_section(console: Client):
    response = console.get(reverse("admin:index"))
    assert response.status_code == 200
    for url in CHANGELISTS:
        assert url in response.content.decode()
    assert "/admin/auth/group/" not in response.content.decode()


# --- lists, search and filters ------------------------------------------------------------


@pytest.mark.parametrize("url", CHANGELISTS)
def test_system_admin_sees_every_changelist(console: Client, url: str):
    assert console.get(url).status_code == 200


def test_user_list_searches_and_filters(console: Client, world: World):
    w = world
    assert result_ids(console, USERS) == {w.admin.id, w.alice.id, w.bot.id}
    assert result_ids(console, USERS, {"q": "liddell"}) == {w.alice.id}
    assert result_ids(console, USERS, {"q": "bot@example"}) == {w.bot.id}
    assert result_ids(console, USERS, {"system_admin": "yes"}) == {w.admin.id}
    assert result_ids(console, USERS, {"system_admin": "no"}) == {w.alice.id, w.bot.id}
    assert result_ids(console, USERS, {"is_bot__exact": "1"}) == {w.bot.id}
    user_deactivate(actor=w.admin, user=w.alice)
    assert result_ids(console, USERS, {"deactivated": "yes"}) == {w.alice.id}
    assert result_ids(console, USERS, {"deactivated": "no"}) == {w.admin.id, w.bot.id}


def test_team_list_searches_and_filters(console: Client, world: World):
    other = make_team(world.admin, name="globex", display_name="Globex", team_type="I")
    assert result_ids(console, TEAMS) == {world.team.id, other.id}
    assert result_ids(console, TEAMS, {"q": "acme corp"}) == {world.team.id}
    assert result_ids(console, TEAMS, {"type__exact": "I"}) == {other.id}
    # No service deletes teams yet, so the row is marked directly.
    Team.objects.filter(id=other.id).update(delete_at=1)
    assert result_ids(console, TEAMS, {"deleted": "no"}) == {world.team.id}
    assert result_ids(console, TEAMS, {"deleted": "yes"}) == {other.id}


def test_channel_list_searches_and_filters(console: Client, world: World):
    w = world
    assert result_ids(console, CHANNELS, {"q": "design"}) == {w.design.id}
    assert w.town_square.id in result_ids(console, CHANNELS, {"q": "acme"})
    assert result_ids(console, CHANNELS, {"type__exact": "P"}) == {w.secret.id}
    channel_archive(actor=w.admin, channel_id=w.design.id)
    assert result_ids(console, CHANNELS, {"archived": "yes"}) == {w.design.id}
    assert w.design.id not in result_ids(console, CHANNELS, {"archived": "no"})


def test_post_list_searches_and_filters(console: Client, world: World):
    w = world
    assert result_ids(console, POSTS, {"q": "console world"}) == {w.post.id}
    by_alice = result_ids(console, POSTS, {"q": "alice"})
    assert w.post.id in by_alice
    assert w.reply.id not in by_alice
    in_design = result_ids(console, POSTS, {"q": "design", "kind": "normal"})
    assert in_design == {w.post.id, w.reply.id}
    system = result_ids(console, POSTS, {"kind": "system"})
    assert system  # join messages from the setup
    assert set(Post.objects.filter(type__startswith="system_").values_list("id", flat=True)) >= (
        system
    )
    assert not system & {w.post.id, w.reply.id}
    post_set_pinned(actor=w.alice, post_id=w.post.id, pinned=True)
    post_delete(actor=w.admin, post_id=w.reply.id)
    assert result_ids(console, POSTS, {"is_pinned__exact": "1"}) == {w.post.id}
    assert result_ids(console, POSTS, {"deleted": "yes"}) == {w.reply.id}
    assert w.reply.id not in result_ids(console, POSTS, {"deleted": "no"})


def test_post_list_leaves_out_direct_messages(console: Client, world: World):
    assert world.dm_post.id not in result_ids(console, POSTS)
    assert result_ids(console, POSTS, {"q": "whisper"}) == set()
    change = reverse("admin:posts_post_change", args=[world.dm_post.id])
    assert console.get(change).status_code == 302  # "does not exist" back to the index


def test_post_list_leaves_out_group_messages(console: Client, world: World):
    carol = UserFactory(username="carol")
    group = channel_get_or_create_group(actor=world.alice, user_ids=[world.admin.id, carol.id])
    gm_post = post_create(actor=world.alice, channel=group, message="group whisper")
    secret_post = post_create(actor=world.admin, channel=world.secret, message="private note")

    listed = result_ids(console, POSTS)
    assert secret_post.id in listed  # the admin created, so belongs to, this private channel
    assert gm_post.id not in listed
    assert world.dm_post.id not in listed
    assert result_ids(console, POSTS, {"q": "whisper"}) == set()
    change = reverse("admin:posts_post_change", args=[gm_post.id])
    assert console.get(change).status_code == 302  # "does not exist" back to the index


def test_post_list_query_count_does_not_grow_with_rows(
    console: Client, world: World, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        console.get(POSTS)
    for n in range(20):
        post_create(actor=world.alice, channel=world.design, message=f"more {n}")
    with django_assert_max_num_queries(6):
        response = console.get(POSTS)
    assert len(response.context["cl"].result_list) > 20


# --- actions go through the services ----------------------------------------------------------


def test_deactivate_and_reactivate_users(console: Client, world: World):
    messages = run_action(console, USERS, "deactivate_users", [world.alice, world.bot])
    world.alice.refresh_from_db()
    world.bot.refresh_from_db()
    assert world.alice.delete_at > 0
    assert world.bot.delete_at > 0
    assert [level for level, _ in messages] == ["success"]

    messages = run_action(console, USERS, "activate_users", [world.alice])
    world.alice.refresh_from_db()
    assert world.alice.delete_at == 0
    assert messages == [("success", "Reactivated: alice.")]


def test_deactivating_the_last_system_admin_is_refused_and_the_rest_continue(
    console: Client, world: World
):
    messages = run_action(console, USERS, "deactivate_users", [world.admin, world.alice])
    world.admin.refresh_from_db()
    world.alice.refresh_from_db()
    assert world.admin.delete_at == 0
    assert world.alice.delete_at > 0
    assert ("error", "root: The last active system admin cannot be deactivated.") in messages
    assert ("success", "Deactivated: alice.") in messages


def test_grant_and_revoke_system_admin(console: Client, world: World):
    messages = run_action(console, USERS, "make_system_admin", [world.alice])
    world.alice.refresh_from_db()
    assert world.alice.roles == "system_user system_admin"
    assert messages == [("success", "Made system admin: alice.")]

    run_action(console, USERS, "remove_system_admin", [world.alice])
    world.alice.refresh_from_db()
    assert world.alice.roles == "system_user"


def test_role_change_refusals_are_reported_and_change_nothing(console: Client, world: World):
    messages = run_action(console, USERS, "make_system_admin", [world.bot])
    world.bot.refresh_from_db()
    assert ROLE_SYSTEM_ADMIN not in world.bot.role_list
    assert messages == [("error", "helperbot: A bot cannot be a system admin.")]

    messages = run_action(console, USERS, "remove_system_admin", [world.admin])
    world.admin.refresh_from_db()
    assert world.admin.is_system_admin
    assert messages == [("error", "root: The last system admin cannot lose the system admin role.")]


def test_admin_who_drops_own_role_cannot_finish_the_batch(console: Client, world: World):
    """The actor is re-read before each object, so a change to the actor counts at once."""
    second = UserFactory(username="second")
    user_update_roles(actor=world.admin, user=second, roles=[ROLE_SYSTEM_ADMIN])
    response = console.post(
        USERS,
        {
            "action": "remove_system_admin",
            "index": 0,
            "_selected_action": [world.admin.id, second.id],
        },
    )
    # The changelist the redirect leads to is closed to the former admin now.
    assert console.get(response.url).url.startswith(reverse("admin:login"))
    messages = [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]
    world.admin.refresh_from_db()
    second.refresh_from_db()
    assert not world.admin.is_system_admin
    assert second.is_system_admin
    assert messages == [
        ("error", "second: Only a system admin may do this."),
        ("success", "Removed system admin role: root."),
    ]


def test_archive_and_unarchive_channels(console: Client, world: World):
    messages = run_action(console, CHANNELS, "archive_channels", [world.design, world.secret])
    world.design.refresh_from_db()
    world.secret.refresh_from_db()
    assert world.design.delete_at > 0
    assert world.secret.delete_at > 0
    assert [level for level, _ in messages] == ["success"]
    # The service, not the ORM, did it: it left its system post behind.
    assert Post.objects.filter(channel=world.design, type="system_channel_deleted").exists()

    messages = run_action(console, CHANNELS, "unarchive_channels", [world.design])
    world.design.refresh_from_db()
    assert world.design.delete_at == 0
    assert messages == [("success", "Unarchived: acme/design.")]


def test_archiving_town_square_is_refused_and_changes_nothing(console: Client, world: World):
    messages = run_action(console, CHANNELS, "archive_channels", [world.town_square])
    world.town_square.refresh_from_db()
    assert world.town_square.delete_at == 0
    assert messages == [("error", "acme/town-square: Town Square cannot be archived.")]


def test_delete_posts_deletes_root_with_its_replies(console: Client, world: World):
    messages = run_action(console, POSTS, "delete_posts", [world.post, world.reply])
    world.post.refresh_from_db()
    world.reply.refresh_from_db()
    assert world.post.delete_at > 0
    assert world.reply.delete_at > 0
    assert [level for level, _ in messages] == ["success"]


def test_delete_posts_cannot_reach_direct_messages(console: Client, world: World):
    response = console.post(
        POSTS, {"action": "delete_posts", "index": 0, "_selected_action": [world.dm_post.id]}
    )
    assert response.status_code in (200, 302)
    world.dm_post.refresh_from_db()
    assert world.dm_post.delete_at == 0


# --- nothing is written around the services ---------------------------------------------------


@pytest.mark.parametrize("url", CHANGELISTS)
def test_delete_selected_is_not_offered(console: Client, url: str):
    action_form = console.get(url).context["action_form"]
    if action_form is not None:  # teams have no actions at all
        choices = [name for name, _ in action_form.fields["action"].choices]
        assert "delete_selected" not in choices


def test_delete_selected_posted_anyway_deletes_nothing(console: Client, world: World):
    console.post(
        CHANNELS,
        {"action": "delete_selected", "index": 0, "_selected_action": [world.design.id]},
    )
    console.post(
        USERS, {"action": "delete_selected", "index": 0, "_selected_action": [world.alice.id]}
    )
    assert Channel.objects.filter(id=world.design.id).exists()
    assert User.objects.filter(id=world.alice.id).exists()


def _change_urls(w: World) -> list[tuple[str, object, str, str]]:
    return [
        (reverse("admin:accounts_user_change", args=[w.alice.id]), w.alice, "username", "mallory"),
        (reverse("admin:teams_team_change", args=[w.team.id]), w.team, "display_name", "Evil"),
        (
            reverse("admin:chat_channels_channel_change", args=[w.design.id]),
            w.design,
            "display_name",
            "Evil",
        ),
        (reverse("admin:posts_post_change", args=[w.post.id]), w.post, "message", "evil"),
    ]


def test_change_forms_are_view_only(console: Client, world: World):
    for url, obj, field, value in _change_urls(world):
        page = console.get(url)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
        before = getattr(obj, field)
        response = console.post(url, {field: value, "_save": "Save"})
        assert response.status_code == 403
        obj.refresh_from_db()
        assert getattr(obj, field) == before


@pytest.mark.parametrize(
    "name",
    [
        "admin:teams_team_add",
        "admin:chat_channels_channel_add",
        "admin:posts_post_add",
    ],
)
def test_add_is_disabled_except_for_users(console: Client, name: str):
    assert console.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "admin:accounts_user_delete",
        "admin:teams_team_delete",
        "admin:chat_channels_channel_delete",
        "admin:posts_post_delete",
    ],
)
def test_delete_views_are_refused(console: Client, world: World, name: str):
    obj_id = {
        "admin:accounts_user_delete": world.alice.id,
        "admin:teams_team_delete": world.team.id,
        "admin:chat_channels_channel_delete": world.design.id,
        "admin:posts_post_delete": world.post.id,
    }[name]
    assert console.post(reverse(name, args=[obj_id]), {"post": "yes"}).status_code == 403


# --- adding users through user_create -------------------------------------------------------

ADD_USER = reverse("admin:accounts_user_add")


def _new_user(**overrides: object) -> dict[str, object]:
    return {
        "username": "newbie",
        "email": "newbie@example.com",
        "first_name": "New",
        "last_name": "Bie",
        "password1": "Correct-Horse-8",
        "password2": "Correct-Horse-8",
        **overrides,
    }


def test_add_user_creates_an_account_through_the_service(console: Client, world: World):
    assert console.get(ADD_USER).status_code == 200
    response = console.post(ADD_USER, _new_user(username="NewBie"))
    assert response.status_code == 302
    user = User.objects.get(username="newbie")  # the service lowercases usernames
    assert user.check_password("Correct-Horse-8")
    assert user.roles == "system_user"
    assert user.first_name == "New"


def test_add_user_as_admin_grants_the_role_as_the_signed_in_admin(
    console: Client, world: World, capture_events
):
    """The role comes from `user_update_roles`, so its event goes out as for any grant."""
    with capture_events() as events:
        response = console.post(ADD_USER, _new_user(system_admin="on"))
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert user.roles == "system_user system_admin"
    assert [e.data for e in events.named("user_updated")] == [{"user_id": user.id}]


def test_add_user_refused_role_grant_creates_no_account(console: Client, world: World, monkeypatch):
    """Creation and the role grant are one transaction: a refused grant undoes both."""
    seen_actors = []

    def refuse(*, actor, user, roles):
        seen_actors.append(actor.id)
        raise PermissionDenied("Only a system admin may do this.")

    monkeypatch.setattr("apps.accounts.admin.user_update_roles", refuse)
    response = console.post(ADD_USER, _new_user(system_admin="on"))
    assert response.status_code == 200
    assert "Only a system admin may do this." in response.content.decode()
    assert seen_actors == [world.admin.id]
    assert not User.objects.filter(username="newbie").exists()


def test_add_user_shows_service_refusals_and_creates_nothing(console: Client, world: World):
    response = console.post(ADD_USER, _new_user(username="alice", email="x@example.com"))
    assert response.status_code == 200
    assert "An account with that username already exists." in response.content.decode()

    response = console.post(ADD_USER, _new_user(password1="short", password2="short"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    response = console.post(ADD_USER, _new_user(password2="Different-Horse-9"))
    assert "The two passwords differ." in response.content.decode()
    assert not User.objects.filter(username="newbie").exists()


# --- team admin role on the team page --------------------------------------------------------


def test_team_page_lists_members_with_role_buttons(console: Client, world: World):
    page = console.get(reverse("admin:teams_team_change", args=[world.team.id]))
    content = page.content.decode()
    assert "alice" in content
    assert reverse("admin:teams_team_member_set_admin", args=[world.team.id, world.alice.id]) in (
        content
    )
    assert "Make team admin" in content
    assert "Remove team admin" in content  # the creator is a team admin


def test_promote_and_demote_team_admin(console: Client, world: World):
    url = reverse("admin:teams_team_member_set_admin", args=[world.team.id, world.alice.id])
    member = TeamMember.objects.get(team=world.team, user=world.alice)

    response = console.post(url, {"team_admin": "1"})
    assert response.status_code == 302
    assert response.url == reverse("admin:teams_team_change", args=[world.team.id])
    member.refresh_from_db()
    assert member.scheme_admin

    console.post(url, {"team_admin": "0"})
    member.refresh_from_db()
    assert not member.scheme_admin


def test_team_role_change_of_a_non_member_is_reported(console: Client, world: World):
    outsider = UserFactory(username="outsider")
    url = reverse("admin:teams_team_member_set_admin", args=[world.team.id, outsider.id])
    response = console.post(url, {"team_admin": "1"}, follow=True)
    assert shown_messages(response) == [("error", "That user is not a member of the team.")]
    assert not TeamMember.objects.filter(team=world.team, user=outsider).exists()


def test_team_role_view_refuses_get_and_non_admins(client: Client, world: World):
    url = reverse("admin:teams_team_member_set_admin", args=[world.team.id, world.alice.id])
    client.force_login(world.alice)
    response = client.post(url, {"team_admin": "1"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not TeamMember.objects.get(team=world.team, user=world.alice).scheme_admin
    client.force_login(world.admin)
    assert client.get(url).status_code == 405
