"""Reads of channels, filtered to what the actor may see."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.models import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    CHANNEL_OPEN,
    CHANNEL_PRIVATE,
    Channel,
    ChannelMember,
)
from apps.channels.permissions import access_channel
from apps.core.errors import NotFound
from apps.posts.selectors import post_list_pinned
from apps.teams.models import Team
from apps.teams.permissions import (
    access_team,
    access_team_by_name,
    check_memberships_of,
    check_team_member,
)


def channel_list_for_user(
    *,
    actor: User,
    user_id: str | None = None,
    team_id: str | None = None,
    include_deleted: bool = False,
) -> QuerySet[Channel]:
    """Channels a user belongs to: those of one team (plus direct and group messages,
    which belong to no team), or all of them. The user is the actor unless a system
    admin asks for someone else.

    Raises:
        PermissionDenied: someone else's channels, asked by a non-admin.
        NotFound: the team is hidden from the actor or the actor is not in it.
    """
    check_active(actor)
    user_id = actor.id if user_id is None else user_id
    check_memberships_of(actor=actor, user_id=user_id)
    qs = Channel.objects.filter(members__user_id=user_id)
    if team_id is not None:
        team, membership = access_team(actor=actor, team_id=team_id)
        check_team_member(actor=actor, team=team, membership=membership)
        qs = qs.filter(Q(team_id=team.id) | Q(type__in=(CHANNEL_DIRECT, CHANNEL_GROUP)))
    if not include_deleted:
        qs = qs.filter(delete_at=0)
    return qs.order_by("display_name", "name")


def channel_list_public(*, actor: User, team_id: str) -> QuerySet[Channel]:
    """Live public channels of a team the actor belongs to (to browse and join)."""
    team, membership = access_team(actor=actor, team_id=team_id)
    check_team_member(actor=actor, team=team, membership=membership)
    return Channel.objects.filter(team=team, type=CHANNEL_OPEN, delete_at=0).order_by(
        "display_name", "id"
    )


def channel_get_by_name(
    *, actor: User, team_id: str | None, name: str, include_deleted: bool = False
) -> Channel:
    """A channel the actor may read, by team and name; archived ones only on request.
    Direct and group channels belong to no team: `team_id=None` finds them by name."""
    channels = Channel.objects.filter(team_id=team_id, name=str(name).lower())
    if not include_deleted:
        channels = channels.filter(delete_at=0)
    channel_id = channels.values_list("id", flat=True).first()
    if channel_id is None:
        raise NotFound("Channel not found.", error_id="app.channel.get.existing.app_error")
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    return channel


def channel_get_by_team_name(
    *, actor: User, team_name: str, name: str, include_deleted: bool = False
) -> Channel:
    """`channel_get_by_name` with the team named by its slug."""
    team, _membership = access_team_by_name(actor=actor, name=team_name)
    return channel_get_by_name(
        actor=actor, team_id=team.id, name=name, include_deleted=include_deleted
    )


def channel_member_list(*, actor: User, channel_id: str) -> QuerySet[ChannelMember]:
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    return (
        ChannelMember.objects.filter(channel=channel)
        .select_related("user")
        .order_by("user__username")
    )


def channel_active_members_online_first(
    *, actor: User, channel_id: str, limit: int
) -> tuple[list[ChannelMember], int]:
    """Up to `limit` of the channel's active members, online ones first, then by username,
    and how many active members it has: a big channel's panel costs one page, not a row
    per member."""
    active = channel_member_list(actor=actor, channel_id=channel_id).filter(user__delete_at=0)
    online_first = Case(
        When(user__status__status="online", then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    rows = list(active.order_by(online_first, "user__username", "user_id")[:limit])
    return rows, active.count()


def channel_member_get(*, actor: User, channel_id: str, user_id: str) -> ChannelMember:
    """One membership of a channel the actor may read."""
    channel, membership = access_channel(actor=actor, channel_id=channel_id)
    if membership is not None and membership.user_id == user_id:
        return membership
    member = ChannelMember.objects.filter(channel=channel, user_id=user_id).first()
    if member is None:
        raise NotFound(
            "That user is not a member of the channel.",
            error_id="app.channel.get_member.missing.app_error",
        )
    return member


def channel_member_list_for_user(
    *, actor: User, user_id: str, team_id: str
) -> QuerySet[ChannelMember]:
    """A user's memberships of one team's channels and of direct and group messages,
    archived channels included (as Mattermost lists them)."""
    check_memberships_of(actor=actor, user_id=user_id)
    team, membership = access_team(actor=actor, team_id=team_id)
    check_team_member(actor=actor, team=team, membership=membership)
    return ChannelMember.objects.filter(
        Q(channel__team_id=team.id) | Q(channel__team__isnull=True), user_id=user_id
    ).order_by("channel_id")


def channel_member_ids(*, channel: Channel) -> list[str]:
    """Ids of the channel's members, for services choosing who hears about a change."""
    return list(ChannelMember.objects.filter(channel=channel).values_list("user_id", flat=True))


