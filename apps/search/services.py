"""Writes of the search index: bring it in line with posts after they change.

Called from a Celery task after the post's transaction commits (see receivers.py), and
by `manage.py search_reindex`. Each call is idempotent: it reads the posts as they are
now, so a late or repeated run leaves the right state.
"""

from collections.abc import Iterable, Sequence

from django.db import transaction

from apps.posts.models import Post
from apps.search.analysis import tokens
from apps.search.models import PostHashtag, PostSearchEntry

SYSTEM_POST_PREFIX = "system_"
BULK_BATCH = 2000


def is_searchable(post: Post) -> bool:
    """Live posts people wrote; system messages and deleted posts are never found."""
    return not post.delete_at and not post.type.startswith(SYSTEM_POST_PREFIX)


def hashtags_of(post: Post) -> list[str]:
    return list(dict.fromkeys(t.lstrip("#").lower() for t in post.hashtags.split() if t))


def _entry_fields(post: Post) -> dict:
    return {
        "channel_id": post.channel_id,
        "user_id": post.user_id,
        "create_at": post.create_at,
        "body": " ".join(tokens(post.message)),
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
        entry, _created = PostSearchEntry.objects.update_or_create(
            post_id=post.id, defaults=_entry_fields(post)
        )
        tags = hashtags_of(post)
        PostHashtag.objects.filter(entry=entry).exclude(tag__in=tags).delete()
        PostHashtag.objects.bulk_create(
            [PostHashtag(entry=entry, tag=tag) for tag in tags], ignore_conflicts=True
        )
    return len(posts)


def search_index_new_posts(posts: Sequence[Post]) -> int:
    """Index posts that have no entry yet, in bulk (imports, the benchmark's corpus,
    a full reindex after `search_clear`). Not for posts that may be indexed already."""
    indexed = 0
    for start in range(0, len(posts), BULK_BATCH):
        batch = [p for p in posts[start : start + BULK_BATCH] if is_searchable(p)]
        with transaction.atomic():
            entries = PostSearchEntry.objects.bulk_create(
                [PostSearchEntry(post_id=p.id, **_entry_fields(p)) for p in batch]
            )
            # PostgreSQL and SQLite (3.35+) both return the new ids from a bulk insert.
            by_post = {e.post_id: e for e in entries}
            PostHashtag.objects.bulk_create(
                [PostHashtag(entry=by_post[p.id], tag=tag) for p in batch for tag in hashtags_of(p)]
            )
        indexed += len(batch)
    return indexed


@transaction.atomic
def search_clear() -> None:
    """Empty the index (before a full rebuild)."""
    PostHashtag.objects.all().delete()
    PostSearchEntry.objects.all().delete()
