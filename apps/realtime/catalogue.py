"""The catalogue of realtime events: every event Confab sends, its payload type, and what
the hub does with it besides delivering it.

Each app that publishes declares its events in its own `events.py` as `EventType`s, with
one builder function per event that fills the payload and decides who receives it
(STYLE.md §2.4: choosing the audience is a security decision). `publish_event` accepts
only events built from the catalogue, the hub decides what an event changes in its
membership map from the event's `hub_effect` rather than from names and keys spelled out
where it reads them, and the tests check every captured event against its payload type.
Mattermost's wire names (MATTERMOST_API.md §b) are the event names.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypedDict, TypeVar

from apps.realtime.publish import Broadcast, Event


class HubEffect(enum.Enum):
    """What an event changes in a hub besides being delivered; the payload types below
    say which keys the hub reads for each."""

    NONE = "none"
    CHANNEL_JOINED = "channel_joined"  # ChannelMembershipData: user_id joins channel_id
    CHANNEL_LEFT = "channel_left"  # ChannelMembershipData (user_id, or the addressee)
    DIRECT_JOINED = "direct_joined"  # the addressee joins channel_id
    TEAM_JOINED = "team_joined"  # TeamMembershipData
    TEAM_LEFT = "team_left"  # TeamMembershipData
    SESSIONS_ENDED = "sessions_ended"  # SessionsEndedData: close those sockets
    USER_CHANGED = "user_changed"  # UserChangedData: close the sockets of a deactivated user
    STATUS_CHANGED = "status_changed"  # StatusData


# --- the keys the hub reads (apps' payload types include them) ------------------------


class ChannelMembershipData(TypedDict):
    user_id: str
    channel_id: str


class DirectMembershipData(TypedDict):
    channel_id: str


class TeamMembershipData(TypedDict):
    user_id: str
    team_id: str


class SessionsEndedData(TypedDict):
    user_id: str
    session_ids: list[str]


class UserChangedData(TypedDict):
    user_id: str


class StatusData(TypedDict):
    user_id: str
    status: str


HUB_KEYS: dict[HubEffect, type] = {
    HubEffect.CHANNEL_JOINED: ChannelMembershipData,
    HubEffect.CHANNEL_LEFT: DirectMembershipData,  # user_id may be absent: the addressee
    HubEffect.DIRECT_JOINED: DirectMembershipData,
    HubEffect.TEAM_JOINED: TeamMembershipData,
    HubEffect.TEAM_LEFT: TeamMembershipData,
    HubEffect.SESSIONS_ENDED: SessionsEndedData,
    HubEffect.USER_CHANGED: UserChangedData,
    HubEffect.STATUS_CHANGED: StatusData,
}

P = TypeVar("P", bound=Mapping[str, Any])

_catalogue: dict[str, EventType[Any]] = {}


@dataclass(frozen=True, eq=False)
class EventType(Generic[P]):
    """One kind of event: its wire name, its payload's TypedDict and its effect on hubs.
    Declared once, at import time of the owning app's `events.py`."""

    name: str
    payload: type[P]
    hub_effect: HubEffect = HubEffect.NONE
    # `mentions` (a JSON list of user ids) goes to each mentioned user alone.
    per_recipient_mentions: bool = False

    def __post_init__(self) -> None:
        if self.name in _catalogue:
            raise ValueError(f"The event {self.name!r} is declared twice.")
        required = HUB_KEYS.get(self.hub_effect)
        if required is not None:
            missing = _keys(required) - _keys(self.payload)
            if missing:
                raise ValueError(f"{self.name}: the hub reads {sorted(missing)}, not in payload")
        _catalogue[self.name] = self

    def build(self, data: P, broadcast: Broadcast) -> Event:
        """The event to publish: the builder in the owning `events.py` calls this."""
        return Event(self.name, dict(data), broadcast)


def event_type(name: str) -> EventType[Any] | None:
    return _catalogue.get(name)


def catalogue() -> Mapping[str, EventType[Any]]:
    """Every declared event, by name (apps' `events.py` are imported when Django starts:
    apps.realtime.apps)."""
    return types.MappingProxyType(_catalogue)


def hub_event_names() -> frozenset[str]:
    """Events whose payload the hub reads: it keeps their data when routing them."""
    return frozenset(n for n, t in _catalogue.items() if t.hub_effect is not HubEffect.NONE)


def payload_problems(event: Event) -> list[str]:
    """How `event` departs from its declared payload type: unknown event, missing or
    unexpected keys, values of the wrong type ([] when it conforms)."""
    kind = _catalogue.get(event.event)
    if kind is None:
        return [f"{event.event!r} is not in the catalogue"]
    hints = typing.get_type_hints(kind.payload)
    required = set(getattr(kind.payload, "__required_keys__", hints))
    problems = [f"missing {key!r}" for key in sorted(required - set(event.data))]
    problems += [f"unexpected {key!r}" for key in sorted(set(event.data) - set(hints))]
    for key, value in event.data.items():
        if key in hints and not _conforms(value, hints[key]):
            problems.append(f"{key!r} is {type(value).__name__}, not {hints[key]}")
    return problems


def _keys(payload: type) -> set[str]:
    return set(typing.get_type_hints(payload))


def _conforms(value: object, hint: Any) -> bool:
    """A shallow check of a payload value against its annotation."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if origin is typing.Union or origin is types.UnionType:
        return any(_conforms(value, arm) for arm in typing.get_args(hint))
    if origin is typing.Literal:
        return value in typing.get_args(hint)
    if origin in (typing.NotRequired, typing.Required):
        return _conforms(value, typing.get_args(hint)[0])
    if hint is type(None):
        return value is None
    if origin is not None:
        return isinstance(value, origin)
    if isinstance(hint, type) and typing.is_typeddict(hint):
        return isinstance(value, dict)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)
