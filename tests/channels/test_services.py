"""Channel writes: create, direct and group messages, membership, properties, archiving."""

import json

import pytest

from apps.accounts.services.users import user_deactivate
from apps.channels.models import CHANNEL_PRIVATE, Channel
from apps.channels.permissions import access_channel
from apps.channels.services import (
    channel_archive,
    channel_create,
    channel_join,
    channel_member_add,
    channel_member_remove,
    channel_member_set_admin,
    channel_member_update_notify_props,
    channel_set_muted,
    channel_unarchive,
    channel_update,
)
from apps.core.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from apps.core.ids import new_id
from apps.posts import models as post_types
from apps.posts.models import Post
from tests.channels.world import World, fresh, member
from tests.factories import make_channel

pytestmark = pytest.mark.django_db


def _last_post(channel: Channel) -> Post:
    return Post.objects.filter(channel=channel).order_by("-create_at", "-id").first()


# --- create ----------------------------------------------------------------------------------


def test_creating_a_channel_makes_the_creator_its_admin(world: World, capture_events) -> None:
    with capture_events() as events:
        channel = channel_create(
            actor=world.bob,
            team=world.team,
            name="Launch-Plans",
            display_name="  Launch plans ",
            channel_type=CHANNEL_PRIVATE,
            purpose="Ship it",
        )
    assert (channel.name, channel.display_name, channel.type) == (
        "launch-plans",
        "Launch plans",
        "P",
    )
    assert channel.creator_id == world.bob.id
    assert member(world.bob, channel).scheme_admin
    created = events.named("channel_created")
    assert [e.data for e in created] == [{"channel_id": channel.id, "team_id": world.team.id}]
    assert created[0].broadcast.user_id == world.bob.id
    assert events.named("user_added")[0].data["user_id"] == world.bob.id


def test_a_taken_channel_name_is_refused_and_nothing_is_created(world: World) -> None:
    before = Channel.objects.count()
    with pytest.raises(AlreadyExists):
        make_channel(world.bob, world.team, "LOBBY")
    assert Channel.objects.count() == before


def test_an_archived_channel_keeps_its_name_taken(world: World) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    with pytest.raises(AlreadyExists):
        make_channel(world.bob, world.team, "lobby")


def test_the_same_name_may_be_used_in_another_team(world: World) -> None:
    channel = make_channel(world.outsider, world.other_team, "lobby")
    assert channel.team_id == world.other_team.id


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "-lobby",
        "lobby-",
        "_lobby",
        "lob by",
        "lob!by",
        "café",
        "a__b",
        "x" * 65,
        "a" * 26 + "__" + "b" * 26,  # shaped like a direct channel's name
        "0123456789abcdef0123456789abcdef01234567",  # shaped like a group channel's name
        None,
        42,
    ],
)
def test_invalid_channel_names_are_refused_and_nothing_is_created(world: World, name) -> None:
    before = Channel.objects.count()
    with pytest.raises(InvalidInput):
        channel_create(actor=world.bob, team=world.team, name=name, display_name="X")
    assert Channel.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("display_name", ""),
        ("display_name", "   "),
        ("display_name", "d" * 65),
        ("purpose", "p" * 251),
        ("header", "h" * 1025),
        ("channel_type", "D"),
        ("channel_type", "G"),
    ],
)
def test_invalid_channel_fields_are_refused(world: World, field: str, value: str) -> None:
    kwargs = {"display_name": "Fine", field: value}
    before = Channel.objects.count()
    with pytest.raises(InvalidInput):
        channel_create(actor=world.bob, team=world.team, name="fine", **kwargs)
    assert Channel.objects.count() == before


def test_only_team_members_create_channels_in_a_team(world: World) -> None:
    with pytest.raises(PermissionDenied):
        make_channel(world.outsider, world.team, "intruders")
    assert not Channel.objects.filter(name="intruders").exists()


