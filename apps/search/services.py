"""Writes of the search index: bring it in line with posts after they change.

Called from a Celery task after the post's transaction commits (or inline when the
broker is down: see receivers.py), and by `manage.py search_reindex`. Each call is
idempotent: it reads the posts as they are now, so a late or repeated run leaves the right
state. `search_catch_up`, run by beat, indexes recent posts that have no entry because their
task was lost with the broker's memory; an edit whose task was lost that way keeps its old
words in the index until the post changes again or the index is rebuilt.
"""

from collections.abc import Iterable, Sequence
from typing import TypedDict

from django.db import transaction
from django.db.models import Exists, OuterRef

from apps.channels.models import Channel
from apps.posts.models import Post
from apps.search.analysis import hashtag_token, tokens
from apps.search.models import PostSearchEntry

SYSTEM_POST_PREFIX = "system_"
BULK_BATCH = 2000


def is_searchable(post: Post) -> bool:
    """Live posts people wrote; system messages and deleted posts are never found."""
    return not post.delete_at and not post.type.startswith(SYSTEM_POST_PREFIX)


class _EntryFields(TypedDict):
    channel_id: str
    user_id: str
    create_at: int
    body: str


def _entry_fields(post: Post) -> _EntryFields:
    """The entry of a post: its words, then its hashtags as tokens of their own."""
    tags = dict.fromkeys(hashtag_token(t) for t in post.hashtags.split() if t.strip("#"))
    return {
        "channel_id": post.channel_id,
        "user_id": post.user_id,
        "create_at": post.create_at,
        "body": " ".join([*tokens(post.message), *tags]),
    }


@transaction.atomic
def search_index_posts(*, post_ids: Iterable[str]) -> int:
    """Index these posts as they are now, or drop them from the index when they are
    deleted, gone or system messages. Returns how many are indexed."""
    ids = list(dict.fromkeys(post_ids))
    posts = [p for p in Post.objects.filter(id__in=ids) if is_searchable(p)]
    keep = {p.id for p in posts}
    PostSearchEntry.objects.filter(post_id__in=[i for i in ids if i not in keep]).delete()
    for post in posts:
        PostSearchEntry.objects.update_or_create(post_id=post.id, defaults=_entry_fields(post))
    return len(posts)


def search_index_new_posts(posts: Sequence[Post]) -> int:
    """Index posts that have no entry yet, in bulk (imports, the benchmark's corpus,
    a full reindex after `search_clear`). Not for posts that may be indexed already."""
    indexed = 0
    for start in range(0, len(posts), BULK_BATCH):
        batch = [p for p in posts[start : start + BULK_BATCH] if is_searchable(p)]
        with transaction.atomic():  # a failed batch rolls back alone
            PostSearchEntry.objects.bulk_create(
                [PostSearchEntry(post_id=p.id, **_entry_fields(p)) for p in batch]
            )
        indexed += len(batch)
    return indexed


def search_catch_up(*, since_ms: int) -> int:
    """Index the searchable posts written since `since_ms` that have no index entry.
    Returns how many. Cheap when none are missing: it reads only channels with a post
    since then, through the posts' (channel, create_at) index."""
    recent_channels = Channel.objects.filter(last_post_at__gte=since_ms).values("id")
    missing = list(
        Post.objects.filter(channel_id__in=recent_channels, create_at__gte=since_ms, delete_at=0)
        .exclude(type__startswith=SYSTEM_POST_PREFIX)
        .filter(~Exists(PostSearchEntry.objects.filter(post_id=OuterRef("id"))))
        .values_list("id", flat=True)
    )
    for start in range(0, len(missing), BULK_BATCH):
        search_index_posts(post_ids=missing[start : start + BULK_BATCH])
    return len(missing)


@transaction.atomic
def search_clear() -> None:
    """Empty the index (before a full rebuild)."""
    PostSearchEntry.objects.all().delete()
