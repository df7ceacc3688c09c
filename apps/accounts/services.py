"""Writes to accounts: creation, profile, roles, deactivation, preferences, presence."""

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import (
    ROLE_SYSTEM_ADMIN,
    ROLE_SYSTEM_USER,
    STATUS_OFFLINE,
    STATUSES,
    SYSTEM_ROLES,
    Preference,
    Status,
    User,
)
from apps.accounts.permissions import can_manage_user, check_active, check_system_admin
from apps.accounts.validators import clean_email, clean_username
from apps.core.errors import AlreadyExists, InvalidInput, PermissionDenied
from apps.core.services import lock_for_transaction, model_update
from apps.core.timeutils import now_ms
from apps.realtime.publish import Broadcast, publish_event

PROFILE_FIELDS = ("nickname", "first_name", "last_name", "position", "locale")
PROFILE_MAX_LENGTHS = {"nickname": 64, "first_name": 64, "last_name": 64, "position": 128}
SUPPORTED_LOCALES = ("en", "ko", "zh-CN", "fr")


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages), error_id="model.user.is_valid.pwd.app_error"
        ) from exc


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    nickname: str = "",
    locale: str = "en",
    is_bot: bool = False,
    bot_description: str = "",
    auth_service: str = "",
) -> User:
    """Create an account. The first human account on the server becomes a system admin.

    Bots never become admins, so they do not count as "first": a server whose first
    account was a bot would otherwise have no one able to administer it.
    A `password` of None leaves the account without a usable password (bots, LDAP).
    No other account is made an admin here; a signed-in admin grants the role with
    `user_update_roles`, the server operator with `user_create_by_operator`.
    """
    username = clean_username(username)
    email = clean_email(email)
    # Two simultaneous first sign-ups must not both become admin.
    lock_for_transaction("accounts.user_create.first_admin")
    if User.objects.filter(username=username).exists():
        raise AlreadyExists(
            "An account with that username already exists.",
            error_id="app.user.save.username_exists.app_error",
        )
    if User.objects.filter(email=email).exists():
        raise AlreadyExists(
            "An account with that e-mail already exists.",
            error_id="app.user.save.email_exists.app_error",
        )
    first_user = not User.objects.filter(is_bot=False).exists()
    roles = [ROLE_SYSTEM_USER]
    if first_user and not is_bot:
        roles.append(ROLE_SYSTEM_ADMIN)
    user = User(
        username=username,
        email=email,
        first_name=_bounded(first_name, "first_name"),
        last_name=_bounded(last_name, "last_name"),
        nickname=_bounded(nickname, "nickname"),
        locale=_clean_locale(locale),
        is_bot=is_bot,
        bot_description=bot_description[:1024],
        roles=" ".join(roles),
        auth_service=auth_service,
    )
    if password is None:
        user.set_unusable_password()
    else:
        _validate_password(password, user)
        user.set_password(password)
        user.last_password_update = user.create_at
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as exc:
        raise AlreadyExists("That username or e-mail is taken.") from exc
    publish_event("new_user", {"user_id": user.id}, broadcast=Broadcast(user_id=user.id))
    return user


@transaction.atomic
def user_create_by_operator(
    *,
    username: str,
    email: str,
    password: str | None,
    system_admin: bool,
    **profile: Any,
) -> User:
    """Create an account, as a system admin if `system_admin`, for the server operator.

    Only for trusted operator interfaces: manage.py commands (`createuser`,
    `createsuperuser`) run by whoever runs the server. There is no actor, so nothing
    is checked; never call this from a request handler, which must use `user_create`
    and then `user_update_roles(actor=...)`. `profile` takes `user_create`'s other
    keyword arguments.
    """
    if system_admin and profile.get("is_bot"):
        raise InvalidInput("A bot cannot be a system admin.")
    user = user_create(username=username, email=email, password=password, **profile)
    if system_admin and not user.is_system_admin:
        user, _ = model_update(
            instance=user,
            fields=["roles"],
            data={"roles": " ".join([*user.role_list, ROLE_SYSTEM_ADMIN])},
        )
    return user


def _bounded(value: object, field: str) -> str:
    """Strip and length-check a profile text; anything but text (or None) is refused.

    Profile data comes straight from JSON, so a number or a list must be a 400, not a crash.
    """
    label = field.replace("_", " ").capitalize()
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label} must be text.")
    value = value.strip()
    limit = PROFILE_MAX_LENGTHS[field]
    if len(value) > limit:
        raise InvalidInput(f"{label} is longer than {limit} characters.")
    return value


def _clean_locale(locale: str) -> str:
    if locale not in SUPPORTED_LOCALES:
        raise InvalidInput(f"Unsupported language '{locale}'.")
    return locale


@transaction.atomic
def user_update_profile(*, actor: User, user: User, data: dict[str, Any]) -> User:
    """Patch profile fields; unknown keys are refused, not silently dropped."""
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only change your own profile.")
    allowed = set(PROFILE_FIELDS) | {"username", "email", "timezone", "notify_props"}
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(f"Unknown profile fields: {', '.join(sorted(unknown))}.")
    clean: dict[str, Any] = {}
    for field in PROFILE_FIELDS:
        if field in data:
            clean[field] = (
                _clean_locale(data[field]) if field == "locale" else _bounded(data[field], field)
            )
    if "username" in data:
        clean["username"] = clean_username(data["username"])
        if User.objects.filter(username=clean["username"]).exclude(id=user.id).exists():
            raise AlreadyExists("An account with that username already exists.")
    if "email" in data:
        clean["email"] = clean_email(data["email"])
        if User.objects.filter(email=clean["email"]).exclude(id=user.id).exists():
            raise AlreadyExists("An account with that e-mail already exists.")
        if clean["email"] != user.email:
            # Verification proved the old address, not this one (Mattermost resets it too).
            clean["email_verified"] = False
    for field in ("timezone", "notify_props"):
        if field in data:
            value = data[field]
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) and len(v) <= 1000
                for k, v in value.items()
            ):
                raise InvalidInput(f"{field} must map names to text values.")
            clean[field] = {**getattr(user, field), **value}
    user, changed = model_update(instance=user, fields=list(clean), data=clean)
    if changed:
        _publish_user_updated(user)
    return user


