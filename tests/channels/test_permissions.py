"""Who may read a channel, and who may do what to it.

One shared cast (`world`), looped over roles, so every refusal is checked against the
same setup as the matching success.
"""

from collections.abc import Callable

import pytest

from apps.accounts.models import User
from apps.accounts.services.users import user_deactivate
from apps.channels.models import Channel
from apps.channels.permissions import (
    access_channel,
    access_channel_to_manage,
    can_add_channel_members,
    can_archive_channel,
    can_edit_channel_properties,
    can_post_in_channel,
    can_read_channel,
    can_remove_channel_member,
    channel_membership,
    is_channel_manager,
)
from apps.channels.services import channel_archive, channel_member_add, channel_member_remove
from apps.core.errors import NotAuthenticated, NotFound
from apps.core.ids import new_id
from apps.posts.selectors import post_page_in_channel
from apps.teams.services import team_member_remove
from tests.channels.world import World

pytestmark = pytest.mark.django_db

OK = "ok"  # access_channel returns the channel and the actor's membership
OK_NOT_MEMBER = "ok, no membership"  # readable without being a member
HIDDEN = NotFound
SIGNED_OUT = NotAuthenticated


def _member(w: World, channel: Channel) -> User:
    return w.bob


def _team_member_not_in_channel(w: World, channel: Channel) -> User:
    return w.dave


def _other_team_user(w: World, channel: Channel) -> User:
    return w.outsider


def _removed_member(w: World, channel: Channel) -> User:
    """Dave is added, then removed by the channel admin; access is checked right after."""
    channel_member_add(actor=w.alice, channel_id=channel.id, user_id=w.dave.id)
    assert access_channel(actor=w.dave, channel_id=channel.id)[1] is not None
    channel_member_remove(actor=w.alice, channel_id=channel.id, user_id=w.dave.id)
    return w.dave


def _left_the_team(w: World, channel: Channel) -> User:
    team_member_remove(actor=w.bob, team_id=w.team.id, user_id=w.bob.id)
    return w.bob


def _deactivated_member(w: World, channel: Channel) -> User:
    return user_deactivate(actor=w.admin, user=w.bob)


def _system_admin(w: World, channel: Channel) -> User:
    return w.admin


ROLES: dict[str, Callable[[World, Channel], User]] = {
    "member": _member,
    "team member not in channel": _team_member_not_in_channel,
    "other-team user": _other_team_user,
    "removed member": _removed_member,
    "member who left the team": _left_the_team,
    "deactivated member": _deactivated_member,
    "system admin": _system_admin,
}

# Membership of a direct or group channel cannot be removed, so "removed member" and
# "left the team" apply to team channels only (the refusal is tested in test_services).
ACCESS_MATRIX = {
    ("member", "lobby"): OK,
    ("member", "secret"): OK,
    ("member", "dm"): OK,
    ("member", "group"): OK,
    ("team member not in channel", "lobby"): OK_NOT_MEMBER,
    ("team member not in channel", "secret"): HIDDEN,
    ("team member not in channel", "dm"): HIDDEN,
    ("team member not in channel", "group"): HIDDEN,
    ("other-team user", "lobby"): HIDDEN,
    ("other-team user", "secret"): HIDDEN,
    ("other-team user", "dm"): HIDDEN,
    ("other-team user", "group"): HIDDEN,
    ("removed member", "lobby"): OK_NOT_MEMBER,
    ("removed member", "secret"): HIDDEN,
    ("member who left the team", "lobby"): HIDDEN,
    ("member who left the team", "secret"): HIDDEN,
    ("deactivated member", "lobby"): SIGNED_OUT,
    ("deactivated member", "secret"): SIGNED_OUT,
    ("deactivated member", "dm"): SIGNED_OUT,
    ("deactivated member", "group"): SIGNED_OUT,
    ("system admin", "lobby"): OK_NOT_MEMBER,
    ("system admin", "secret"): HIDDEN,
    ("system admin", "dm"): HIDDEN,
    ("system admin", "group"): HIDDEN,
}


