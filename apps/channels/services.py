"""Writes to channels: create, direct/group messages, membership, properties,
archiving and read state."""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels import events
from apps.channels.models import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    CHANNEL_OPEN,
    CHANNEL_PRIVATE,
    OFF_TOPIC,
    TOWN_SQUARE,
    Channel,
    ChannelMember,
    default_member_notify_props,
)
from apps.channels.permissions import (
    access_channel,
    access_channel_to_manage,
    can_add_channel_members,
    can_archive_channel,
    can_edit_channel_properties,
    can_remove_channel_member,
    channel_membership,
    is_channel_manager,
)
from apps.channels.validators import (
    DISPLAY_NAME_MAX,
    HEADER_MAX,
    PURPOSE_MAX,
    clean_channel_name,
    clean_text,
)
from apps.core.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from apps.core.ids import is_valid_id
from apps.core.timeutils import now_ms
from apps.posts import models as post_types
from apps.posts.services import post_create_system
from apps.realtime.publish import publish_event
from apps.teams.models import Team, TeamMember
from apps.teams.permissions import team_membership


def _add_member(*, channel: Channel, user: User, admin: bool = False) -> tuple[ChannelMember, bool]:
    """Insert a membership that starts with nothing unread (as Mattermost does)."""
    member, created = ChannelMember.objects.get_or_create(
        channel=channel,
        user=user,
        defaults={
            "scheme_admin": admin,
            "msg_count": channel.total_msg_count,
            "msg_count_root": channel.total_msg_count_root,
            "last_viewed_at": now_ms(),
        },
    )
    if created:
        publish_event(events.user_added(channel=channel, user=user))
    return member, created


def _require_team_member(user: User, team: Team | None) -> TeamMember:
    """The user's membership of the channel's team; a channel without a team (direct or
    group) has no members to find, so it is refused like a team the user is not in."""
    member = team_membership(user=user, team=team) if team is not None else None
    if member is None:
        raise PermissionDenied(f"@{user.username} is not a member of this team.")
    return member


# --- create ----------------------------------------------------------------------------------


@transaction.atomic
def channel_create(
    *,
    actor: User,
    team: Team,
    name: str,
    display_name: str,
    channel_type: str = CHANNEL_OPEN,
    purpose: str = "",
    header: str = "",
) -> Channel:
    """Create a public or private channel in a team; the creator becomes its admin."""
    check_active(actor)
    if team.delete_at:
        raise NotFound("Team not found.", error_id="app.team.get.find.app_error")
    if not actor.is_system_admin:
        _require_team_member(actor, team)
    if channel_type not in (CHANNEL_OPEN, CHANNEL_PRIVATE):
        raise InvalidInput("Channel type must be 'O' (public) or 'P' (private).")
    clean_name = clean_channel_name(name)
    channel = Channel(
        team=team,
        type=channel_type,
        name=clean_name,
        display_name=clean_text(
            display_name, field="Display name", limit=DISPLAY_NAME_MAX, required=True
        ),
        purpose=clean_text(purpose, field="Purpose", limit=PURPOSE_MAX),
        header=clean_text(header, field="Header", limit=HEADER_MAX),
        creator=actor,
    )
    _insert_unique_channel(channel)
    if team_membership(user=actor, team=team) is not None:
        _add_member(channel=channel, user=actor, admin=True)
    publish_event(events.channel_created(channel, creator_id=actor.id))
    return channel


def _insert_unique_channel(channel: Channel) -> None:
    if Channel.objects.filter(team=channel.team, name=channel.name).exists():
        raise AlreadyExists(
            f"A channel named '{channel.name}' already exists in this team.",
            error_id="store.sql_channel.save_channel.exists.app_error",
        )
    try:
        with transaction.atomic():
            channel.save(force_insert=True)
    except IntegrityError as exc:
        raise AlreadyExists(
            f"A channel named '{channel.name}' already exists in this team.",
            error_id="store.sql_channel.save_channel.exists.app_error",
        ) from exc


def channel_create_defaults(*, team: Team, creator: User) -> list[Channel]:
    """Town Square and Off-Topic, made with every team. Caller holds the transaction."""
    made = []
    for name, display_name in ((TOWN_SQUARE, "Town Square"), (OFF_TOPIC, "Off-Topic")):
        channel = Channel(
            team=team, type=CHANNEL_OPEN, name=name, display_name=display_name, creator=creator
        )
        channel.save(force_insert=True)
        made.append(channel)
    return made


