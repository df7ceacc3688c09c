"""Accounts: creation, profile and custom status, deactivation, system roles."""

import json
import re
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction

from apps.accounts import events
from apps.accounts.models import (
    ROLE_SYSTEM_ADMIN,
    ROLE_SYSTEM_USER,
    STATUS_OFFLINE,
    SYSTEM_ROLES,
    Bot,
    Status,
    User,
)
from apps.accounts.permissions import can_manage_user, check_active, check_system_admin
from apps.accounts.services.sessions import api_sessions_end
from apps.accounts.validators import clean_email, clean_username, validate_new_password
from apps.core.errors import AlreadyExists, InvalidInput, PermissionDenied
from apps.core.services import lock_for_transaction, model_update
from apps.core.timeutils import now_ms
from apps.realtime.events import status_change
from apps.realtime.publish import publish_event

PROFILE_FIELDS = ("nickname", "first_name", "last_name", "position", "locale")
PROFILE_MAX_LENGTHS = {"nickname": 64, "first_name": 64, "last_name": 64, "position": 128}
SUPPORTED_LOCALES = ("en", "ko", "zh-CN", "fr")
PROFILE_MAP_MAX_KEYS = 50


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
    bot_owner: User | None = None,
    auth_service: str = "",
) -> User:
    """Create an account. The first human account on the server becomes a system admin.

    Bots never become admins, so they do not count as "first": a server whose first
    account was a bot would otherwise have no one able to administer it.
    A `password` of None leaves the account without a usable password (bots, LDAP).
    A bot account gets its `Bot` row, owned by `bot_owner` (None for the operator's).
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
        validate_new_password(password, user)
        user.set_password(password)
        user.last_password_update = user.create_at
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as exc:
        raise AlreadyExists("That username or e-mail is taken.") from exc
    if is_bot:
        Bot.objects.create(user=user, owner=bot_owner, create_at=user.create_at)
    publish_event(events.new_user(user))
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
    allowed = set(PROFILE_FIELDS) | {"username", "email", "timezone", "notify_props", "props"}
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
    for field in ("timezone", "notify_props", "props"):
        if field in data:
            value = data[field]
            if (
                not isinstance(value, dict)
                or len(value) > PROFILE_MAP_MAX_KEYS
                or not all(
                    isinstance(k, str) and len(k) <= 64 and isinstance(v, str) and len(v) <= 1000
                    for k, v in value.items()
                )
            ):
                raise InvalidInput(f"{field} must map names to text values.")
            clean[field] = {**getattr(user, field), **value}
    user, changed = model_update(instance=user, fields=list(clean), data=clean)
    if changed:
        publish_event(events.user_updated(user))
    return user


CUSTOM_STATUS_PROP = "customStatus"
CUSTOM_STATUS_TEXT_MAX = 100
CUSTOM_STATUS_DEFAULT_EMOJI = "speech_balloon"
CUSTOM_STATUS_DURATIONS = frozenset(
    {"", "thirty_minutes", "one_hour", "four_hours", "today", "this_week", "date_and_time"}
)
_EMOJI_NAME = re.compile(r"^[a-z0-9_+\-]{1,64}$")


def _custom_status_text(name: str, value: object) -> str | None:
    """A custom status field as given: text or absent (None); anything else is refused."""
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"The custom status {name} must be text.")
    return value


@transaction.atomic
def user_custom_status_set(
    *,
    actor: User,
    user: User,
    emoji: object = "",
    text: object = "",
    duration: object = "",
    expires_at: object = "",
) -> dict[str, str]:
    """Set a user's custom status (an emoji and a short text shown by their name).

    Stored as Mattermost stores it, a JSON string in `props.customStatus`, so clients
    that read the user object find it. A text without an emoji gets the speech balloon.

    Raises:
        PermissionDenied: the actor may not change this user.
        InvalidInput: no emoji and no text, a bad emoji name, a text over 100 characters,
            an unknown duration.
    """
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only change your own status.")
    emoji_in = _custom_status_text("emoji", emoji)
    text_in = _custom_status_text("text", text)
    duration_in = _custom_status_text("duration", duration)
    emoji_name, status_text = (emoji_in or "").strip().strip(":"), (text_in or "").strip()
    if not emoji_name and not status_text:
        raise InvalidInput(
            "A custom status needs an emoji or a text.",
            error_id="api.custom_status.set_custom_statuses.update.app_error",
        )
    if len(status_text) > CUSTOM_STATUS_TEXT_MAX:
        raise InvalidInput(
            f"A custom status is at most {CUSTOM_STATUS_TEXT_MAX} characters.",
            error_id="api.custom_status.set_custom_statuses.update.app_error",
        )
    emoji_name = emoji_name or CUSTOM_STATUS_DEFAULT_EMOJI
    if not _EMOJI_NAME.match(emoji_name):
        raise InvalidInput(f"'{emoji_name}' is not an emoji name.")
    if (duration_in or "") not in CUSTOM_STATUS_DURATIONS:
        raise InvalidInput(f"Unknown custom status duration '{duration_in}'.")
    if not isinstance(expires_at, str | None) or len(expires_at or "") > 64:
        raise InvalidInput("expires_at must be a date and time as text.")
    status = {
        "emoji": emoji_name,
        "text": status_text,
        "duration": duration_in or "",
        "expires_at": expires_at or "",
    }
    _set_prop(user, CUSTOM_STATUS_PROP, json.dumps(status))
    return status


@transaction.atomic
def user_custom_status_clear(*, actor: User, user: User) -> None:
    """Remove a user's custom status; nothing happens when there is none."""
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only change your own status.")
    _set_prop(user, CUSTOM_STATUS_PROP, None)