@pytest.mark.parametrize(
    ("role", "channel_name", "expected"),
    [(role, name, expected) for (role, name), expected in ACCESS_MATRIX.items()],
    ids=[f"{role}-{name}" for role, name in ACCESS_MATRIX],
)
def test_access_channel_matrix(world: World, role: str, channel_name: str, expected) -> None:
    channel = getattr(world, channel_name)
    actor = ROLES[role](world, channel)
    if expected in (OK, OK_NOT_MEMBER):
        found, membership = access_channel(actor=actor, channel_id=channel.id)
        assert found.id == channel.id
        if expected == OK:
            assert membership is not None and membership.user_id == actor.id
        else:
            assert membership is None
    else:
        with pytest.raises(expected):
            access_channel(actor=actor, channel_id=channel.id)


def test_matrix_covers_every_role_and_channel_kind() -> None:
    roles = {role for role, _ in ACCESS_MATRIX}
    kinds = {kind for _, kind in ACCESS_MATRIX}
    assert roles == set(ROLES)
    assert kinds == {"lobby", "secret", "dm", "group"}


def test_hidden_and_missing_channels_raise_the_same_error(world: World) -> None:
    with pytest.raises(NotFound) as hidden:
        access_channel(actor=world.dave, channel_id=world.secret.id)
    with pytest.raises(NotFound) as missing:
        access_channel(actor=world.dave, channel_id=new_id())
    with pytest.raises(NotFound) as malformed:
        access_channel(actor=world.dave, channel_id="not-an-id")
    assert hidden.value.error_id == missing.value.error_id == malformed.value.error_id
    assert str(hidden.value) == str(missing.value) == str(malformed.value)


def test_archived_channel_stays_readable_by_its_members(world: World) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    channel, membership = access_channel(actor=world.bob, channel_id=world.lobby.id)
    assert channel.is_archived
    assert membership is not None


def test_can_read_channel_refuses_a_deactivated_member(world: World) -> None:
    membership = channel_membership(user=world.bob, channel=world.secret)
    assert can_read_channel(world.bob, world.secret, membership)
    bob = user_deactivate(actor=world.admin, user=world.bob)
    assert not can_read_channel(bob, world.secret, membership)


# --- can_* predicates, one role table per verb ----------------------------------------------


def _can(world: World, predicate, actor_name: str, channel: Channel, *extra) -> bool:
    actor = getattr(world, actor_name)
    channel = Channel.objects.get(id=channel.id)
    return predicate(actor, channel, channel_membership(user=actor, channel=channel), *extra)


MANAGER_TABLE = {
    "alice": True,  # channel admin (created it)
    "bob": False,  # plain member
    "owner": True,  # team admin, not a member
    "admin": True,  # system admin
    "dave": False,  # team member, not a member
}


@pytest.mark.parametrize(("actor_name", "expected"), MANAGER_TABLE.items())
def test_channel_managers_are_channel_team_and_system_admins(
    world: World, actor_name: str, expected: bool
) -> None:
    assert _can(world, is_channel_manager, actor_name, world.lobby) is expected


@pytest.mark.parametrize(("actor_name", "expected"), MANAGER_TABLE.items())
def test_only_managers_may_archive_a_public_channel(
    world: World, actor_name: str, expected: bool
) -> None:
    assert _can(world, can_archive_channel, actor_name, world.lobby) is expected


@pytest.mark.parametrize("actor_name", ["alice", "owner", "admin"])
def test_nobody_may_archive_town_square(world: World, actor_name: str) -> None:
    assert not _can(world, can_archive_channel, actor_name, world.town_square)


@pytest.mark.parametrize("channel_name", ["dm", "group"])
@pytest.mark.parametrize("actor_name", ["alice", "bob", "admin"])
def test_nobody_may_archive_a_direct_or_group_channel(
    world: World, actor_name: str, channel_name: str
) -> None:
    assert not _can(world, can_archive_channel, actor_name, getattr(world, channel_name))


@pytest.mark.parametrize(
    ("actor_name", "expected"),
    {"alice": True, "bob": True, "owner": True, "admin": True, "dave": False}.items(),
)
def test_members_and_managers_may_edit_channel_properties(
    world: World, actor_name: str, expected: bool
) -> None:
    assert _can(world, can_edit_channel_properties, actor_name, world.lobby) is expected


@pytest.mark.parametrize("actor_name", ["alice", "bob", "owner", "admin"])
def test_nobody_may_edit_an_archived_channel(world: World, actor_name: str) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    assert not _can(world, can_edit_channel_properties, actor_name, world.lobby)


