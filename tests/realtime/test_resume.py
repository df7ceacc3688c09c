"""Reconnecting without losing events (SECURITY 22): a dropped socket's connection is
parked and keeps queueing; a client that comes back with `connection_id` and
`sequence_number` (Mattermost's reliable WebSocket) gets what it missed, numbered as
before, or a new `hello` with a new connection id, which tells it to reload."""

import json

import pytest

from apps.accounts.models import Status
from apps.accounts.services.sessions import session_revoke
from apps.posts.services import post_create
from apps.realtime import hub as hub_module
from tests.realtime.conftest import Socket, World, db, run

pytestmark = pytest.mark.django_db(transaction=True)


def resume_path(connection_id: str, next_seq: int) -> str:
    return f"/api/v4/websocket?connection_id={connection_id}&sequence_number={next_seq}"


async def dropped(world: World, user) -> tuple[str, int]:
    """Connect `user`, read up to now, drop the socket: (connection id, next seq)."""
    socket = Socket(world.token(user))
    hello = await socket.open_with_hello()
    frames = await socket.sync()
    last_seq = max([hello["seq"], *(f["seq"] for f in frames if "seq" in f)])
    await socket.close()
    return hello["data"]["connection_id"], last_seq + 1


async def post(world: World, message: str):
    return await db(post_create)(actor=world.alice, channel=world.channel, message=message)


def posted_ids(frames: list[dict]) -> list[str]:
    return [json.loads(f["data"]["post"])["id"] for f in frames if f.get("event") == "posted"]


def test_events_published_while_away_arrive_in_order_after_a_resume(world: World) -> None:
    async def scenario() -> None:
        connection_id, next_seq = await dropped(world, world.bob)
        missed = [await post(world, f"while away {n}") for n in range(3)]

        socket = Socket(world.token(world.bob), path=resume_path(connection_id, next_seq))
        connected, _ = await socket.open()
        assert connected
        frames = await socket.sync()
        assert all(f.get("event") != "hello" for f in frames)
        events = [f for f in frames if "seq" in f]
        assert [f["seq"] for f in events] == list(range(next_seq, next_seq + len(events)))
        assert posted_ids(events) == [p.id for p in missed]

        # The same connection goes on: the next event takes the next number.
        later = await post(world, "after the resume")
        live = await socket.event("posted")
        assert json.loads(live["data"]["post"])["id"] == later.id
        assert live["seq"] == events[-1]["seq"] + 1
        await socket.close()

    run(scenario)


def test_frames_lost_in_flight_are_sent_again_with_their_numbers(world: World) -> None:
    async def scenario() -> None:
        socket = Socket(world.token(world.bob))
        hello = await socket.open_with_hello()
        await socket.sync()
        first = await post(world, "one")
        second = await post(world, "two")
        got = [await socket.event("posted"), await socket.event("posted")]
        await socket.close()
        # The client says it never saw "one" (say it was still in a network buffer).
        again = Socket(
            world.token(world.bob), path=resume_path(hello["data"]["connection_id"], got[0]["seq"])
        )
        await again.open()
        frames = await again.sync()
        assert posted_ids(frames) == [first.id, second.id]
        assert [f["seq"] for f in frames if f.get("event") == "posted"] == [
            got[0]["seq"],
            got[1]["seq"],
        ]
        await again.close()

    run(scenario)


def test_a_gap_that_is_no_longer_kept_gets_a_new_connection(world: World, settings) -> None:
    settings.CONFAB_WEBSOCKET_RESUME_FRAMES = 2

    async def scenario() -> None:
        socket = Socket(world.token(world.bob))
        hello = await socket.open_with_hello()
        await socket.sync()
        for n in range(4):
            await post(world, f"m{n}")
        for _ in range(4):
            await socket.event("posted")
        await socket.close()
        # Only the last two frames are kept; the client asks for the very first.
        again = Socket(world.token(world.bob), path=resume_path(hello["data"]["connection_id"], 1))
        fresh = await again.open_with_hello()
        assert fresh["data"]["connection_id"] != hello["data"]["connection_id"]
        await again.close()

    run(scenario)


@pytest.mark.parametrize("case", ["unknown-id", "future-seq", "bad-seq"])
def test_nothing_to_resume_means_hello_with_a_new_connection_id(world: World, case) -> None:
    async def scenario() -> None:
        connection_id, next_seq = await dropped(world, world.bob)
        path = {
            "unknown-id": resume_path("x" * 26, next_seq),
            "future-seq": resume_path(connection_id, next_seq + 5),
            "bad-seq": f"/api/v4/websocket?connection_id={connection_id}&sequence_number=-1",
        }[case]
        socket = Socket(world.token(world.bob), path=path)
        hello = await socket.open_with_hello()
        assert hello["data"]["connection_id"] != connection_id
        await socket.close()

    run(scenario)


def test_another_users_socket_cannot_take_over_a_connection(world: World) -> None:
    async def scenario() -> None:
        connection_id, next_seq = await dropped(world, world.bob)
        secret = await post(world, "for the launch channel only")
        intruder = Socket(world.token(world.carol), path=resume_path(connection_id, next_seq))
        hello = await intruder.open_with_hello()
        assert hello["data"]["connection_id"] != connection_id
        assert hello["broadcast"]["user_id"] == world.carol.id
        assert secret.id not in posted_ids(await intruder.sync())
        await intruder.close()
        # Bob's own connection is still there for him.
        socket = Socket(world.token(world.bob), path=resume_path(connection_id, next_seq))
        await socket.open()
        assert posted_ids(await socket.sync()) == [secret.id]
        await socket.close()

    run(scenario)


