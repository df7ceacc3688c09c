"""Reads of teams."""

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.core.errors import NotFound
from apps.teams.models import TEAM_OPEN, Team, TeamMember
from apps.teams.permissions import access_team, check_memberships_of


def _with_manage_flag(qs: QuerySet[Team], *, actor: User) -> QuerySet[Team]:
    """Annotate `actor_can_manage` (team or system admin) in the same query, so a list
    can show invite ids and e-mails to the teams' admins without a query per team."""
    if actor.is_system_admin:
        return qs.annotate(actor_can_manage=Value(True, output_field=BooleanField()))
    return qs.annotate(
        actor_can_manage=Exists(
            TeamMember.objects.filter(
                team=OuterRef("id"), user=actor, delete_at=0, scheme_admin=True
            )
        )
    )


def team_list_for_user(*, actor: User, user_id: str | None = None) -> QuerySet[Team]:
    """Teams a user belongs to: the actor's own, or (for system admins) anyone's.

    Each team carries `actor_can_manage`.

    Raises:
        PermissionDenied: `user_id` is someone else and the actor is not a system admin.
    """
    check_active(actor)
    user_id = actor.id if user_id is None else user_id
    check_memberships_of(actor=actor, user_id=user_id)
    qs = Team.objects.filter(delete_at=0, members__user_id=user_id, members__delete_at=0)
    return _with_manage_flag(qs, actor=actor).order_by("display_name", "id")


def team_list_visible(*, actor: User) -> QuerySet[Team]:
    """Teams the actor belongs to or may join (open ones); all teams for system admins.

    Each team carries `actor_can_manage`.
    """
    check_active(actor)
    qs = Team.objects.filter(delete_at=0)
    if not actor.is_system_admin:
        qs = qs.filter(Q(type=TEAM_OPEN) | Q(members__user=actor, members__delete_at=0)).distinct()
    return _with_manage_flag(qs, actor=actor).order_by("display_name", "id")


def team_member_list(*, actor: User, team_id: str) -> QuerySet[TeamMember]:
    team, _membership = access_team(actor=actor, team_id=team_id)
    return (
        TeamMember.objects.filter(team=team, delete_at=0)
        .select_related("user")
        .order_by("user__username")
    )


def team_member_get(*, actor: User, team_id: str, user_id: str) -> TeamMember:
    """One active membership of a team the actor may see."""
    team, _membership = access_team(actor=actor, team_id=team_id)
    member = TeamMember.objects.filter(team=team, user_id=user_id, delete_at=0).first()
    if member is None:
        raise NotFound(
            "That user is not a member of the team.",
            error_id="app.team.get_member.missing.app_error",
        )
    return member


def team_member_list_for_user(*, actor: User, user_id: str) -> QuerySet[TeamMember]:
    """A user's active memberships of live teams (their own, or anyone's for admins)."""
    check_memberships_of(actor=actor, user_id=user_id)
    return TeamMember.objects.filter(user_id=user_id, delete_at=0, team__delete_at=0).order_by(
        "team__display_name", "team_id"
    )
