"""Who receives what: the hub delivers each published event to the live sockets of exactly
its audience (SECURITY 1), with a per-connection `seq`, and keeps its membership map
current from the events themselves."""

import json

import pytest

from apps.accounts.services.sessions import session_revoke
from apps.accounts.services.users import user_deactivate
from apps.channels.services import channel_member_add, channel_member_remove
from apps.posts.services import post_create
from apps.realtime import publish
from apps.realtime.events import CLOSE_TOO_SLOW, CLOSE_UNAUTHENTICATED
from apps.realtime.publish import Broadcast, Event
from apps.teams.services import team_member_remove
from tests.realtime.conftest import Socket, World, db, run

pytestmark = pytest.mark.django_db(transaction=True)


async def _sockets(world: World, *users) -> list[Socket]:
    sockets = [Socket(world.token(u)) for u in users]
    for socket in sockets:
        await socket.ready()
    for socket in sockets:
        await socket.sync()  # the others' status_change events, if they share a team
    return sockets


def _named(frames: list[dict], name: str) -> list[dict]:
    return [f for f in frames if f.get("event") == name]


def test_a_post_reaches_the_channel_members_only(world: World) -> None:
    async def scenario() -> None:
        alice, bob, carol = await _sockets(world, world.alice, world.bob, world.carol)
        post = await db(post_create)(actor=world.alice, channel=world.channel, message="hi @bob")
        for socket in (alice, bob):
            posted = await socket.event("posted")
            assert json.loads(posted["data"]["post"])["id"] == post.id
            assert posted["data"]["sender_name"] == "@alice"
            # Each recipient learns only of their own mention (tests/realtime/test_mentions.py).
            mentions = posted["data"].get("mentions")
            assert mentions == (f'["{world.bob.id}"]' if socket is bob else None)
            assert posted["broadcast"]["channel_id"] == world.channel.id
        # Carol is in the team but not in the channel: nothing, before or after a sync.
        assert _named(await carol.sync(), "posted") == []

    run(scenario)


def test_an_event_is_serialized_once_whatever_the_number_of_recipients(
    world: World, monkeypatch
) -> None:
    from apps.realtime import transport

    calls = []

    def counting_dumps(value):
        calls.append(value)
        return real_dumps(value)

    real_dumps = transport.dumps
    monkeypatch.setattr(transport, "dumps", counting_dumps)

    async def scenario() -> None:
        sockets = await _sockets(world, world.alice, world.bob, world.alice, world.bob)
        calls.clear()
        await db(publish._send)(Event("custom", {}, Broadcast(channel_id=world.channel.id)))
        frames = [await socket.event("custom") for socket in sockets]
        # (With Redis, a small routing line is encoded too; the frame itself once.)
        assert len([c for c in calls if "event" in c]) == 1
        assert len({json.dumps(f["data"]) for f in frames}) == 1

    run(scenario)


def test_seq_counts_events_per_connection_and_skips_responses(world: World) -> None:
    async def scenario() -> None:
        first = Socket(world.token(world.bob))
        await first.open_with_hello()
        assert (await first.event("status_change"))["seq"] == 1
        second = Socket(world.token(world.bob))
        await second.open_with_hello()  # bob was online already: no status_change
        await first.sync()
        await second.sync()
        for n in range(3):
            await db(publish._send)(Event("custom", {"n": n}, Broadcast(user_id=world.bob.id)))
        assert [(await first.frame())["seq"] for _ in range(3)] == [2, 3, 4]
        assert [(await second.frame())["seq"] for _ in range(3)] == [1, 2, 3]

    run(scenario)


def test_omitted_users_and_other_users_receive_nothing(world: World) -> None:
    async def scenario() -> None:
        alice, bob, carol = await _sockets(world, world.alice, world.bob, world.carol)
        await db(publish._send)(
            Event(
                "custom",
                {},
                Broadcast(channel_id=world.channel.id, omit_users=frozenset({world.bob.id})),
            )
        )
        await db(publish._send)(Event("mine", {}, Broadcast(user_id=world.carol.id)))
        await db(publish._send)(Event("team", {}, Broadcast(team_id=world.team.id)))
        assert [f["event"] for f in await alice.sync()] == ["custom", "team"]
        assert [f["event"] for f in await bob.sync()] == ["team"]
        assert [f["event"] for f in await carol.sync()] == ["mine", "team"]

    run(scenario)


def test_typing_reaches_the_other_members_not_the_typist(world: World) -> None:
    async def scenario() -> None:
        alice, bob, carol = await _sockets(world, world.alice, world.bob, world.carol)
        seq = await bob.act("user_typing", {"channel_id": world.channel.id, "parent_id": ""})
        assert await bob.frames_until_reply(seq) == []
        typing = await alice.event("typing")
        assert typing["data"] == {"user_id": world.bob.id, "parent_id": ""}
        assert typing["broadcast"]["omit_users"] == {world.bob.id: True}
        assert _named(await carol.sync(), "typing") == []

    run(scenario)


