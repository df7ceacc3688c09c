"""What the members of a channel hear when its membership changes: the events a client
needs to keep a channel header's member count current (issue 13, §1 bug 4). Mattermost's
web app asks for the channel's stats again on `user_added` / `user_removed` of the channel
on screen; Confab's web client does the same (apps/web/static/web/js/channel.js)."""

from typing import Any

import pytest

from apps.channels.selectors import channel_stats
from apps.channels.services import channel_join, channel_member_remove
from apps.teams.services import team_member_remove
from tests.realtime.conftest import Socket, build_world, db, run

pytestmark = pytest.mark.django_db(transaction=True)


def _named(frames: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [f for f in frames if f.get("event") == name]


def test_members_hear_each_join_and_leave_and_the_stats_follow() -> None:
    world = build_world()
    channel_id = world.channel.id

    def count() -> int:
        return channel_stats(actor=world.alice, channel_id=channel_id)["member_count"]

    async def scenario() -> None:
        alice = Socket(world.token(world.alice))
        await alice.ready()
        await alice.sync()
        assert await db(count)() == 2

        await db(channel_join)(actor=world.carol, channel_id=channel_id)
        [added] = _named(await alice.sync(), "user_added")
        assert added["broadcast"]["channel_id"] == channel_id
        assert (added["data"]["channel_id"], added["data"]["user_id"]) == (
            channel_id,
            world.carol.id,
        )
        assert await db(count)() == 3

        await db(channel_member_remove)(
            actor=world.carol, channel_id=channel_id, user_id=world.carol.id
        )
        [removed] = _named(await alice.sync(), "user_removed")
        assert removed["broadcast"]["channel_id"] == channel_id
        assert removed["data"]["user_id"] == world.carol.id
        assert await db(count)() == 2

        # Leaving the team is leaving each of its channels, announced the same way.
        await db(team_member_remove)(actor=world.bob, team_id=world.team.id, user_id=world.bob.id)
        to_alice = [
            f for f in _named(await alice.sync(), "user_removed") if f["broadcast"]["channel_id"]
        ]
        assert channel_id in {f["data"]["channel_id"] for f in to_alice}
        assert {f["data"]["user_id"] for f in to_alice} == {world.bob.id}
        assert await db(count)() == 1

    run(scenario)