def test_a_system_admin_outside_the_team_creates_a_channel_without_joining_it(
    world: World,
) -> None:
    channel = make_channel(world.admin, world.team, "announcements")
    assert member(world.admin, channel) is None


# --- join, add, remove ---------------------------------------------------------------------


def test_joining_a_public_channel_adds_a_membership_and_a_system_post(
    world: World, capture_events
) -> None:
    with capture_events() as events:
        membership = channel_join(actor=world.dave, channel_id=world.lobby.id)
    assert membership.user_id == world.dave.id and not membership.scheme_admin
    post = _last_post(world.lobby)
    assert (post.type, post.user_id) == (post_types.POST_TYPE_JOIN_CHANNEL, world.dave.id)
    assert events.named("user_added")[0].broadcast.channel_id == world.lobby.id
    assert len(events.named("posted")) == 1


def test_joining_twice_changes_nothing(world: World) -> None:
    posts = Post.objects.count()
    again = channel_join(actor=world.bob, channel_id=world.lobby.id)
    assert again == member(world.bob, world.lobby)
    assert Post.objects.count() == posts


def test_a_private_channel_cannot_be_joined_or_even_seen(world: World) -> None:
    with pytest.raises(NotFound):
        channel_join(actor=world.dave, channel_id=world.secret.id)
    assert member(world.dave, world.secret) is None


def test_an_archived_channel_cannot_be_joined(world: World) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    with pytest.raises(PermissionDenied):
        channel_join(actor=world.dave, channel_id=world.lobby.id)


def test_another_teams_channel_cannot_be_joined(world: World) -> None:
    with pytest.raises(NotFound):
        channel_join(actor=world.outsider, channel_id=world.lobby.id)


def test_a_member_adds_a_teammate_to_a_private_channel(world: World, capture_events) -> None:
    with capture_events() as events:
        added = channel_member_add(
            actor=world.bob, channel_id=world.secret.id, user_id=world.dave.id
        )
    assert added.user_id == world.dave.id
    assert access_channel(actor=world.dave, channel_id=world.secret.id)[1] is not None
    post = _last_post(world.secret)
    assert post.type == post_types.POST_TYPE_ADD_TO_CHANNEL
    assert post.props["addedUserId"] == world.dave.id
    assert [e.data["user_id"] for e in events.named("user_added")] == [world.dave.id]


def test_a_team_member_adds_themselves_to_a_public_channel_by_joining_it(world: World) -> None:
    added = channel_member_add(actor=world.dave, channel_id=world.lobby.id, user_id=world.dave.id)
    assert added.user_id == world.dave.id
    assert _last_post(world.lobby).type == post_types.POST_TYPE_JOIN_CHANNEL


def test_a_non_member_cannot_add_others_to_a_channel(world: World) -> None:
    with pytest.raises(PermissionDenied):
        channel_member_add(actor=world.dave, channel_id=world.lobby.id, user_id=world.owner.id)
    assert member(world.owner, world.lobby) is None


def test_people_outside_the_team_cannot_be_added(world: World) -> None:
    with pytest.raises(PermissionDenied):
        channel_member_add(actor=world.alice, channel_id=world.lobby.id, user_id=world.outsider.id)
    assert member(world.outsider, world.lobby) is None


def test_deactivated_and_unknown_users_cannot_be_added(world: World) -> None:
    user_deactivate(actor=world.admin, user=world.dave)
    with pytest.raises(PermissionDenied):
        channel_member_add(actor=world.alice, channel_id=world.lobby.id, user_id=world.dave.id)
    with pytest.raises(NotFound):
        channel_member_add(actor=world.alice, channel_id=world.lobby.id, user_id=new_id())


@pytest.mark.parametrize("channel_name", ["dm", "group"])
def test_nobody_is_added_to_a_direct_or_group_channel(world: World, channel_name: str) -> None:
    channel = getattr(world, channel_name)
    with pytest.raises(PermissionDenied):
        channel_member_add(actor=world.alice, channel_id=channel.id, user_id=world.dave.id)
    assert member(world.dave, channel) is None


