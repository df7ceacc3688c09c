"""Posts, their edit history and reactions. Saved posts are preferences (`flagged_post`)."""

from django.conf import settings
from django.db import models

from apps.core.models import SoftDeleteModel
from apps.core.timeutils import now_ms

SYSTEM_TYPE_PREFIX = "system_"
POST_TYPE_JOIN_CHANNEL = "system_join_channel"
POST_TYPE_LEAVE_CHANNEL = "system_leave_channel"
POST_TYPE_ADD_TO_CHANNEL = "system_add_to_channel"
POST_TYPE_REMOVE_FROM_CHANNEL = "system_remove_from_channel"
POST_TYPE_JOIN_TEAM = "system_join_team"
POST_TYPE_LEAVE_TEAM = "system_leave_team"
POST_TYPE_HEADER_CHANGE = "system_header_change"
POST_TYPE_PURPOSE_CHANGE = "system_purpose_change"
POST_TYPE_DISPLAYNAME_CHANGE = "system_displayname_change"
POST_TYPE_CHANNEL_DELETED = "system_channel_deleted"
POST_TYPE_CHANNEL_RESTORED = "system_channel_restored"

# Join/leave chatter does not make a channel unread (as in Mattermost).
JOIN_LEAVE_TYPES = frozenset(
    {
        POST_TYPE_JOIN_CHANNEL,
        POST_TYPE_LEAVE_CHANNEL,
        POST_TYPE_ADD_TO_CHANNEL,
        POST_TYPE_REMOVE_FROM_CHANNEL,
        POST_TYPE_JOIN_TEAM,
        POST_TYPE_LEAVE_TEAM,
    }
)

FLAGGED_POST_CATEGORY = "flagged_post"


class Post(SoftDeleteModel):
    """A message. Replies point at their thread's root; a root has `root` = None."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(
        "chat_channels.Channel", on_delete=models.CASCADE, related_name="posts"
    )
    root = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    edit_at = models.BigIntegerField(default=0)
    is_pinned = models.BooleanField(default=False)
    original_id = models.CharField(max_length=26, blank=True, default="")
    message = models.TextField(blank=True, default="")
    type = models.CharField(max_length=64, blank=True, default="")
    props = models.JSONField(default=dict, blank=True)
    hashtags = models.CharField(max_length=1000, blank=True, default="")
    file_ids = models.JSONField(default=list, blank=True)
    pending_post_id = models.CharField(max_length=64, blank=True, default="")
    has_reactions = models.BooleanField(default=False)
    reply_count = models.IntegerField(default=0)
    last_reply_at = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            # Channel history newest first (id breaks ties, so the index gives the whole
            # order and a page stops after its rows), and the `since` sync by update time.
            models.Index(fields=["channel", "-create_at", "-id"], name="posts_channel_create_id"),
            models.Index(fields=["channel", "update_at"], name="posts_channel_update"),
            models.Index(fields=["root", "create_at"], name="posts_root_create"),
            # Server-wide by age (retention jobs, the console's list) is indexed by
            # migration 0004, per database: a BRIN index on PostgreSQL, see there why.
        ]

    def __str__(self) -> str:
        return self.id

    @property
    def root_id_str(self) -> str:
        return self.root_id or ""

    @property
    def is_system(self) -> bool:
        return self.type.startswith(SYSTEM_TYPE_PREFIX)


class PostEdit(models.Model):
    """A previous version of an edited post, kept for the edit history."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="edits")
    message = models.TextField(blank=True, default="")
    props = models.JSONField(default=dict, blank=True)
    file_ids = models.JSONField(default=list, blank=True)
    create_at = models.BigIntegerField(help_text="When this version was written (ms).")
    replaced_at = models.BigIntegerField(default=now_ms)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self) -> str:
        return f"{self.post_id}@{self.replaced_at}"


class Reaction(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    emoji_name = models.CharField(max_length=64)
    channel = models.ForeignKey("chat_channels.Channel", on_delete=models.CASCADE, related_name="+")
    create_at = models.BigIntegerField(default=now_ms)
    update_at = models.BigIntegerField(default=now_ms)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "post", "emoji_name"], name="posts_reaction_unique"
            )
        ]
        ordering = ["create_at"]

    def __str__(self) -> str:
        return f"{self.emoji_name} by {self.user_id} on {self.post_id}"


class Draft(models.Model):
    """A message being written, kept on the server so it follows its author to another
    browser (Mattermost's synced drafts). One per user, channel and thread: `root_id` is
    "" for the channel's box and the thread root's id for a reply box. A string, not a
    foreign key, so the unique key needs no NULL and a deleted root leaves a draft the
    listing simply skips."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey("chat_channels.Channel", on_delete=models.CASCADE, related_name="+")
    root_id = models.CharField(max_length=26, blank=True, default="")
    message = models.TextField(blank=True, default="")
    props = models.JSONField(default=dict, blank=True)
    file_ids = models.JSONField(default=list, blank=True)
    create_at = models.BigIntegerField(default=now_ms)
    update_at = models.BigIntegerField(default=now_ms)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "channel", "root_id"], name="posts_draft_unique"
            )
        ]

    def __str__(self) -> str:
        return f"draft of {self.user_id} in {self.channel_id}/{self.root_id}"
