"""Channel reads: every list and lookup is filtered to what the actor may see."""

import pytest

from apps.accounts.services.users import user_deactivate
from apps.channels.selectors import (
    channel_get_by_name,
    channel_list_for_user,
    channel_list_public,
    channel_member_ids,
    channel_member_list,
    channel_unread,
)
from apps.channels.services import channel_archive, channel_member_remove, channel_view
from apps.core.errors import NotAuthenticated, NotFound
from apps.core.ids import new_id
from apps.teams.services import team_update
from tests.channels.world import World, say
from tests.factories import make_channel

pytestmark = pytest.mark.django_db


def _names(channels) -> set[str]:
    return {c.name for c in channels}


def test_a_users_channels_in_a_team_include_their_direct_and_group_channels(
    world: World,
) -> None:
    make_channel(world.outsider, world.other_team, "elsewhere")
    listed = channel_list_for_user(actor=world.bob, team_id=world.team.id)
    assert _names(listed) == {"town-square", "off-topic", "lobby", "secret"} | {
        world.dm.name,
        world.group.name,
    }
    assert len(listed) == 6  # no duplicates from the membership join


def test_without_a_team_every_membership_is_listed(world: World) -> None:
    listed = channel_list_for_user(actor=world.outsider)
    assert _names(listed) == {"town-square", "off-topic"}
    assert {c.team_id for c in listed} == {world.other_team.id}


def test_channels_the_user_does_not_belong_to_are_not_listed(world: World) -> None:
    listed = _names(channel_list_for_user(actor=world.dave, team_id=world.team.id))
    assert listed == {"town-square", "off-topic"}


def test_a_channel_the_user_left_is_no_longer_listed(world: World) -> None:
    channel_member_remove(actor=world.bob, channel_id=world.secret.id, user_id=world.bob.id)
    assert "secret" not in _names(channel_list_for_user(actor=world.bob, team_id=world.team.id))


def test_archived_channels_are_listed_only_on_request(world: World) -> None:
    channel_archive(actor=world.alice, channel_id=world.lobby.id)
    assert "lobby" not in _names(channel_list_for_user(actor=world.bob, team_id=world.team.id))
    with_archived = channel_list_for_user(
        actor=world.bob, team_id=world.team.id, include_deleted=True
    )
    assert "lobby" in _names(with_archived)


def test_listing_channels_of_a_hidden_team_is_not_found(world: World) -> None:
    team_update(actor=world.outsider, team_id=world.other_team.id, patch={"type": "I"})
    with pytest.raises(NotFound):
        channel_list_for_user(actor=world.bob, team_id=world.other_team.id)


def test_a_deactivated_user_lists_nothing(world: World) -> None:
    user_deactivate(actor=world.admin, user=world.bob)
    with pytest.raises(NotAuthenticated):
        channel_list_for_user(actor=world.bob)


def test_public_channels_to_browse_are_the_live_public_ones_of_the_team(world: World) -> None:
    make_channel(world.alice, world.team, "old-news")
    channel_archive(actor=world.alice, channel_id=world.team.channels.get(name="old-news").id)
    listed = channel_list_public(actor=world.dave, team_id=world.team.id)
    assert [c.name for c in listed] == ["lobby", "off-topic", "town-square"]


def test_people_outside_a_team_cannot_browse_its_channels(world: World) -> None:
    with pytest.raises(NotFound):
        channel_list_public(actor=world.outsider, team_id=world.team.id)
    assert _names(channel_list_public(actor=world.admin, team_id=world.team.id)) >= {"lobby"}


def test_a_channel_is_found_by_name_case_insensitively(world: World) -> None:
    found = channel_get_by_name(actor=world.dave, team_id=world.team.id, name="LOBBY")
    assert found.id == world.lobby.id


@pytest.mark.parametrize(
    ("actor_name", "name"),
    [("dave", "secret"), ("outsider", "lobby"), ("bob", "no-such-channel")],
)
def test_hidden_or_missing_channel_names_are_not_found(
    world: World, actor_name: str, name: str
) -> None:
    with pytest.raises(NotFound):
        channel_get_by_name(actor=getattr(world, actor_name), team_id=world.team.id, name=name)


def test_channel_members_are_listed_by_username_to_those_who_may_read(world: World) -> None:
    members = channel_member_list(actor=world.dave, channel_id=world.lobby.id)
    assert [m.user.username for m in members] == ["alice", "bob", "carol"]
    with pytest.raises(NotFound):
        channel_member_list(actor=world.dave, channel_id=world.secret.id)
    with pytest.raises(NotFound):
        channel_member_list(actor=world.admin, channel_id=world.dm.id)


def test_channel_member_ids_names_every_member(world: World) -> None:
    assert set(channel_member_ids(channel=world.group)) == {
        world.alice.id,
        world.bob.id,
        world.carol.id,
    }


def test_unread_counts_messages_and_mentions_since_the_last_view(world: World) -> None:
    channel_view(actor=world.bob, channel_id=world.lobby.id)
    say(world.alice, world.lobby, "one")
    root = say(world.alice, world.lobby, "two @bob")
    say(world.alice, world.lobby, "three @bob", root_id=root.id)
    unread = channel_unread(actor=world.bob, channel_id=world.lobby.id)
    assert unread["team_id"] == world.team.id
    assert (unread["msg_count"], unread["msg_count_root"]) == (3, 2)
    assert (unread["mention_count"], unread["mention_count_root"]) == (2, 1)
    assert unread["notify_props"]["mark_unread"] == "all"


def test_unread_needs_a_membership(world: World) -> None:
    with pytest.raises(NotFound):
        channel_unread(actor=world.dave, channel_id=world.lobby.id)
    with pytest.raises(NotFound):
        channel_unread(actor=world.dave, channel_id=new_id())
