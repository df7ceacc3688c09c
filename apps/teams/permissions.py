"""Team access: members see their teams; open teams are visible so people can join them."""

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.core.errors import NotFound
from apps.core.ids import is_valid_id
from apps.teams.models import Team, TeamMember


def team_membership(*, user: User, team: Team) -> TeamMember | None:
    """The user's active membership of the team, or None."""
    return TeamMember.objects.filter(team=team, user=user, delete_at=0).first()


def access_team(*, actor: User, team_id: str) -> tuple[Team, TeamMember | None]:
    """Fetch a team the actor may see. Missing and hidden teams give the same NotFound."""
    check_active(actor)
    team = Team.objects.filter(id=team_id, delete_at=0).first() if is_valid_id(team_id) else None
    if team is None:
        raise NotFound("Team not found.", error_id="app.team.get.find.app_error")
    membership = team_membership(user=actor, team=team)
    if membership is None and not team.allow_open_invite and not actor.is_system_admin:
        raise NotFound("Team not found.", error_id="app.team.get.find.app_error")
    return team, membership


def can_manage_team(actor: User, membership: TeamMember | None) -> bool:
    """Team admins and system admins manage a team's settings, members and roles."""
    if actor.is_system_admin:
        return True
    return membership is not None and membership.is_active and membership.scheme_admin


def can_add_team_members(actor: User, membership: TeamMember | None) -> bool:
    """Any member may bring others in, as in Mattermost's default scheme."""
    return actor.is_system_admin or (membership is not None and membership.is_active)