def channel_join_defaults(*, team: Team, user: User) -> None:
    """Put a new team member in the default channels and say so in Town Square."""
    defaults = Channel.objects.filter(team=team, name__in=(TOWN_SQUARE, OFF_TOPIC), delete_at=0)
    for channel in defaults:
        _member, created = _add_member(channel=channel, user=user)
        if created and channel.name == TOWN_SQUARE:
            post_create_system(
                actor=user,
                channel=channel,
                post_type=post_types.POST_TYPE_JOIN_TEAM,
                message=f"@{user.username} joined the team.",
            )


def _direct_channel_name(user_a: str, user_b: str) -> str:
    return "__".join(sorted((user_a, user_b)))


def _found_or_created(channel: Channel, members: Iterable[User]) -> tuple[Channel, bool]:
    """Insert a teamless channel unless one with its name exists; never a duplicate."""
    existing = Channel.objects.filter(team__isnull=True, name=channel.name).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            channel.save(force_insert=True)
            for user in members:
                ChannelMember.objects.create(channel=channel, user=user, last_viewed_at=now_ms())
    except IntegrityError:
        # Another request created it between our check and insert.
        return Channel.objects.get(team__isnull=True, name=channel.name), False
    return channel, True


@transaction.atomic
def channel_get_or_create_direct(*, actor: User, other_user_id: str) -> Channel:
    """The direct channel between the actor and another user (or themselves)."""
    check_active(actor)
    other = User.objects.filter(id=other_user_id).first() if is_valid_id(other_user_id) else None
    if other is None:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    return _direct_between(creator=actor, first=actor, second=other)


@transaction.atomic
def channel_get_or_create_direct_between(*, actor: User, user_ids: object) -> Channel:
    """The direct channel of the two users named, as `POST /channels/direct` names them.

    One of them must be the actor, unless the actor is a system admin. The same id twice
    (or the actor's id alone) is the actor's channel with themselves.

    Raises:
        InvalidInput: not a list of exactly two valid ids.
        PermissionDenied: neither user is the actor and the actor is no system admin.
        NotFound: a user does not exist.
    """
    check_active(actor)
    if not isinstance(user_ids, list) or not all(isinstance(u, str) for u in user_ids):
        raise InvalidInput(
            "Send a list of two user ids.", error_id="api.context.invalid_body_param.app_error"
        )
    ids = list(dict.fromkeys(user_ids))
    if ids == [actor.id]:
        ids = [actor.id, actor.id]
    if len(ids) != 2 or not all(is_valid_id(u) for u in ids):
        raise InvalidInput(
            "A direct channel is between exactly two users.",
            error_id="api.context.invalid_param.app_error",
        )
    if actor.id in ids:
        other_id = ids[1] if ids[0] == actor.id else ids[0]
        return channel_get_or_create_direct(actor=actor, other_user_id=other_id)
    if not actor.is_system_admin:
        raise PermissionDenied("Only system admins may start a conversation between others.")
    users = {u.id: u for u in User.objects.filter(id__in=ids)}
    if len(users) != 2:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    return _direct_between(creator=actor, first=users[ids[0]], second=users[ids[1]])


def _direct_between(*, creator: User, first: User, second: User) -> Channel:
    """Find or make the direct channel of two users (one user for a self-DM)."""
    name = _direct_channel_name(first.id, second.id)
    existing = Channel.objects.filter(team__isnull=True, name=name).first()
    if existing is not None:
        return existing
    if not first.is_active or not second.is_active:
        raise PermissionDenied("You cannot start a conversation with a deactivated user.")
    members = [first] if first.id == second.id else [first, second]
    channel, created = _found_or_created(
        Channel(type=CHANNEL_DIRECT, name=name, display_name="", creator=None), members
    )
    if created:
        for event in events.direct_added(channel=channel, creator_id=creator.id, members=members):
            publish_event(event)
    return channel


