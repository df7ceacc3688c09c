"""The single exit for realtime events: services call `publish_event`, nothing else does.

An event leaves only after the surrounding transaction commits, so nobody is told about
a write that rolled back. Delivery is pluggable: `subscribe` registers a transport (the
WebSocket hub connects here); with none registered the event is simply not delivered.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Broadcast:
    """Who may receive an event, with Mattermost's envelope semantics.

    Exactly one of channel_id, team_id or user_id names the audience; `omit_users`
    removes some users from it. Services choose this: it is a security decision.
    """

    channel_id: str = ""
    team_id: str = ""
    user_id: str = ""
    omit_users: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        targets = [t for t in (self.channel_id, self.team_id, self.user_id) if t]
        if len(targets) != 1:
            raise ValueError("A broadcast names exactly one channel, team or user.")

    def to_wire(self) -> dict[str, Any]:
        return {
            "omit_users": {u: True for u in sorted(self.omit_users)} or None,
            "user_id": self.user_id,
            "channel_id": self.channel_id,
            "team_id": self.team_id,
            "connection_id": "",
            "omit_connection_id": "",
        }


@dataclass(frozen=True)
class Event:
    event: str
    data: dict[str, Any]
    broadcast: Broadcast

    def to_wire(self) -> dict[str, Any]:
        return {"event": self.event, "data": self.data, "broadcast": self.broadcast.to_wire()}


Subscriber = Callable[[Event], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Callable[[], None]:
    """Register a delivery transport; returns a function that unregisters it."""
    _subscribers.append(subscriber)
    return lambda: _subscribers.remove(subscriber)


def publish_event(event: Event) -> None:
    """Announce `event`, made by a builder in its app's `events.py` (the catalogue:
    apps/realtime/catalogue.py), to its audience once the current transaction commits."""
    from apps.realtime.catalogue import event_type

    if event_type(event.event) is None:
        raise ValueError(f"{event.event!r} is not in the event catalogue.")
    transaction.on_commit(lambda: _send(event), robust=True)


def _send(event: Event) -> None:
    # Each transport on its own: one that fails (a hub whose Redis is down) must not
    # keep the event from the others, nor undo a write that has already committed.
    for subscriber in list(_subscribers):
        try:
            subscriber(event)
        except Exception:
            logger.exception("Delivering %r through %r failed.", event.event, subscriber)
