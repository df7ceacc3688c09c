"""Payloads of the realtime events about posts, in Mattermost's shapes.

`post` and `mentions` are JSON strings, not objects: mmpy_bot and the other clients
call json.loads on them.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any

from apps.accounts.models import User
from apps.channels.models import CHANNEL_DIRECT, Channel
from apps.files.models import FileInfo
from apps.posts.models import Post, Reaction
from apps.posts.wire import post_to_wire, reaction_to_wire


def _dumps(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def posted_data(
    *,
    post: Post,
    channel: Channel,
    author: User,
    mentioned_user_ids: Iterable[str],
    files: Sequence[FileInfo] = (),
) -> dict[str, Any]:
    display_name = f"@{author.username}" if channel.type == CHANNEL_DIRECT else channel.display_name
    data: dict[str, Any] = {
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
        # Mattermost's flags for clients that show "sent a file" / "sent an image".
        data["otherFile"] = "true"
        if any(info.is_image for info in files):
            data["image"] = "true"
    return data


def post_changed_data(post: Post, *, files: Sequence[FileInfo] = ()) -> dict[str, Any]:
    """Body of `post_edited` and `post_deleted`."""
    return {"post": _dumps(post_to_wire(post, files=files))}


def ephemeral_data(post: Post) -> dict[str, Any]:
    """Body of `ephemeral_message`: a post shown to one user and never stored."""
    return {"post": _dumps(post_to_wire(post))}


def reaction_data(reaction: Reaction) -> dict[str, Any]:
    return {"reaction": _dumps(reaction_to_wire(reaction))}
