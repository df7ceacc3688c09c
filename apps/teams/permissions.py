"""Team access: members see their teams; open teams are visible so people can join them."""

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.core.errors import NotFound, PermissionDenied
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


def access_team_by_name(*, actor: User, name: str) -> tuple[Team, TeamMember | None]:
    """`access_team` for a team named in the URL (its lowercase slug)."""
    check_active(actor)
    team_id = (
        Team.objects.filter(name=name.lower(), delete_at=0).values_list("id", flat=True).first()
        if isinstance(name, str)
        else None
    )
    return access_team(actor=actor, team_id=team_id or "")


def check_team_member(*, actor: User, team: Team, membership: TeamMember | None) -> None:
    """Team content (its channels, its members' channels) is for members and system
    admins. A team the actor may see but has not joined answers like a hidden one."""
    if membership is None and not actor.is_system_admin:
        raise NotFound("Team not found.", error_id="app.team.get.find.app_error")


def can_read_memberships_of(actor: User, user_id: str) -> bool:
    """A user's teams, channels and read state are theirs; system admins see anyone's."""
    return actor.is_active and (user_id == actor.id or actor.is_system_admin)


def check_memberships_of(*, actor: User, user_id: str) -> None:
    """Refuse (403, as Mattermost does) reading someone else's memberships."""
    check_active(actor)
    if not can_read_memberships_of(actor, user_id):
        raise PermissionDenied(
            "Only system admins may look at another user's teams and channels.",
            error_id="api.context.permissions.app_error",
        )


def can_manage_team(actor: User, membership: TeamMember | None) -> bool:
    """Team admins and system admins manage a team's settings, members and roles."""
    if actor.is_system_admin:
        return True
    return membership is not None and membership.is_active and membership.scheme_admin


def can_add_team_members(actor: User, membership: TeamMember | None) -> bool:
    """Any member may bring others in, as in Mattermost's default scheme."""
    return actor.is_system_admin or (membership is not None and membership.is_active)