@pytest.mark.parametrize(
    ("actor_name", "channel_name", "expected"),
    [
        ("bob", "lobby", True),
        ("bob", "secret", True),
        ("dave", "lobby", False),
        ("owner", "lobby", True),
        # Managers outside a private channel may not add anyone (not even their own bot,
        # which would let them read it).
        ("admin", "secret", False),
        ("owner", "secret", False),
        ("alice", "dm", False),
        ("alice", "group", False),
        ("admin", "group", False),
    ],
)
def test_who_may_add_channel_members(
    world: World, actor_name: str, channel_name: str, expected: bool
) -> None:
    channel = getattr(world, channel_name)
    assert _can(world, can_add_channel_members, actor_name, channel) is expected


def test_nobody_may_add_members_to_an_archived_channel(world: World) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    assert not _can(world, can_add_channel_members, "alice", world.lobby)
    assert not _can(world, can_add_channel_members, "admin", world.lobby)


@pytest.mark.parametrize(
    ("actor_name", "target_name", "expected"),
    [
        ("carol", "carol", True),  # leaving
        ("dave", "dave", False),  # not a member, nothing to leave
        ("bob", "carol", False),  # plain members do not remove others
        ("alice", "carol", True),  # channel admin
        ("owner", "carol", True),  # team admin
        ("admin", "carol", True),  # system admin
    ],
)
def test_who_may_remove_a_lobby_member(
    world: World, actor_name: str, target_name: str, expected: bool
) -> None:
    target = getattr(world, target_name)
    assert _can(world, can_remove_channel_member, actor_name, world.lobby, target) is expected


@pytest.mark.parametrize(
    ("actor_name", "target_name", "channel_name"),
    [
        ("bob", "bob", "town_square"),
        ("admin", "bob", "town_square"),
        ("bob", "bob", "dm"),
        ("carol", "carol", "group"),
    ],
)
def test_nobody_leaves_town_square_or_direct_and_group_channels(
    world: World, actor_name: str, target_name: str, channel_name: str
) -> None:
    channel = getattr(world, channel_name)
    target = getattr(world, target_name)
    assert not _can(world, can_remove_channel_member, actor_name, channel, target)


@pytest.mark.parametrize(
    ("actor_name", "channel_name", "expected"),
    [
        ("bob", "lobby", True),
        ("bob", "secret", True),
        ("bob", "dm", True),
        ("carol", "group", True),
        ("dave", "lobby", False),  # may read, must join first
        ("admin", "secret", False),  # may read for the console, not post
        ("owner", "lobby", False),
    ],
)
def test_only_members_may_post(
    world: World, actor_name: str, channel_name: str, expected: bool
) -> None:
    channel = getattr(world, channel_name)
    assert _can(world, can_post_in_channel, actor_name, channel) is expected


def test_nobody_may_post_in_an_archived_channel(world: World) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    assert not _can(world, can_post_in_channel, "alice", world.lobby)
    assert not _can(world, can_post_in_channel, "bob", world.lobby)


@pytest.mark.parametrize("manager_name", ["owner", "admin"])
def test_team_and_system_admins_manage_a_private_channel_without_reading_it(
    world: World, manager_name: str
) -> None:
    manager = getattr(world, manager_name)
    with pytest.raises(NotFound):
        access_channel(actor=manager, channel_id=world.secret.id)
    with pytest.raises(NotFound):
        post_page_in_channel(actor=manager, channel_id=world.secret.id)

    channel, membership = access_channel_to_manage(actor=manager, channel_id=world.secret.id)
    assert (channel.id, membership) == (world.secret.id, None)
    channel_archive(actor=manager, channel_id=world.secret.id)
    assert Channel.objects.get(id=world.secret.id).is_archived


@pytest.mark.parametrize("outsider_name", ["dave", "outsider"])
def test_non_managers_cannot_reach_a_private_channel_to_manage_it(
    world: World, outsider_name: str
) -> None:
    with pytest.raises(NotFound):
        access_channel_to_manage(actor=getattr(world, outsider_name), channel_id=world.secret.id)


def test_nobody_manages_the_direct_messages_of_others(world: World) -> None:
    for actor in (world.admin, world.owner):
        with pytest.raises(NotFound):
            access_channel_to_manage(actor=actor, channel_id=world.dm.id)
