"""Channel access rules, in one place for services, selectors and every interface.

Readers: members always; for a public channel also every member of its team and
system admins. Nobody else reads a private channel, a direct or a group message.
Managing a team channel (archive, roles, membership) is open to its managers even when
they are not members: they may act on a private channel without reading it.
"""

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.models import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    CHANNEL_OPEN,
    CHANNEL_PRIVATE,
    TOWN_SQUARE,
    Channel,
    ChannelMember,
)
from apps.core.errors import NotFound
from apps.core.ids import is_valid_id
from apps.teams.models import TeamMember


def channel_membership(*, user: User, channel: Channel) -> ChannelMember | None:
    return ChannelMember.objects.filter(channel=channel, user=user).first()


def _is_team_member(user: User, team_id: str | None) -> bool:
    return (
        team_id is not None
        and TeamMember.objects.filter(team_id=team_id, user=user, delete_at=0).exists()
    )


def can_read_channel(actor: User, channel: Channel, membership: ChannelMember | None) -> bool:
    if not actor.is_active:
        return False
    if membership is not None:
        return True
    if channel.type != CHANNEL_OPEN:
        return False
    return actor.is_system_admin or _is_team_member(actor, channel.team_id)


def access_channel(*, actor: User, channel_id: str) -> tuple[Channel, ChannelMember | None]:
    """Fetch a channel the actor may read, with the actor's membership (or None).

    A missing channel and one the actor may not see raise the same NotFound, so ids
    cannot be probed.
    """
    check_active(actor)
    channel, membership = _channel_and_membership(actor, channel_id)
    if channel is None or not can_read_channel(actor, channel, membership):
        raise _channel_not_found()
    return channel, membership


def _channel_or_none(channel_id: str) -> Channel | None:
    if not is_valid_id(channel_id):
        return None
    return Channel.objects.select_related("team").filter(id=channel_id).first()


def _channel_and_membership(
    actor: User, channel_id: str
) -> tuple[Channel | None, ChannelMember | None]:
    """The channel and the actor's membership of it. Nearly every request comes from a
    member, so the membership is read first with its channel joined in: one round trip
    instead of two on every API call that touches a channel (the hot paths)."""
    if not is_valid_id(channel_id):
        return None, None
    membership = (
        ChannelMember.objects.select_related("channel", "channel__team")
        .filter(channel_id=channel_id, user=actor)
        .first()
    )
    if membership is not None:
        return membership.channel, membership
    return _channel_or_none(channel_id), None


def _channel_not_found() -> NotFound:
    return NotFound("Channel not found.", error_id="app.channel.get.existing.app_error")


def access_channel_to_manage(
    *, actor: User, channel_id: str
) -> tuple[Channel, ChannelMember | None]:
    """Fetch a channel for a management verb: its readers, plus its managers for team
    channels. Reading its posts still needs `access_channel`."""
    check_active(actor)
    channel, membership = _channel_and_membership(actor, channel_id)
    if channel is None or not (
        can_read_channel(actor, channel, membership)
        or (channel.team_id is not None and is_channel_manager(actor, channel, membership))
    ):
        raise _channel_not_found()
    return channel, membership


def is_channel_manager(actor: User, channel: Channel, membership: ChannelMember | None) -> bool:
    """Channel admins, the team's admins and system admins manage a channel."""
    if actor.is_system_admin:
        return True
    if membership is not None and membership.scheme_admin:
        return True
    return (
        channel.team_id is not None
        and TeamMember.objects.filter(
            team_id=channel.team_id, user=actor, delete_at=0, scheme_admin=True
        ).exists()
    )


def can_post_in_channel(actor: User, channel: Channel, membership: ChannelMember | None) -> bool:
    return actor.is_active and membership is not None and not channel.is_archived


def can_edit_channel_properties(
    actor: User, channel: Channel, membership: ChannelMember | None
) -> bool:
    """Members may change header, purpose and name of a live channel (Mattermost default)."""
    if channel.is_archived:
        return False
    return membership is not None or is_channel_manager(actor, channel, membership)


def can_add_channel_members(
    actor: User, channel: Channel, membership: ChannelMember | None
) -> bool:
    if channel.is_archived or channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
        return False
    if channel.type == CHANNEL_PRIVATE:
        # Only members bring people into a private channel: a manager outside it could
        # otherwise add a bot of their own and read through it.
        return membership is not None
    return membership is not None or is_channel_manager(actor, channel, membership)


def can_remove_channel_member(
    actor: User, channel: Channel, membership: ChannelMember | None, target: User
) -> bool:
    if channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP) or channel.name == TOWN_SQUARE:
        return False
    if actor.id == target.id:
        return membership is not None
    return is_channel_manager(actor, channel, membership)


def can_archive_channel(actor: User, channel: Channel, membership: ChannelMember | None) -> bool:
    if channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP) or channel.name == TOWN_SQUARE:
        return False
    return is_channel_manager(actor, channel, membership)
