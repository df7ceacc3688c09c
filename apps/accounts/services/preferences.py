"""Preferences: the per-user settings clients keep on the server (Mattermost's
category/name/value triples)."""

from typing import Any

from django.db import transaction

from apps.accounts import events
from apps.accounts.models import Preference, User
from apps.accounts.permissions import can_manage_user, check_active
from apps.core.errors import InvalidInput, PermissionDenied
from apps.realtime.publish import publish_event

PREFERENCE_CATEGORY_MAX = 32
PREFERENCE_NAME_MAX = 64
PREFERENCE_VALUE_MAX = 2000
PREFERENCES_PER_CALL_MAX = 100


THEME_PREFERENCE_CATEGORY = "theme"


def _clean_preferences(user: User, preferences: list[dict[str, Any]]) -> list[dict[str, str]]:
    if not isinstance(preferences, list) or len(preferences) > PREFERENCES_PER_CALL_MAX:
        raise InvalidInput(f"Send a list of at most {PREFERENCES_PER_CALL_MAX} preferences.")
    clean = []
    for pref in preferences:
        if not isinstance(pref, dict):
            raise InvalidInput("Each preference must be an object.")
        if pref.get("user_id", user.id) != user.id:
            raise PermissionDenied("Preferences belong to their own user.")
        category, name = pref.get("category"), pref.get("name")
        value = pref.get("value", "")
        if not isinstance(category, str) or not 1 <= len(category) <= PREFERENCE_CATEGORY_MAX:
            raise InvalidInput("Preference category must be 1-32 characters.")
        # Mattermost keeps the theme of every team under the empty name; a team's own
        # theme is named by the team id. Every other preference needs a name.
        shortest = 0 if category == THEME_PREFERENCE_CATEGORY else 1
        if not isinstance(name, str) or not shortest <= len(name) <= PREFERENCE_NAME_MAX:
            raise InvalidInput("Preference name must be 1-64 characters.")
        if not isinstance(value, str) or len(value) > PREFERENCE_VALUE_MAX:
            raise InvalidInput("Preference value must be text of at most 2000 characters.")
        clean.append({"category": category, "name": name, "value": value})
    return clean


@transaction.atomic
def preference_save(*, actor: User, user: User, preferences: list[dict[str, Any]]) -> None:
    """Insert or replace preferences of `user`."""
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only change your own preferences.")
    clean = _clean_preferences(user, preferences)
    for pref in clean:
        Preference.objects.update_or_create(
            user=user,
            category=pref["category"],
            name=pref["name"],
            defaults={"value": pref["value"]},
        )
    publish_event(events.preferences_changed(user, clean))


@transaction.atomic
def preference_delete(*, actor: User, user: User, preferences: list[dict[str, Any]]) -> None:
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only change your own preferences.")
    clean = _clean_preferences(user, preferences)
    for pref in clean:
        Preference.objects.filter(user=user, category=pref["category"], name=pref["name"]).delete()
    publish_event(events.preferences_deleted(user, clean))
