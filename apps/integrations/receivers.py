"""What integrations do when other apps signal: a new post may fire outgoing webhooks.

Receivers only filter cheaply and enqueue; the matching and the calls out happen in a
Celery task, away from the request that made the post.
"""

from typing import Any

from django.db.models import Q

from apps.integrations.models import OutgoingWebhook
from apps.integrations.services_outgoing import post_may_fire_outgoing_webhooks
from apps.integrations.tasks import outgoing_webhooks_fire_task
from apps.posts.models import Post


def outgoing_webhooks_enqueue(
    sender: object, *, post_id: str, post: Post | None = None, **kwargs: Any
) -> None:
    """On `posts.signals.post_created`: queue the outgoing-webhook task when the post is
    of a kind that fires hooks and some live hook watches its channel.

    Runs after the post's commit, so the task finds the row. One query, two when the
    sender did not pass the post.
    """
    if post is None:
        post = Post.objects.select_related("channel").filter(id=post_id).first()
    if post is None or not post_may_fire_outgoing_webhooks(post):
        return
    watched = (
        OutgoingWebhook.objects.filter(team_id=post.channel.team_id, delete_at=0)
        .filter(Q(channel__isnull=True) | Q(channel_id=post.channel_id))
        .exists()
    )
    if watched:
        outgoing_webhooks_fire_task.delay(post_id)
