"""How an event travels from `publish_event` to the hubs.

An event is serialized once into an `Envelope`: the wire frame every recipient gets, plus
the routing the hub needs (audience, and for membership events their data). Embedded mode
hands the envelope to this process's hub. With Redis, every process publishes to one
pub/sub channel and every process's hub holds one subscription to it (DESIGN.md
"Realtime"), so an event published anywhere (a web request, a Celery task) reaches the
sockets wherever they are.
"""

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
import redis.asyncio as aioredis

from apps.realtime.events import dumps
from apps.realtime.publish import Event

logger = logging.getLogger(__name__)

# Events whose data the hub reads to keep its membership map and its sockets current.
HUB_EVENTS = frozenset(
    {
        "user_added",
        "user_removed",
        "direct_added",
        "group_added",
        "added_to_team",
        "leave_team",
        "session_revoked",
        "user_updated",
        "status_change",
    }
)


# Events whose `mentions` (a JSON string of user ids) is delivered per recipient: a
# mentioned user sees only their own id, everyone else no `mentions` at all
# (MATTERMOST_API.md §b.5), so nobody learns who else was mentioned.
PER_RECIPIENT_MENTIONS = frozenset({"posted"})


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
    if event.event in PER_RECIPIENT_MENTIONS and "mentions" in event.data:
        data = dict(event.data)
        mentions = frozenset(json.loads(data.pop("mentions")))
        wire["data"] = data
    return Envelope(
        event=event.event,
        chat_channel_id=b.channel_id,
        team_id=b.team_id,
        user_id=b.user_id,
        omit_users=b.omit_users,
        data=event.data if event.event in HUB_EVENTS else None,
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

_clients: dict[str, redis.Redis] = {}
_clients_lock = threading.Lock()


def redis_publish(url: str, channel: str, envelope: Envelope) -> None:
    """Publish from synchronous code (any thread: a request, a task, a command)."""
    client = _clients.get(url)
    if client is None:
        with _clients_lock:
            # Short timeouts: while Redis is down a request that publishes waits at most
            # this long (the failure is logged; the committed write stands).
            client = _clients.setdefault(
                url, redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
            )
    client.publish(channel, encode(envelope))


class RedisSubscription:
    """The process's one subscription, delivering every message to `on_envelope`.

    It reconnects by itself; after a reconnect `on_resume` runs, because events published
    while it was away are lost and the hub must re-read what they would have changed.
    """

    RETRY_SECONDS = (0.1, 0.5, 1, 2, 5)

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
        self._client = aioredis.Redis.from_url(url, socket_connect_timeout=5)
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
                await pubsub.subscribe(self.channel)
                if subscribed_before:
                    self._on_resume()
                subscribed_before = True
                attempt = 0
                self.ready.set()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5)
                    if message is None or message.get("type") != "message":
                        continue
                    try:
                        envelope = decode(message["data"])
                    except (ValueError, KeyError, TypeError):
                        logger.exception("Ignoring a malformed realtime message.")
                        continue
                    self._on_envelope(envelope)
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

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._client.aclose()
