"""The channels API (reference §a.3): members, roles, notification settings, read state,
stats, and direct and group channels. Every test shares the cast of `tests/channels/world.py`.
"""

import json

import pytest

from apps.accounts.services.sessions import session_create
from apps.channels.models import CHANNEL_DIRECT, Channel, ChannelMember
from apps.channels.services import channel_join
from apps.core.ids import new_id
from apps.posts.services import post_set_pinned
from apps.teams.services import team_member_add
from tests.channels.conftest import CHANNEL_KEYS
from tests.channels.world import World, build_world, member, say
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANNEL_MEMBER_KEYS = {
    "channel_id",
    "user_id",
    "roles",
    "last_viewed_at",
    "msg_count",
    "msg_count_root",
    "mention_count",
    "mention_count_root",
    "urgent_mention_count",
    "notify_props",
    "last_update_at",
    "scheme_guest",
    "scheme_user",
    "scheme_admin",
    "explicit_roles",
}
UNREAD_KEYS = {
    "team_id",
    "channel_id",
    "msg_count",
    "msg_count_root",
    "mention_count",
    "mention_count_root",
    "urgent_mention_count",
    "last_viewed_at",
    "notify_props",
}


@pytest.fixture
def world() -> World:
    return build_world()


# --- members -------------------------------------------------------------------------------


def test_channel_members_are_listed_and_paged_until_empty(
    world: World, api_as, django_assert_max_num_queries
) -> None:
    api = api_as(world.dave)
    for _ in range(10):
        user = UserFactory()
        team_member_add(actor=world.owner, team_id=world.team.id, user_id=user.id)
        channel_join(actor=user, channel_id=world.lobby.id)
    with django_assert_max_num_queries(8):
        listed = api.get(f"channels/{world.lobby.id}/members")
    assert len(listed) == 13 and set(listed[0]) == CHANNEL_MEMBER_KEYS
    pages = [api.get(f"channels/{world.lobby.id}/members", page=n, per_page=5) for n in range(4)]
    assert [len(p) for p in pages] == [5, 5, 3, 0]
    assert api.get(f"channels/{world.lobby.id}/members", page=0, per_page=1)[0]["user_id"] == (
        world.alice.id
    )


@pytest.mark.parametrize(
    ("actor_name", "channel_name"),
    [("dave", "secret"), ("carol", "dm"), ("outsider", "lobby"), ("admin", "group")],
)
def test_members_of_a_hidden_channel_are_not_found(
    world: World, api_as, actor_name: str, channel_name: str
) -> None:
    channel = getattr(world, channel_name)
    api = api_as(getattr(world, actor_name))
    api.get(f"channels/{channel.id}/members", status=404)
    api.get(f"channels/{channel.id}/members/{world.alice.id}", status=404)


def test_one_channel_member_is_read(world: World, api_as) -> None:
    api = api_as(world.bob)
    alice = api.get(f"channels/{world.secret.id}/members/{world.alice.id}")
    assert set(alice) == CHANNEL_MEMBER_KEYS
    assert alice["roles"] == "channel_user channel_admin"
    assert api.get(f"channels/{world.secret.id}/members/me")["user_id"] == world.bob.id
    api.get(f"channels/{world.secret.id}/members/{world.carol.id}", status=404)


def test_a_member_adds_a_team_member_with_201(world: World, api_as, capture_events) -> None:
    with capture_events() as events:
        added = api_as(world.bob).post(
            f"channels/{world.secret.id}/members", {"user_id": world.dave.id}, status=201
        )
    assert set(added) == CHANNEL_MEMBER_KEYS
    assert (added["user_id"], added["roles"]) == (world.dave.id, "channel_user")
    assert events.named("user_added")[0].data["user_id"] == world.dave.id
    again = api_as(world.bob).post(
        f"channels/{world.secret.id}/members", {"user_id": world.dave.id}, status=201
    )
    assert again["user_id"] == world.dave.id


def test_a_team_member_joins_a_public_channel_by_adding_themselves(world: World, api_as) -> None:
    joined = api_as(world.dave).post(
        f"channels/{world.lobby.id}/members", {"user_id": world.dave.id}, status=201
    )
    assert joined["channel_id"] == world.lobby.id
    assert member(world.dave, world.lobby) is not None