@transaction.atomic
def channel_get_or_create_group(*, actor: User, user_ids: list[str]) -> Channel:
    """The group channel of exactly these 3-8 people (the actor is always included)."""
    check_active(actor)
    if not isinstance(user_ids, list) or not all(is_valid_id(u) for u in user_ids):
        raise InvalidInput("Send a list of user ids.")
    ids = sorted(set(user_ids) | {actor.id})
    limit = settings.CONFAB_GROUP_MESSAGE_MAX_USERS
    if not 3 <= len(ids) <= limit:
        raise InvalidInput(f"A group message has 3 to {limit} people, you included.")
    users = list(User.objects.filter(id__in=ids).order_by("username"))
    if len(users) != len(ids):
        raise NotFound(
            "Some of those users do not exist.", error_id="app.user.missing_account.const"
        )
    name = hashlib.sha1("".join(ids).encode("ascii"), usedforsecurity=False).hexdigest()
    existing = Channel.objects.filter(team__isnull=True, name=name).first()
    if existing is not None:
        return existing
    if any(not u.is_active for u in users):
        raise PermissionDenied("You cannot start a conversation with a deactivated user.")
    channel, created = _found_or_created(
        Channel(
            type=CHANNEL_GROUP,
            name=name,
            display_name=", ".join(u.username for u in users)[:DISPLAY_NAME_MAX],
            creator=None,
        ),
        users,
    )
    if created:
        for event in events.group_added(channel=channel, members=users):
            publish_event(event)
    return channel


# --- membership --------------------------------------------------------------------------


@transaction.atomic
def channel_join(*, actor: User, channel_id: str) -> ChannelMember:
    """Join a public channel of one of your teams."""
    channel, membership = access_channel(actor=actor, channel_id=channel_id)
    if membership is not None:
        return membership
    if channel.type != CHANNEL_OPEN:
        raise PermissionDenied("Private channels are joined by invitation only.")
    if channel.is_archived:
        raise PermissionDenied("The channel is archived.")
    _require_team_member(actor, channel.team)
    member, _created = _add_member(channel=channel, user=actor)
    post_create_system(
        actor=actor,
        channel=channel,
        post_type=post_types.POST_TYPE_JOIN_CHANNEL,
        message=f"@{actor.username} joined the channel.",
    )
    return member


@transaction.atomic
def channel_member_add(*, actor: User, channel_id: str, user_id: str) -> ChannelMember:
    """Add another team member to a public or private channel; adding yourself joins it."""
    channel, membership = access_channel_to_manage(actor=actor, channel_id=channel_id)
    # Adding yourself is joining (Mattermost's POST /channels/{id}/members with your own
    # id), which needs no right to add others; channel_join applies the joining rules.
    if user_id == actor.id and membership is None:
        return channel_join(actor=actor, channel_id=channel.id)
    if not can_add_channel_members(actor, channel, membership):
        raise PermissionDenied("You cannot add people to this channel.")
    user = User.objects.filter(id=user_id).first() if is_valid_id(user_id) else None
    if user is None:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    if not user.is_active:
        raise PermissionDenied("A deactivated user cannot be added.")
    _require_team_member(user, channel.team)
    existing = channel_membership(user=user, channel=channel)
    if existing is not None:
        return existing
    member, _created = _add_member(channel=channel, user=user)
    post_create_system(
        actor=actor,
        channel=channel,
        post_type=post_types.POST_TYPE_ADD_TO_CHANNEL,
        message=f"@{user.username} added to the channel by @{actor.username}.",
        props={"addedUsername": user.username, "addedUserId": user.id},
    )
    return member


@transaction.atomic
def channel_member_remove(*, actor: User, channel_id: str, user_id: str) -> None:
    """Leave a channel, or (as its admin) remove someone from it."""
    channel, membership = access_channel_to_manage(actor=actor, channel_id=channel_id)
    target = actor if user_id == actor.id else User.objects.filter(id=user_id).first()
    if target is None:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    if not can_remove_channel_member(actor, channel, membership, target):
        if channel.name == TOWN_SQUARE:
            raise PermissionDenied("Nobody leaves Town Square; leave the team instead.")
        raise PermissionDenied("You cannot remove people from this channel.")
    # Channel row first, then member rows: the order post_create uses.
    Channel.objects.lock_rows([channel.id])
    deleted, _ = ChannelMember.objects.filter(channel=channel, user=target).delete()
    if not deleted:
        raise NotFound("That user is not a member of the channel.")
    if target.id == actor.id:
        post_type, message = (
            post_types.POST_TYPE_LEAVE_CHANNEL,
            f"@{actor.username} left the channel.",
        )
    else:
        post_type = post_types.POST_TYPE_REMOVE_FROM_CHANNEL
        message = f"@{target.username} was removed from the channel."
    if not channel.is_archived:
        post_create_system(
            actor=actor,
            channel=channel,
            post_type=post_type,
            message=message,
            props={"removedUsername": target.username},
        )
    _announce_removed(actor=actor, user=target, channel_ids=[channel.id])


