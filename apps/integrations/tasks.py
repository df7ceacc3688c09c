"""Celery entry points for integrations; each calls one service."""

from celery import shared_task

from apps.integrations.services_outgoing import outgoing_webhooks_fire


@shared_task(name="apps.integrations.tasks.outgoing_webhooks_fire_task")
def outgoing_webhooks_fire_task(post_id: str) -> int:
    """Call the outgoing webhooks a new post fires. Not retried: a callback that was
    reached must not get the same post twice."""
    return outgoing_webhooks_fire(post_id=post_id)
