"""One cast of users and channels for the channel and post tests, built through the services.

Every test that uses `world` sees the same people in the same places, so a permission
test cannot pass because its setup differs from the success case's.
"""

from dataclasses import dataclass

from apps.accounts.models import User
from apps.channels.models import TOWN_SQUARE, Channel, ChannelMember
from apps.channels.services import (
    channel_get_or_create_direct,
    channel_get_or_create_group,
    channel_join,
    channel_member_add,
)
from apps.posts.models import Post
from apps.posts.services import post_create
from apps.teams.models import Team
from apps.teams.services import team_member_add
from tests.factories import UserFactory, make_channel, make_team


@dataclass
class World:
    admin: User  # system admin; in no team and no channel
    owner: User  # created the team, so its team admin; in no channel below
    alice: User  # created lobby and secret, so their channel admin
    bob: User  # a plain member of every channel below
    carol: User  # in the team, the lobby and the group, not in secret or the DM
    dave: User  # in the team (and Town Square) only
    outsider: User  # in the other team only
    team: Team
    other_team: Team
    town_square: Channel
    lobby: Channel  # public: alice, bob, carol
    secret: Channel  # private: alice, bob
    dm: Channel  # alice and bob
    group: Channel  # alice, bob and carol


def build_world() -> World:
    admin = UserFactory(username="admin")  # the first account becomes system admin
    owner = UserFactory(username="owner")
    alice = UserFactory(username="alice", first_name="Alice")
    bob = UserFactory(username="bob")
    carol = UserFactory(username="carol")
    dave = UserFactory(username="dave")
    outsider = UserFactory(username="outsider")
    team = make_team(owner, name="acme", display_name="Acme")
    other_team = make_team(outsider, name="globex", display_name="Globex")
    for user in (alice, bob, carol, dave):
        team_member_add(actor=owner, team_id=team.id, user_id=user.id)
    lobby = make_channel(alice, team, "lobby")
    channel_join(actor=bob, channel_id=lobby.id)
    channel_join(actor=carol, channel_id=lobby.id)
    secret = make_channel(alice, team, "secret", "P")
    channel_member_add(actor=alice, channel_id=secret.id, user_id=bob.id)
    dm = channel_get_or_create_direct(actor=alice, other_user_id=bob.id)
    group = channel_get_or_create_group(actor=alice, user_ids=[bob.id, carol.id])
    return World(
        admin=admin,
        owner=owner,
        alice=alice,
        bob=bob,
        carol=carol,
        dave=dave,
        outsider=outsider,
        team=team,
        other_team=other_team,
        town_square=Channel.objects.get(team=team, name=TOWN_SQUARE),
        lobby=Channel.objects.get(id=lobby.id),
        secret=Channel.objects.get(id=secret.id),
        dm=dm,
        group=group,
    )


def member(user: User, channel: Channel) -> ChannelMember | None:
    """The user's membership as stored now (counters change behind in-memory objects)."""
    return ChannelMember.objects.filter(user=user, channel=channel).first()


def fresh(channel: Channel) -> Channel:
    return Channel.objects.get(id=channel.id)


def say(actor: User, channel: Channel, message: str = "hello", **kwargs) -> Post:
    """Post as `actor` through the one write path every interface uses."""
    return post_create(actor=actor, channel=fresh(channel), message=message, **kwargs)
