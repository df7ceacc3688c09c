"""Teams in Mattermost's wire format."""

from collections.abc import Iterable
from typing import Any

from apps.teams.models import Team, TeamMember


def team_to_wire(team: Team, *, can_manage: bool) -> dict[str, Any]:
    return {
        "id": team.id,
        "create_at": team.create_at,
        "update_at": team.update_at,
        "delete_at": team.delete_at,
        "display_name": team.display_name,
        "name": team.name,
        "description": team.description,
        "email": team.email if can_manage else "",
        "type": team.type,
        "company_name": team.company_name,
        "allowed_domains": team.allowed_domains,
        "invite_id": team.invite_id if can_manage else "",
        "allow_open_invite": team.allow_open_invite,
        "scheme_id": None,
        "group_constrained": None,
        "policy_id": None,
        "cloud_limits_archived": False,
    }


def team_list_to_wire(teams: Iterable[Team]) -> list[dict[str, Any]]:
    """Teams from a selector that annotated `actor_can_manage` on each."""
    return [team_to_wire(t, can_manage=getattr(t, "actor_can_manage", False)) for t in teams]


def team_member_to_wire(member: TeamMember) -> dict[str, Any]:
    return {
        "team_id": member.team_id,
        "user_id": member.user_id,
        "roles": member.roles,
        "delete_at": member.delete_at,
        "scheme_guest": False,
        "scheme_user": True,
        "scheme_admin": member.scheme_admin,
        "explicit_roles": "",
    }