def channel_memberships_end_for_team_leave(*, actor: User, team: Team, user: User) -> list[str]:
    """Take `user` out of every channel of `team` they leave with it (teams' services
    call this when a membership ends) and announce each; returns the channels' ids.
    Caller holds the transaction.

    Channel rows are locked first, then member rows are deleted: the order post_create
    and channel_member_remove use, so these never deadlock.
    """
    memberships = ChannelMember.objects.filter(channel__team=team, user=user)
    channel_ids = list(memberships.values_list("channel_id", flat=True))
    Channel.objects.lock_rows(channel_ids)
    memberships.delete()
    _announce_removed(actor=actor, user=user, channel_ids=channel_ids)
    return channel_ids


def _announce_removed(*, actor: User, user: User, channel_ids: Iterable[str]) -> None:
    for channel_id in channel_ids:
        for event in events.user_removed(
            channel_id=channel_id, user_id=user.id, remover_id=actor.id
        ):
            publish_event(event)


@transaction.atomic
def channel_member_set_admin(
    *, actor: User, channel_id: str, user_id: str, admin: bool
) -> ChannelMember:
    """Grant or revoke the channel admin role; only channel managers may."""
    channel, membership = access_channel_to_manage(actor=actor, channel_id=channel_id)
    if channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
        raise InvalidInput("Direct and group messages have no channel admins.")
    if not is_channel_manager(actor, channel, membership):
        raise PermissionDenied("Only channel admins can change channel roles.")
    member = ChannelMember.objects.filter(channel=channel, user_id=user_id).first()
    if member is None:
        raise NotFound("That user is not a member of the channel.")
    if member.scheme_admin != admin:
        member.scheme_admin = admin
        member.last_update_at = now_ms()
        member.save(update_fields=["scheme_admin", "last_update_at"])
        publish_event(events.channel_member_updated(member))
    return member


NOTIFY_PROP_VALUES = {
    "desktop": ("default", "all", "mention", "none"),
    "push": ("default", "all", "mention", "none"),
    "email": ("default", "all", "mention", "none"),
    "mark_unread": ("all", "mention"),
    "ignore_channel_mentions": ("default", "off", "on"),
    "channel_auto_follow_threads": ("off", "on"),
}


@transaction.atomic
def channel_member_update_notify_props(
    *, actor: User, channel_id: str, props: dict[str, str]
) -> ChannelMember:
    """Change the actor's own notification settings for a channel (mute is
    `mark_unread: mention`)."""
    _channel, membership = access_channel(actor=actor, channel_id=channel_id)
    if membership is None:
        raise PermissionDenied("Join the channel first.")
    if not isinstance(props, dict):
        raise InvalidInput("Notification settings must be an object.")
    for key, value in props.items():
        if key not in NOTIFY_PROP_VALUES or value not in NOTIFY_PROP_VALUES[key]:
            raise InvalidInput(f"Invalid notification setting {key}={value!r}.")
    membership.notify_props = {**default_member_notify_props(), **membership.notify_props, **props}
    membership.last_update_at = now_ms()
    membership.save(update_fields=["notify_props", "last_update_at"])
    return membership


def channel_set_muted(*, actor: User, channel_id: str, muted: bool) -> ChannelMember:
    return channel_member_update_notify_props(
        actor=actor,
        channel_id=channel_id,
        props={"mark_unread": "mention" if muted else "all"},
    )


# --- properties and archiving -----------------------------------------------------------


