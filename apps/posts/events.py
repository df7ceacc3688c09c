"""The realtime events about posts and reactions, in Mattermost's shapes (the catalogue:
apps/realtime/catalogue.py). Each builder fills the payload and chooses the audience.

`post` and `mentions` are JSON strings, not objects: mmpy_bot and the other clients
call json.loads on them.
"""

import json
from collections.abc import Iterable, Sequence
from typing import NotRequired, TypedDict

from apps.accounts.models import User
from apps.channels.models import CHANNEL_DIRECT, Channel
from apps.files.models import FileInfo
from apps.posts.models import Draft, Post, Reaction
from apps.posts.wire import draft_to_wire, post_to_wire, reaction_to_wire
from apps.realtime.catalogue import EventType
from apps.realtime.publish import Broadcast, Event


class PostedData(TypedDict):
    post: str
    channel_type: str
    channel_display_name: str
    channel_name: str
    sender_name: str
    team_id: str
    set_online: bool
    # Each mentioned user receives only their own id (the hub splits it per recipient).
    mentions: NotRequired[str]
    # Mattermost's flags for clients that show "sent a file" / "sent an image".
    otherFile: NotRequired[str]  # Mattermost's wire name
    image: NotRequired[str]


class PostData(TypedDict):
    post: str


class ReactionData(TypedDict):
    reaction: str


class DraftData(TypedDict):
    draft: str


POSTED = EventType("posted", PostedData, per_recipient_mentions=True)
POST_EDITED = EventType("post_edited", PostData)
POST_DELETED = EventType("post_deleted", PostData)
EPHEMERAL_MESSAGE = EventType("ephemeral_message", PostData)
REACTION_ADDED = EventType("reaction_added", ReactionData)
REACTION_REMOVED = EventType("reaction_removed", ReactionData)
DRAFT_CREATED = EventType("draft_created", DraftData)
DRAFT_UPDATED = EventType("draft_updated", DraftData)
DRAFT_DELETED = EventType("draft_deleted", DraftData)


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def posted(
    *,
    post: Post,
    channel: Channel,
    author: User,
    mentioned_user_ids: Iterable[str],
    files: Sequence[FileInfo] = (),
) -> Event:
    """`posted` to the channel's members."""
    display_name = f"@{author.username}" if channel.type == CHANNEL_DIRECT else channel.display_name
    data: PostedData = {
        "post": _dumps(post_to_wire(post, files=files)),
        "channel_type": channel.type,
        "channel_display_name": display_name,
        "channel_name": channel.name,
        "sender_name": "System" if post.is_system else f"@{author.username}",
        "team_id": channel.team_id or "",
        "set_online": not post.is_system,
    }
    mentioned = sorted(mentioned_user_ids)
    if mentioned:
        data["mentions"] = _dumps(mentioned)
    if files:
        data["otherFile"] = "true"
        if any(info.is_image for info in files):
            data["image"] = "true"
    return POSTED.build(data, Broadcast(channel_id=channel.id))


def post_edited(post: Post, *, channel: Channel, files: Sequence[FileInfo] = ()) -> Event:
    """`post_edited` to the channel's members (also sent when a post is pinned)."""
    data: PostData = {"post": _dumps(post_to_wire(post, files=files))}
    return POST_EDITED.build(data, Broadcast(channel_id=channel.id))


def post_deleted(post: Post, *, channel: Channel) -> Event:
    data: PostData = {"post": _dumps(post_to_wire(post))}
    return POST_DELETED.build(data, Broadcast(channel_id=channel.id))


def ephemeral_message(post: Post, *, user_id: str) -> Event:
    """A post shown to one user and never stored."""
    data: PostData = {"post": _dumps(post_to_wire(post))}
    return EPHEMERAL_MESSAGE.build(data, Broadcast(user_id=user_id))


def reaction_added(reaction: Reaction, *, channel: Channel) -> Event:
    data: ReactionData = {"reaction": _dumps(reaction_to_wire(reaction))}
    return REACTION_ADDED.build(data, Broadcast(channel_id=channel.id))


def reaction_removed(reaction: Reaction, *, channel: Channel) -> Event:
    data: ReactionData = {"reaction": _dumps(reaction_to_wire(reaction))}
    return REACTION_REMOVED.build(data, Broadcast(channel_id=channel.id))


# A draft is its author's alone: every draft event goes to that user's sockets only.


def draft_created(draft: Draft) -> Event:
    data: DraftData = {"draft": _dumps(draft_to_wire(draft))}
    return DRAFT_CREATED.build(data, Broadcast(user_id=draft.user_id))


def draft_updated(draft: Draft) -> Event:
    data: DraftData = {"draft": _dumps(draft_to_wire(draft))}
    return DRAFT_UPDATED.build(data, Broadcast(user_id=draft.user_id))


def draft_deleted(draft: Draft) -> Event:
    data: DraftData = {"draft": _dumps(draft_to_wire(draft))}
    return DRAFT_DELETED.build(data, Broadcast(user_id=draft.user_id))
