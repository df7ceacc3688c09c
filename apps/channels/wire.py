"""Channels and channel members in Mattermost's wire format."""

from typing import Any

from apps.channels.models import Channel, ChannelMember


def channel_to_wire(channel: Channel) -> dict[str, Any]:
    return {
        "id": channel.id,
        "create_at": channel.create_at,
        "update_at": channel.update_at,
        "delete_at": channel.delete_at,
        "team_id": channel.team_id or "",
        "type": channel.type,
        "display_name": channel.display_name,
        "name": channel.name,
        "header": channel.header,
        "purpose": channel.purpose,
        "last_post_at": channel.last_post_at,
        "last_root_post_at": channel.last_root_post_at,
        "total_msg_count": channel.total_msg_count,
        "total_msg_count_root": channel.total_msg_count_root,
        "extra_update_at": 0,
        "creator_id": channel.creator_id or "",
        "scheme_id": None,
        "policy_id": None,
        "props": channel.props or None,
        "group_constrained": None,
        "shared": None,
    }


def channel_member_to_wire(member: ChannelMember) -> dict[str, Any]:
    return {
        "channel_id": member.channel_id,
        "user_id": member.user_id,
        "roles": member.roles,
        "last_viewed_at": member.last_viewed_at,
        "msg_count": member.msg_count,
        "msg_count_root": member.msg_count_root,
        "mention_count": member.mention_count,
        "mention_count_root": member.mention_count_root,
        "urgent_mention_count": member.urgent_mention_count,
        "notify_props": member.notify_props,
        "last_update_at": member.last_update_at,
        "scheme_guest": False,
        "scheme_user": True,
        "scheme_admin": member.scheme_admin,
        "explicit_roles": "",
    }
