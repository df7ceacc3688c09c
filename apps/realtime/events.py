"""Frames of Mattermost's WebSocket protocol (MATTERMOST_API.md §b) that the realtime app
builds itself: `hello`, `typing`, and the responses to client actions.

Events carry `seq`, stamped per connection as they are written; responses never do.
"""

import json
import socket
from collections.abc import Iterable
from typing import Any, TypedDict

from apps.realtime.catalogue import EventType, HubEffect
from apps.realtime.publish import Broadcast, Event

# Clients check only that the version parses as Mattermost's "major.minor.patch...".
SERVER_VERSION = "10.11.0.0.confab.false"

# Close codes sent by the server (autobahn accepts 1000 and 3000-4999 only).
CLOSE_NORMAL = 1000
CLOSE_UNAUTHENTICATED = 4001  # bad token, auth timeout, revoked session, deactivated user
CLOSE_FRAME_TOO_BIG = 4009
CLOSE_TOO_SLOW = 4013  # the client did not read its events
CLOSE_RESYNC = 4014  # events may have been missed (a Redis outage): reconnect and reload


class HelloData(TypedDict):
    server_version: str
    connection_id: str
    server_hostname: str


class TypingData(TypedDict):
    user_id: str
    parent_id: str


class StatusChangeData(TypedDict):
    status: str
    user_id: str


HELLO = EventType("hello", HelloData)
TYPING = EventType("typing", TypingData)
STATUS_CHANGE = EventType("status_change", StatusChangeData, HubEffect.STATUS_CHANGED)


def dumps(value: Any) -> str:
    """Compact JSON, the one encoding of every frame."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def hello_frame(*, user_id: str, connection_id: str) -> str:
    data: HelloData = {
        "server_version": SERVER_VERSION,
        "connection_id": connection_id,
        "server_hostname": socket.gethostname(),
    }
    return dumps(HELLO.build(data, Broadcast(user_id=user_id)).to_wire())


def typing_event(*, user_id: str, chat_channel_id: str, parent_id: str) -> Event:
    """`typing` goes to the channel's members except the typist."""
    data: TypingData = {"user_id": user_id, "parent_id": parent_id}
    return TYPING.build(
        data, Broadcast(channel_id=chat_channel_id, omit_users=frozenset({user_id}))
    )


def status_change(*, user_id: str, status: str, team_ids: Iterable[str]) -> list[Event]:
    """A new status, to the user's own sessions and to the members of `team_ids` (the
    teams the user is in), whichever way it changed: chosen or observed.

    People who share only a direct or group message with the user are not told: one
    event per such channel would multiply every change by the user's conversations, and
    the web client asks for the statuses of whoever a page shows when it draws it."""
    data: StatusChangeData = {"status": status, "user_id": user_id}
    events = [STATUS_CHANGE.build(data, Broadcast(user_id=user_id))]
    events += [
        STATUS_CHANGE.build(data, Broadcast(team_id=team_id, omit_users=frozenset({user_id})))
        for team_id in sorted(set(team_ids))
    ]
    return events


def ok_response(seq_reply: int | None, data: dict[str, Any] | None = None) -> str:
    frame: dict[str, Any] = {"status": "OK"}
    if seq_reply:
        frame["seq_reply"] = seq_reply
    if data is not None:
        frame["data"] = data
    return dumps(frame)


def fail_response(seq_reply: int | None, *, error_id: str, message: str, status_code: int) -> str:
    frame: dict[str, Any] = {"status": "FAIL"}
    if seq_reply:
        frame["seq_reply"] = seq_reply
    frame["error"] = {
        "id": error_id,
        "message": message,
        "detailed_error": "",
        "request_id": "",
        "status_code": status_code,
    }
    return dumps(frame)
