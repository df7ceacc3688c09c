"""Reads of integrations, filtered to what the actor may manage."""

from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.core.errors import InvalidInput
from apps.core.ids import is_valid_id
from apps.integrations.models import Command, IncomingWebhook, OutgoingWebhook
from apps.teams.models import TeamMember
from apps.teams.permissions import access_team, check_team_member


def incoming_webhook_list(*, actor: User, team_id: str | None = None) -> QuerySet[IncomingWebhook]:
    """Live incoming webhooks the actor manages, optionally of one team, oldest first.

    System admins see every hook; others see their own and those of the teams they
    administer.

    Raises:
        NotFound: `team_id` names a team hidden from the actor.
    """
    check_active(actor)
    hooks = IncomingWebhook.objects.filter(delete_at=0)
    if team_id is not None:
        team, _membership = access_team(actor=actor, team_id=team_id)
        hooks = hooks.filter(team=team)
    if not actor.is_system_admin:
        hooks = hooks.filter(_managed_by(actor, owner_field="user"))
    return hooks.order_by("create_at", "id")


def command_list_for_team(
    *, actor: User, team_id: str, auto_complete_only: bool = False
) -> QuerySet[Command]:
    """The team's live custom commands, by trigger, for a member of the team.

    Every member sees them (to run and autocomplete them); what a member who does not
    manage a command may read of it is for the wire format to blank out.

    Raises:
        InvalidInput: no `team_id`.
        NotFound: the team is missing, hidden, or the actor is not in it.
    """
    if not team_id:
        raise InvalidInput(
            "team_id is required.", error_id="api.context.invalid_url_param.app_error"
        )
    team, membership = access_team(actor=actor, team_id=team_id)
    check_team_member(actor=actor, team=team, membership=membership)
    commands = Command.objects.filter(team=team, delete_at=0)
    if auto_complete_only:
        commands = commands.filter(auto_complete=True)
    return commands.order_by("trigger", "id")


def outgoing_webhook_list(
    *, actor: User, team_id: str | None = None, channel_id: str | None = None
) -> QuerySet[OutgoingWebhook]:
    """Live outgoing webhooks the actor manages, optionally of one team or one channel,
    oldest first.

    System admins see every hook; others see their own and those of the teams they
    administer (the incoming webhook rule).

    Raises:
        NotFound: `team_id` names a team hidden from the actor.
        InvalidInput: `channel_id` is not an id.
    """
    check_active(actor)
    hooks = OutgoingWebhook.objects.filter(delete_at=0)
    if team_id is not None:
        team, _membership = access_team(actor=actor, team_id=team_id)
        hooks = hooks.filter(team=team)
    if channel_id is not None:
        if not is_valid_id(channel_id):
            raise InvalidInput(
                "channel_id must be a channel id.",
                error_id="api.context.invalid_url_param.app_error",
            )
        # Only hooks the actor manages are listed, so filtering by any id reveals nothing.
        hooks = hooks.filter(channel_id=channel_id)
    if not actor.is_system_admin:
        hooks = hooks.filter(_managed_by(actor, owner_field="creator"))
    return hooks.order_by("create_at", "id")


def _managed_by(actor: User, *, owner_field: str) -> Q:
    """Integrations a user who is not a system admin manages: their own in the teams
    they are still in, and every one of the teams they administer."""
    memberships = TeamMember.objects.filter(user=actor, delete_at=0)
    member_of = memberships.values_list("team_id", flat=True)
    admin_of = memberships.filter(scheme_admin=True).values_list("team_id", flat=True)
    return Q(**{owner_field: actor, "team_id__in": member_of}) | Q(team_id__in=admin_of)
