"""Writes of the search index: bring it in line with posts after they change.

Called from a Celery task after the post's transaction commits (see receivers.py), and
by `manage.py search_reindex`. Each call is idempotent: it reads the posts as they are
now, so a late or repeated run leaves the right state.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction

from apps.posts.models import Post
from apps.search.analysis import hashtag_token, tokens
from apps.search.models import PostSearchEntry

SYSTEM_POST_PREFIX = "system_"
BULK_BATCH = 2000


def is_searchable(post: Post) -> bool:
    """Live posts people wrote; system messages and deleted posts are never found."""
    return not post.delete_at and not post.type.startswith(SYSTEM_POST_PREFIX)


def _entry_fields(post: Post) -> dict:
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


@transaction.atomic
def search_clear() -> None:
    """Empty the index (before a full rebuild)."""
    PostSearchEntry.objects.all().delete()
