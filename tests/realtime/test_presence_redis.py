"""Presence kept in Redis survives a burst: many sockets of many users closing at once
(a server restart, a network blip) each get their turn on a bounded pool of connections."""

import asyncio

import pytest

from apps.core.ids import new_id
from apps.realtime.presence import REDIS_CONNECTIONS, RedisSockets

pytestmark = pytest.mark.services


def test_a_burst_of_closing_sockets_is_recorded_for_every_user(redis_url):
    users = [new_id() for _ in range(REDIS_CONNECTIONS * 20)]

    async def scenario() -> list[bool]:
        sockets = RedisSockets(redis_url, f"confab:test:{new_id()}")
        try:
            await sockets.refresh([(user, f"{user}-conn") for user in users])
            return await asyncio.gather(*(sockets.remove(user, f"{user}-conn") for user in users))
        finally:
            await sockets.close()

    remaining = asyncio.run(scenario())
    # Every removal went through (none refused for want of a connection), and each user's
    # only socket is gone.
    assert remaining == [False] * len(users)