def test_presence_follows_the_socket_not_the_parked_connection(world: World) -> None:
    async def scenario() -> None:
        connection_id, next_seq = await dropped(world, world.bob)
        status = await db(lambda: Status.objects.get(user=world.bob).status)()
        assert status == "offline"
        socket = Socket(world.token(world.bob), path=resume_path(connection_id, next_seq))
        await socket.open()
        await socket.sync()
        status = await db(lambda: Status.objects.get(user=world.bob).status)()
        assert status == "online"
        await socket.close()

    run(scenario)


def test_parked_connections_expire(world: World, settings) -> None:
    settings.CONFAB_WEBSOCKET_RESUME_SECONDS = 0

    async def scenario() -> None:
        connection_id, next_seq = await dropped(world, world.bob)
        hub = hub_module.current_hub()
        assert connection_id in hub.parked
        await hub.maintain()
        assert hub.parked == {}
        assert world.bob.id not in hub.users
        socket = Socket(world.token(world.bob), path=resume_path(connection_id, next_seq))
        hello = await socket.open_with_hello()
        assert hello["data"]["connection_id"] != connection_id
        await socket.close()

    run(scenario)


def test_a_revoked_session_loses_its_parked_connection(world: World) -> None:
    async def scenario() -> None:
        connection_id, _next_seq = await dropped(world, world.bob)
        hub = hub_module.current_hub()
        await db(
            lambda: session_revoke(actor=world.bob, user=world.bob, session_id=_session_id(world))
        )()
        await db(lambda: None)()  # the session_revoked event reaches the hub: no tick needed
        assert connection_id not in hub.parked
        assert world.bob.id not in hub.users

    run(scenario)


def test_a_parked_connection_that_falls_too_far_behind_is_dropped(world: World, settings) -> None:
    settings.CONFAB_WEBSOCKET_SEND_QUEUE = 3

    async def scenario() -> None:
        connection_id, next_seq = await dropped(world, world.bob)
        hub = hub_module.current_hub()
        for n in range(5):
            await post(world, f"flood {n}")
        await db(lambda: None)()  # let the hub's loop run the deliveries
        assert connection_id not in hub.parked
        socket = Socket(world.token(world.bob), path=resume_path(connection_id, next_seq))
        hello = await socket.open_with_hello()
        assert hello["data"]["connection_id"] != connection_id
        await socket.close()

    run(scenario)


def _session_id(world: World) -> str:
    from apps.accounts.selectors import session_for_token

    return session_for_token(world.token(world.bob)).id


def test_another_session_of_the_same_user_cannot_resume(world: World) -> None:
    async def scenario() -> None:
        connection_id, next_seq = await dropped(world, world.bob)
        from apps.accounts.services.sessions import session_create

        _session, other_token = await db(session_create)(user=world.bob)
        socket = Socket(other_token, path=resume_path(connection_id, next_seq))
        hello = await socket.open_with_hello()
        assert hello["data"]["connection_id"] != connection_id
        await socket.close()
        assert connection_id in hub_module.current_hub().parked

    run(scenario)


def test_a_user_keeps_only_a_few_parked_connections(world: World, settings) -> None:
    settings.CONFAB_WEBSOCKET_PARKED_PER_USER = 2

    async def scenario() -> None:
        dropped_ids = [(await dropped(world, world.bob))[0] for _ in range(5)]
        hub = hub_module.current_hub()
        assert set(hub.parked) == set(dropped_ids[-2:])
        assert len(hub.users[world.bob.id].connections) == 2

    run(scenario)


async def four_big_posts_then_drop(world: World) -> tuple[dict, list[dict]]:
    """Bob receives four posts of about 1.5 kB each, then his socket drops."""
    socket = Socket(world.token(world.bob))
    hello = await socket.open_with_hello()
    await socket.sync()
    got = []
    for n in range(4):
        await post(world, f"{n} " + "x" * 1500)
        got.append(await socket.event("posted"))
    await socket.close()
    return hello, got


def test_frames_kept_for_a_resume_stay_within_the_byte_budget(world: World, settings) -> None:
    settings.CONFAB_WEBSOCKET_SEND_QUEUE_BYTES = 6000

    async def scenario() -> None:
        hello, got = await four_big_posts_then_drop(world)
        connection_id = hello["data"]["connection_id"]
        # The first of the four big frames is no longer kept: that gap means reload...
        early = Socket(world.token(world.bob), path=resume_path(connection_id, got[0]["seq"]))
        fresh = await early.open_with_hello()
        assert fresh["data"]["connection_id"] != connection_id
        await early.close()

    run(scenario)


def test_recent_frames_within_the_byte_budget_are_resent(world: World, settings) -> None:
    settings.CONFAB_WEBSOCKET_SEND_QUEUE_BYTES = 6000

    async def scenario() -> None:
        hello, got = await four_big_posts_then_drop(world)
        # ...while the last two still come back.
        late = Socket(
            world.token(world.bob), path=resume_path(hello["data"]["connection_id"], got[2]["seq"])
        )
        await late.open()
        frames = await late.sync()
        assert [f["seq"] for f in frames if f.get("event") == "posted"] == [
            got[2]["seq"],
            got[3]["seq"],
        ]
        await late.close()

    run(scenario)
