"""Leaving a team, as the removed user's socket sees it: one `user_removed` for each of the
team's channels they were in, then `leave_team` (issue 13, §1 bug 1).

The hub drops the user from a channel when it applies the channel's copy of
`user_removed`, before delivering it, so the removed user learns of each channel only
from the copy addressed to them; the team path once sent the channel's copy alone."""

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from apps.channels.models import ChannelMember
from apps.teams.services import team_member_remove
from tests.realtime.conftest import Socket, World, build_world, db, run

pytestmark = pytest.mark.django_db(transaction=True)


def _team_channel_ids(world: World, user) -> set[str]:
    return set(
        ChannelMember.objects.filter(user=user, channel__team=world.team).values_list(
            "channel_id", flat=True
        )
    )


def _named(frames: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [f for f in frames if f.get("event") == name]


def test_a_user_removed_from_a_team_hears_of_each_channel_they_left() -> None:
    world = build_world()
    channel_ids = _team_channel_ids(world, world.bob)
    assert len(channel_ids) == 3  # town-square, off-topic, launch

    async def scenario() -> None:
        alice, bob = Socket(world.token(world.alice)), Socket(world.token(world.bob))
        for socket in (alice, bob):
            await socket.ready()
        for socket in (alice, bob):
            await socket.sync()
        await db(team_member_remove)(actor=world.alice, team_id=world.team.id, user_id=world.bob.id)
        to_bob = _named(await bob.sync(), "user_removed")
        assert sorted(f["data"]["channel_id"] for f in to_bob) == sorted(channel_ids)
        assert {f["broadcast"]["user_id"] for f in to_bob} == {world.bob.id}
        assert all(f["data"]["remover_id"] == world.alice.id for f in to_bob)
        # Alice, still in those channels, gets the channels' copies.
        to_alice = _named(await alice.sync(), "user_removed")
        assert {f["broadcast"]["channel_id"] for f in to_alice} == channel_ids
        assert {f["data"]["user_id"] for f in to_alice} == {world.bob.id}

    run(scenario)


@pytest.mark.slow
def test_through_a_live_daphne_the_removed_user_gets_user_removed_before_leave_team(
    live_server_url,
) -> None:
    world = build_world()
    channel_ids = _team_channel_ids(world, world.bob)
    ws_url = live_server_url.replace("http://", "ws://") + "/api/v4/websocket"

    async def frames_until_leave_team(ws: ClientConnection) -> list[dict[str, Any]]:
        frames: list[dict[str, Any]] = []
        deadline = time.monotonic() + 10
        while not _named(frames, "leave_team"):
            remaining = max(0.01, deadline - time.monotonic())
            frames.append(json.loads(await asyncio.wait_for(ws.recv(), remaining)))
        return frames

    async def scenario() -> list[dict[str, Any]]:
        headers = {"Authorization": f"Bearer {world.token(world.bob)}"}
        async with connect(ws_url, additional_headers=headers, proxy=None) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
            assert hello["event"] == "hello"
            async with httpx.AsyncClient(base_url=live_server_url) as http:
                answer = await http.delete(
                    f"/api/v4/teams/{world.team.id}/members/{world.bob.id}",
                    headers={"Authorization": f"Bearer {world.token(world.alice)}"},
                )
            assert answer.status_code == 200, answer.text
            return await frames_until_leave_team(ws)

    frames = asyncio.run(scenario())
    removed = _named(frames, "user_removed")
    assert sorted(f["data"]["channel_id"] for f in removed) == sorted(channel_ids)
    assert {f["broadcast"]["user_id"] for f in removed} == {world.bob.id}
