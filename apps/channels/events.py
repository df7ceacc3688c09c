"""The realtime events about channels and channel membership (the catalogue:
apps/realtime/catalogue.py). Builders fill each payload and choose its audience."""

from typing import NotRequired, TypedDict

from apps.realtime.catalogue import EventType, HubEffect


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
