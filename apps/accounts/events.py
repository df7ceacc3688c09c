"""The realtime events about users, their preferences and their sessions (the catalogue:
apps/realtime/catalogue.py). Builders fill each payload and choose its audience."""

import json
from collections.abc import Iterable, Mapping
from typing import TypedDict

from apps.accounts.models import User
from apps.realtime.catalogue import EventType, HubEffect
from apps.realtime.publish import Broadcast, Event


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


# --- builders ------------------------------------------------------------------------------


def new_user(user: User) -> Event:
    """A new account, to itself."""
    data: NewUserData = {"user_id": user.id}
    return NEW_USER.build(data, Broadcast(user_id=user.id))


def user_updated(user: User) -> Event:
    """A changed account (profile, roles, deactivation), to itself: clients read it back,
    and the hub closes the sockets of an account deactivated."""
    data: UserUpdatedData = {"user_id": user.id}
    return USER_UPDATED.build(data, Broadcast(user_id=user.id))


def _preferences_data(user: User, preferences: Iterable[Mapping[str, str]]) -> PreferencesData:
    return {"preferences": json.dumps([{"user_id": user.id, **p} for p in preferences])}


def preferences_changed(user: User, preferences: Iterable[Mapping[str, str]]) -> Event:
    """Saved preferences (category, name, value), to every session of their user."""
    return PREFERENCES_CHANGED.build(
        _preferences_data(user, preferences), Broadcast(user_id=user.id)
    )


def preferences_deleted(user: User, preferences: Iterable[Mapping[str, str]]) -> Event:
    """Deleted preferences, to every session of their user."""
    return PREFERENCES_DELETED.build(
        _preferences_data(user, preferences), Broadcast(user_id=user.id)
    )


def session_revoked(*, user_id: str, session_ids: list[str]) -> Event:
    """Sessions (or personal access tokens) that stopped authenticating, to their user:
    the hub closes the sockets opened with them."""
    data: SessionRevokedData = {"user_id": user_id, "session_ids": session_ids}
    return SESSION_REVOKED.build(data, Broadcast(user_id=user_id))