def test_adding_an_existing_member_changes_nothing(world: World) -> None:
    posts = Post.objects.count()
    existing = channel_member_add(
        actor=world.alice, channel_id=world.lobby.id, user_id=world.bob.id
    )
    assert existing == member(world.bob, world.lobby)
    assert Post.objects.count() == posts


def test_leaving_a_channel_posts_and_tells_the_channel_and_the_leaver(
    world: World, capture_events
) -> None:
    with capture_events() as events:
        channel_member_remove(actor=world.bob, channel_id=world.secret.id, user_id=world.bob.id)
    assert member(world.bob, world.secret) is None
    post = _last_post(world.secret)
    assert (post.type, post.user_id) == (post_types.POST_TYPE_LEAVE_CHANNEL, world.bob.id)
    removed = events.named("user_removed")
    assert {(e.broadcast.channel_id, e.broadcast.user_id) for e in removed} == {
        (world.secret.id, ""),
        ("", world.bob.id),
    }
    assert all(e.data["remover_id"] == world.bob.id for e in removed)


def test_a_channel_admin_removes_a_member(world: World) -> None:
    channel_member_remove(actor=world.alice, channel_id=world.lobby.id, user_id=world.carol.id)
    assert member(world.carol, world.lobby) is None
    post = _last_post(world.lobby)
    assert post.type == post_types.POST_TYPE_REMOVE_FROM_CHANNEL
    assert post.props["removedUsername"] == "carol"


def test_a_team_admin_removes_a_member_without_being_in_the_channel(world: World) -> None:
    channel_member_remove(actor=world.owner, channel_id=world.lobby.id, user_id=world.carol.id)
    assert member(world.carol, world.lobby) is None


def test_a_plain_member_cannot_remove_another(world: World) -> None:
    with pytest.raises(PermissionDenied):
        channel_member_remove(actor=world.bob, channel_id=world.lobby.id, user_id=world.carol.id)
    assert member(world.carol, world.lobby) is not None


def test_town_square_cannot_be_left(world: World) -> None:
    with pytest.raises(PermissionDenied):
        channel_member_remove(
            actor=world.bob, channel_id=world.town_square.id, user_id=world.bob.id
        )
    with pytest.raises(PermissionDenied):
        channel_member_remove(
            actor=world.admin, channel_id=world.town_square.id, user_id=world.bob.id
        )
    assert member(world.bob, world.town_square) is not None


@pytest.mark.parametrize("channel_name", ["dm", "group"])
def test_direct_and_group_memberships_cannot_be_removed(world: World, channel_name: str) -> None:
    channel = getattr(world, channel_name)
    with pytest.raises(PermissionDenied):
        channel_member_remove(actor=world.bob, channel_id=channel.id, user_id=world.bob.id)
    assert member(world.bob, channel) is not None


def test_removing_someone_who_is_not_a_member_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        channel_member_remove(actor=world.alice, channel_id=world.lobby.id, user_id=world.dave.id)
    with pytest.raises(NotFound):
        channel_member_remove(actor=world.alice, channel_id=world.lobby.id, user_id=new_id())


def test_channel_admins_grant_the_role_and_members_cannot(world: World, capture_events) -> None:
    with pytest.raises(PermissionDenied):
        channel_member_set_admin(
            actor=world.bob, channel_id=world.lobby.id, user_id=world.bob.id, admin=True
        )
    with capture_events() as events:
        promoted = channel_member_set_admin(
            actor=world.alice, channel_id=world.lobby.id, user_id=world.bob.id, admin=True
        )
    assert promoted.roles == "channel_user channel_admin"
    assert member(world.bob, world.lobby).scheme_admin
    assert events.named("channel_member_updated")[0].broadcast.user_id == world.bob.id
    with pytest.raises(InvalidInput):
        channel_member_set_admin(
            actor=world.alice, channel_id=world.dm.id, user_id=world.bob.id, admin=True
        )