@pytest.mark.parametrize(
    ("actor_name", "channel_name", "user", "status"),
    [
        ("dave", "secret", "dave", 404),  # cannot see the private channel
        ("carol", "dm", "dave", 404),
        ("bob", "lobby", "outsider", 403),  # not in the team
        ("bob", "dm", "carol", 403),  # direct channels take no members
        ("bob", "lobby", "nope", 400),
        ("bob", "lobby", None, 400),
        ("bob", "lobby", "missing", 404),
    ],
)
def test_adding_a_member_is_refused(
    world: World, api_as, actor_name: str, channel_name: str, user, status: int
) -> None:
    channel = getattr(world, channel_name)
    user_id = getattr(world, user).id if hasattr(world, str(user)) else user
    if user == "missing":
        user_id = new_id()
    before = ChannelMember.objects.count()
    api_as(getattr(world, actor_name)).post(
        f"channels/{channel.id}/members", {"user_id": user_id}, status=status
    )
    assert ChannelMember.objects.count() == before


def _bearer(user) -> dict[str, str]:
    _session, token = session_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_manager_outside_a_private_channel_cannot_slip_a_bot_in(client, world):
    """The bot would read the channel for its owner."""
    owner = _bearer(world.owner)
    bot = client.post(
        "/api/v4/bots", json.dumps({"username": "spy"}), content_type="application/json", **owner
    ).json()
    client.post(
        f"/api/v4/teams/{world.team.id}/members",
        json.dumps({"team_id": world.team.id, "user_id": bot["user_id"]}),
        content_type="application/json",
        **owner,
    )
    response = client.post(
        f"/api/v4/channels/{world.secret.id}/members",
        json.dumps({"user_id": bot["user_id"]}),
        content_type="application/json",
        **owner,
    )
    assert response.status_code in (403, 404)
    assert not world.secret.members.filter(user_id=bot["user_id"]).exists()


def test_members_leave_and_channel_admins_remove(world: World, api_as) -> None:
    api_as(world.bob).delete(f"channels/{world.lobby.id}/members/{world.carol.id}", status=403)
    assert api_as(world.bob).delete(f"channels/{world.lobby.id}/members/me") == {"status": "OK"}
    assert api_as(world.alice).delete(f"channels/{world.lobby.id}/members/{world.carol.id}") == {
        "status": "OK"
    }
    assert member(world.bob, world.lobby) is None and member(world.carol, world.lobby) is None
    api_as(world.bob).delete(f"channels/{world.town_square.id}/members/me", status=403)
    api_as(world.dave).delete(f"channels/{world.secret.id}/members/{world.bob.id}", status=404)
    assert member(world.bob, world.secret) is not None


def test_channel_admins_change_roles(world: World, api_as) -> None:
    path = f"channels/{world.lobby.id}/members/{world.bob.id}/roles"
    api_as(world.carol).put(path, {"roles": "channel_user channel_admin"}, status=403)
    assert api_as(world.alice).put(path, {"roles": "channel_user channel_admin"}) == {
        "status": "OK"
    }
    assert member(world.bob, world.lobby).scheme_admin
    api_as(world.alice).put(path, {"roles": "channel_user"})
    assert not member(world.bob, world.lobby).scheme_admin


@pytest.mark.parametrize("roles", ["channel_admin", "channel_user team_admin", "", 3])
def test_invalid_channel_roles_are_refused(world: World, api_as, roles) -> None:
    path = f"channels/{world.lobby.id}/members/{world.bob.id}/roles"
    api_as(world.alice).put(path, {"roles": roles}, status=400)
    assert not member(world.bob, world.lobby).scheme_admin


def test_a_member_changes_their_notification_settings(world: World, api_as) -> None:
    api = api_as(world.bob)
    path = f"channels/{world.lobby.id}/members/me/notify_props"
    assert api.put(path, {"mark_unread": "mention", "desktop": "none"}) == {"status": "OK"}
    stored = api.get(f"channels/{world.lobby.id}/members/me")["notify_props"]
    assert (stored["mark_unread"], stored["desktop"], stored["push"]) == (
        "mention",
        "none",
        "default",
    )


