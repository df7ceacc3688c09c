"""Chat channels of the four Mattermost types and their membership and read state."""

from django.conf import settings
from django.db import connections, models
from django.db.models import Q

from apps.core.models import SoftDeleteModel
from apps.core.timeutils import now_ms

CHANNEL_OPEN = "O"
CHANNEL_PRIVATE = "P"
CHANNEL_DIRECT = "D"
CHANNEL_GROUP = "G"
CHANNEL_TYPES = [
    (CHANNEL_OPEN, "Public"),
    (CHANNEL_PRIVATE, "Private"),
    (CHANNEL_DIRECT, "Direct"),
    (CHANNEL_GROUP, "Group"),
]

TOWN_SQUARE = "town-square"
OFF_TOPIC = "off-topic"

MARK_UNREAD_ALL = "all"
MARK_UNREAD_MENTION = "mention"  # a muted channel


def default_member_notify_props() -> dict[str, str]:
    return {
        "desktop": "default",
        "push": "default",
        "email": "default",
        "mark_unread": MARK_UNREAD_ALL,
        "ignore_channel_mentions": "default",
        "channel_auto_follow_threads": "off",
    }


# The channel's counters a new post moves, as `count_new_post` returns them.
_POST_TOTALS = ("total_msg_count", "total_msg_count_root", "last_post_at", "last_root_post_at")


class ChannelQuerySet(models.QuerySet):
    def lock_rows(self, channel_ids: list[str]) -> dict[str, int]:
        """Lock channel rows until the transaction ends; returns their current `delete_at`.

        Every service that posts and changes memberships takes this lock first and in
        id order, so lock order is always channel, then member rows: no deadlocks.
        """
        rows = (
            self.select_for_update()
            .filter(id__in=channel_ids)
            .order_by("id")
            .values_list("id", "delete_at")
        )
        return dict(rows)

    def count_new_post(
        self, channel_id: str, *, at: int, is_root: bool, counts_as_unread: bool
    ) -> dict[str, int]:
        """Move a channel's counters for a post made at `at` and return the new totals
        (total_msg_count, total_msg_count_root, last_post_at, last_root_post_at).

        One `UPDATE ... RETURNING` (PostgreSQL, and SQLite since 3.35) instead of an
        update and a read back: this runs on every post, under the channel's row lock.
        """
        table = self.model._meta.db_table
        changes = ["last_post_at = %s", "update_at = %s"]
        params: list[int | str] = [at, at]
        if is_root:
            changes.append("last_root_post_at = %s")
            params.append(at)
        if counts_as_unread:
            changes.append("total_msg_count = total_msg_count + 1")
            if is_root:
                changes.append("total_msg_count_root = total_msg_count_root + 1")
        # Only fixed column clauses above and the model's own table name go into the
        # text; every value is a parameter.
        sql = (
            f'UPDATE "{table}" SET {", ".join(changes)} WHERE id = %s '  # noqa: S608
            f"RETURNING {', '.join(_POST_TOTALS)}"
        )
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [*params, channel_id])
            row = cursor.fetchone()
        return dict(zip(_POST_TOTALS, row, strict=True))


class Channel(SoftDeleteModel):
    """A channel; archiving sets `delete_at`. D and G channels belong to no team."""

    team = models.ForeignKey(
        "teams.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="channels"
    )
    type = models.CharField(max_length=1, choices=CHANNEL_TYPES)
    display_name = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=64)
    header = models.CharField(max_length=1024, blank=True, default="")
    purpose = models.CharField(max_length=250, blank=True, default="")
    last_post_at = models.BigIntegerField(default=0)
    last_root_post_at = models.BigIntegerField(default=0)
    total_msg_count = models.BigIntegerField(default=0)
    total_msg_count_root = models.BigIntegerField(default=0)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    props = models.JSONField(default=dict, blank=True)

    objects = ChannelQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="chat_channels_team_name_unique"),
            # D and G names are derived from their members, so they are unique without a team.
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(team__isnull=True),
                name="chat_channels_teamless_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_direct(self) -> bool:
        return self.type == CHANNEL_DIRECT

    @property
    def is_group(self) -> bool:
        return self.type == CHANNEL_GROUP

    @property
    def is_archived(self) -> bool:
        return self.delete_at != 0


class ChannelMemberQuerySet(models.QuerySet):
    def mark_read(self, *, total_msg_count: int, total_msg_count_root: int, at: int) -> int:
        """Catch these memberships up with the channel: nothing unread, no mentions."""
        return self.update(
            msg_count=total_msg_count,
            msg_count_root=total_msg_count_root,
            mention_count=0,
            mention_count_root=0,
            urgent_mention_count=0,
            last_viewed_at=at,
            last_update_at=at,
        )

    def count_mention(self, *, is_root: bool, at: int) -> int:
        """One more unread mention for these members, of a post made at `at` (in a thread
        unless `is_root`); posts' services call this as they post."""
        changes: dict[str, object] = {
            "mention_count": models.F("mention_count") + 1,
            "last_update_at": at,
        }
        if is_root:
            changes["mention_count_root"] = models.F("mention_count_root") + 1
        return self.update(**changes)


class ChannelMember(models.Model):
    """Membership with read state: unread = channel.total_msg_count - msg_count."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_memberships"
    )
    scheme_admin = models.BooleanField(default=False)
    last_viewed_at = models.BigIntegerField(default=0)
    msg_count = models.BigIntegerField(default=0)
    msg_count_root = models.BigIntegerField(default=0)
    mention_count = models.BigIntegerField(default=0)
    mention_count_root = models.BigIntegerField(default=0)
    urgent_mention_count = models.BigIntegerField(default=0)
    notify_props = models.JSONField(default=default_member_notify_props)
    last_update_at = models.BigIntegerField(default=now_ms)

    objects = ChannelMemberQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "user"], name="chat_channels_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.channel_id}"

    @property
    def roles(self) -> str:
        return "channel_user channel_admin" if self.scheme_admin else "channel_user"

    @property
    def is_muted(self) -> bool:
        return self.notify_props.get("mark_unread") == MARK_UNREAD_MENTION
