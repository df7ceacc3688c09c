"""The realtime events about teams and team membership (the catalogue:
apps/realtime/catalogue.py). Builders fill each payload and choose its audience."""

from typing import TypedDict

from apps.realtime.catalogue import EventType, HubEffect
from apps.realtime.events import dumps
from apps.realtime.publish import Broadcast, Event
from apps.teams.models import Team, TeamMember
from apps.teams.wire import team_member_to_wire, team_to_wire


class AddedToTeamData(TypedDict):
    team_id: str
    user_id: str


class LeaveTeamData(TypedDict):
    team_id: str
    user_id: str
    remover_id: str


class MemberRoleUpdatedData(TypedDict):
    # The team member, as a JSON string (Mattermost's shape).
    member: str


class UpdateTeamData(TypedDict):
    team_id: str
    # The team, as a JSON string.
    team: str


ADDED_TO_TEAM = EventType("added_to_team", AddedToTeamData, HubEffect.TEAM_JOINED)
LEAVE_TEAM = EventType("leave_team", LeaveTeamData, HubEffect.TEAM_LEFT)
MEMBERROLE_UPDATED = EventType("memberrole_updated", MemberRoleUpdatedData)
UPDATE_TEAM = EventType("update_team", UpdateTeamData)


# --- builders ------------------------------------------------------------------------------


def added_to_team(*, team_id: str, user_id: str) -> Event:
    """A new team membership, to the new member (the hub starts team broadcasts to them)."""
    data: AddedToTeamData = {"team_id": team_id, "user_id": user_id}
    return ADDED_TO_TEAM.build(data, Broadcast(user_id=user_id))


def leave_team(*, team_id: str, user_id: str, remover_id: str) -> list[Event]:
    """A membership ended, to the team and to the one who left: the hub stops team
    broadcasts to them when it applies the team's copy, so they hear it from their own."""
    data: LeaveTeamData = {"team_id": team_id, "user_id": user_id, "remover_id": remover_id}
    return [
        LEAVE_TEAM.build(data, Broadcast(team_id=team_id)),
        LEAVE_TEAM.build(data, Broadcast(user_id=user_id)),
    ]


def memberrole_updated(member: TeamMember) -> Event:
    """A member's new team roles, to that member."""
    data: MemberRoleUpdatedData = {"member": dumps(team_member_to_wire(member))}
    return MEMBERROLE_UPDATED.build(data, Broadcast(user_id=member.user_id))


def update_team(team: Team) -> Event:
    """The team's new settings, to every member: so without what only its managers may
    see (the invite id, the e-mail)."""
    data: UpdateTeamData = {"team_id": team.id, "team": dumps(team_to_wire(team, can_manage=False))}
    return UPDATE_TEAM.build(data, Broadcast(team_id=team.id))