@pytest.mark.parametrize(
    ("actor_name", "user_name", "channel_name", "props", "status"),
    [
        ("bob", "bob", "lobby", {"mark_unread": "never"}, 400),
        ("bob", "bob", "lobby", {"volume": "11"}, 400),
        ("bob", "bob", "lobby", ["all"], 400),
        ("bob", "carol", "lobby", {"mark_unread": "mention"}, 403),  # someone else's
        ("admin", "carol", "lobby", {"mark_unread": "mention"}, 403),
        ("dave", "dave", "lobby", {"mark_unread": "mention"}, 403),  # not a member
        ("dave", "dave", "secret", {"mark_unread": "mention"}, 404),
    ],
)
def test_notification_settings_are_refused(
    world: World, api_as, actor_name, user_name, channel_name, props, status
) -> None:
    channel, user = getattr(world, channel_name), getattr(world, user_name)
    path = f"channels/{channel.id}/members/{user.id}/notify_props"
    api_as(getattr(world, actor_name)).put(path, props, status=status)
    assert ChannelMember.objects.filter(notify_props__mark_unread="mention").count() == 0


# --- read state ------------------------------------------------------------------------------


def test_viewing_a_channel_marks_it_read(world: World, api_as, capture_events) -> None:
    say(world.alice, world.lobby, "one @bob")
    api = api_as(world.bob)
    unread = api.get(f"users/me/channels/{world.lobby.id}/unread")
    assert set(unread) == UNREAD_KEYS
    assert (unread["msg_count"], unread["mention_count"], unread["team_id"]) == (
        1,
        1,
        world.team.id,
    )
    with capture_events() as events:
        viewed = api.post(
            f"channels/members/{world.bob.id}/view",
            {"channel_id": world.lobby.id, "prev_channel_id": world.secret.id},
        )
    assert set(viewed) == {"status", "last_viewed_at_times"} and viewed["status"] == "OK"
    assert list(viewed["last_viewed_at_times"]) == [world.lobby.id]
    assert viewed["last_viewed_at_times"][world.lobby.id] > 0
    after = api.get(f"users/{world.bob.id}/channels/{world.lobby.id}/unread")
    assert (after["msg_count"], after["mention_count"]) == (0, 0)
    assert after["last_viewed_at"] == viewed["last_viewed_at_times"][world.lobby.id]
    assert events.named("channel_viewed")[0].broadcast.user_id == world.bob.id


def test_an_empty_view_marks_nothing(world: World, api_as) -> None:
    viewed = api_as(world.bob).post("channels/members/me/view", {"channel_id": ""})
    assert viewed == {"status": "OK", "last_viewed_at_times": {}}


@pytest.mark.parametrize(
    ("actor_name", "user_name", "body", "status"),
    [
        ("bob", "bob", {"channel_id": "nope"}, 400),
        ("bob", "bob", {"channel_id": "lobby", "prev_channel_id": "x"}, 400),
        ("bob", "carol", {"channel_id": "lobby"}, 403),  # someone else's read state
        ("dave", "dave", {"channel_id": "lobby"}, 403),  # visible, not a member
        ("dave", "dave", {"channel_id": "secret"}, 404),
        ("carol", "carol", {"channel_id": "dm"}, 404),
    ],
)
def test_viewing_is_refused(world: World, api_as, actor_name, user_name, body, status) -> None:
    body = {k: getattr(world, v).id if hasattr(world, v) else v for k, v in body.items()}
    user = getattr(world, user_name)
    api_as(getattr(world, actor_name)).post(f"channels/members/{user.id}/view", body, status=status)


def test_unread_of_others_is_for_system_admins(world: World, api_as) -> None:
    path = f"users/{world.bob.id}/channels/{world.lobby.id}/unread"
    api_as(world.carol).get(path, status=403)
    assert api_as(world.admin).get(path)["channel_id"] == world.lobby.id
    api_as(world.dave).get(f"users/me/channels/{world.lobby.id}/unread", status=404)
    api_as(world.dave).get(f"users/me/channels/{world.secret.id}/unread", status=404)


