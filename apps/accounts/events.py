"""The realtime events about users, their preferences and their sessions (the catalogue:
apps/realtime/catalogue.py). Builders fill each payload and choose its audience."""

from typing import TypedDict

from apps.realtime.catalogue import EventType, HubEffect


class NewUserData(TypedDict):
    user_id: str


class UserUpdatedData(TypedDict):
    user_id: str


class PreferencesData(TypedDict):
    # A JSON string of the preferences, as Mattermost sends it.
    preferences: str


class SessionRevokedData(TypedDict):
    user_id: str
    session_ids: list[str]


NEW_USER = EventType("new_user", NewUserData)
USER_UPDATED = EventType("user_updated", UserUpdatedData, HubEffect.USER_CHANGED)
PREFERENCES_CHANGED = EventType("preferences_changed", PreferencesData)
PREFERENCES_DELETED = EventType("preferences_deleted", PreferencesData)
SESSION_REVOKED = EventType("session_revoked", SessionRevokedData, HubEffect.SESSIONS_ENDED)
