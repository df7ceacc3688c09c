"""Posts and reactions in Mattermost's wire format, serialized once for every reader."""

from typing import Any

from apps.posts.models import Post, Reaction


def post_to_wire(post: Post) -> dict[str, Any]:
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
        "props": post.props,
        "hashtags": post.hashtags,
        "file_ids": post.file_ids,
        "pending_post_id": post.pending_post_id,
        "reply_count": post.reply_count,
        "last_reply_at": post.last_reply_at,
        "participants": None,
        "metadata": {},
    }
    if post.has_reactions:
        data["has_reactions"] = True
    return data


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
