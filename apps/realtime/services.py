"""Presence writes: the status a user chooses, the one the hub observes from sockets, and
the activity that keeps users online and sessions alive.

`Status` is data of accounts (its model stays there); deciding a status and announcing it
is presence, the realtime app's business (STYLE.md §1). The realtime app imports accounts'
models, selectors and permissions, never its services, so the two apps' writes do not call
each other in a circle.
"""

from collections.abc import Iterable

from django.db import transaction

from apps.accounts.models import (
    STATUS_DND,
    STATUS_OFFLINE,
    STATUS_ONLINE,
    STATUSES,
    Session,
    Status,
    User,
)
from apps.accounts.permissions import can_manage_user, check_active
from apps.core.errors import InvalidInput, PermissionDenied
from apps.core.timeutils import now_ms
from apps.realtime import events, selectors
from apps.realtime.publish import publish_event


@transaction.atomic
def user_status_set(
    *, actor: User, user: User, status: str, manual: bool = True, dnd_end_time: int = 0
) -> Status:
    """Set the status a user chose, and tell their sessions and their teams.

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
    # Heard where an observed change is heard: by the user's teams too, or the others
    # would see them online until they reload.
    for event in events.status_change(
        user_id=user.id, status=status, team_ids=selectors.team_ids_of_user(user_id=user.id)
    ):
        publish_event(event)
    return row


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
    for event in events.status_change(user_id=user_id, status=status, team_ids=team_ids):
        publish_event(event)
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