# --- stats -------------------------------------------------------------------------------------


def test_channel_stats_count_members_and_pinned_posts(world: World, api_as) -> None:
    post = say(world.alice, world.lobby)
    post_set_pinned(actor=world.alice, post_id=post.id, pinned=True)
    stats = api_as(world.dave).get(f"channels/{world.lobby.id}/stats")
    assert stats == {
        "channel_id": world.lobby.id,
        "member_count": 3,
        "guest_count": 0,
        "pinnedpost_count": 1,
        "files_count": 0,
    }
    api_as(world.dave).get(f"channels/{world.secret.id}/stats", status=404)


# --- direct and group channels -----------------------------------------------------------------


def test_a_direct_channel_answers_201_whether_new_or_existing(
    world: World, api_as, capture_events
) -> None:
    ids = [world.carol.id, world.dave.id]
    with capture_events() as events:
        created = api_as(world.carol).post("channels/direct", ids, status=201)
    assert set(created) == CHANNEL_KEYS
    assert (created["type"], created["team_id"], created["name"]) == (
        CHANNEL_DIRECT,
        "",
        "__".join(sorted(ids)),
    )
    assert {e.broadcast.user_id for e in events.named("direct_added")} == set(ids)
    again = api_as(world.dave).post("channels/direct", ids[::-1], status=201)
    assert again["id"] == created["id"]
    api_as(world.bob).get(f"channels/{created['id']}", status=404)  # others' DM


@pytest.mark.parametrize("ids", [["carol"], ["carol", "carol"]])
def test_a_user_has_a_direct_channel_with_themselves(world: World, api_as, ids) -> None:
    body = [getattr(world, name).id for name in ids]
    channel = api_as(world.carol).post("channels/direct", body, status=201)
    assert channel["name"] == f"{world.carol.id}__{world.carol.id}"


def test_a_system_admin_opens_a_direct_channel_between_two_others(world: World, api_as) -> None:
    ids = [world.carol.id, world.dave.id]
    channel = api_as(world.admin).post("channels/direct", ids, status=201)
    assert {m.user_id for m in Channel.objects.get(id=channel["id"]).members.all()} == set(ids)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ([], 400),
        (["carol", "dave", "bob"], 400),
        (["carol", "nope"], 400),
        (["carol", 5], 400),
        ({"user_ids": ["carol", "dave"]}, 400),
        (["dave", "dave"], 400),  # one user, not the caller
        (["dave", "bob"], 403),  # neither is the caller
        (["carol", "missing"], 404),
    ],
)
def test_an_invalid_direct_channel_request_is_refused(world: World, api_as, body, status) -> None:
    def resolve(v):
        if v == "missing":
            return new_id()
        return getattr(world, v).id if isinstance(v, str) and hasattr(world, v) else v

    body = [resolve(v) for v in body] if isinstance(body, list) else body
    before = Channel.objects.count()
    api_as(world.carol).post("channels/direct", body, status=status)
    assert Channel.objects.count() == before


def test_a_group_channel_answers_201_and_includes_the_caller(world: World, api_as) -> None:
    ids = [world.bob.id, world.dave.id]
    created = api_as(world.carol).post("channels/group", ids, status=201)
    assert (created["type"], created["display_name"]) == ("G", "bob, carol, dave")
    again = api_as(world.dave).post("channels/group", [world.bob.id, world.carol.id], status=201)
    assert again["id"] == created["id"]
    api_as(world.alice).get(f"channels/{created['id']}", status=404)


@pytest.mark.parametrize("body", [[], ["bob"], ["bob", "nope"], {"ids": []}])
def test_an_invalid_group_channel_request_is_refused(world: World, api_as, body) -> None:
    if isinstance(body, list):
        body = [getattr(world, v).id if hasattr(world, v) else v for v in body]
    before = Channel.objects.count()
    api_as(world.carol).post("channels/group", body, status=400)
    assert Channel.objects.count() == before