@transaction.atomic
def channel_update(*, actor: User, channel_id: str, patch: dict[str, Any]) -> Channel:
    """Change display name, header or purpose; each change leaves a system message.

    `name` and `type` may be given only with their current values (no renames).
    """
    channel, membership = access_channel(actor=actor, channel_id=channel_id)
    if not can_edit_channel_properties(actor, channel, membership):
        raise PermissionDenied("You cannot change this channel.")
    patch = dict(patch)
    # Renaming and changing the type are not supported; a full-channel PUT repeats the
    # current values, which is no change.
    if "name" in patch and patch.pop("name") != channel.name:
        raise InvalidInput(
            "Channels cannot be renamed; change the display name instead.",
            error_id="api.channel.update_channel.name.app_error",
        )
    if "type" in patch and patch.pop("type") != channel.type:
        raise InvalidInput(
            "A channel's type cannot be changed here.",
            error_id="api.channel.update_channel.typechange.app_error",
        )
    unknown = set(patch) - {"display_name", "header", "purpose"}
    if unknown:
        raise InvalidInput(f"Unknown channel fields: {', '.join(sorted(unknown))}.")
    teamless = channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP)
    if teamless and any(
        patch[f] != getattr(channel, f) for f in ("display_name", "purpose") if f in patch
    ):
        raise InvalidInput(
            "Direct and group messages only have a header.",
            error_id="api.channel.update_channel.update_direct_or_group_messages_not_allowed.app_error",
        )
    patch = {f: v for f, v in patch.items() if not (teamless and f != "header")}
    changes: list[tuple[str, str, str, str]] = []
    limits = {"display_name": DISPLAY_NAME_MAX, "header": HEADER_MAX, "purpose": PURPOSE_MAX}
    labels = {"display_name": "Display name", "header": "Header", "purpose": "Purpose"}
    types = {
        "display_name": post_types.POST_TYPE_DISPLAYNAME_CHANGE,
        "header": post_types.POST_TYPE_HEADER_CHANGE,
        "purpose": post_types.POST_TYPE_PURPOSE_CHANGE,
    }
    for field, raw in patch.items():
        value = clean_text(
            raw, field=labels[field], limit=limits[field], required=field == "display_name"
        )
        old = getattr(channel, field)
        if value != old:
            changes.append((field, old, value, types[field]))
            setattr(channel, field, value)
    if not changes:
        return channel
    channel.update_at = now_ms()
    channel.save(update_fields=[c[0] for c in changes] + ["update_at"])
    for field, old, new, post_type in changes:
        what = labels[field].lower()
        message = (
            f"@{actor.username} updated the channel {what} to: {new}"
            if new
            else f"@{actor.username} removed the channel {what} (was: {old})"
        )
        post_create_system(
            actor=actor,
            channel=channel,
            post_type=post_type,
            message=message,
            props={f"old_{field}": old, f"new_{field}": new},
        )
    publish_event(events.channel_updated(channel))
    return channel


@transaction.atomic
def channel_archive(*, actor: User, channel_id: str) -> Channel:
    """Archive a channel: read-only from now on, hidden from lists."""
    channel, membership = access_channel_to_manage(actor=actor, channel_id=channel_id)
    if not can_archive_channel(actor, channel, membership):
        if channel.name == TOWN_SQUARE:
            raise InvalidInput("Town Square cannot be archived.")
        raise PermissionDenied("Only channel admins can archive this channel.")
    if channel.is_archived:
        return channel
    post_create_system(
        actor=actor,
        channel=channel,
        post_type=post_types.POST_TYPE_CHANNEL_DELETED,
        message=f"@{actor.username} archived the channel.",
    )
    channel.delete_at = channel.update_at = now_ms()
    channel.save(update_fields=["delete_at", "update_at"])
    publish_event(events.channel_deleted(channel))
    return channel


@transaction.atomic
def channel_unarchive(*, actor: User, channel_id: str) -> Channel:
    channel, membership = access_channel_to_manage(actor=actor, channel_id=channel_id)
    if not is_channel_manager(actor, channel, membership) or channel.type not in (
        CHANNEL_OPEN,
        CHANNEL_PRIVATE,
    ):
        raise PermissionDenied("Only channel admins can unarchive this channel.")
    if not channel.is_archived:
        return channel
    channel.delete_at = 0
    channel.update_at = now_ms()
    channel.save(update_fields=["delete_at", "update_at"])
    post_create_system(
        actor=actor,
        channel=channel,
        post_type=post_types.POST_TYPE_CHANNEL_RESTORED,
        message=f"@{actor.username} unarchived the channel.",
    )
    publish_event(events.channel_restored(channel))
    return channel


# --- read state ----------------------------------------------------------------------------


@transaction.atomic
def channel_view(*, actor: User, channel_id: str) -> int:
    """Mark everything in the channel read for the actor; returns the view time (ms)."""
    channel, membership = access_channel(actor=actor, channel_id=channel_id)
    if membership is None:
        raise PermissionDenied("Join the channel first.")
    now = now_ms()
    totals = (
        Channel.objects.filter(id=channel.id)
        .values("total_msg_count", "total_msg_count_root")
        .get()
    )
    ChannelMember.objects.filter(id=membership.id).mark_read(**totals, at=now)
    publish_event(events.channel_viewed(channel_id=channel.id, user_id=actor.id))
    return now
