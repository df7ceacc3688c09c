"""Celery entry points for accounts; each calls one service."""

from celery import shared_task

from apps.accounts.services.sessions import session_purge_expired


@shared_task(name="apps.accounts.tasks.session_purge_expired_task")
def session_purge_expired_task() -> int:
    return session_purge_expired()
