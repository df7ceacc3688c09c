"""Keep the index in step with posts: each committed change queues an index task.

A broker that cannot take the task (Redis down or not answering: SECURITY 23) must not
fail the post, which has committed, nor leave it out of search: the posts are then indexed
right here, after their commit, and the broker is left alone for `BROKER_QUIET_SECONDS` so
that an outage costs one timeout, not one per post. A task that was queued and then lost
(a Redis that restarted empty) is made good by `search_catch_up_task`, which beat runs.
"""

import logging
import time
from typing import Any

from apps.search.services import search_index_posts
from apps.search.tasks import search_index_posts_task

logger = logging.getLogger(__name__)

BROKER_QUIET_SECONDS = 10

_broker_quiet_until = 0.0


def post_created_index(sender: object, *, post_id: str, **kwargs: Any) -> None:
    _index_soon([post_id])


def posts_changed_index(sender: object, *, post_ids: list[str], **kwargs: Any) -> None:
    _index_soon(list(post_ids))


def _index_soon(post_ids: list[str]) -> None:
    global _broker_quiet_until
    if time.monotonic() >= _broker_quiet_until:
        try:
            # No retries: the broker's own timeouts bound this send, and the fallback
            # below is as good as a late task.
            search_index_posts_task.apply_async((post_ids,), retry=False)
            return
        except Exception as error:
            _broker_quiet_until = time.monotonic() + BROKER_QUIET_SECONDS
            logger.warning("Could not queue search indexing (%s); indexing inline.", error)
    try:
        search_index_posts(post_ids=post_ids)
    except Exception:
        # Other receivers of the signal still run; the catch-up job indexes these later.
        logger.exception("Indexing posts %s inline failed.", post_ids)
