"""Reads of teams."""

from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.teams.models import TEAM_OPEN, Team, TeamMember
from apps.teams.permissions import access_team


def team_list_for_user(*, actor: User) -> QuerySet[Team]:
    """Teams the actor belongs to."""
    check_active(actor)
    return Team.objects.filter(delete_at=0, members__user=actor, members__delete_at=0).order_by(
        "display_name"
    )


def team_list_visible(*, actor: User) -> QuerySet[Team]:
    """Teams the actor belongs to or may join (open ones); all teams for system admins."""
    check_active(actor)
    qs = Team.objects.filter(delete_at=0)
    if actor.is_system_admin:
        return qs.order_by("display_name")
    return (
        qs.filter(Q(type=TEAM_OPEN) | Q(members__user=actor, members__delete_at=0))
        .distinct()
        .order_by("display_name")
    )


def team_member_list(*, actor: User, team_id: str) -> QuerySet[TeamMember]:
    team, _membership = access_team(actor=actor, team_id=team_id)
    return (
        TeamMember.objects.filter(team=team, delete_at=0)
        .select_related("user")
        .order_by("user__username")
    )
