"""Writes to teams: create, join, add, leave/remove, roles and settings."""

from typing import Any

from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.models import Channel
from apps.channels.services import (
    channel_create_defaults,
    channel_join_defaults,
    channel_memberships_end_for_team_leave,
)
from apps.channels.validators import DISPLAY_NAME_MAX, clean_text
from apps.core.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from apps.core.ids import is_valid_id, new_id
from apps.core.services import model_update
from apps.core.timeutils import now_ms
from apps.posts import models as post_types
from apps.posts.services import post_create_system
from apps.realtime.publish import publish_event
from apps.teams import events
from apps.teams.models import TEAM_INVITE, TEAM_OPEN, Team, TeamMember
from apps.teams.permissions import (
    access_team,
    can_add_team_members,
    can_manage_team,
    team_membership,
)
from apps.teams.validators import clean_team_name


@transaction.atomic
def team_create(
    *,
    actor: User,
    name: str,
    display_name: str,
    team_type: str = TEAM_OPEN,
    description: str = "",
    allowed_domains: str = "",
) -> Team:
    """Create a team with Town Square and Off-Topic; the creator becomes its admin."""
    check_active(actor)
    if team_type not in (TEAM_OPEN, TEAM_INVITE):
        raise InvalidInput("Team type must be 'O' (open) or 'I' (invite only).")
    team = Team(
        name=clean_team_name(name),
        display_name=clean_text(
            display_name, field="Display name", limit=DISPLAY_NAME_MAX, required=True
        ),
        description=clean_text(description, field="Description", limit=255),
        type=team_type,
        allowed_domains=clean_text(allowed_domains, field="Allowed domains", limit=1000),
        email=actor.email,
    )
    if Team.objects.filter(name=team.name).exists():
        raise AlreadyExists(
            f"A team named '{team.name}' already exists.",
            error_id="store.sql_team.save_team.existing.app_error",
        )
    try:
        with transaction.atomic():
            team.save(force_insert=True)
    except IntegrityError as exc:
        raise AlreadyExists(f"A team named '{team.name}' already exists.") from exc
    channel_create_defaults(team=team, creator=actor)
    _join(team=team, user=actor, admin=True)
    return team


def _check_allowed_domain(team: Team, user: User) -> None:
    domains = team.allowed_domain_list
    if not domains or user.is_bot:
        return
    domain = user.email.rsplit("@", 1)[-1].lower()
    if domain not in domains:
        raise PermissionDenied(
            "That e-mail domain may not join this team.",
            error_id="api.team.join_user_to_team.allowed_domains.app_error",
        )


def _join(*, team: Team, user: User, admin: bool = False) -> TeamMember:
    """Make (or restore) a membership and join the default channels."""
    member, created = TeamMember.objects.get_or_create(
        team=team, user=user, defaults={"scheme_admin": admin}
    )
    if not created and member.delete_at == 0:
        return member
    if not created:
        member.delete_at = 0
        member.scheme_admin = admin
        member.save(update_fields=["delete_at", "scheme_admin"])
    channel_join_defaults(team=team, user=user)
    publish_event(events.added_to_team(team_id=team.id, user_id=user.id))
    return member


@transaction.atomic
def team_join(*, actor: User, team_id: str) -> TeamMember:
    """Join an open team yourself."""
    team, membership = access_team(actor=actor, team_id=team_id)
    if membership is not None:
        return membership
    if not team.allow_open_invite and not actor.is_system_admin:
        raise PermissionDenied("This team is invite only.")
    _check_allowed_domain(team, actor)
    return _join(team=team, user=actor)


@transaction.atomic
def team_join_by_invite(*, actor: User, invite_id: str) -> TeamMember:
    """Join any team whose invite id you were given."""
    check_active(actor)
    team = (
        Team.objects.filter(invite_id=invite_id, delete_at=0).first()
        if is_valid_id(invite_id)
        else None
    )
    if team is None:
        raise NotFound(
            "That invitation is not valid.",
            error_id="api.team.add_user_to_team.invalid_invite_id.app_error",
        )
    _check_allowed_domain(team, actor)
    return _join(team=team, user=actor)


