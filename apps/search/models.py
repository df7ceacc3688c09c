"""The search index: one row per searchable post.

`body` holds the tokens of `apps.search.analysis`, space-joined: the message's words,
then its hashtags as tokens of their own kind. Each database
adds its own full-text structure in the migration: PostgreSQL a `vector` tsvector column
(filled by a trigger from `body`, with positions) and its GIN index; SQLite an FTS5 table
`search_post_fts` kept in step by triggers. Django never reads those directly; the
backends in `apps.search.backends` query them.
"""

from django.db import models


class PostSearchEntry(models.Model):
    """A post as search sees it: live, not a system message, with its tokens."""

    # An integer key: on SQLite it is the rowid the FTS table refers to, and it survives
    # the table copies SQLite migrations make (the FTS triggers do not: a migration that
    # alters this table must recreate them, see migrations/0001_initial.py).
    id = models.BigAutoField(primary_key=True)
    post = models.OneToOneField("posts.Post", on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(
        "chat_channels.Channel", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user_id = models.CharField(max_length=26)
    create_at = models.BigIntegerField()
    body = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["channel", "-create_at"], name="search_entry_channel_idx"),
            models.Index(fields=["user_id", "-create_at"], name="search_entry_user_idx"),
        ]

    def __str__(self) -> str:
        return f"index of {self.post_id}"