def _publish_user_updated(user: User) -> None:
    publish_event("user_updated", {"user_id": user.id}, broadcast=Broadcast(user_id=user.id))


@transaction.atomic
def user_set_password(
    *, actor: User, user: User, new_password: str, current_password: str | None = None
) -> None:
    """Change a password; users must give their current one, admins need not."""
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only change your own password.")
    if actor.id == user.id and not user.check_password(current_password or ""):
        raise InvalidInput(
            "The current password is wrong.",
            error_id="api.user.check_user_password.invalid.app_error",
        )
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.last_password_update = now_ms()
    # The session auth hash includes the password hash, so other browser sessions end.
    user.save(update_fields=["password", "last_password_update"])


def _active_system_admin_count() -> int:
    return User.objects.filter(delete_at=0, roles__contains=ROLE_SYSTEM_ADMIN).count()


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate an account: it can no longer sign in and its sessions end at once.

    Browser sessions end because `session_generation` is part of their auth hash.
    """
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("Only a system admin may deactivate other accounts.")
    if not user.is_active:
        return user
    lock_for_transaction("accounts.system_admins")
    if user.is_system_admin and _active_system_admin_count() <= 1:
        raise InvalidInput("The last active system admin cannot be deactivated.")
    user.delete_at = now_ms()
    user.update_at = user.delete_at
    user.session_generation += 1
    user.save(update_fields=["delete_at", "update_at", "session_generation"])
    if (
        Status.objects.filter(user=user)
        .exclude(status=STATUS_OFFLINE)
        .update(status=STATUS_OFFLINE, manual=False)
    ):
        publish_event(
            "status_change",
            {"status": STATUS_OFFLINE, "user_id": user.id},
            broadcast=Broadcast(user_id=user.id),
        )
    _publish_user_updated(user)
    return user


@transaction.atomic
def user_activate(*, actor: User, user: User) -> User:
    check_system_admin(actor)
    if user.is_active:
        return user
    user.delete_at = 0
    user.update_at = now_ms()
    user.save(update_fields=["delete_at", "update_at"])
    _publish_user_updated(user)
    return user


@transaction.atomic
def user_update_roles(*, actor: User, user: User, roles: str | Iterable[str]) -> User:
    """Set system roles, given as a list or Mattermost's space-separated string.

    Only system admins grant or revoke them.
    """
    check_system_admin(actor)
    if isinstance(roles, str):
        roles = roles.split()
    wanted = list(dict.fromkeys(r for r in roles if r))
    unknown = [r for r in wanted if r not in SYSTEM_ROLES]
    if unknown:
        raise InvalidInput(f"Unknown roles: {', '.join(unknown)}.")
    if ROLE_SYSTEM_USER not in wanted:
        wanted.insert(0, ROLE_SYSTEM_USER)
    if user.is_bot and ROLE_SYSTEM_ADMIN in wanted:
        raise InvalidInput("A bot cannot be a system admin.")
    lock_for_transaction("accounts.system_admins")
    if (
        user.is_system_admin
        and ROLE_SYSTEM_ADMIN not in wanted
        and user.is_active
        and _active_system_admin_count() <= 1
    ):
        raise InvalidInput("The last system admin cannot lose the system admin role.")
    user, changed = model_update(instance=user, fields=["roles"], data={"roles": " ".join(wanted)})
    if changed:
        _publish_user_updated(user)
    return user


def session_purge_expired() -> int:
    """Delete expired browser sessions; returns how many were removed."""
    deleted, _ = Session.objects.filter(expire_date__lte=timezone.now()).delete()
    return deleted


# --- Preferences --------------------------------------------------------------------------

PREFERENCE_CATEGORY_MAX = 32
PREFERENCE_NAME_MAX = 64
PREFERENCE_VALUE_MAX = 2000
PREFERENCES_PER_CALL_MAX = 100


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
        if not isinstance(name, str) or not 1 <= len(name) <= PREFERENCE_NAME_MAX:
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
    publish_event(
        "preferences_changed",
        {"preferences": json.dumps([{"user_id": user.id, **p} for p in clean])},
        broadcast=Broadcast(user_id=user.id),
    )


@transaction.atomic
def preference_delete(*, actor: User, user: User, preferences: list[dict[str, Any]]) -> None:
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only change your own preferences.")
    clean = _clean_preferences(user, preferences)
    for pref in clean:
        Preference.objects.filter(user=user, category=pref["category"], name=pref["name"]).delete()
    publish_event(
        "preferences_deleted",
        {"preferences": json.dumps([{"user_id": user.id, **p} for p in clean])},
        broadcast=Broadcast(user_id=user.id),
    )


# --- Presence -----------------------------------------------------------------------------


@transaction.atomic
def user_status_set(*, actor: User, user: User, status: str, manual: bool = True) -> Status:
    """Set presence and tell the user's own sessions (and later, those who watch them)."""
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only set your own status.")
    if status not in STATUSES:
        raise InvalidInput(f"Status must be one of: {', '.join(STATUSES)}.")
    row, _ = Status.objects.update_or_create(
        user=user, defaults={"status": status, "manual": manual, "last_activity_at": now_ms()}
    )
    publish_event(
        "status_change",
        {"status": status, "user_id": user.id},
        broadcast=Broadcast(user_id=user.id),
    )
    return row
