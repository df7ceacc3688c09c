"""Keep the index in step with posts: each committed change queues an index task."""

from typing import Any

from apps.search.tasks import search_index_posts_task


def post_created_index(sender: object, *, post_id: str, **kwargs: Any) -> None:
    search_index_posts_task.delay([post_id])


def posts_changed_index(sender: object, *, post_ids: list[str], **kwargs: Any) -> None:
    search_index_posts_task.delay(list(post_ids))
