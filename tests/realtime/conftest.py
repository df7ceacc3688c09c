"""Helpers for the WebSocket tests: a Mattermost-speaking client over Channels'
`WebsocketCommunicator` (the consumer and the hub run in the test process), and a world of
users, a team and a channel built through the services."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.accounts.models import User
from apps.accounts.services.sessions import session_create
from apps.channels.services import channel_member_add
from apps.realtime import hub as hub_module
from apps.teams.services import team_member_add
from tests.factories import UserFactory, make_channel, make_team

TIMEOUT = 3


def run(scenario: Callable[[], Any]) -> None:
    """Run an async scenario on a fresh event loop; its synchronous database calls
    (`database_sync_to_async`) run on this thread, inside the test's database access.
    The hub bound to that loop is closed at the end."""

    async def wrapped() -> None:
        try:
            await scenario()
        finally:
            hub = hub_module.current_hub()
            if hub is not None:
                await hub.close()

    async_to_sync(wrapped)()


def db(fn: Callable[..., Any]) -> Callable[..., Any]:
    return database_sync_to_async(fn)


def _application():
    from config.asgi import application

    return application


class Socket:
    """One client connection speaking Mattermost's protocol."""

    def __init__(
        self, token: str | None = None, *, path: str = "/api/v4/websocket", headers=()
    ) -> None:
        all_headers = list(headers)
        if token:
            all_headers.append((b"authorization", f"Bearer {token}".encode()))
        self.communicator = WebsocketCommunicator(_application(), path, headers=all_headers)
        self._seq = 0

    async def open(self) -> tuple[bool, int | None]:
        return await self.communicator.connect(timeout=TIMEOUT)

    async def open_with_hello(self) -> dict[str, Any]:
        connected, _ = await self.open()
        assert connected
        hello = await self.frame()
        assert hello["event"] == "hello" and hello["seq"] == 0, hello
        return hello

    async def ready(self) -> list[dict[str, Any]]:
        """Connect, take `hello`, then sync with a ping: returns the events that came in
        between (the user's own `status_change` when the socket brought them online)."""
        await self.open_with_hello()
        return await self.sync()

    async def sync(self) -> list[dict[str, Any]]:
        """Every frame queued for this socket so far (ping, then read up to the pong)."""
        return await self.frames_until_reply(await self.act("ping"))

    async def challenge(self, token: str) -> int:
        return await self.act("authentication_challenge", {"token": token})

    async def act(self, action: str, data: dict[str, Any] | None = None) -> int:
        self._seq += 1
        await self.send({"seq": self._seq, "action": action, "data": data or {}})
        return self._seq

    async def send(self, payload: Any) -> None:
        await self.communicator.send_to(text_data=json.dumps(payload))

    async def frame(self, timeout: float = TIMEOUT) -> dict[str, Any]:
        message = await self.communicator.receive_output(timeout)
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def event(self, name: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The next frame, which must be the event `name`."""
        frame = await self.frame(timeout)
        assert frame.get("event") == name, frame
        return frame

    async def reply(self, seq: int) -> dict[str, Any]:
        """The response to request `seq`, skipping events in between."""
        while True:
            frame = await self.frame()
            if frame.get("seq_reply") == seq:
                return frame

    async def frames_until_reply(self, seq: int) -> list[dict[str, Any]]:
        """Every frame received before the response to request `seq`."""
        frames = []
        while True:
            frame = await self.frame()
            if frame.get("seq_reply") == seq:
                return frames
            frames.append(frame)

    async def nothing(self, timeout: float = 0.2) -> bool:
        return await self.communicator.receive_nothing(timeout)

    async def closed(self, timeout: float = TIMEOUT) -> int | None:
        """Wait for the server to close the socket; returns the close code."""
        while True:
            message = await self.communicator.receive_output(timeout)
            if message["type"] == "websocket.close":
                return message.get("code")

    async def close(self) -> None:
        await self.communicator.disconnect()


@dataclass
class World:
    """Alice and Bob share the `launch` channel; Carol is in the team but not in it."""

    alice: User
    bob: User
    carol: User
    team: Any
    channel: Any
    tokens: dict[str, str]

    def token(self, user: User) -> str:
        return self.tokens[user.username]


def build_world() -> World:
    alice, bob, carol = (UserFactory(username=n) for n in ("alice", "bob", "carol"))
    team = make_team(alice)
    for user in (bob, carol):
        team_member_add(actor=alice, team_id=team.id, user_id=user.id)
    channel = make_channel(alice, team, "launch")
    channel_member_add(actor=alice, channel_id=channel.id, user_id=bob.id)
    tokens = {u.username: session_create(user=u)[1] for u in (alice, bob, carol)}
    return World(alice, bob, carol, team, channel, tokens)


@pytest.fixture
def world(transactional_db) -> World:
    return build_world()
