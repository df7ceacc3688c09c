"""Reads the realtime layer needs: who is in which channel and team, whose sessions are
still good, and presence. They run on a worker thread (`database_sync_to_async`)."""

from collections.abc import Iterable

from django.db.models import Max, Q

from apps.accounts.models import STATUS_OFFLINE, Session, Status, User, UserAccessToken
from apps.channels.models import ChannelMember
from apps.core.timeutils import now_ms
from apps.teams.models import TeamMember


def user_audiences(*, user_id: str) -> tuple[set[str], set[str]]:
    """The channels and teams whose broadcasts `user_id` receives: the current memberships.

    Archived channels count (their members still read them); teams the user left do not.
    """
    chat_channel_ids = set(
        ChannelMember.objects.filter(user_id=user_id).values_list("channel_id", flat=True)
    )
    return chat_channel_ids, team_ids_of_user(user_id=user_id)


def team_ids_of_user(*, user_id: str) -> set[str]:
    """The teams `user_id` is a member of now (not those they left)."""
    return set(
        TeamMember.objects.filter(user_id=user_id, delete_at=0).values_list("team_id", flat=True)
    )


def live_session_ids(*, session_ids: Iterable[str]) -> set[str]:
    """Those of `session_ids` (sessions or personal access tokens) that still authenticate:
    not revoked, not expired, and their user not deactivated."""
    ids = list(set(session_ids))
    if not ids:
        return set()
    now = now_ms()
    sessions = Session.objects.filter(id__in=ids, user__delete_at=0).filter(
        Q(expires_at=0) | Q(expires_at__gt=now)
    )
    tokens = UserAccessToken.objects.filter(id__in=ids, is_active=True, user__delete_at=0)
    return set(sessions.values_list("id", flat=True)) | set(tokens.values_list("id", flat=True))


def active_user_ids(*, user_ids: Iterable[str]) -> set[str]:
    return set(User.objects.filter(id__in=list(user_ids), delete_at=0).values_list("id", flat=True))


def presence_for_users(*, user_ids: Iterable[str]) -> dict[str, tuple[str, bool, int]]:
    """user id -> (status, manual, last activity in ms), the activity being the latest of
    the status row and any of the user's sessions (HTTP requests keep a user active)."""
    ids = list(set(user_ids))
    result = {user_id: (STATUS_OFFLINE, False, 0) for user_id in ids}
    for row in Status.objects.filter(user_id__in=ids):
        result[row.user_id] = (row.status, row.manual, row.last_activity_at)
    session_activity = (
        Session.objects.filter(user_id__in=ids)
        .values("user_id")
        .annotate(last=Max("last_activity_at"))
        .values_list("user_id", "last")
    )
    for user_id, last in session_activity:
        status, manual, at = result[user_id]
        result[user_id] = (status, manual, max(at, last or 0))
    return result


def status_map(*, user_ids: Iterable[str]) -> dict[str, str]:
    """user id -> status for exactly these users; unknown ones are `offline`."""
    ids = list(set(user_ids))
    statuses = dict(Status.objects.filter(user_id__in=ids).values_list("user_id", "status"))
    return {user_id: statuses.get(user_id, STATUS_OFFLINE) for user_id in ids}


def status_map_for_teams(*, user_id: str, team_ids: Iterable[str], limit: int) -> dict[str, str]:
    """Statuses other than `offline` of the people `user_id` shares a team with (and their
    own), at most `limit` of them: what `get_statuses` answers."""
    teammates = TeamMember.objects.filter(team_id__in=list(team_ids), delete_at=0).values("user_id")
    rows = (
        Status.objects.exclude(status=STATUS_OFFLINE)
        .filter(Q(user_id__in=teammates) | Q(user_id=user_id))
        .values_list("user_id", "status")[:limit]
    )
    return dict(rows)