def channel_unread(
    *, actor: User, channel_id: str, user_id: str | None = None
) -> dict[str, object]:
    """Unread messages and mentions of a user (the actor unless an admin asks) in one
    channel."""
    if user_id is not None and user_id != actor.id:
        check_memberships_of(actor=actor, user_id=user_id)
    channel, membership = access_channel(actor=actor, channel_id=channel_id)
    if user_id is not None and user_id != actor.id:
        membership = ChannelMember.objects.filter(channel=channel, user_id=user_id).first()
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


def channel_stats(*, actor: User, channel_id: str) -> dict[str, object]:
    """Member and pinned-post counts of a channel the actor may read. Deactivated
    members are not counted (as in Mattermost); Confab has no guests."""
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    return {
        "channel_id": channel.id,
        "member_count": ChannelMember.objects.filter(channel=channel, user__delete_at=0).count(),
        "guest_count": 0,
        "pinnedpost_count": post_list_pinned(actor=actor, channel_id=channel.id).count(),
        "files_count": 0,
    }


# --- search and autocomplete ------------------------------------------------------------------

CHANNEL_SEARCH_LIMIT = 100
CHANNEL_AUTOCOMPLETE_LIMIT = 50


def _team_of_member(*, actor: User, team_id: str) -> Team:
    """A team whose channels the actor may search: members and system admins; for
    anyone else the same NotFound as a hidden team."""
    team, membership = access_team(actor=actor, team_id=team_id)
    check_team_member(actor=actor, team=team, membership=membership)
    return team


def _name_matches(qs: QuerySet[Channel], term: str) -> QuerySet[Channel]:
    """Channels whose name or display name, or a word of either, starts with `term`
    (Mattermost matches words too, through its full-text index)."""
    term = term.strip().lower()
    if not term:
        return qs
    return qs.filter(
        Q(name__startswith=term)
        | Q(name__contains=f"-{term}")
        | Q(name__contains=f"_{term}")
        | Q(display_name__istartswith=term)
        | Q(display_name__icontains=f" {term}")
    )


def _by_display_name(qs: QuerySet[Channel]) -> QuerySet[Channel]:
    return qs.order_by(Lower("display_name"), "name", "id")


def channel_search(
    *, actor: User, team_id: str, term: str, include_deleted: bool = False
) -> list[Channel]:
    """Public channels of a team matching `term`, by display name (at most 100).

    Private channels never appear, not even to their members (Mattermost's search is
    for browsing channels to join); archived ones only with `include_deleted`.
    """
    team = _team_of_member(actor=actor, team_id=team_id)
    qs = Channel.objects.filter(team=team, type=CHANNEL_OPEN)
    if not include_deleted:
        qs = qs.filter(delete_at=0)
    return list(_by_display_name(_name_matches(qs, term))[:CHANNEL_SEARCH_LIMIT])


def channel_autocomplete(*, actor: User, team_id: str, name: str) -> list[Channel]:
    """Live channels of a team starting with `name` that the actor may join or is in:
    its public channels and the actor's own private ones (at most 50). Private channels
    the actor is not in never appear, whoever asks."""
    team = _team_of_member(actor=actor, team_id=team_id)
    mine = ChannelMember.objects.filter(user=actor).values("channel_id")
    qs = Channel.objects.filter(team=team, delete_at=0).filter(
        Q(type=CHANNEL_OPEN) | Q(type=CHANNEL_PRIVATE, id__in=mine)
    )
    return list(_by_display_name(_name_matches(qs, name))[:CHANNEL_AUTOCOMPLETE_LIMIT])


def channel_search_autocomplete(*, actor: User, team_id: str, name: str) -> list[Channel]:
    """Live public and private channels of a team that the actor is in, starting with
    `name` (at most 50), for the channel switcher. Direct and group messages belong to
    no team and never appear."""
    team = _team_of_member(actor=actor, team_id=team_id)
    mine = ChannelMember.objects.filter(user=actor).values("channel_id")
    qs = Channel.objects.filter(
        team=team, delete_at=0, type__in=(CHANNEL_OPEN, CHANNEL_PRIVATE), id__in=mine
    )
    return list(_by_display_name(_name_matches(qs, name))[:CHANNEL_AUTOCOMPLETE_LIMIT])
