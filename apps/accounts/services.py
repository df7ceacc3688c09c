"""Writes to accounts: creation, profile, roles, deactivation, preferences, presence."""

import json
import re
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session as BrowserSession
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts.models import (
    ROLE_SYSTEM_ADMIN,
    ROLE_SYSTEM_USER,
    STATUS_DND,
    STATUS_OFFLINE,
    STATUSES,
    SYSTEM_ROLES,
    Bot,
    Preference,
    Session,
    Status,
    User,
    UserAccessToken,
)
from apps.accounts.permissions import (
    bot_owner_id,
    can_create_bot,
    can_manage_bot,
    can_manage_user,
    can_manage_user_or_bot,
    check_active,
    check_system_admin,
)
from apps.accounts.tokens import hash_token, new_token
from apps.accounts.validators import clean_email, clean_username
from apps.core.errors import (
    AlreadyExists,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from apps.core.services import lock_for_transaction, model_update
from apps.core.timeutils import now_ms
from apps.realtime.publish import Broadcast, publish_event

PROFILE_FIELDS = ("nickname", "first_name", "last_name", "position", "locale")
PROFILE_MAX_LENGTHS = {"nickname": 64, "first_name": 64, "last_name": 64, "position": 128}
SUPPORTED_LOCALES = ("en", "ko", "zh-CN", "fr")
PROFILE_MAP_MAX_KEYS = 50


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
        _validate_password(password, user)
        user.set_password(password)
        user.last_password_update = user.create_at
    try:
        with transaction.atomic():
            user.save(force_insert=True)
    except IntegrityError as exc:
        raise AlreadyExists("That username or e-mail is taken.") from exc
    if is_bot:
        Bot.objects.create(user=user, owner=bot_owner, create_at=user.create_at)
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
        _publish_user_updated(user)
    return user


CUSTOM_STATUS_PROP = "customStatus"
CUSTOM_STATUS_TEXT_MAX = 100
CUSTOM_STATUS_DEFAULT_EMOJI = "speech_balloon"
CUSTOM_STATUS_DURATIONS = frozenset(
    {"", "thirty_minutes", "one_hour", "four_hours", "today", "this_week", "date_and_time"}
)
_EMOJI_NAME = re.compile(r"^[a-z0-9_+\-]{1,64}$")


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
    for name, value in (("emoji", emoji), ("text", text), ("duration", duration)):
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"The custom status {name} must be text.")
    emoji, text = (emoji or "").strip().strip(":"), (text or "").strip()
    if not emoji and not text:
        raise InvalidInput(
            "A custom status needs an emoji or a text.",
            error_id="api.custom_status.set_custom_statuses.update.app_error",
        )
    if len(text) > CUSTOM_STATUS_TEXT_MAX:
        raise InvalidInput(
            f"A custom status is at most {CUSTOM_STATUS_TEXT_MAX} characters.",
            error_id="api.custom_status.set_custom_statuses.update.app_error",
        )
    emoji = emoji or CUSTOM_STATUS_DEFAULT_EMOJI
    if not _EMOJI_NAME.match(emoji):
        raise InvalidInput(f"'{emoji}' is not an emoji name.")
    if (duration or "") not in CUSTOM_STATUS_DURATIONS:
        raise InvalidInput(f"Unknown custom status duration '{duration}'.")
    if not isinstance(expires_at, str | None) or len(expires_at or "") > 64:
        raise InvalidInput("expires_at must be a date and time as text.")
    status = {
        "emoji": emoji,
        "text": text,
        "duration": duration or "",
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
    _publish_user_updated(user)


def _publish_user_updated(user: User) -> None:
    publish_event("user_updated", {"user_id": user.id}, broadcast=Broadcast(user_id=user.id))


@transaction.atomic
def user_set_password(
    *,
    actor: User,
    user: User,
    new_password: str,
    current_password: str | None = None,
    keep_session_id: str = "",
) -> None:
    """Change a password; users must give their current one, admins need not.

    Every other session of the user ends (`keep_session_id` is the one asking) and
    their personal access tokens are disabled.
    """
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only change your own password.")
    if actor.id == user.id:
        # Guessing the current password from a stolen session is limited like sign-in.
        failures_key = f"password-fail:user:{user.id}"
        if (cache.get(failures_key) or 0) >= LOGIN_FAILURES_PER_ACCOUNT:
            raise TooManyRequests(
                "Too many wrong passwords. Try again in a few minutes.",
                error_id="api.user.check_user_password.rate_limited.app_error",
            )
        if not user.check_password(current_password or ""):
            _count_login_failure(failures_key)
            raise InvalidInput(
                "The current password is wrong.",
                error_id="api.user.check_user_password.invalid.app_error",
            )
        cache.delete(failures_key)
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.last_password_update = now_ms()
    # The session auth hash includes the password hash, so other browser sessions end.
    user.save(update_fields=["password", "last_password_update"])
    # A new password is the way out of a sign-in lockout, as in Mattermost: the admin who
    # set it (or the user who proved the current one) need not wait for the window to end.
    cache.delete(_account_failures_key(user.id))
    _end_api_sessions(user, keep_session_id)
    # A leaked password may have minted tokens too (SECURITY 10): they stop at once and
    # their owner may enable the ones they trust again.
    tokens = UserAccessToken.objects.filter(user=user, is_active=True)
    token_ids = list(tokens.values_list("id", flat=True))
    tokens.update(is_active=False, update_at=now_ms())
    _announce_session_end(user, token_ids)


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
    _deactivate(user)
    # As Mattermost's DisableBotsWhenOwnerIsDeactivated (on by default): a departed
    # owner's bots stop too, and an admin may enable them again.
    for bot in Bot.objects.filter(owner=user, user__delete_at=0).select_related("user"):
        _deactivate(bot.user)
        _touch_bot(bot)
    return user


def _deactivate(user: User) -> None:
    """Mark `user` deactivated and end every way it was signed in."""
    user.delete_at = now_ms()
    user.update_at = user.delete_at
    user.session_generation += 1
    user.save(update_fields=["delete_at", "update_at", "session_generation"])
    _end_api_sessions(user)
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


def _reactivate(user: User) -> None:
    user.delete_at = 0
    user.update_at = now_ms()
    user.save(update_fields=["delete_at", "update_at"])
    _publish_user_updated(user)


@transaction.atomic
def user_activate(*, actor: User, user: User) -> User:
    check_system_admin(actor)
    if user.is_active:
        return user
    _reactivate(user)
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
    """Delete expired browser and API sessions; returns how many were removed."""
    browser, _ = BrowserSession.objects.filter(expire_date__lte=timezone.now()).delete()
    api, _ = Session.objects.filter(expires_at__gt=0, expires_at__lte=now_ms()).delete()
    return browser + api


# --- Preferences --------------------------------------------------------------------------

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
def user_status_set(
    *, actor: User, user: User, status: str, manual: bool = True, dnd_end_time: int = 0
) -> Status:
    """Set presence and tell the user's own sessions (and later, those who watch them).

    `dnd_end_time` (seconds since the epoch, 0 for none) only applies to "dnd".
    """
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only set your own status.")
    if status not in STATUSES:
        raise InvalidInput(f"Status must be one of: {', '.join(STATUSES)}.")
    if (
        isinstance(dnd_end_time, bool)
        or not isinstance(dnd_end_time, int)
        or not 0 <= dnd_end_time < 2**53
    ):
        raise InvalidInput("dnd_end_time must be a time in seconds since the epoch.")
    row, _ = Status.objects.update_or_create(
        user=user,
        defaults={
            "status": status,
            "manual": manual,
            "last_activity_at": now_ms(),
            # Mattermost counts the end of "do not disturb" in whole minutes.
            "dnd_end_time": dnd_end_time - dnd_end_time % 60 if status == STATUS_DND else 0,
        },
    )
    publish_event(
        "status_change",
        {"status": status, "user_id": user.id},
        broadcast=Broadcast(user_id=user.id),
    )
    return row


# --- sign-in, sessions and personal access tokens --------------------------------------

LOGIN_FAILURES_PER_ACCOUNT = 10
LOGIN_FAILURES_PER_ADDRESS = 50
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
INVALID_CREDENTIALS = "Enter a valid e-mail or username and/or password."


def _account_failures_key(user_id: str) -> str:
    """The lockout of one account, whichever name (username, e-mail, any case) reached it."""
    return f"login-fail:user:{user_id}"


def _unknown_name_failures_key(needle: str) -> str:
    """Failures on a name that matches no account, so that probing names is limited too."""
    return f"login-fail:name:{hash_token(needle)[:32]}"


def _check_login_rate(lock_key: str, address_key: str) -> None:
    """429 past either limit. The lock key is the account's or the unknown name's, and
    both limits are the same, so a locked name never tells whether it is an account."""
    failures = cache.get_many([lock_key, address_key])
    if (
        failures.get(lock_key, 0) >= LOGIN_FAILURES_PER_ACCOUNT
        or failures.get(address_key, 0) >= LOGIN_FAILURES_PER_ADDRESS
    ):
        raise TooManyRequests(
            "Too many failed sign-in attempts. Try again in a few minutes.",
            error_id="api.user.login.rate_limited.app_error",
        )


def _count_login_failure(*keys: str) -> None:
    for key in keys:
        if not cache.add(key, 1, LOGIN_FAILURE_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, LOGIN_FAILURE_WINDOW_SECONDS)


def _hash_for_nothing(password: str) -> None:
    """Hash the password with the configured hasher and forget it.

    Run when no account matches, so that an unknown name takes as long to refuse as a
    wrong password (Django's ModelBackend does the same). An account without a usable
    password (bots, SSO) needs nothing here: Django's `check_password` hashes a random
    password for it.
    """
    User().set_password(password)


def session_login(
    *, login_id: str, password: str, address: str = "", device_id: str = ""
) -> tuple[User, Session, str]:
    """Sign in with username or e-mail and password; returns the user, the session and
    its token (the only time the token exists in clear).

    Failed attempts are counted per account (by id, so every name of the account shares
    them), per unknown name and per address; past a limit every attempt is refused with
    429 before the password is checked, even the right one. Every other failure costs one
    password hash, so neither the answer nor its time tells whether the account exists.
    """
    if not isinstance(login_id, str) or not isinstance(password, str) or not login_id:
        raise InvalidInput(
            "Sign in needs login_id and password.",
            error_id="api.user.login.blank_pwd.app_error",
        )
    needle = login_id.strip().lower()
    user = User.objects.filter(Q(username=needle) | Q(email=needle)).first()
    lock_key = _account_failures_key(user.id) if user else _unknown_name_failures_key(needle)
    address_key = f"login-fail:address:{address}"
    _check_login_rate(lock_key, address_key)
    if user is None:
        _hash_for_nothing(password)
    if user is None or not user.check_password(password):
        _count_login_failure(lock_key, address_key)
        raise NotAuthenticated(
            INVALID_CREDENTIALS, error_id="api.user.login.invalid_credentials_email_username"
        )
    if not user.is_active:
        raise NotAuthenticated(
            "Login failed because your account has been deactivated.",
            error_id="api.user.login.inactive.app_error",
        )
    cache.delete(lock_key)
    session, token = session_create(user=user, device_id=device_id)
    return user, session, token


@transaction.atomic
def session_create(*, user: User, device_id: str = "") -> tuple[Session, str]:
    """Open a session for an already authenticated user; returns it and its token."""
    token = new_token()
    now = now_ms()
    session = Session.objects.create(
        user=user,
        token_hash=hash_token(token),
        csrf_token=new_token(),
        expires_at=now + settings.SESSION_COOKIE_AGE * 1000,
        last_activity_at=now,
        device_id=str(device_id or "")[:512],
    )
    return session, token


@transaction.atomic
def session_revoke(*, actor: User, user: User, session_id: str) -> None:
    """End one session of `user` (their own, or anyone's for a system admin)."""
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only end your own sessions.")
    deleted, _ = Session.objects.filter(id=session_id, user=user).delete()
    if not deleted:
        raise NotFound("Session not found.", error_id="app.session.get.app_error")
    _announce_session_end(user, [session_id])


@transaction.atomic
def session_revoke_all(*, actor: User, user: User) -> None:
    """Sign `user` out everywhere: every session and every browser session ends."""
    check_active(actor)
    if not can_manage_user(actor, user):
        raise PermissionDenied("You may only end your own sessions.")
    User.objects.filter(id=user.id).update(session_generation=F("session_generation") + 1)
    _end_api_sessions(user)


def session_end(*, session: Session) -> None:
    """Sign out the session that made this request."""
    Session.objects.filter(id=session.id).delete()
    _announce_session_end(session.user, [session.id])


def _end_api_sessions(user: User, keep_session_id: str = "") -> None:
    sessions = Session.objects.filter(user=user).exclude(id=keep_session_id)
    ids = list(sessions.values_list("id", flat=True))
    sessions.delete()
    _announce_session_end(user, ids)


def _announce_session_end(user: User, session_ids: list[str]) -> None:
    # The realtime layer closes sockets opened with these sessions.
    if session_ids:
        publish_event(
            "session_revoked",
            {"user_id": user.id, "session_ids": session_ids},
            broadcast=Broadcast(user_id=user.id),
        )


@transaction.atomic
def user_access_token_create(
    *, actor: User, user: User, description: str
) -> tuple[UserAccessToken, str]:
    """Create a personal access token; the token is returned once and stored hashed."""
    check_active(actor)
    if not can_manage_user_or_bot(actor, user):
        raise PermissionDenied("You may only create tokens for yourself or your bots.")
    if not isinstance(description, str) or not description.strip() or len(description) > 255:
        raise InvalidInput(
            "A token needs a description of at most 255 characters.",
            error_id="api.user.create_user_access_token.description.app_error",
        )
    token = new_token()
    row = UserAccessToken.objects.create(
        user=user, token_hash=hash_token(token), description=description.strip()
    )
    return row, token


def _token_for(actor: User, token_id: str) -> UserAccessToken:
    """The token, locked, if the actor manages its user; otherwise NotFound."""
    check_active(actor)
    row = (
        UserAccessToken.objects.select_for_update()
        .select_related("user")
        .filter(id=token_id)
        .first()
        if isinstance(token_id, str) and token_id
        else None
    )
    if row is None or not can_manage_user_or_bot(actor, row.user):
        raise NotFound("Token not found.", error_id="app.user_access_token.get_by_id.app_error")
    return row


@transaction.atomic
def user_access_token_revoke(*, actor: User, token_id: str) -> None:
    """Delete a token for good: it stops authenticating at once, and sockets opened
    with it close."""
    row = _token_for(actor, token_id)
    user, revoked_id = row.user, row.id
    row.delete()
    _announce_session_end(user, [revoked_id])


@transaction.atomic
def user_access_token_set_active(*, actor: User, token_id: str, is_active: bool) -> UserAccessToken:
    """Disable a token (it stops authenticating) or enable it again."""
    row = _token_for(actor, token_id)
    row, changed = model_update(instance=row, fields=["is_active"], data={"is_active": is_active})
    if changed and not is_active:
        _announce_session_end(row.user, [row.id])
    return row


def _bot_owner_id(user: User) -> str:
    """The owner of a bot account ("" for people); kept for callers of the old name."""
    return bot_owner_id(user)


def session_touch(*, session: Session) -> None:
    """Record activity at most once a minute (a write per request would cost too much)."""
    now = now_ms()
    if now - session.last_activity_at > 60_000:
        Session.objects.filter(id=session.id).update(last_activity_at=now)
        session.last_activity_at = now


# --- bots ---------------------------------------------------------------------------------

BOT_DISPLAY_NAME_MAX = 64
BOT_DESCRIPTION_MAX = 1024


def _bot_display_name(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > BOT_DISPLAY_NAME_MAX:
        raise InvalidInput(
            f"A bot's display name is text of at most {BOT_DISPLAY_NAME_MAX} characters.",
            error_id="model.bot.is_valid.display_name.app_error",
        )
    return value.strip()


def _bot_description(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > BOT_DESCRIPTION_MAX:
        raise InvalidInput(
            f"A bot's description is text of at most {BOT_DESCRIPTION_MAX} characters.",
            error_id="model.bot.is_valid.description.app_error",
        )
    return value


def _touch_bot(bot: Bot) -> None:
    bot.update_at = now_ms()
    bot.save(update_fields=["update_at"])


@transaction.atomic
def bot_create(*, actor: User, username: str, display_name: str = "", description: str = "") -> Bot:
    """Create a bot account owned by `actor`.

    The bot is a user with `is_bot`, the e-mail `<username>@localhost` and no usable
    password: it signs in only with personal access tokens its owner creates.
    """
    check_active(actor)
    if not can_create_bot(actor):
        raise PermissionDenied(
            "Bots cannot create bots.", error_id="api.context.permissions.app_error"
        )
    username = clean_username(username)
    user = user_create(
        username=username,
        email=f"{username}@localhost",
        password=None,
        first_name=_bot_display_name(display_name),
        is_bot=True,
        bot_description=_bot_description(description),
        bot_owner=actor,
    )
    return user.bot


def _check_manage_bot(actor: User, bot: Bot) -> None:
    check_active(actor)
    if not can_manage_bot(actor, bot):
        raise PermissionDenied("Only the bot's owner or a system admin may change it.")


@transaction.atomic
def bot_patch(*, actor: User, bot: Bot, data: dict[str, Any]) -> Bot:
    """Change a bot's username, display name or description (Mattermost's BotPatch)."""
    _check_manage_bot(actor, bot)
    unknown = set(data) - {"username", "display_name", "description"}
    if unknown:
        raise InvalidInput(f"Unknown bot fields: {', '.join(sorted(unknown))}.")
    user = bot.user
    clean: dict[str, Any] = {}
    if data.get("username") is not None:
        clean["username"] = clean_username(data["username"])
        if User.objects.filter(username=clean["username"]).exclude(id=user.id).exists():
            raise AlreadyExists(
                "An account with that username already exists.",
                error_id="app.user.save.username_exists.app_error",
            )
    if "display_name" in data:
        clean["first_name"] = _bot_display_name(data["display_name"])
    if "description" in data:
        clean["bot_description"] = _bot_description(data["description"])
    user, changed = model_update(instance=user, fields=list(clean), data=clean)
    if changed:
        _touch_bot(bot)
        _publish_user_updated(user)
    return bot


@transaction.atomic
def bot_disable(*, actor: User, bot: Bot) -> Bot:
    """Disable a bot: its user is deactivated, so its tokens stop working."""
    _check_manage_bot(actor, bot)
    if bot.user.is_active:
        _deactivate(bot.user)
        _touch_bot(bot)
    return bot


@transaction.atomic
def bot_enable(*, actor: User, bot: Bot) -> Bot:
    """Enable a disabled bot again; its tokens authenticate again."""
    _check_manage_bot(actor, bot)
    if not bot.user.is_active:
        _reactivate(bot.user)
        _touch_bot(bot)
    return bot


@transaction.atomic
def bot_assign(*, actor: User, bot: Bot, owner: User) -> Bot:
    """Hand a bot over to another active person."""
    _check_manage_bot(actor, bot)
    if owner.is_bot or not owner.is_active:
        raise InvalidInput("A bot's owner must be an active person, not a bot.")
    if bot.owner_id != owner.id:
        bot.owner = owner
        bot.update_at = now_ms()
        bot.save(update_fields=["owner", "update_at"])
    return bot


# --- Presence the realtime layer observes ---------------------------------------------


@transaction.atomic
def status_set_automatic(
    *, user_id: str, status: str, team_ids: Iterable[str] = ()
) -> Status | None:
    """Record presence the server observed: a socket opened (online), the user's last socket
    closed (offline), the user went idle (away).

    A status the user chose (`manual`) is kept, as Mattermost does. A change is announced
    to the user's own connections and to the members of `team_ids` (the teams the caller
    knows the user is in). Returns the row, or None for an unknown or deactivated user
    who has none.
    """
    from apps.accounts.models import STATUS_ONLINE

    if status not in STATUSES:
        raise InvalidInput(f"Status must be one of: {', '.join(STATUSES)}.")
    now = now_ms()
    row = Status.objects.select_for_update().filter(user_id=user_id).first()
    if row is None:
        if not User.objects.filter(id=user_id, delete_at=0).exists():
            return None
        row, _ = Status.objects.get_or_create(
            user_id=user_id,
            defaults={"status": STATUS_OFFLINE, "manual": False, "last_activity_at": now},
        )
        row = Status.objects.select_for_update().get(user_id=user_id)
    if row.manual or row.status == status:
        return row
    row.status = status
    fields = ["status"]
    if status == STATUS_ONLINE:
        row.last_activity_at = now
        fields.append("last_activity_at")
    row.save(update_fields=fields)
    data = {"status": status, "user_id": user_id}
    publish_event("status_change", data, broadcast=Broadcast(user_id=user_id))
    for team_id in sorted(set(team_ids)):
        publish_event(
            "status_change",
            data,
            broadcast=Broadcast(team_id=team_id, omit_users=frozenset({user_id})),
        )
    return row


def status_record_activity(*, activity: dict[str, int]) -> None:
    """Move users' last activity forward (user id -> ms); it never moves back."""
    for user_id, at in activity.items():
        Status.objects.filter(user_id=user_id, last_activity_at__lt=at).update(last_activity_at=at)


def session_touch_many(*, session_ids: Iterable[str], older_than: int) -> int:
    """Record use of these sessions (open sockets) in one UPDATE, for those whose last
    activity is older than `older_than` (ms): enough to keep them from idle expiry while
    rarely disturbing presence, which reads the same column. Personal access token ids
    match no Session row and are left alone. Returns how many rows moved."""
    ids = list(set(session_ids))
    if not ids:
        return 0
    return Session.objects.filter(id__in=ids, last_activity_at__lt=older_than).update(
        last_activity_at=now_ms()
    )
