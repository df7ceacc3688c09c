"""The production backends work against the real services CI provides.

Locally these need DATABASE_URL / REDIS_URL; in CI (CI=true) a missing service fails.
"""

import asyncio
import uuid

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.core.cache.backends.redis import RedisCache
from django.db import connection

from tests.conftest import IN_CI


@pytest.mark.django_db
def test_ci_runs_the_suite_on_postgresql():
    expected = {"postgresql"} if IN_CI else {"postgresql", "sqlite"}
    assert connection.vendor in expected


def test_redis_channel_layer_delivers_between_layers(redis_url):
    """Two layer instances (as two server processes would hold) share a group via Redis."""

    async def scenario() -> dict:
        sender = RedisPubSubChannelLayer(hosts=[redis_url])
        receiver = RedisPubSubChannelLayer(hosts=[redis_url])
        group = f"test.{uuid.uuid4().hex}"
        channel_name = await receiver.new_channel()
        await receiver.group_add(group, channel_name)
        try:
            await sender.group_send(group, {"type": "chat.event", "text": "héllo"})
            return await asyncio.wait_for(receiver.receive(channel_name), timeout=5)
        finally:
            await receiver.group_discard(group, channel_name)
            await sender.flush()
            await receiver.flush()

    message = asyncio.run(scenario())
    assert message == {"type": "chat.event", "text": "héllo"}


def test_redis_cache_round_trip(redis_url):
    cache = RedisCache(redis_url, {"KEY_PREFIX": f"confab-test-{uuid.uuid4().hex}"})
    cache.set("answer", {"value": 42}, timeout=30)
    assert cache.get("answer") == {"value": 42}
    cache.delete("answer")
    assert cache.get("answer") is None
