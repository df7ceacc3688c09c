"""Celery entry points for search; each calls one service."""

from celery import shared_task

from apps.core.timeutils import now_ms
from apps.search.services import search_catch_up, search_index_posts

# How far back the catch-up looks: longer than any outage it should repair. Posts older
# than this that are missing from the index need `manage.py search_reindex`.
CATCH_UP_WINDOW_MS = 24 * 60 * 60 * 1000


@shared_task(name="apps.search.tasks.search_index_posts_task")
def search_index_posts_task(post_ids: list[str]) -> int:
    """Idempotent: it reads the posts as they are when it runs, so retries are safe."""
    return search_index_posts(post_ids=post_ids)


@shared_task(name="apps.search.tasks.search_catch_up_task")
def search_catch_up_task() -> int:
    """Run by beat: index the recent posts whose index task was lost (SECURITY 23)."""
    return search_catch_up(since_ms=now_ms() - CATCH_UP_WINDOW_MS)