def test_muting_keeps_other_notification_settings(world: World) -> None:
    channel_member_update_notify_props(
        actor=world.bob, channel_id=world.lobby.id, props={"desktop": "none"}
    )
    muted = channel_set_muted(actor=world.bob, channel_id=world.lobby.id, muted=True)
    assert muted.is_muted
    stored = member(world.bob, world.lobby).notify_props
    assert stored["mark_unread"] == "mention" and stored["desktop"] == "none"
    assert not channel_set_muted(actor=world.bob, channel_id=world.lobby.id, muted=False).is_muted


@pytest.mark.parametrize(
    "props", [{"mark_unread": "never"}, {"volume": "11"}, {"desktop": None}, "mute"]
)
def test_invalid_notification_settings_are_refused(world: World, props) -> None:
    with pytest.raises(InvalidInput):
        channel_member_update_notify_props(actor=world.bob, channel_id=world.lobby.id, props=props)
    assert member(world.bob, world.lobby).notify_props["mark_unread"] == "all"


def test_notification_settings_need_a_membership(world: World) -> None:
    with pytest.raises(PermissionDenied):
        channel_set_muted(actor=world.dave, channel_id=world.lobby.id, muted=True)


# --- properties ------------------------------------------------------------------------------


def test_updating_properties_leaves_system_posts_and_one_event(
    world: World, capture_events
) -> None:
    posts = Post.objects.filter(channel=world.lobby).count()
    with capture_events() as events:
        channel = channel_update(
            actor=world.bob,
            channel_id=world.lobby.id,
            patch={"display_name": " Hall ", "header": "Read me", "purpose": "Chatting"},
        )
    assert (channel.display_name, channel.header, channel.purpose) == (
        "Hall",
        "Read me",
        "Chatting",
    )
    stored = fresh(world.lobby)
    assert (stored.display_name, stored.header, stored.purpose) == ("Hall", "Read me", "Chatting")
    new_posts = Post.objects.filter(channel=world.lobby).order_by("create_at", "id")[posts:]
    assert {p.type for p in new_posts} == {
        post_types.POST_TYPE_DISPLAYNAME_CHANGE,
        post_types.POST_TYPE_HEADER_CHANGE,
        post_types.POST_TYPE_PURPOSE_CHANGE,
    }
    header_post = next(p for p in new_posts if p.type == post_types.POST_TYPE_HEADER_CHANGE)
    assert header_post.props["new_header"] == "Read me" and header_post.props["old_header"] == ""
    assert len(events.named("posted")) == 3
    (updated,) = events.named("channel_updated")
    assert updated.broadcast.channel_id == world.lobby.id
    # The channel goes out as a JSON string, as Mattermost sends it.
    assert json.loads(updated.data["channel"])["display_name"] == "Hall"


def test_removing_a_header_says_what_it_was(world: World) -> None:
    channel_update(actor=world.bob, channel_id=world.lobby.id, patch={"header": "old news"})
    channel_update(actor=world.bob, channel_id=world.lobby.id, patch={"header": ""})
    assert "removed the channel header (was: old news)" in _last_post(world.lobby).message


def test_an_unchanged_patch_posts_nothing(world: World, capture_events) -> None:
    posts = Post.objects.count()
    with capture_events() as events:
        channel_update(
            actor=world.bob,
            channel_id=world.lobby.id,
            patch={"display_name": "Lobby", "header": ""},
        )
    assert Post.objects.count() == posts
    assert events.named("channel_updated") == []


def test_a_non_member_cannot_update_a_public_channel(world: World) -> None:
    with pytest.raises(PermissionDenied):
        channel_update(actor=world.dave, channel_id=world.lobby.id, patch={"header": "mine"})
    assert fresh(world.lobby).header == ""


