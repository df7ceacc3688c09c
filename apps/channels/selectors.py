"""Reads of channels, filtered to what the actor may see."""

from django.db.models import QuerySet

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.models import CHANNEL_DIRECT, CHANNEL_GROUP, CHANNEL_OPEN, Channel, ChannelMember
from apps.channels.permissions import access_channel
from apps.core.errors import NotFound
from apps.teams.permissions import access_team


def channel_list_for_user(
    *, actor: User, team_id: str | None = None, include_deleted: bool = False
) -> QuerySet[Channel]:
    """Channels the actor belongs to: those of one team (plus direct and group
    messages, which belong to no team), or all of them."""
    check_active(actor)
    qs = Channel.objects.filter(members__user=actor)
    if team_id is not None:
        access_team(actor=actor, team_id=team_id)
        qs = qs.filter(team_id=team_id) | qs.filter(type__in=(CHANNEL_DIRECT, CHANNEL_GROUP))
    if not include_deleted:
        qs = qs.filter(delete_at=0)
    return qs.order_by("display_name", "name")


def channel_list_public(*, actor: User, team_id: str) -> QuerySet[Channel]:
    """Live public channels of a team the actor belongs to (to browse and join)."""
    team, membership = access_team(actor=actor, team_id=team_id)
    if membership is None and not actor.is_system_admin:
        raise NotFound("Team not found.", error_id="app.team.get.find.app_error")
    return Channel.objects.filter(team=team, type=CHANNEL_OPEN, delete_at=0).order_by(
        "display_name"
    )


def channel_get_by_name(*, actor: User, team_id: str, name: str) -> Channel:
    channel = Channel.objects.filter(team_id=team_id, name=str(name).lower()).first()
    if channel is None:
        raise NotFound("Channel not found.", error_id="app.channel.get.existing.app_error")
    channel, _membership = access_channel(actor=actor, channel_id=channel.id)
    return channel


def channel_member_list(*, actor: User, channel_id: str) -> QuerySet[ChannelMember]:
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    return (
        ChannelMember.objects.filter(channel=channel)
        .select_related("user")
        .order_by("user__username")
    )


def channel_member_ids(*, channel: Channel) -> list[str]:
    """Ids of the channel's members, for services choosing who hears about a change."""
    return list(ChannelMember.objects.filter(channel=channel).values_list("user_id", flat=True))


def channel_unread(*, actor: User, channel_id: str) -> dict[str, object]:
    """Unread messages and mentions of the actor in one channel."""
    channel, membership = access_channel(actor=actor, channel_id=channel_id)
    if membership is None:
        raise NotFound("You are not a member of that channel.")
    return {
        "team_id": channel.team_id or "",
        "channel_id": channel.id,
        "msg_count": max(channel.total_msg_count - membership.msg_count, 0),
        "msg_count_root": max(channel.total_msg_count_root - membership.msg_count_root, 0),
        "mention_count": membership.mention_count,
        "mention_count_root": membership.mention_count_root,
        "urgent_mention_count": membership.urgent_mention_count,
        "last_viewed_at": membership.last_viewed_at,
        "notify_props": membership.notify_props,
    }
