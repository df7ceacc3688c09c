"""How an event travels from `publish_event` to the hubs.

An event is serialized once into an `Envelope`: the wire frame every recipient gets, plus
the routing the hub needs (audience, and for membership events their data). Embedded mode
hands the envelope to this process's hub. With Redis, every process publishes to one
pub/sub channel and every process's hub holds one subscription to it (DESIGN.md
"Realtime"), so an event published anywhere (a web request, a Celery task) reaches the
sockets wherever they are.

When Redis is unreachable (SECURITY 23) nothing waits on it for long and nothing is missed
silently. A publish that fails is delivered to this process's own sockets only, and for a
few seconds the next ones go the same way without trying Redis; once a publish gets
through again, a `RESYNC` message first tells every hub that its sockets may lack events
up to then. A subscription that breaks, or that Redis stops answering (it pings when
quiet), reconnects; the hub then closes its sockets so that their clients reload (see
`Hub._on_resume`).
"""

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio as aioredis

from apps.core.timeutils import now_ms
from apps.realtime.catalogue import HubEffect, event_type
from apps.realtime.events import dumps
from apps.realtime.publish import Event

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Envelope:
    event: str
    chat_channel_id: str
    team_id: str
    user_id: str
    omit_users: frozenset[str]
    data: dict[str, Any] | None
    frame: str
    # Everyone mentioned (routing only: it travels between processes, never to a socket).
    mentions: frozenset[str] = frozenset()


def envelope_for(event: Event) -> Envelope:
    """Serialize `event` once; every recipient gets this frame with its own `seq`.

    The frame leaves out per-recipient `mentions`; `frame_for` adds a mentioned user's own.
    """
    b = event.broadcast
    wire = event.to_wire()
    mentions: frozenset[str] = frozenset()
    kind = event_type(event.event)
    if kind is not None and kind.per_recipient_mentions and "mentions" in event.data:
        data = dict(event.data)
        mentions = frozenset(json.loads(data.pop("mentions")))
        wire["data"] = data
    return Envelope(
        event=event.event,
        chat_channel_id=b.channel_id,
        team_id=b.team_id,
        user_id=b.user_id,
        omit_users=b.omit_users,
        # The hub reads the payload of the events that change its state (their
        # `hub_effect`); the rest travel as their frame only.
        data=event.data if kind is not None and kind.hub_effect is not HubEffect.NONE else None,
        frame=dumps(wire),
        mentions=mentions,
    )


def frame_for(envelope: Envelope, user_id: str) -> str:
    """The frame `user_id` receives: the shared one, or for a mentioned user the shared one
    with `"mentions":"[\"<their id>\"]"` spliced in as the first key of `data`, without
    serializing the event again."""
    if user_id not in envelope.mentions:
        return envelope.frame
    head = f'{{"event":{dumps(envelope.event)},"data":{{'
    frame = envelope.frame
    if not frame.startswith(head):  # not the shape `Event.to_wire` makes
        logger.error("Unexpected %r frame; delivered without mentions.", envelope.event)
        return frame
    rest = frame[len(head) :]
    own = f'"mentions":{dumps(dumps([user_id]))}'
    return f"{head}{own}{',' if not rest.startswith('}') else ''}{rest}"


def encode(envelope: Envelope) -> str:
    """One Redis message: a routing line, a newline, then the frame (compact JSON never
    contains a raw newline), so a hub routes without parsing the frame."""
    head = {
        "e": envelope.event,
        "c": envelope.chat_channel_id,
        "t": envelope.team_id,
        "u": envelope.user_id,
        "o": sorted(envelope.omit_users),
        "d": envelope.data,
        "m": sorted(envelope.mentions),
    }
    return f"{dumps(head)}\n{envelope.frame}"


def decode(message: str | bytes) -> Envelope:
    text = message.decode() if isinstance(message, bytes) else message
    head_text, _, frame = text.partition("\n")
    head = json.loads(head_text)
    return Envelope(
        event=head["e"],
        chat_channel_id=head["c"],
        team_id=head["t"],
        user_id=head["u"],
        omit_users=frozenset(head["o"]),
        data=head["d"],
        frame=frame,
        mentions=frozenset(head.get("m", ())),
    )


# --- Redis ---------------------------------------------------------------------------------

# A message only hubs read: events up to `data["until"]` (ms) reached no other process.
RESYNC = "confab_resync"


def resync_envelope(until_ms: int) -> Envelope:
    return Envelope(
        event=RESYNC,
        chat_channel_id="",
        team_id="",
        user_id="",
        omit_users=frozenset(),
        data={"until": until_ms},
        frame="",
    )


