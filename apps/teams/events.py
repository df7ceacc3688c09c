"""The realtime events about teams and team membership (the catalogue:
apps/realtime/catalogue.py). Builders fill each payload and choose its audience."""

from typing import TypedDict

from apps.realtime.catalogue import EventType, HubEffect


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
