"""Celery entry points for integrations; each calls one service."""

from celery import shared_task

from apps.integrations.services_custom_commands import command_webhook_purge_expired
from apps.integrations.services_outgoing import outgoing_webhooks_fire


@shared_task(name="apps.integrations.tasks.outgoing_webhooks_fire_task", acks_late=False)
def outgoing_webhooks_fire_task(post_id: str) -> int:
    """Call the outgoing webhooks a new post fires. Not retried, and acknowledged when
    it starts (not when it ends, as other tasks are): a callback that was reached must
    not get the same post twice if a worker dies midway."""
    return outgoing_webhooks_fire(post_id=post_id)


@shared_task(name="apps.integrations.tasks.command_webhook_purge_expired_task")
def command_webhook_purge_expired_task() -> int:
    return command_webhook_purge_expired()
