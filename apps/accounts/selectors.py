"""Reads of accounts, scoped to what the actor may see."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet

from apps.accounts.models import (
    STATUS_ONLINE,
    SYSTEM_ROLES,
    Bot,
    Preference,
    Session,
    Status,
    User,
    UserAccessToken,
)
from apps.accounts.permissions import (
    can_manage_user_or_bot,
    check_active,
    check_system_admin,
)
from apps.accounts.tokens import hash_token
from apps.accounts.wire import status_to_wire
from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.core.ids import is_valid_id
from apps.core.timeutils import now_ms

if TYPE_CHECKING:  # the team and channel apps build on accounts, never the reverse
    from apps.channels.models import Channel
    from apps.teams.models import Team

AUTOCOMPLETE_LIMIT_DEFAULT = 100
AUTOCOMPLETE_LIMIT_MAX = 1000


def _user_not_found() -> NotFound:
    return NotFound("User not found.", error_id="app.user.missing_account.const")


def user_get(*, actor: User, user_id: str) -> User:
    """Any signed-in user may look up any account (profiles are shared within a server)."""
    check_active(actor)
    user = User.objects.filter(id=user_id).first() if is_valid_id(user_id) else None
    if user is None:
        raise _user_not_found()
    return user


def user_get_by_username(*, actor: User, username: str) -> User:
    check_active(actor)
    user = User.objects.filter(username=str(username).lower()).first()
    if user is None:
        raise _user_not_found()
    return user


def user_get_by_email(*, actor: User, email: str) -> User:
    """Look an account up by e-mail: system admins find anyone, others only themselves.

    E-mail addresses are private, so for anyone else the answer is 403 whether the
    address exists or not (Mattermost does the same when it hides addresses).
    """
    check_active(actor)
    email = str(email).strip().lower()
    if not actor.is_system_admin:
        if email != actor.email:
            raise PermissionDenied(
                "Only system admins may look users up by e-mail.",
                error_id="api.user.get_user_by_email.permissions.app_error",
            )
        return actor
    user = User.objects.filter(email=email).first()
    if user is None:
        raise _user_not_found()
    return user


def user_list_by_ids(
    *, actor: User, user_ids: Iterable[str], since: int | None = None
) -> QuerySet[User]:
    """The accounts among `user_ids` (unknown ids are dropped), optionally only those
    changed after `since` (ms)."""
    check_active(actor)
    qs = User.objects.filter(id__in=[u for u in user_ids if is_valid_id(u)])
    return qs.filter(update_at__gt=since) if since is not None else qs


def user_list_by_usernames(*, actor: User, usernames: Iterable[str]) -> QuerySet[User]:
    check_active(actor)
    return User.objects.filter(username__in=[str(u).lower() for u in usernames])


def _members_of_team(team: "Team") -> QuerySet[User]:
    # One filter() call, so both conditions hold for the same membership row.
    return User.objects.filter(team_memberships__team=team, team_memberships__delete_at=0)


def _members_of_channel(channel: "Channel") -> QuerySet[User]:
    return User.objects.filter(channel_memberships__channel=channel)


def user_list(
    *,
    actor: User,
    in_team: "Team | None" = None,
    not_in_team: "Team | None" = None,
    in_channel: "Channel | None" = None,
    not_in_channel: "Channel | None" = None,
    without_team: bool = False,
    active: bool | None = None,
    role: str = "",
) -> QuerySet[User]:
    """Accounts matching every filter given, by username.

    Teams and channels must already be authorized by the caller (`access_team`,
    `access_channel`); listing accounts without team is for system admins.
    """
    check_active(actor)
    qs = User.objects.all()
    if in_team is not None:
        qs = qs.filter(id__in=_members_of_team(in_team).values("id"))
    if not_in_team is not None:
        qs = qs.exclude(id__in=_members_of_team(not_in_team).values("id"))
    if in_channel is not None:
        qs = qs.filter(id__in=_members_of_channel(in_channel).values("id"))
    if not_in_channel is not None:
        qs = qs.exclude(id__in=_members_of_channel(not_in_channel).values("id"))
    if without_team:
        check_system_admin(actor)
        qs = qs.exclude(
            id__in=User.objects.filter(
                team_memberships__delete_at=0, team_memberships__team__delete_at=0
            ).values("id")
        )
    if active is not None:
        qs = qs.filter(delete_at=0) if active else qs.exclude(delete_at=0)
    if role:
        # Every account holds system_user; the admin role is the one worth filtering.
        qs = qs.filter(roles__contains=role) if role in SYSTEM_ROLES else qs.none()
    return qs.order_by("username")


def _name_matches(qs: QuerySet[User], name: str) -> QuerySet[User]:
    """Each word of `name` starts the username, first or last name or the nickname."""
    for term in name.lower().lstrip("@").split():
        qs = qs.filter(
            Q(username__startswith=term)
            | Q(first_name__istartswith=term)
            | Q(last_name__istartswith=term)
            | Q(nickname__istartswith=term)
        )
    return qs


def user_autocomplete(
    *,
    actor: User,
    name: str,
    in_team: "Team | None" = None,
    in_channel: "Channel | None" = None,
    limit: int = AUTOCOMPLETE_LIMIT_DEFAULT,
) -> dict[str, list[User]]:
    """Active accounts whose names start with `name`, for @-mention completion.

    With a channel: `users` are its members and `out_of_channel` the others who could
    join it (the team's members, for a team channel). With only a team: its members.
    E-mail addresses are never matched. Teams and channels must already be authorized.
    """
    check_active(actor)
    limit = min(max(limit, 1), AUTOCOMPLETE_LIMIT_MAX)
    people = _name_matches(User.objects.filter(delete_at=0), name).order_by("username")
    team = in_team
    if in_channel is not None:
        if team is None and in_channel.team_id is not None:
            team = in_channel.team
        members = _members_of_channel(in_channel).values("id")
        outside = people.exclude(id__in=members)
        if team is not None:
            outside = outside.filter(id__in=_members_of_team(team).values("id"))
        return {
            "users": list(people.filter(id__in=members)[:limit]),
            "out_of_channel": list(outside[:limit]),
        }
    if team is not None:
        people = people.filter(id__in=_members_of_team(team).values("id"))
    return {"users": list(people[:limit])}


# --- preferences and presence ------------------------------------------------------------


def preference_list(
    *, actor: User, user: User, category: str | None = None
) -> QuerySet[Preference]:
    """Preferences of `user`, for themselves or a system admin (others get NotFound)."""
    check_active(actor)
    if actor.id != user.id and not actor.is_system_admin:
        raise _user_not_found()
    qs = Preference.objects.filter(user=user).order_by("category", "name")
    return qs.filter(category=category) if category else qs


def preference_get(*, actor: User, user: User, category: str, name: str) -> Preference:
    pref = preference_list(actor=actor, user=user, category=category).filter(name=name).first()
    if pref is None:
        raise NotFound("Preference not found.", error_id="app.preference.get.app_error")
    return pref


def online_user_ids(user_ids: Iterable[str]) -> set[str]:
    """Those of `user_ids` whose presence is online now."""
    return set(
        Status.objects.filter(user_id__in=list(user_ids), status=STATUS_ONLINE).values_list(
            "user_id", flat=True
        )
    )


def status_get(*, actor: User, user: User) -> dict[str, Any]:
    check_active(actor)
    return status_to_wire(user.id, Status.objects.filter(user=user).first())


def status_list_by_ids(*, actor: User, user_ids: Iterable[str]) -> list[dict[str, Any]]:
    """Presence of each of `user_ids`, in order and once each; unknown ids are offline."""
    check_active(actor)
    wanted = list(dict.fromkeys(user_ids))
    rows = {s.user_id: s for s in Status.objects.filter(user_id__in=wanted)}
    return [status_to_wire(user_id, rows.get(user_id)) for user_id in wanted]


# --- sessions and personal access tokens ---------------------------------------------


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
        now = now_ms()
        idle_ms = settings.CONFAB_SESSION_IDLE_SECONDS * 1000
        if session.expires_at and session.expires_at <= now:
            return None
        if idle_ms and now - session.last_activity_at > idle_ms:
            return None  # unused for too long (SECURITY 10: absolute and idle expiry)
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
        raise _user_not_found()
    return Session.objects.filter(user=user).select_related("user").order_by("-last_activity_at")


def _token_not_found() -> NotFound:
    return NotFound("Token not found.", error_id="app.user_access_token.get_by_id.app_error")


def user_access_token_list(*, actor: User, user: User) -> QuerySet[UserAccessToken]:
    """Tokens of `user`, for themselves, a system admin or (for a bot) its owner."""
    check_active(actor)
    if not can_manage_user_or_bot(actor, user):
        raise _user_not_found()
    return UserAccessToken.objects.filter(user=user).order_by("create_at", "id")


def user_access_token_list_all(*, actor: User) -> QuerySet[UserAccessToken]:
    check_system_admin(actor)
    return UserAccessToken.objects.order_by("create_at", "id")


def user_access_token_get(*, actor: User, token_id: str) -> UserAccessToken:
    """One token by id; missing and not-yours are the same NotFound."""
    check_active(actor)
    row = (
        UserAccessToken.objects.select_related("user").filter(id=token_id).first()
        if is_valid_id(token_id)
        else None
    )
    if row is None or not can_manage_user_or_bot(actor, row.user):
        raise _token_not_found()
    return row


# --- bots ---------------------------------------------------------------------------------


def bot_list(
    *, actor: User, include_deleted: bool = False, only_orphaned: bool = False
) -> QuerySet[Bot]:
    """Bots the actor manages: their own, or every bot for a system admin."""
    check_active(actor)
    qs = Bot.objects.select_related("user").order_by("user__username")
    if not actor.is_system_admin:
        qs = qs.filter(owner=actor)
    if not include_deleted:
        qs = qs.filter(user__delete_at=0)
    if only_orphaned:
        # Mattermost's "orphaned": the owner is gone or deactivated.
        qs = qs.filter(Q(owner__isnull=True) | ~Q(owner__delete_at=0))
    return qs


# --- search ---------------------------------------------------------------------------------

USER_SEARCH_LIMIT_DEFAULT = 100
USER_SEARCH_LIMIT_MAX = 1000


def _search_matches(qs: QuerySet[User], term: str, *, with_email: bool) -> QuerySet[User]:
    """Each word of `term` starts the username, a name, the nickname or (when allowed)
    the e-mail address."""
    for word in term.lower().split():
        word = word.lstrip("@")
        if not word:
            continue
        match = (
            Q(username__startswith=word)
            | Q(first_name__istartswith=word)
            | Q(last_name__istartswith=word)
            | Q(nickname__istartswith=word)
        )
        if with_email:
            match |= Q(email__istartswith=word)
        qs = qs.filter(match)
    return qs


def user_search(
    *,
    actor: User,
    term: str,
    in_team: "Team | None" = None,
    not_in_team: "Team | None" = None,
    in_channel: "Channel | None" = None,
    not_in_channel: "Channel | None" = None,
    without_team: bool = False,
    allow_inactive: bool = False,
    limit: int = USER_SEARCH_LIMIT_DEFAULT,
) -> list[User]:
    """Accounts matching `term` and every filter given, by username (Mattermost's
    `POST /users/search`).

    Only system admins match e-mail addresses, since nobody else may read them, and
    only they see deactivated accounts (with `allow_inactive`; others never do, as in
    `user_autocomplete`). `without_team` takes precedence over the team and channel
    filters, as in Mattermost, and is for system admins. Teams and channels must already
    be authorized by the caller.

    Raises:
        InvalidInput: a blank term, or a limit outside 1..1000.
        PermissionDenied: `without_team` asked by someone who is not a system admin.
    """
    check_active(actor)
    if not term.strip():
        raise InvalidInput("term must not be blank.")
    if not 0 < limit <= USER_SEARCH_LIMIT_MAX:
        raise InvalidInput(f"limit must be between 1 and {USER_SEARCH_LIMIT_MAX}.")
    admin = actor.is_system_admin
    active = None if allow_inactive and admin else True
    if without_team:
        qs = user_list(actor=actor, without_team=True, active=active)
    else:
        qs = user_list(
            actor=actor,
            in_team=in_team,
            not_in_team=not_in_team,
            in_channel=in_channel,
            not_in_channel=not_in_channel,
            active=active,
        )
    return list(_search_matches(qs, term, with_email=admin)[:limit])
