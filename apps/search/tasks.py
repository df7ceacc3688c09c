"""Celery entry points for search; each calls one service."""

from celery import shared_task

from apps.search.services import search_index_posts


@shared_task(name="apps.search.tasks.search_index_posts_task")
def search_index_posts_task(post_ids: list[str]) -> int:
    """Idempotent: it reads the posts as they are when it runs, so retries are safe."""
    return search_index_posts(post_ids=post_ids)