@pytest.mark.parametrize(
    "patch",
    [
        {"name": "renamed"},
        {"display_name": ""},
        {"display_name": None},
        {"header": "h" * 1025},
        {"purpose": "p" * 251},
        {"header": 5},
        {"header": "fine", "purpose": "p" * 251},
    ],
)
def test_an_invalid_patch_changes_nothing(world: World, patch: dict) -> None:
    posts = Post.objects.count()
    with pytest.raises(InvalidInput):
        channel_update(actor=world.bob, channel_id=world.lobby.id, patch=patch)
    stored = fresh(world.lobby)
    assert (stored.name, stored.display_name, stored.header, stored.purpose) == (
        "lobby",
        "Lobby",
        "",
        "",
    )
    assert Post.objects.count() == posts


def test_direct_channels_only_have_a_header(world: World) -> None:
    channel = channel_update(actor=world.bob, channel_id=world.dm.id, patch={"header": "hi"})
    assert channel.header == "hi"
    assert _last_post(world.dm).type == post_types.POST_TYPE_HEADER_CHANGE
    with pytest.raises(InvalidInput):
        channel_update(actor=world.bob, channel_id=world.dm.id, patch={"purpose": "x"})


# --- archiving -------------------------------------------------------------------------------


def test_a_plain_member_cannot_archive_a_channel(world: World) -> None:
    with pytest.raises(PermissionDenied):
        channel_archive(actor=world.bob, channel_id=world.lobby.id)
    assert not fresh(world.lobby).is_archived


@pytest.mark.parametrize("actor_name", ["alice", "owner", "admin"])
def test_channel_team_and_system_admins_archive_a_channel(
    world: World, actor_name: str, capture_events
) -> None:
    actor = getattr(world, actor_name)
    with capture_events() as events:
        channel = channel_archive(actor=actor, channel_id=world.lobby.id)
    stored = fresh(world.lobby)
    assert stored.is_archived and stored.delete_at == channel.delete_at
    post = _last_post(world.lobby)
    assert (post.type, post.user_id) == (post_types.POST_TYPE_CHANNEL_DELETED, actor.id)
    (deleted,) = events.named("channel_deleted")
    assert deleted.data["delete_at"] == stored.delete_at
    assert deleted.broadcast.channel_id == world.lobby.id


def test_town_square_cannot_be_archived(world: World) -> None:
    with pytest.raises(InvalidInput):
        channel_archive(actor=world.admin, channel_id=world.town_square.id)
    with pytest.raises(InvalidInput):
        channel_archive(actor=world.owner, channel_id=world.town_square.id)
    assert not fresh(world.town_square).is_archived


@pytest.mark.parametrize("channel_name", ["dm", "group"])
def test_direct_and_group_channels_cannot_be_archived(world: World, channel_name: str) -> None:
    channel = getattr(world, channel_name)
    with pytest.raises(PermissionDenied):
        channel_archive(actor=world.alice, channel_id=channel.id)
    assert not fresh(channel).is_archived


def test_archiving_twice_changes_nothing(world: World) -> None:
    first = channel_archive(actor=world.alice, channel_id=world.lobby.id)
    posts = Post.objects.count()
    again = channel_archive(actor=world.alice, channel_id=world.lobby.id)
    assert again.delete_at == first.delete_at
    assert Post.objects.count() == posts


def test_leaving_an_archived_channel_posts_nothing(world: World) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    posts = Post.objects.count()
    channel_member_remove(actor=world.bob, channel_id=world.lobby.id, user_id=world.bob.id)
    assert member(world.bob, world.lobby) is None
    assert Post.objects.count() == posts


def test_channel_admins_unarchive_and_members_cannot(world: World, capture_events) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    with pytest.raises(PermissionDenied):
        channel_unarchive(actor=world.bob, channel_id=world.lobby.id)
    assert fresh(world.lobby).is_archived
    with capture_events() as events:
        channel_unarchive(actor=world.alice, channel_id=world.lobby.id)
    assert not fresh(world.lobby).is_archived
    assert _last_post(world.lobby).type == post_types.POST_TYPE_CHANNEL_RESTORED
    assert len(events.named("channel_restored")) == 1