class RedisPublisher:
    """Publishes from synchronous code (any thread: a request, a task, a command).

    `publish` says whether the event went to Redis; when it did not, the caller delivers
    it in this process and this publisher remembers when, to announce it (`RESYNC`)
    ahead of the first event that gets through again.
    """

    # After a failure, Redis is left alone this long: during an outage only the first
    # request in each spell waits for a timeout, not every one.
    QUIET_SECONDS = 3

    def __init__(self, client: redis.Redis, channel: str) -> None:
        self._client = client
        self.channel = channel
        self._lock = threading.Lock()
        self._quiet_until = 0.0
        self._missed_until_ms = 0

    def publish(self, envelope: Envelope) -> bool:
        with self._lock:
            if time.monotonic() < self._quiet_until:
                self._missed_until_ms = now_ms()
                return False
            missed, self._missed_until_ms = self._missed_until_ms, 0
        try:
            if missed:
                self._client.publish(self.channel, encode(resync_envelope(missed)))
            self._client.publish(self.channel, encode(envelope))
        except redis.RedisError as error:
            with self._lock:
                self._quiet_until = time.monotonic() + self.QUIET_SECONDS
                self._missed_until_ms = max(self._missed_until_ms, now_ms())
            logger.warning(
                "Realtime Redis unreachable (%s): events reach this process's sockets only, "
                "for at least %s s.",
                error,
                self.QUIET_SECONDS,
            )
            return False
        return True


_clients: dict[str, redis.Redis] = {}
_publishers: dict[tuple[str, str], RedisPublisher] = {}
_clients_lock = threading.Lock()


def redis_publisher(url: str, channel: str) -> RedisPublisher:
    """This process's publisher to `channel` (one connection pool per Redis)."""
    publisher = _publishers.get((url, channel))
    if publisher is None:
        with _clients_lock:
            client = _clients.get(url)
            if client is None:
                # Short timeouts: a publish is a millisecond's work, so a Redis that takes
                # a second to answer is down (the event then goes local; see above).
                client = _clients[url] = redis.Redis.from_url(
                    url, socket_timeout=1, socket_connect_timeout=1
                )
            publisher = _publishers.setdefault((url, channel), RedisPublisher(client, channel))
    return publisher


class RedisSubscription:
    """The process's one subscription, delivering every message to `on_envelope`.

    It reconnects by itself; after a reconnect `on_resume` runs, because events published
    while it was away are lost. A Redis that stops answering without closing the
    connection (a paused or unreachable host) counts as a break: when no message comes for
    a second the subscription pings, and after `SILENCE_SECONDS` without a word it
    reconnects.
    """

    RETRY_SECONDS = (0.1, 0.5, 1, 2, 5)
    PING_SECONDS = 1
    SILENCE_SECONDS = 3

    def __init__(
        self,
        *,
        url: str,
        channel: str,
        on_envelope: Callable[[Envelope], None],
        on_resume: Callable[[], None],
    ) -> None:
        self.url = url
        self.channel = channel
        self._on_envelope = on_envelope
        self._on_resume = on_resume
        self.ready = asyncio.Event()
        self._client = aioredis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def publish(self, envelope: Envelope) -> None:
        """Publish from the event loop (typing), without blocking it."""
        await self._client.publish(self.channel, encode(envelope))

    async def _run(self) -> None:
        attempt = 0
        subscribed_before = False
        while True:
            pubsub = self._client.pubsub()
            try:
                await self._subscribe(pubsub)
                if subscribed_before:
                    self._on_resume()
                subscribed_before = True
                attempt = 0
                self.ready.set()
                await self._listen(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.ready.clear()
                delay = self.RETRY_SECONDS[min(attempt, len(self.RETRY_SECONDS) - 1)]
                attempt += 1
                logger.exception("The realtime Redis subscription failed; retrying in %ss.", delay)
                await asyncio.sleep(delay)
            finally:
                with contextlib.suppress(Exception):  # the connection may be broken
                    await pubsub.aclose()

    async def _subscribe(self, pubsub: aioredis.client.PubSub) -> None:
        """Subscribe, and return once Redis has confirmed it: only then is the hub ready."""
        async with asyncio.timeout(self.SILENCE_SECONDS + 2):
            await pubsub.subscribe(self.channel)
            while True:
                message = await pubsub.get_message(timeout=self.PING_SECONDS)
                if message is not None and message.get("type") == "subscribe":
                    return

    async def _listen(self, pubsub: aioredis.client.PubSub) -> None:
        loop = asyncio.get_running_loop()
        heard = loop.time()
        while True:
            message = await pubsub.get_message(
                ignore_subscribe_messages=True, timeout=self.PING_SECONDS
            )
            if message is None:
                if loop.time() - heard > self.SILENCE_SECONDS:
                    raise ConnectionError("Redis stopped answering the realtime subscription.")
                await pubsub.ping()  # its answer (a "pong" message) shows Redis is there
                continue
            heard = loop.time()
            if message.get("type") != "message":
                continue
            try:
                envelope = decode(message["data"])
            except (ValueError, KeyError, TypeError):
                logger.exception("Ignoring a malformed realtime message.")
                continue
            self._on_envelope(envelope)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()