@transaction.atomic
def team_member_add(*, actor: User, team_id: str, user_id: str) -> TeamMember:
    """Add someone to a team: members may add others, anyone may join an open team."""
    team, membership = access_team(actor=actor, team_id=team_id)
    if user_id == actor.id:
        return team_join(actor=actor, team_id=team.id)
    if not can_add_team_members(actor, membership):
        raise PermissionDenied("Only members of the team can add people to it.")
    user = User.objects.filter(id=user_id).first() if is_valid_id(user_id) else None
    if user is None:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    if not user.is_active:
        raise PermissionDenied("A deactivated user cannot be added.")
    _check_allowed_domain(team, user)
    return _join(team=team, user=user)


@transaction.atomic
def team_member_remove(*, actor: User, team_id: str, user_id: str) -> None:
    """Leave a team or (as team admin) remove someone; they leave its channels too."""
    team, membership = access_team(actor=actor, team_id=team_id)
    if user_id != actor.id and not can_manage_team(actor, membership):
        raise PermissionDenied("Only team admins can remove people from a team.")
    target = actor if user_id == actor.id else User.objects.filter(id=user_id).first()
    target_membership = team_membership(user=target, team=team) if target else None
    if target is None or target_membership is None:
        raise NotFound("That user is not a member of the team.")
    target_membership.delete_at = now_ms()
    target_membership.save(update_fields=["delete_at"])
    town_square = Channel.objects.filter(team=team, name="town-square").first()
    channel_memberships_end_for_team_leave(actor=actor, team=team, user=target)
    if town_square is not None and not town_square.is_archived:
        post_create_system(
            actor=target,
            channel=town_square,
            post_type=post_types.POST_TYPE_LEAVE_TEAM,
            message=f"@{target.username} left the team.",
        )
    for event in events.leave_team(team_id=team.id, user_id=target.id, remover_id=actor.id):
        publish_event(event)


@transaction.atomic
def team_member_set_admin(*, actor: User, team_id: str, user_id: str, admin: bool) -> TeamMember:
    """Grant or revoke the team admin role; team and system admins may."""
    team, membership = access_team(actor=actor, team_id=team_id)
    if not can_manage_team(actor, membership):
        raise PermissionDenied("Only team admins can change team roles.")
    member = TeamMember.objects.filter(team=team, user_id=user_id, delete_at=0).first()
    if member is None:
        raise NotFound("That user is not a member of the team.")
    if member.scheme_admin != admin:
        member.scheme_admin = admin
        member.save(update_fields=["scheme_admin"])
        publish_event(events.memberrole_updated(member))
    return member


@transaction.atomic
def team_update(*, actor: User, team_id: str, patch: dict[str, Any]) -> Team:
    """Change a team's display name, description, company name, type or allowed domains."""
    team, membership = access_team(actor=actor, team_id=team_id)
    if not can_manage_team(actor, membership):
        raise PermissionDenied("Only team admins can change the team.")
    allowed = {
        "display_name",
        "description",
        "company_name",
        "type",
        "allowed_domains",
        "allow_open_invite",
    }
    unknown = set(patch) - allowed
    if unknown:
        raise InvalidInput(f"Unknown team fields: {', '.join(sorted(unknown))}.")
    data: dict[str, Any] = {}
    if "display_name" in patch:
        data["display_name"] = clean_text(
            patch["display_name"], field="Display name", limit=DISPLAY_NAME_MAX, required=True
        )
    if "description" in patch:
        data["description"] = clean_text(patch["description"], field="Description", limit=255)
    if "company_name" in patch:
        data["company_name"] = clean_text(patch["company_name"], field="Company name", limit=64)
    if "allowed_domains" in patch:
        data["allowed_domains"] = clean_text(
            patch["allowed_domains"], field="Allowed domains", limit=1000
        )
    if "allow_open_invite" in patch:
        data["type"] = TEAM_OPEN if patch["allow_open_invite"] else TEAM_INVITE
    if "type" in patch:
        if patch["type"] not in (TEAM_OPEN, TEAM_INVITE):
            raise InvalidInput("Team type must be 'O' (open) or 'I' (invite only).")
        data["type"] = patch["type"]
    team, changed = model_update(instance=team, fields=list(data), data=data)
    if changed:
        publish_event(events.update_team(team))
    return team


@transaction.atomic
def team_regenerate_invite_id(*, actor: User, team_id: str) -> Team:
    team, membership = access_team(actor=actor, team_id=team_id)
    if not can_manage_team(actor, membership):
        raise PermissionDenied("Only team admins can change the invitation link.")
    team, _ = model_update(instance=team, fields=["invite_id"], data={"invite_id": new_id()})
    return team
