"""Reads of accounts."""

from collections.abc import Iterable

from django.db.models import QuerySet

from apps.accounts.models import (
    STATUS_OFFLINE,
    STATUS_ONLINE,
    Preference,
    Session,
    Status,
    User,
    UserAccessToken,
)
from apps.accounts.permissions import check_active
from apps.accounts.tokens import hash_token
from apps.core.errors import NotFound
from apps.core.ids import is_valid_id
from apps.core.timeutils import now_ms


def user_get(*, actor: User, user_id: str) -> User:
    """Any signed-in user may look up any account (profiles are shared within a server)."""
    check_active(actor)
    user = User.objects.filter(id=user_id).first() if is_valid_id(user_id) else None
    if user is None:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    return user


def user_get_by_username(*, actor: User, username: str) -> User:
    check_active(actor)
    user = User.objects.filter(username=str(username).lower()).first()
    if user is None:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    return user


def user_list_by_ids(*, actor: User, user_ids: Iterable[str]) -> QuerySet[User]:
    check_active(actor)
    return User.objects.filter(id__in=[u for u in user_ids if is_valid_id(u)])


def preference_list(
    *, actor: User, user: User, category: str | None = None
) -> QuerySet[Preference]:
    check_active(actor)
    if actor.id != user.id and not actor.is_system_admin:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    qs = Preference.objects.filter(user=user).order_by("category", "name")
    return qs.filter(category=category) if category else qs


def online_user_ids(user_ids: Iterable[str]) -> set[str]:
    """Those of `user_ids` whose presence is online now."""
    return set(
        Status.objects.filter(user_id__in=list(user_ids), status=STATUS_ONLINE).values_list(
            "user_id", flat=True
        )
    )


def status_get(*, actor: User, user: User) -> dict[str, object]:
    check_active(actor)
    row = Status.objects.filter(user=user).first()
    if row is None:
        return {
            "user_id": user.id,
            "status": STATUS_OFFLINE,
            "manual": False,
            "last_activity_at": 0,
            "dnd_end_time": 0,
        }
    return {
        "user_id": user.id,
        "status": row.status,
        "manual": row.manual,
        "last_activity_at": row.last_activity_at,
        "dnd_end_time": row.dnd_end_time,
    }


def session_for_token(token: str) -> Session | None:
    """The live session or personal access token behind a bearer token, or None.

    A personal access token authenticates like a session that never expires; it is
    returned as an unsaved Session so callers need not tell the two apart.
    """
    if not token or len(token) > 128:
        return None
    digest = hash_token(token)
    session = Session.objects.select_related("user").filter(token_hash=digest).first()
    if session is not None:
        if session.expires_at and session.expires_at <= now_ms():
            return None
        return session if session.user.is_active else None
    pat = (
        UserAccessToken.objects.select_related("user")
        .filter(token_hash=digest, is_active=True)
        .first()
    )
    if pat is None or not pat.user.is_active:
        return None
    return Session(id=pat.id, user=pat.user, token_hash=digest, props={"type": "UserAccessToken"})


def session_list(*, actor: User, user: User) -> QuerySet[Session]:
    check_active(actor)
    if actor.id != user.id and not actor.is_system_admin:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    return Session.objects.filter(user=user).order_by("-last_activity_at")
