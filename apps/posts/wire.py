"""Posts and reactions in Mattermost's wire format, serialized once for every reader."""

import base64
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from apps.files.models import FileInfo
from apps.files.selectors import file_infos_by_post
from apps.files.wire import file_info_to_wire
from apps.posts.actions import without_integrations
from apps.posts.models import Draft, Post, PostEdit, Reaction

# Mattermost's id alphabet for standard base32 output (as in apps.core.ids).
_B32_TO_MATTERMOST = str.maketrans(
    "abcdefghijklmnopqrstuvwxyz234567", "ybndrfg8ejkmcpqxot1uwisza345h769"
)


def post_to_wire(post: Post, *, files: Sequence[FileInfo] = ()) -> dict[str, Any]:
    """One post; `files` are its attachments (see `posts_to_wire` for loading them)."""
    metadata: dict[str, Any] = {}
    if files:
        metadata["files"] = [file_info_to_wire(info) for info in files]
    data: dict[str, Any] = {
        "id": post.id,
        "create_at": post.create_at,
        "update_at": post.update_at,
        "edit_at": post.edit_at,
        "delete_at": post.delete_at,
        "is_pinned": post.is_pinned,
        "user_id": post.user_id,
        "channel_id": post.channel_id,
        "root_id": post.root_id or "",
        "original_id": post.original_id,
        "message": post.message,
        "type": post.type,
        "props": without_integrations(post.props),
        "hashtags": post.hashtags,
        "file_ids": post.file_ids,
        "pending_post_id": post.pending_post_id,
        "reply_count": post.reply_count,
        "last_reply_at": post.last_reply_at,
        "participants": None,
        "metadata": metadata,
    }
    if post.has_reactions:
        data["has_reactions"] = True
    if post.delete_at:
        # Clients only need to learn that it is gone; the words stay with retention.
        data.update(message="", props={}, hashtags="", file_ids=[], metadata={})
    return data


def posts_to_wire(posts: Iterable[Post]) -> list[dict[str, Any]]:
    """Posts the caller may read, with their files loaded in one query for the list."""
    posts = list(posts)
    files = file_infos_by_post(posts)
    return [post_to_wire(post, files=files.get(post.id, ())) for post in posts]


def post_list_to_wire(
    posts: Sequence[Post],
    *,
    extra: Sequence[Post] = (),
    next_post_id: str = "",
    prev_post_id: str = "",
    has_next: bool = False,
) -> dict[str, Any]:
    """A PostList: `order` lists `posts` as given; `extra` posts (thread roots shown for
    context) are in the `posts` map but not in `order`."""
    listed = list(posts)
    shown = {post.id: post for post in (*extra, *listed)}
    return {
        "order": [post.id for post in listed],
        "posts": {data["id"]: data for data in posts_to_wire(shown.values())},
        "next_post_id": next_post_id,
        "prev_post_id": prev_post_id,
        "has_next": has_next,
        "first_inaccessible_post_time": 0,
    }


def post_version_to_wire(version: PostEdit) -> dict[str, Any]:
    """An earlier version of a post for the edit history: the post as it read then.

    Its id is derived from the post and the version, stable across requests;
    `original_id` names the current post, as in Mattermost.
    """
    post = version.post
    data = post_to_wire(post)
    data.update(
        {
            "id": _version_id(post.id, version.id),
            "original_id": post.id,
            "message": version.message,
            "props": without_integrations(version.props),
            "file_ids": version.file_ids,
            "edit_at": version.create_at if version.create_at != post.create_at else 0,
            "update_at": version.replaced_at,
            "is_pinned": False,
        }
    )
    data.pop("has_reactions", None)
    return data


def _version_id(post_id: str, version_id: int) -> str:
    digest = hashlib.blake2b(f"{post_id}:{version_id}".encode(), digest_size=16).digest()
    encoded = base64.b32encode(digest).decode("ascii").rstrip("=").lower()
    return encoded.translate(_B32_TO_MATTERMOST)


def reaction_to_wire(reaction: Reaction) -> dict[str, Any]:
    return {
        "user_id": reaction.user_id,
        "post_id": reaction.post_id,
        "emoji_name": reaction.emoji_name,
        "create_at": reaction.create_at,
        "update_at": reaction.update_at,
        "delete_at": 0,
        "remote_id": None,
        "channel_id": reaction.channel_id,
    }


def draft_to_wire(draft: Draft) -> dict[str, Any]:
    """A draft as Mattermost sends it (`delete_at` is always 0: a deleted draft is gone)."""
    return {
        "create_at": draft.create_at,
        "update_at": draft.update_at,
        "delete_at": 0,
        "user_id": draft.user_id,
        "channel_id": draft.channel_id,
        "root_id": draft.root_id,
        "message": draft.message,
        "props": draft.props,
        "file_ids": draft.file_ids,
    }
