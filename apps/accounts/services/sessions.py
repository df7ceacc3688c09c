"""Sign-in, sessions, personal access tokens and passwords: every way an account
authenticates, and the ways those end."""

from django.conf import settings
from django.contrib.sessions.models import Session as BrowserSession
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.accounts import events
from apps.accounts.models import Session, User, UserAccessToken
from apps.accounts.permissions import can_manage_user, can_manage_user_or_bot, check_active
from apps.accounts.tokens import hash_token, new_token
from apps.accounts.validators import validate_new_password
from apps.core.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)
from apps.core.services import model_update
from apps.core.timeutils import now_ms
from apps.realtime.publish import publish_event

# --- sign-in and sessions ------------------------------------------------------------------

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


def session_touch(*, session: Session) -> None:
    """Record activity at most once a minute (a write per request would cost too much)."""
    now = now_ms()
    if now - session.last_activity_at > 60_000:
        Session.objects.filter(id=session.id).update(last_activity_at=now)
        session.last_activity_at = now


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
    api_sessions_end(user=user)


def session_end(*, session: Session) -> None:
    """Sign out the session that made this request."""
    Session.objects.filter(id=session.id).delete()
    _announce_session_end(session.user, [session.id])


def api_sessions_end(*, user: User, keep_session_id: str = "") -> None:
    """End every API session of `user` but `keep_session_id`, and close their sockets.

    No permission check: for the services that decided it (a password change, a
    deactivation, signing out everywhere)."""
    sessions = Session.objects.filter(user=user).exclude(id=keep_session_id)
    ids = list(sessions.values_list("id", flat=True))
    sessions.delete()
    _announce_session_end(user, ids)


def _announce_session_end(user: User, session_ids: list[str]) -> None:
    # The realtime layer closes sockets opened with these sessions.
    if session_ids:
        publish_event(events.session_revoked(user_id=user.id, session_ids=session_ids))


def session_purge_expired() -> int:
    """Delete expired browser and API sessions; returns how many were removed."""
    browser, _ = BrowserSession.objects.filter(expire_date__lte=timezone.now()).delete()
    api, _ = Session.objects.filter(expires_at__gt=0, expires_at__lte=now_ms()).delete()
    return browser + api


# --- passwords -----------------------------------------------------------------------------


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
    validate_new_password(new_password, user)
    user.set_password(new_password)
    user.last_password_update = now_ms()
    # The session auth hash includes the password hash, so other browser sessions end.
    user.save(update_fields=["password", "last_password_update"])
    # A new password is the way out of a sign-in lockout, as in Mattermost: the admin who
    # set it (or the user who proved the current one) need not wait for the window to end.
    cache.delete(_account_failures_key(user.id))
    api_sessions_end(user=user, keep_session_id=keep_session_id)
    # A leaked password may have minted tokens too (SECURITY 10): they stop at once and
    # their owner may enable the ones they trust again.
    tokens = UserAccessToken.objects.filter(user=user, is_active=True)
    token_ids = list(tokens.values_list("id", flat=True))
    tokens.update(is_active=False, update_at=now_ms())
    _announce_session_end(user, token_ids)


# --- personal access tokens ------------------------------------------------------------------


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