def test_a_non_member_cannot_type_into_a_channel(world: World) -> None:
    async def scenario() -> None:
        alice, carol = await _sockets(world, world.alice, world.carol)
        seq = await carol.act("user_typing", {"channel_id": world.channel.id})
        reply = await carol.reply(seq)
        assert (reply["status"], reply["error"]["status_code"]) == ("FAIL", 403)
        missing = await carol.act("user_typing", {"channel_id": "z" * 26})
        assert (await carol.reply(missing))["error"] == reply["error"]
        bad = await carol.act("user_typing", {"channel_id": "../etc"})
        assert (await carol.reply(bad))["error"]["status_code"] == 400
        assert _named(await alice.sync(), "typing") == []

    run(scenario)


def test_a_member_added_later_receives_the_channel_from_then_on(world: World) -> None:
    async def scenario() -> None:
        alice, carol = await _sockets(world, world.alice, world.carol)
        await db(channel_member_add)(
            actor=world.alice, channel_id=world.channel.id, user_id=world.carol.id
        )
        frames = await carol.sync()
        assert _named(frames, "user_added")[0]["data"]["user_id"] == world.carol.id
        await db(post_create)(actor=world.alice, channel=world.channel, message="welcome")
        assert await carol.event("posted")
        seq = await carol.act("user_typing", {"channel_id": world.channel.id})
        assert (await carol.reply(seq))["status"] == "OK"
        assert _named(await alice.sync(), "typing")

    run(scenario)


def test_a_removed_member_stops_receiving_the_channel_at_once(world: World) -> None:
    async def scenario() -> None:
        alice, bob = await _sockets(world, world.alice, world.bob)
        await db(channel_member_remove)(
            actor=world.alice, channel_id=world.channel.id, user_id=world.bob.id
        )
        removed = _named(await bob.sync(), "user_removed")
        # One copy, the one addressed to bob himself.
        assert [f["broadcast"]["user_id"] for f in removed] == [world.bob.id]
        await db(post_create)(actor=world.alice, channel=world.channel, message="after")
        assert _named(await alice.sync(), "posted")
        assert _named(await bob.sync(), "posted") == []
        seq = await bob.act("user_typing", {"channel_id": world.channel.id})
        assert (await bob.reply(seq))["error"]["status_code"] == 403

    run(scenario)


def test_leaving_the_team_stops_team_broadcasts(world: World) -> None:
    async def scenario() -> None:
        alice, carol = await _sockets(world, world.alice, world.carol)
        await db(team_member_remove)(
            actor=world.alice, team_id=world.team.id, user_id=world.carol.id
        )
        assert _named(await carol.sync(), "leave_team")
        await db(publish._send)(Event("team", {}, Broadcast(team_id=world.team.id)))
        assert _named(await carol.sync(), "team") == []
        assert _named(await alice.sync(), "team")

    run(scenario)


def test_a_revoked_session_closes_its_sockets_only(world: World) -> None:
    async def scenario() -> None:
        from apps.accounts.services.sessions import session_create

        _other, other_token = await db(session_create)(user=world.bob)
        revoked, kept = Socket(world.token(world.bob)), Socket(other_token)
        await revoked.ready()
        await kept.ready()
        session = await db(lambda: world.bob.sessions.order_by("create_at").first())()
        await db(session_revoke)(actor=world.bob, user=world.bob, session_id=session.id)
        assert await revoked.closed() == CLOSE_UNAUTHENTICATED
        assert _named(await kept.sync(), "session_revoked")

    run(scenario)


def test_a_deactivated_users_sockets_close(world: World) -> None:
    async def scenario() -> None:
        (bob,) = await _sockets(world, world.bob)
        await db(user_deactivate)(actor=world.alice, user=world.bob)
        assert await bob.closed() == CLOSE_UNAUTHENTICATED

    run(scenario)


def test_a_personal_access_token_socket_closes_on_upkeep_once_revoked(world: World) -> None:
    async def scenario() -> None:
        from apps.accounts.services.sessions import (
            user_access_token_create,
            user_access_token_revoke,
        )
        from apps.realtime.hub import current_hub

        row, token = await db(user_access_token_create)(
            actor=world.alice, user=world.alice, description="bot"
        )
        socket = Socket(token)
        await socket.ready()
        await db(user_access_token_revoke)(actor=world.alice, token_id=row.id)
        hub = current_hub()
        assert hub is not None
        await hub.maintain()
        assert await socket.closed() == CLOSE_UNAUTHENTICATED

    run(scenario)


def test_a_client_that_does_not_read_is_dropped(world: World, settings) -> None:
    settings.CONFAB_WEBSOCKET_SEND_QUEUE = 20

    async def scenario() -> None:
        (bob,) = await _sockets(world, world.bob)
        # 50 events queued in one go, before the writer gets a turn: more than fit.
        for n in range(50):
            publish._send(Event("flood", {"n": n}, Broadcast(user_id=world.bob.id)))
        code = await bob.closed()
        assert code == CLOSE_TOO_SLOW

    run(scenario)
