"""Response URLs of custom commands over HTTP: they expire after 30 minutes, and the
hourly purge deletes the expired ones."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from apps.core.timeutils import now_ms
from apps.integrations.models import COMMAND_WEBHOOK_LIFETIME_MS, CommandWebhook
from apps.integrations.services_custom_commands import command_webhook_purge_expired
from apps.integrations.tasks import command_webhook_purge_expired_task
from apps.posts.models import Post

pytestmark = pytest.mark.django_db

PURGE_TASK = "apps.integrations.tasks.command_webhook_purge_expired_task"


def response_url_of(world, deploy, age_ms: int) -> CommandWebhook:
    hook = CommandWebhook.objects.create(command=deploy, user=world.alice, channel=world.lobby)
    CommandWebhook.objects.filter(id=hook.id).update(create_at=now_ms() - age_ms)
    return hook


def call(hook: CommandWebhook, text: str):
    return Client().post(
        f"/hooks/commands/{hook.id}",
        data=f'{{"response_type": "in_channel", "text": "{text}"}}',
        content_type="application/json",
    )


def test_a_response_url_works_until_it_is_30_minutes_old(world, deploy):
    fresh = response_url_of(world, deploy, age_ms=COMMAND_WEBHOOK_LIFETIME_MS - 60_000)
    answer = call(fresh, "still in time")
    assert (answer.status_code, answer.content) == (200, b"ok")
    assert Post.objects.filter(channel=world.lobby, message="still in time").exists()

    stale = response_url_of(world, deploy, age_ms=COMMAND_WEBHOOK_LIFETIME_MS + 60_000)
    refused = call(stale, "too late")
    assert refused.status_code == 400
    assert refused.json()["status_code"] == 400
    assert not Post.objects.filter(message="too late").exists()


def test_the_purge_deletes_expired_response_urls_only(world, deploy):
    fresh = response_url_of(world, deploy, age_ms=60_000)
    stale = response_url_of(world, deploy, age_ms=COMMAND_WEBHOOK_LIFETIME_MS + 1)
    assert command_webhook_purge_expired_task() == 1
    assert list(CommandWebhook.objects.values_list("id", flat=True)) == [fresh.id]
    assert command_webhook_purge_expired() == 0
    assert not CommandWebhook.objects.filter(id=stale.id).exists()


def test_the_purge_is_scheduled_hourly():
    from config.celery import app as confab_celery

    entry = django_settings.CELERY_BEAT_SCHEDULE["purge-expired-command-response-urls"]
    assert entry["task"] == PURGE_TASK
    assert entry["schedule"].minute == {41}
    confab_celery.loader.import_default_modules()
    assert PURGE_TASK in confab_celery.tasks
