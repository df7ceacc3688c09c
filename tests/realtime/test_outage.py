"""SECURITY 23 for realtime: when Redis cannot carry an event, the process that published it
still delivers it to its own sockets, and every socket that may have missed events is
closed with `CLOSE_RESYNC` once they can flow again, so that its client reloads. The whole
story, with a real Redis stopped under load, is tests/security/test_redis_outage.py."""

import json
import socket

import pytest
import redis

from apps.core.timeutils import now_ms
from apps.posts.services import post_create
from apps.realtime import hub as hub_module
from apps.realtime.events import CLOSE_RESYNC
from apps.realtime.hub import CLOCK_SKEW_MS
from apps.realtime.publish import Broadcast, Event
from apps.realtime.transport import (
    RESYNC,
    RedisPublisher,
    decode,
    envelope_for,
    resync_envelope,
)
from tests.realtime.conftest import Socket, World, db, run
from tests.realtime.test_resume import resume_path

pytestmark = pytest.mark.django_db(transaction=True)


class FlakyRedis:
    """A Redis client whose server can be switched off; it keeps what it was given."""

    def __init__(self) -> None:
        self.up = True
        self.calls = 0
        self.sent = []

    def publish(self, channel: str, message: str) -> int:
        self.calls += 1
        if not self.up:
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")
        self.sent.append(decode(message))
        return 1


def _event(n: int):
    return envelope_for(Event("typing", {"n": n}, Broadcast(channel_id="c" * 26)))


def test_a_publisher_announces_what_it_could_not_publish_before_the_next_event() -> None:
    client = FlakyRedis()
    publisher = RedisPublisher(client, "confab:test")
    publisher.QUIET_SECONDS = 0
    assert publisher.publish(_event(1))
    client.up = False
    failed_at = now_ms()
    assert not publisher.publish(_event(2))
    client.up = True
    assert publisher.publish(_event(3))
    assert publisher.publish(_event(4))

    assert [e.event for e in client.sent] == ["typing", RESYNC, "typing", "typing"]
    assert client.sent[1].data["until"] >= failed_at
    assert [e.frame for e in client.sent if e.event != RESYNC] == [
        _event(n).frame for n in (1, 3, 4)
    ]


def test_after_a_failure_the_publisher_leaves_redis_alone_for_a_while() -> None:
    client = FlakyRedis()
    publisher = RedisPublisher(client, "confab:test")
    client.up = False
    assert not publisher.publish(_event(1))
    client.up = True
    assert not publisher.publish(_event(2))
    assert client.calls == 1


def _refused_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def test_an_event_redis_cannot_take_still_reaches_this_process_sockets(
    world: World, settings
) -> None:
    async def scenario() -> None:
        bob = Socket(world.token(world.bob))
        await bob.ready()
        # From here on, publishing goes to a Redis that refuses connections.
        settings.CONFAB_REALTIME_REDIS_URL = _refused_url()
        post = await db(post_create)(actor=world.alice, channel=world.channel, message="hi")
        posted = await bob.event("posted")
        assert json.loads(posted["data"]["post"])["id"] == post.id
        await bob.close()

    run(scenario)


def test_a_resync_closes_the_sockets_that_may_have_missed_events(world: World) -> None:
    async def scenario() -> None:
        bob = Socket(world.token(world.bob))
        hello = await bob.open_with_hello()
        await bob.sync()
        hub = hub_module.current_hub()

        # Another process delivered events only to its own sockets until now.
        hub.deliver(resync_envelope(now_ms()))
        assert await bob.closed() == CLOSE_RESYNC

        # The client reconnects to resume; there is nothing to resume, so it gets a new
        # connection id, which tells it to reload.
        again = Socket(world.token(world.bob), path=resume_path(hello["data"]["connection_id"], 1))
        rehello = await again.open_with_hello()
        assert rehello["data"]["connection_id"] != hello["data"]["connection_id"]
        await again.sync()

        # Events missed before this socket connected (and before the last resync) are
        # already in what it reloaded: it stays open.
        hub.deliver(resync_envelope(now_ms() - 2 * CLOCK_SKEW_MS - 1000))
        assert await again.nothing()
        await again.close()

    run(scenario)
