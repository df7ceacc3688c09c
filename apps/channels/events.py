"""The realtime events about channels and channel membership (the catalogue:
apps/realtime/catalogue.py). Builders fill each payload and choose its audience."""

from collections.abc import Sequence
from typing import NotRequired, TypedDict

from apps.accounts.models import User
from apps.channels.models import Channel, ChannelMember
from apps.channels.wire import channel_to_wire
from apps.realtime.catalogue import EventType, HubEffect
from apps.realtime.events import dumps
from apps.realtime.publish import Broadcast, Event


class ChannelUpdatedData(TypedDict):
    channel_id: str
    # The channel, as a JSON string: Mattermost clients json-decode it.
    channel: str


class UserAddedData(TypedDict):
    user_id: str
    team_id: str
    channel_id: str


class UserRemovedData(TypedDict):
    channel_id: str
    remover_id: str
    # Absent in the copy addressed to the removed user (Mattermost's shape).
    user_id: NotRequired[str]


class ChannelCreatedData(TypedDict):
    channel_id: str
    team_id: str


class DirectAddedData(TypedDict):
    creator_id: str
    teammate_id: str
    channel_id: str


class GroupAddedData(TypedDict):
    # A JSON string of user ids (Mattermost's model.ArrayToJSON).
    teammate_ids: str
    channel_id: str


class ChannelMemberUpdatedData(TypedDict):
    channel_id: str
    user_id: str
    roles: str


class ChannelDeletedData(TypedDict):
    channel_id: str
    team_id: str
    delete_at: int


class ChannelRestoredData(TypedDict):
    channel_id: str
    team_id: str


class ChannelViewedData(TypedDict):
    channel_id: str


CHANNEL_UPDATED = EventType("channel_updated", ChannelUpdatedData)
USER_ADDED = EventType("user_added", UserAddedData, HubEffect.CHANNEL_JOINED)
USER_REMOVED = EventType("user_removed", UserRemovedData, HubEffect.CHANNEL_LEFT)
CHANNEL_CREATED = EventType("channel_created", ChannelCreatedData)
DIRECT_ADDED = EventType("direct_added", DirectAddedData, HubEffect.DIRECT_JOINED)
GROUP_ADDED = EventType("group_added", GroupAddedData, HubEffect.DIRECT_JOINED)
CHANNEL_MEMBER_UPDATED = EventType("channel_member_updated", ChannelMemberUpdatedData)
CHANNEL_DELETED = EventType("channel_deleted", ChannelDeletedData)
CHANNEL_RESTORED = EventType("channel_restored", ChannelRestoredData)
CHANNEL_VIEWED = EventType("channel_viewed", ChannelViewedData)


# --- builders ------------------------------------------------------------------------------


def channel_updated(channel: Channel) -> Event:
    """The channel's new properties, to its members."""
    data: ChannelUpdatedData = {
        "channel_id": channel.id,
        "channel": dumps(channel_to_wire(channel)),
    }
    return CHANNEL_UPDATED.build(data, Broadcast(channel_id=channel.id))


def user_added(*, channel: Channel, user: User) -> Event:
    """A new member, to the channel's members (the newcomer included: the hub adds them
    before delivering)."""
    data: UserAddedData = {
        "user_id": user.id,
        "team_id": channel.team_id or "",
        "channel_id": channel.id,
    }
    return USER_ADDED.build(data, Broadcast(channel_id=channel.id))


def user_removed(*, channel_id: str, user_id: str, remover_id: str) -> list[Event]:
    """A member gone, to the channel and to the removed user: the hub drops them from the
    channel before delivering the channel's copy, so only their own copy reaches them."""
    data: UserRemovedData = {"user_id": user_id, "channel_id": channel_id, "remover_id": remover_id}
    return [
        USER_REMOVED.build(data, Broadcast(channel_id=channel_id)),
        USER_REMOVED.build(data, Broadcast(user_id=user_id)),
    ]


def channel_created(channel: Channel, *, creator_id: str) -> Event:
    """A new public or private channel, to its creator's other sessions."""
    data: ChannelCreatedData = {"channel_id": channel.id, "team_id": channel.team_id or ""}
    return CHANNEL_CREATED.build(data, Broadcast(user_id=creator_id))


def direct_added(*, channel: Channel, creator_id: str, members: Sequence[User]) -> list[Event]:
    """A new direct channel, to each of its one or two members, naming the other (a
    self-DM names its one member)."""
    built = []
    for user in members:
        teammate = next((m for m in members if m.id != user.id), user)
        data: DirectAddedData = {
            "creator_id": creator_id,
            "teammate_id": teammate.id,
            "channel_id": channel.id,
        }
        built.append(DIRECT_ADDED.build(data, Broadcast(user_id=user.id)))
    return built


def group_added(*, channel: Channel, members: Sequence[User]) -> list[Event]:
    """A new group channel, to each member, naming the others."""
    built = []
    for user in members:
        data: GroupAddedData = {
            "teammate_ids": dumps([m.id for m in members if m.id != user.id]),
            "channel_id": channel.id,
        }
        built.append(GROUP_ADDED.build(data, Broadcast(user_id=user.id)))
    return built


def channel_member_updated(member: ChannelMember) -> Event:
    """A member's new roles, to that member."""
    data: ChannelMemberUpdatedData = {
        "channel_id": member.channel_id,
        "user_id": member.user_id,
        "roles": member.roles,
    }
    return CHANNEL_MEMBER_UPDATED.build(data, Broadcast(user_id=member.user_id))


def channel_deleted(channel: Channel) -> Event:
    """An archived channel, to its members."""
    data: ChannelDeletedData = {
        "channel_id": channel.id,
        "team_id": channel.team_id or "",
        "delete_at": channel.delete_at,
    }
    return CHANNEL_DELETED.build(data, Broadcast(channel_id=channel.id))


def channel_restored(channel: Channel) -> Event:
    """An unarchived channel, to its members."""
    data: ChannelRestoredData = {"channel_id": channel.id, "team_id": channel.team_id or ""}
    return CHANNEL_RESTORED.build(data, Broadcast(channel_id=channel.id))


def channel_viewed(*, channel_id: str, user_id: str) -> Event:
    """A channel read, to the reader's other sessions (they clear its unread mark)."""
    data: ChannelViewedData = {"channel_id": channel_id}
    return CHANNEL_VIEWED.build(data, Broadcast(user_id=user_id))
