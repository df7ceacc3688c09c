"""Reads of integrations, filtered to what the actor may manage."""

from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.integrations.models import IncomingWebhook
from apps.teams.models import TeamMember
from apps.teams.permissions import access_team


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
        admin_of = TeamMember.objects.filter(
            user=actor, delete_at=0, scheme_admin=True
        ).values_list("team_id", flat=True)
        hooks = hooks.filter(Q(user=actor) | Q(team_id__in=admin_of))
    return hooks.order_by("create_at", "id")