def _set_prop(user: User, name: str, value: str | None) -> None:
    user = User.objects.select_for_update().get(id=user.id)
    props = dict(user.props or {})
    if value is None:
        if props.pop(name, None) is None:
            return
    elif props.get(name) == value:
        return
    else:
        props[name] = value
    user.props = props
    user.update_at = now_ms()
    user.save(update_fields=["props", "update_at"])
    publish_event(events.user_updated(user))


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
    user_mark_deactivated(user=user)
    # As Mattermost's DisableBotsWhenOwnerIsDeactivated (on by default): a departed
    # owner's bots stop too, and an admin may enable them again.
    owned = list(Bot.objects.filter(owner=user, user__delete_at=0).select_related("user"))
    for bot in owned:
        user_mark_deactivated(user=bot.user)
    Bot.objects.filter(user_id__in=[bot.user_id for bot in owned]).update(update_at=now_ms())
    return user


def user_mark_deactivated(*, user: User) -> None:
    """Mark `user` deactivated and end every way it was signed in.

    No permission check: for the services that decided it (`user_deactivate`,
    `bot_disable`)."""
    user.delete_at = now_ms()
    user.update_at = user.delete_at
    user.session_generation += 1
    user.save(update_fields=["delete_at", "update_at", "session_generation"])
    api_sessions_end(user=user)
    # Its presence ends with it, and only the user hears of it. Presence's services and
    # the teams they tell depend on accounts: calling them from here would close an
    # import cycle through apps.accounts.models (tests/realtime/test_layering.py).
    if (
        Status.objects.filter(user=user)
        .exclude(status=STATUS_OFFLINE)
        .update(status=STATUS_OFFLINE, manual=False)
    ):
        for event in status_change(user_id=user.id, status=STATUS_OFFLINE, team_ids=()):
            publish_event(event)
    publish_event(events.user_updated(user))


def user_mark_active(*, user: User) -> None:
    """Mark `user` active again. No permission check: for `user_activate`, `bot_enable`."""
    user.delete_at = 0
    user.update_at = now_ms()
    user.save(update_fields=["delete_at", "update_at"])
    publish_event(events.user_updated(user))


@transaction.atomic
def user_activate(*, actor: User, user: User) -> User:
    check_system_admin(actor)
    if user.is_active:
        return user
    user_mark_active(user=user)
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
        publish_event(events.user_updated(user))
    return user
